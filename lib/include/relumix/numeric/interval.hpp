#pragma once
// Rigorous interval arithmetic over MPFI (an MPFR-based interval library): every result
// encloses the exact value. Thin RAII value type; the precision (bits) of a result is the
// largest precision of its operands. Certified decimal output lives in certify.hpp.
#include <mpfi.h>

#include <string>

#include "relumix/exact/qpi.hpp"
#include "relumix/exact/rational.hpp"

namespace relumix {

class Interval {
 public:
  explicit Interval(mpfr_prec_t bits = 64);
  Interval(const Rational& q, mpfr_prec_t bits);
  Interval(long v, mpfr_prec_t bits);
  Interval(const Interval& o);
  Interval(Interval&& o) noexcept;
  Interval& operator=(const Interval& o);
  Interval& operator=(Interval&& o) noexcept;
  ~Interval();

  static Interval pi(mpfr_prec_t bits);
  static Interval euler_gamma(mpfr_prec_t bits);
  static Interval ln2(mpfr_prec_t bits);
  // Encloses a decimal string such as "0.1" or "-2.5e-30".
  static Interval from_decimal(const std::string& s, mpfr_prec_t bits);

  mpfr_prec_t bits() const { return mpfi_get_prec(v_); }
  mpfi_ptr get() { return v_; }
  mpfi_srcptr get() const { return v_; }

  Interval& operator+=(const Interval& o);
  Interval& operator-=(const Interval& o);
  Interval& operator*=(const Interval& o);
  Interval& operator/=(const Interval& o);
  Interval& operator*=(const Rational& q);
  Interval& operator+=(const Rational& q);
  friend Interval operator+(Interval a, const Interval& b) { return a += b; }
  friend Interval operator-(Interval a, const Interval& b) { return a -= b; }
  friend Interval operator*(Interval a, const Interval& b) { return a *= b; }
  friend Interval operator/(Interval a, const Interval& b) { return a /= b; }
  friend Interval operator*(Interval a, const Rational& q) { return a *= q; }
  friend Interval operator+(Interval a, const Rational& q) { return a += q; }
  Interval operator-() const;

  bool contains_zero() const;       // 0 in [lo, hi]
  bool is_positive() const;         // lo > 0
  bool is_negative() const;         // hi < 0
  bool is_finite() const;           // both ends finite (no division by an interval with 0)
  double mid_double() const;
  double lo_double() const;
  double hi_double() const;
  // relative width (hi - lo) / min(|lo|, |hi|), as a double (inf if the interval holds 0)
  double rel_width() const;

 private:
  mpfi_t v_;
};

Interval sqr(const Interval& x);
Interval sqrt(const Interval& x);
Interval sin(const Interval& x);
Interval cos(const Interval& x);
Interval acos(const Interval& x);
Interval asin(const Interval& x);
Interval exp(const Interval& x);
Interval expm1(const Interval& x);
Interval log(const Interval& x);
Interval log1p(const Interval& x);
Interval pow(const Interval& x, unsigned long e);
// Encloses an element of Q[1/pi].
Interval enclose(const QPi& x, mpfr_prec_t bits);
// Multiply by 2^k exactly.
Interval ldexp(const Interval& x, long k);

}  // namespace relumix
