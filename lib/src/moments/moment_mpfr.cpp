// The MPFR (Boost.Multiprecision) face of the certified values: moment_mpfr.
#include "moments/enclosure.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/eval.hpp"

namespace relumix {

boost::multiprecision::mpfr_float moment_mpfr(unsigned a, unsigned b, const boost::multiprecision::mpfr_float& theta,
                                              unsigned digits10) {
  check_digits(long(digits10));
  mpfr_srcptr x = theta.backend().data();
  require(mpfr_number_p(x), "angle is not a finite number");
  Theta th;
  if (!mpfr_zero_p(x)) {
    Integer m;
    mpfr_exp_t e = mpfr_get_z_2exp(m.backend().data(), x);
    Rational q(m);
    if (e > 0) q *= Rational(boost::multiprecision::pow(Integer(2), unsigned(e)));
    else if (e < 0) q /= Rational(boost::multiprecision::pow(Integer(2), unsigned(-e)));
    th.offset = q;
  }
  check_range(th);
  const Prepared& pr = prepared(a, b);
  boost::multiprecision::mpfr_float r;
  r.precision(digits10 + 5);
  if (th.is_pi()) {  // an mpfr angle is never exactly pi; kept for completeness
    r = 0;
    return r;
  }
  mpfr_prec_t bits = mpfr_prec_t(double(digits10) * 3.3219280948873623) + 8;
  Interval v = enclose(pr, th, bits);
  mpfi_mid(r.backend().data(), v.get());
  return r;
}

}  // namespace relumix
