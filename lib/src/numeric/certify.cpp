#include "relumix/numeric/certify.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "relumix/core/interrupt.hpp"

namespace relumix {

std::string format_decimal(bool negative, const std::string& digits, long e) {
  std::string out = negative ? "-" : "";
  long D = long(digits.size());
  if (e > 0 && e <= 21 && e <= D) {
    out += digits.substr(0, std::size_t(e));
    if (e < D) out += "." + digits.substr(std::size_t(e));
  } else if (e <= 0 && e > -5) {
    out += "0." + std::string(std::size_t(-e), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (D > 1) out += "." + digits.substr(1);
    long x = e - 1;
    out += (x < 0 ? "e-" : "e+") + std::to_string(x < 0 ? -x : x);
  }
  return out;
}

namespace {
struct Rounded {
  bool neg;
  std::string digits;
  long exp10;
  bool operator==(const Rounded&) const = default;
};

Rounded round_to(mpfr_srcptr x, int digits) {
  mpfr_exp_t e = 0;
  char* s = mpfr_get_str(nullptr, &e, 10, std::size_t(digits), x, MPFR_RNDN);
  if (!s) throw std::runtime_error("mpfr_get_str failed");
  Rounded r{s[0] == '-', std::string(s[0] == '-' ? s + 1 : s), long(e)};
  mpfr_free_str(s);
  return r;
}
}  // namespace

Certified certify(const Enclosure& f, const CertifyOptions& opt) {
  if (opt.exact_zero) return {"0", 0, false};
  const double log2_10 = 3.321928094887362;
  mpfr_prec_t bits = opt.start_bits ? opt.start_bits : mpfr_prec_t(opt.digits * log2_10) + 32;
  mpfr_prec_t cap = opt.max_bits ? opt.max_bits : mpfr_prec_t(20 * opt.digits * log2_10) + 40000;
  for (;;) {
    throw_if_stopped();
    Interval v = f(bits);
    if (v.is_finite() && !v.contains_zero()) {
      Rounded lo = round_to(&v.get()->left, opt.digits), hi = round_to(&v.get()->right, opt.digits);
      if (lo == hi) return {format_decimal(lo.neg, lo.digits, lo.exp10), bits, false};
    }
    if (bits >= cap) {
      if (!v.is_finite() || v.contains_zero())
        throw std::runtime_error("could not certify the value (it may be exactly zero) at " + std::to_string(bits) + " bits");
      // At a rounding tie: the midpoint is within half a unit of the last digit plus the width.
      mpfr_t m;
      mpfr_init2(m, bits);
      mpfi_mid(m, v.get());
      Rounded r = round_to(m, opt.digits);
      mpfr_clear(m);
      return {format_decimal(r.neg, r.digits, r.exp10), bits, true};
    }
    bits = std::min(cap, bits * 2);
  }
}

// x = 10^k * exp(y - k ln 10) with k = floor(y / ln 10), so nothing underflows.
std::string certify_exp(const Enclosure& lnx, int digits) {
  const double log2_10 = 3.321928094887362;
  mpfr_prec_t bits = mpfr_prec_t(digits * log2_10) + 32 + 64;
  const mpfr_prec_t cap = mpfr_prec_t(20 * digits * log2_10) + 40000;
  for (;;) {
    throw_if_stopped();
    Interval y = lnx(bits);
    Interval ln10 = log(Interval(10L, bits));
    double t = (y / ln10).mid_double();
    if (!std::isfinite(t)) throw std::runtime_error("certify_exp: non-finite exponent");
    long long k = (long long)std::floor(t);
    Interval s = exp(y - ln10 * Rational(Integer(k)));
    if (s.is_finite() && s.is_positive()) {
      Rounded lo = round_to(&s.get()->left, digits), hi = round_to(&s.get()->right, digits);
      if (lo == hi) return format_decimal(false, lo.digits, lo.exp10 + long(k));
    }
    if (bits >= cap) throw std::runtime_error("could not certify exp(y) at " + std::to_string(bits) + " bits");
    bits = std::min(cap, bits * 2);
  }
}

}  // namespace relumix
