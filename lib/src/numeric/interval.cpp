#include "relumix/numeric/interval.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace relumix {

namespace {
void widen(Interval& a, mpfr_prec_t bits) {
  if (a.bits() < bits) mpfi_round_prec(a.get(), bits);
}
}  // namespace

Interval::Interval(mpfr_prec_t bits) { mpfi_init2(v_, bits); mpfi_set_ui(v_, 0); }
Interval::Interval(const Rational& q, mpfr_prec_t bits) {
  mpfi_init2(v_, bits);
  mpfi_set_q(v_, q.backend().data());
}
Interval::Interval(long v, mpfr_prec_t bits) { mpfi_init2(v_, bits); mpfi_set_si(v_, v); }
Interval::Interval(const Interval& o) { mpfi_init2(v_, o.bits()); mpfi_set(v_, o.v_); }
Interval::Interval(Interval&& o) noexcept {
  mpfi_init2(v_, 2);
  mpfi_swap(v_, o.v_);
}
Interval& Interval::operator=(const Interval& o) {
  if (this != &o) { mpfi_set_prec(v_, o.bits()); mpfi_set(v_, o.v_); }
  return *this;
}
Interval& Interval::operator=(Interval&& o) noexcept {
  mpfi_swap(v_, o.v_);
  return *this;
}
Interval::~Interval() { mpfi_clear(v_); }

Interval Interval::pi(mpfr_prec_t bits) { Interval r(bits); mpfi_const_pi(r.v_); return r; }
Interval Interval::euler_gamma(mpfr_prec_t bits) { Interval r(bits); mpfi_const_euler(r.v_); return r; }
Interval Interval::ln2(mpfr_prec_t bits) { Interval r(bits); mpfi_const_log2(r.v_); return r; }
Interval Interval::from_decimal(const std::string& s, mpfr_prec_t bits) {
  Interval r(bits);
  if (mpfi_set_str(r.v_, s.c_str(), 10) != 0) throw std::invalid_argument("malformed number '" + s + "'");
  return r;
}

#define RELUMIX_BINOP(op, fn)                              \
  Interval& Interval::operator op(const Interval& o) {     \
    widen(*this, o.bits());                                \
    fn(v_, v_, o.v_);                                      \
    return *this;                                          \
  }
RELUMIX_BINOP(+=, mpfi_add)
RELUMIX_BINOP(-=, mpfi_sub)
RELUMIX_BINOP(*=, mpfi_mul)
RELUMIX_BINOP(/=, mpfi_div)
#undef RELUMIX_BINOP

Interval& Interval::operator*=(const Rational& q) {
  if (denominator(q) == 1) {
    mpfi_mul_z(v_, v_, numerator(q).backend().data());
  } else {
    mpfi_mul_q(v_, v_, q.backend().data());
  }
  return *this;
}
Interval& Interval::operator+=(const Rational& q) { mpfi_add_q(v_, v_, q.backend().data()); return *this; }

Interval Interval::operator-() const { Interval r(bits()); mpfi_neg(r.v_, v_); return r; }

bool Interval::contains_zero() const { return mpfi_has_zero(v_) > 0; }
bool Interval::is_positive() const { return mpfi_is_strictly_pos(v_) > 0; }
bool Interval::is_negative() const { return mpfi_is_strictly_neg(v_) > 0; }
bool Interval::is_finite() const { return mpfr_number_p(&v_->left) && mpfr_number_p(&v_->right); }
double Interval::mid_double() const {
  mpfr_t m; mpfr_init2(m, bits()); mpfi_mid(m, v_);
  double d = mpfr_get_d(m, MPFR_RNDN); mpfr_clear(m); return d;
}
double Interval::lo_double() const { return mpfr_get_d(&v_->left, MPFR_RNDD); }
double Interval::hi_double() const { return mpfr_get_d(&v_->right, MPFR_RNDU); }
double Interval::rel_width() const {
  if (contains_zero() || !is_finite()) return std::numeric_limits<double>::infinity();
  mpfr_t w; mpfr_init2(w, 64); mpfi_diam_rel(w, v_);
  double d = mpfr_get_d(w, MPFR_RNDU); mpfr_clear(w); return d;
}

#define RELUMIX_UNARY(name, fn)                  \
  Interval name(const Interval& x) {             \
    Interval r(x.bits());                        \
    fn(r.get(), x.get());                        \
    return r;                                    \
  }
RELUMIX_UNARY(sqr, mpfi_sqr)
RELUMIX_UNARY(sqrt, mpfi_sqrt)
RELUMIX_UNARY(sin, mpfi_sin)
RELUMIX_UNARY(cos, mpfi_cos)
RELUMIX_UNARY(acos, mpfi_acos)
RELUMIX_UNARY(asin, mpfi_asin)
RELUMIX_UNARY(exp, mpfi_exp)
RELUMIX_UNARY(expm1, mpfi_expm1)
RELUMIX_UNARY(log, mpfi_log)
RELUMIX_UNARY(log1p, mpfi_log1p)
#undef RELUMIX_UNARY

Interval pow(const Interval& x, unsigned long e) {
  Interval r(1L, x.bits()), b = x;
  bool first = true;
  while (e) {
    if (e & 1) { if (first) { r = b; first = false; } else r *= b; }
    e >>= 1;
    if (e) b = sqr(b);
  }
  return r;
}

Interval enclose(const QPi& x, mpfr_prec_t bits) {
  Interval r(0L, bits), inv_pi = Interval(1L, bits) / Interval::pi(bits);
  for (unsigned k = x.degree() + 1; k-- > 0;) r = r * inv_pi + Interval(x.coeff(k), bits);
  return r;
}

Interval ldexp(const Interval& x, long k) {
  Interval r(x.bits());
  if (k >= 0) mpfi_mul_2ui(r.get(), x.get(), (unsigned long)k);
  else mpfi_div_2ui(r.get(), x.get(), (unsigned long)(-k));
  return r;
}

}  // namespace relumix
