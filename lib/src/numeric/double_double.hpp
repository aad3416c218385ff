#pragma once
// Double-double arithmetic (a value is hi + lo, |lo| <= ulp(hi)/2): error-free transforms with
// fma for products, constants (pi in three parts, 1/(2 pi), 1/sqrt(2 pi), inverse factorials)
// and sin / versine of a small double-double. Private to the library (the fast double paths).
#include <mpfr.h>

#include <cmath>

namespace relumix::detail {

struct dd {
  double hi = 0, lo = 0;
};
inline dd two_sum(double a, double b) {
  double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
inline dd quick_two_sum(double a, double b) {
  double s = a + b;
  return {s, b - (s - a)};
}
inline dd two_prod(double a, double b) {
  double p = a * b;
  return {p, std::fma(a, b, -p)};
}
inline dd operator+(dd a, dd b) {
  dd s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = quick_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return quick_two_sum(s.hi, s.lo);
}
inline dd operator-(dd a) { return {-a.hi, -a.lo}; }
inline dd operator-(dd a, dd b) { return a + (-b); }
inline dd operator*(dd a, dd b) {
  dd p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return quick_two_sum(p.hi, p.lo);
}
inline dd from_mpfr(mpfr_srcptr x) {
  mpfr_t r;
  mpfr_init2(r, mpfr_get_prec(x) + 8);
  double hi = mpfr_get_d(x, MPFR_RNDN);
  mpfr_sub_d(r, x, hi, MPFR_RNDN);
  double lo = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  return quick_two_sum(hi, lo);
}

// Constants: pi in three parts, 1/(2 pi), 1/sqrt(2 pi) and inverse factorials as double-doubles.
struct DDConst {
  double pi[3];
  double half_pi[3];
  dd inv_2pi, inv_sqrt_2pi;
  dd inv_fact[32];
  DDConst() {
    mpfr_t x, r;
    mpfr_init2(x, 400);
    mpfr_init2(r, 400);
    mpfr_const_pi(x, MPFR_RNDN);
    for (int i = 0; i < 3; ++i) {
      pi[i] = mpfr_get_d(x, MPFR_RNDN);
      half_pi[i] = pi[i] / 2;
      mpfr_sub_d(x, x, pi[i], MPFR_RNDN);
    }
    mpfr_const_pi(x, MPFR_RNDN);
    mpfr_mul_2ui(x, x, 1, MPFR_RNDN);
    mpfr_ui_div(r, 1, x, MPFR_RNDN);
    inv_2pi = from_mpfr(r);
    mpfr_rec_sqrt(r, x, MPFR_RNDN);
    inv_sqrt_2pi = from_mpfr(r);
    mpfr_set_ui(r, 1, MPFR_RNDN);
    for (int k = 0; k < 32; ++k) {
      if (k > 0) mpfr_div_ui(r, r, unsigned(k), MPFR_RNDN);
      inv_fact[k] = from_mpfr(r);
    }
    mpfr_clear(x);
    mpfr_clear(r);
  }
};
inline const DDConst& ddc() {
  static const DDConst c;
  return c;
}

// c0 + c1 + c2 - x for an exact double x (c = a triple-double constant); exact first step
// when c0 / 2 <= x <= 2 c0 (Sterbenz).
inline dd triple_minus(const double* c, double x) {
  dd s = two_sum(c[0], -x);
  return s + dd{c[1], 0} + dd{c[2], 0};
}

// sin t and 1 - cos t for |t| <= pi/4 (double-double, relative error ~ 2^-104).
inline void dd_sin_versin(dd t, dd& s, dd& vers) {
  const DDConst& c = ddc();
  dd t2 = t * t;
  // number of terms: t^(2k) / (2k)! below 2^-110 |leading term|
  int K = 14;
  if (t.hi < 1e-3) K = 5;
  else if (t.hi < 0.1) K = 9;
  dd S{0, 0}, C{0, 0};
  for (int k = K; k >= 1; --k) {
    dd sk = c.inv_fact[2 * k + 1], ck = c.inv_fact[2 * k];
    if (k % 2) sk = -sk;            // (-1)^k / (2k+1)!
    if (k % 2 == 0) ck = -ck;       // (-1)^(k+1) / (2k)!
    S = S * t2 + sk;
    C = C * t2 + ck;
  }
  s = t + t * t2 * S;  // t + sum_{k>=1} (-1)^k t^(2k+1)/(2k+1)!
  // C is now sum_{k>=1} (-1)^(k+1) t^(2k-2)/(2k)! ... shifted: vers = t2 * C
  vers = t2 * C;
}

}  // namespace relumix::detail
