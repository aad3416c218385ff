#pragma once
// Double-double values (hi + lo, |lo| <= ulp(hi)/2) of MPFR numbers and of the constants the
// double path needs (1/(2 pi), 1/sqrt(2 pi)). The arithmetic on them lives in the SIMD kernels
// (moments/double_kernel_body.hpp). Private to the library.
#include <mpfr.h>

namespace relumix::detail {

struct dd {
  double hi = 0, lo = 0;
};

// x rounded to a double-double
inline dd from_mpfr(mpfr_srcptr x) {
  mpfr_t r;
  mpfr_init2(r, mpfr_get_prec(x) + 8);
  double hi = mpfr_get_d(x, MPFR_RNDN);
  mpfr_sub_d(r, x, hi, MPFR_RNDN);
  double lo = mpfr_get_d(r, MPFR_RNDN);
  mpfr_clear(r);
  return {hi, lo};
}

// 1/(2 pi) and 1/sqrt(2 pi) as double-doubles.
struct DDConst {
  dd inv_2pi, inv_sqrt_2pi;
  DDConst() {
    mpfr_t x, r;
    mpfr_init2(x, 400);
    mpfr_init2(r, 400);
    mpfr_const_pi(x, MPFR_RNDN);
    mpfr_mul_2ui(x, x, 1, MPFR_RNDN);
    mpfr_ui_div(r, 1, x, MPFR_RNDN);
    inv_2pi = from_mpfr(r);
    mpfr_rec_sqrt(r, x, MPFR_RNDN);
    inv_sqrt_2pi = from_mpfr(r);
    mpfr_clear(x);
    mpfr_clear(r);
  }
};
inline const DDConst& ddc() {
  static const DDConst c;
  return c;
}

}  // namespace relumix::detail
