#pragma once
// Prepared closed forms: the polynomials of closed_form(a, b) as integer polynomials over one
// denominator (FLINT, for Arb's ball evaluation) and as double-doubles (for the double path),
// re-expanded in u = 1 + rho (for angles past 2pi/3, where rho is close to -1), the series at
// theta = pi (near_pi.hpp), and the exactly known values at 0 and pi/2. Built once per (a, b)
// and cached process-wide; the lazy parts are thread-safe.
#include <memory>
#include <mutex>
#include <vector>

#include "numeric/arb.hpp"
#include "numeric/double_double.hpp"
#include "relumix/moments/eval.hpp"

namespace relumix {

struct DoubleForm;  // double_kernel.hpp

// p(x) = num(x) / den
struct FormPoly {
  FmpzPoly num;
  Fmpz den;
  std::vector<detail::dd> d;  // num_k / den as double-doubles (when finite)
  bool dd_ok = true;
  bool empty() const { return num.degree() < 0; }
  // p(x) in ball arithmetic at precision prec
  void eval(arb_t out, const arb_t x, slong prec) const;
  // num(x) from the powers x^0, x^1, ... (at least degree + 1 of them)
  void dot(arb_t out, arb_srcptr powers, slong prec) const;
};

// The first `terms` coefficients of the series at pi, num(y) / den in y = phi^2.
struct NearPiPoly {
  FmpzPoly num;
  Fmpz den;
  unsigned terms = 0;
};

struct MomentDouble::Impl {
  const ClosedForm* cf = nullptr;
  unsigned a = 0, b = 0, n = 0;
  bool even = true;
  FormPoly P, Q, R;  // in rho (P and Q over one denominator)
  const FormPoly& pu() const { ensure_u(); return Pu; }
  const FormPoly& qu() const { ensure_u(); return Qu; }
  const FormPoly& ru() const { ensure_u(); return Ru; }
  void ensure_u() const;
  // in v = 1 - rho (for tiny theta, where v ~ theta^2 / 2 and a few terms suffice), with
  // tail[k] = sum_{j >= k} |num_j| (exact; the bound of a truncated evaluation)
  const FormPoly& pv() const { ensure_v(); return Pv; }
  const FormPoly& qv() const { ensure_v(); return Qv; }
  const FormPoly& rv() const { ensure_v(); return Rv; }
  const std::vector<Fmpz>& tail(const FormPoly& p) const { ensure_v(); return &p == &Qv ? Qt : &p == &Rv ? Rt : Pt; }
  void ensure_v() const;
  bool dd_ok() const { return even ? P.dd_ok && Q.dd_ok : R.dd_ok; }
  bool dd_u_ok() const { ensure_u(); return even ? Pu.dd_ok && Qu.dd_ok : Ru.dd_ok; }
  // The series at pi with at least `terms` coefficients (computed on first use, extended by
  // doubling; the returned object stays valid).
  std::shared_ptr<const NearPiPoly> near_pi(unsigned terms) const;
  // The data of the double-path kernels (built on first use).
  const DoubleForm& double_form() const;
  // exact rational values (dyadic) at theta = 0 and pi/2, when rational
  bool zero_rational = false, half_rational = false;
  Rational at_zero, at_half;

 private:
  mutable std::once_flag u_once_;
  mutable FormPoly Pu, Qu, Ru;  // in u = 1 + rho
  mutable std::once_flag v_once_;
  mutable FormPoly Pv, Qv, Rv;  // in v = 1 - rho
  mutable std::vector<Fmpz> Pt, Qt, Rt;
  mutable std::mutex near_mu_;
  mutable std::shared_ptr<const NearPiPoly> near_;
  mutable std::once_flag dform_once_;
  mutable std::shared_ptr<const DoubleForm> dform_;
};

using Prepared = MomentDouble::Impl;

// Prepared form of closed_form(a, b), cached (a >= b key; J is symmetric).
const Prepared& prepared(unsigned a, unsigned b);
// The cached prepared form when cf is the cached closed form, else a new one kept in tmp
// (e.g. for closed_form_fourier).
const Prepared& prepared_for(const ClosedForm& cf, std::unique_ptr<Prepared>& tmp);

}  // namespace relumix
