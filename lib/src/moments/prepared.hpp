#pragma once
// Prepared closed forms: the polynomials of closed_form(a, b) with integer numerators over one
// denominator, as double-doubles, and re-expanded in u = 1 + rho (for angles past 2pi/3, where
// rho is close to -1), plus the exactly known values at 0 and pi/2. Built once per (a, b) and
// cached process-wide; shared by the interval route and the double path.
#include <memory>
#include <mutex>
#include <vector>

#include "numeric/double_double.hpp"
#include "relumix/moments/eval.hpp"

namespace relumix {

// Polynomial sum c_k x^k / den with integer c_k.
struct IntPoly {
  std::vector<Integer> c;
  Integer den = 1;
  std::vector<detail::dd> d;  // c_k / den as double-doubles (when finite)
  bool dd_ok = true;
  bool empty() const { return c.empty(); }
};

struct MomentDouble::Impl {
  const ClosedForm* cf = nullptr;
  unsigned a = 0, b = 0;
  bool even = true;
  IntPoly P, Q, R;  // in rho
  // in u = 1 + rho (built on first use)
  mutable std::once_flag u_once;
  mutable IntPoly Pu, Qu, Ru;
  const IntPoly& pu() const { ensure_u(); return Pu; }
  const IntPoly& qu() const { ensure_u(); return Qu; }
  const IntPoly& ru() const { ensure_u(); return Ru; }
  void ensure_u() const;
  bool dd_ok() const { return even ? P.dd_ok && Q.dd_ok : R.dd_ok; }
  bool dd_u_ok() const { ensure_u(); return even ? Pu.dd_ok && Qu.dd_ok : Ru.dd_ok; }
  // exact rational values (dyadic) at theta = 0 and pi/2, when rational
  bool zero_rational = false, half_rational = false;
  Rational at_zero, at_half;
};

using Prepared = MomentDouble::Impl;

// Prepared form of closed_form(a, b), cached (a >= b key; J is symmetric).
const Prepared& prepared(unsigned a, unsigned b);
// The cached prepared form when cf is the cached closed form, else a new one kept in tmp
// (e.g. for closed_form_fourier).
const Prepared& prepared_for(const ClosedForm& cf, std::unique_ptr<Prepared>& tmp);

}  // namespace relumix
