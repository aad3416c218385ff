// Data of the double-path kernels (double_kernel.hpp): the sine table, the per-(a, b) form, and
// the choice of kernel for this CPU.
#include <mpfr.h>

#include <cmath>

#include "core/cpu.hpp"
#include "moments/double_form.hpp"
#include "moments/near_pi.hpp"

namespace relumix {

using detail::dd;

namespace {
void split(mpfr_srcptr x, double& hi, double& lo) {
  dd v = detail::from_mpfr(x);
  hi = v.hi;
  lo = v.lo;
}

// an arb ball's midpoint as a double-double
void split_arb(const arb_t x, double& hi, double& lo) {
  mpfr_t m;
  mpfr_init2(m, 256);
  arf_get_mpfr(m, arb_midref(x), MPFR_RNDN);
  split(m, hi, lo);
  mpfr_clear(m);
}

// log2 of the cancellation of the closed form in u at theta = pi - phi: the sum of the absolute
// values of its terms over the absolute value of the result (Arb at 256 bits)
double cancellation(const Prepared& pr, double phi) {
  const slong w = 256;
  Ball ph, h, u, s, p, q;
  arb_set_d(ph, phi);
  arb_mul_2exp_si(h, ph, -1);
  arb_sin(h, h, w);
  arb_sqr(u, h, w);
  arb_mul_2exp_si(u, u, 1);  // 1 + cos(theta) = 2 sin^2(phi/2)
  arb_sin(s, ph, w);
  pr.pu().eval(p, u, w);
  pr.qu().eval(q, u, w);
  arb_mul(p, p, ph, w);
  arb_addmul(p, s, q, w);
  auto mag = [&](const FormPoly& f) {
    double x = 2 * std::sin(phi / 2) * std::sin(phi / 2), m = 0;
    for (std::size_t k = f.d.size(); k-- > 0;) m = m * x + std::fabs(f.d[k].hi);
    return m;
  };
  double num = std::fabs(arf_get_d(arb_midref(p.get()), ARF_RND_NEAR));
  return std::log2((phi * mag(pr.pu()) + std::sin(phi) * mag(pr.qu())) / num);
}
}  // namespace

const SinTable& sin_table() {
  static const SinTable t = [] {
    SinTable r;
    mpfr_t x, s, c, v;
    mpfr_inits2(256, x, s, c, v, (mpfr_ptr)nullptr);
    for (int j = 0; j < kSinTableSize; ++j) {
      mpfr_set_ui(x, unsigned(j), MPFR_RNDN);
      mpfr_div_ui(x, x, 256, MPFR_RNDN);  // exact
      mpfr_sin_cos(s, c, x, MPFR_RNDN);
      mpfr_div_2ui(v, x, 1, MPFR_RNDN);  // 1 - cos x = 2 sin^2(x/2)
      mpfr_sin(v, v, MPFR_RNDN);
      mpfr_sqr(v, v, MPFR_RNDN);
      mpfr_mul_2ui(v, v, 1, MPFR_RNDN);
      split(s, r.s_hi[j], r.s_lo[j]);
      split(c, r.c_hi[j], r.c_lo[j]);
      split(v, r.v_hi[j], r.v_lo[j]);
    }
    mpfr_clears(x, s, c, v, (mpfr_ptr)nullptr);
    return r;
  }();
  return t;
}

DoubleKernel best_double_kernel() {
  if (cpu_has_avx512()) return moment_kernel_avx512;
  if (cpu_has_avx2()) return moment_kernel_avx2;
  return moment_kernel_portable;
}

std::unique_ptr<DoubleForm> make_double_form(const Prepared& pr) {
  auto f = std::make_unique<DoubleForm>();
  f->even = pr.even;
  f->n = pr.n;
  f->at_zero = pr.even ? pr.at_zero.convert_to<double>() : NAN;
  const detail::DDConst& c = detail::ddc();
  f->inv_2pi_hi = c.inv_2pi.hi;
  f->inv_2pi_lo = c.inv_2pi.lo;
  f->inv_sqrt_2pi_hi = c.inv_sqrt_2pi.hi;
  f->inv_sqrt_2pi_lo = c.inv_sqrt_2pi.lo;
  f->usable = pr.dd_u_ok();
  if (!f->usable) return f;
  auto fill = [](const FormPoly& p, std::vector<double>& hi, std::vector<double>& lo, std::vector<double>& ab) {
    for (const dd& v : p.d) {
      hi.push_back(v.hi);
      lo.push_back(v.lo);
      ab.push_back(std::fabs(v.hi));
    }
  };
  fill(pr.even ? pr.pu() : pr.ru(), f->p_hi, f->p_lo, f->p_abs);
  if (pr.even) fill(pr.qu(), f->q_hi, f->q_lo, f->q_abs);
  // phi_s: the series below it. Where the closed form cancels by more than 2^(kMaxCancelLog2 - 4)
  // (a+b even, near pi; the form in u does not cancel for a+b odd), and where the series is as
  // cheap as the closed form (it needs no sine, and it keeps tiny values in range).
  double phi_cancel = 0;
  if (pr.even) {
    for (double phi = 1.5; phi > 1e-300; phi *= 0.9) {
      double l = cancellation(pr, phi);
      if (!(l <= kMaxCancelLog2 - 4)) {
        phi_cancel = phi / 0.9;
        break;
      }
    }
  }
  const double tail_bits = 64 + 5 + 0.2327262638 * double(pr.n);  // near_pi.hpp's remainder, 2^-64
  double cheap_terms = double(f->p_hi.size() + f->q_hi.size()) / 2 + 4;
  double phi_cheap = std::exp2(-tail_bits / (2 * cheap_terms));
  double phi_s = std::min(0.9, std::max(phi_cancel, phi_cheap));
  unsigned M = unsigned(std::ceil(tail_bits / (2 * -std::log2(phi_s))));
  M = std::max(M, 2u);
  f->phi_s = phi_s;
  f->series_bits = tail_bits;
  std::shared_ptr<const NearPiPoly> s = pr.near_pi(M);
  Ball k, t;
  arb_const_pi(k, 192);
  if (pr.even) {
    arb_inv(k, k, 192);
  } else {
    arb_mul_2exp_si(k, k, 1);
    arb_rsqrt(k, k, 192);
  }
  arb_div_fmpz(k, k, s->den.get(), 192);
  Fmpz coeff;
  for (unsigned m = 0; m < M; ++m) {
    fmpz_poly_get_coeff_fmpz(coeff.get(), s->num.get(), slong(m));
    arb_mul_fmpz(t, k, coeff.get(), 192);
    double hi, lo;
    split_arb(t, hi, lo);
    f->s_hi.push_back(hi);
    f->s_lo.push_back(lo);
  }
  return f;
}

}  // namespace relumix
