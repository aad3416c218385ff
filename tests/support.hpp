#pragma once
// Shared test support (unit and command-line tests): the sanitizer switch, random angles and the
// one checker of printed decimals ("every printed digit correct, ties rounded half to even").
#include <doctest/doctest.h>
#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "relumix/exact/rational.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix::test {

// Under the sanitizer build (scripts/test.sh sets RELUMIX_SANITIZED=1) tests use fewer samples.
inline bool sanitized() { return std::getenv("RELUMIX_SANITIZED") != nullptr; }
// n, or n/5 (at least `floor`) under the sanitizers
inline std::uint64_t scaled(std::uint64_t n, std::uint64_t floor = 200) {
  return sanitized() ? std::max<std::uint64_t>(n / 5, floor) : n;
}

// A random rational angle in [lo, hi] with 12 decimals (its text the reduced fraction).
inline Theta random_theta(std::mt19937_64& g, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Theta t;
  t.offset = Rational(Integer(std::llround(u(g) * 1e12)), Integer(1000000000000LL));
  t.text = to_string(t.offset);
  return t;
}

// |d - J| in units of the last place of J (2^-1074 below the normal range); J from an interval
// that must resolve it (narrower than 1e-3 ulp)
inline double ulp_error(double d, const Interval& J) {
  mpfr_t m, e;
  mpfr_inits2(J.bits() + 8, m, e, (mpfr_ptr)nullptr);
  mpfi_mid(m, J.get());
  // the reference must be far narrower than an ulp
  mpfr_sub(e, &J.get()->right, &J.get()->left, MPFR_RNDU);
  long ex = mpfr_zero_p(m) ? -1074 : std::max<long>(long(mpfr_get_exp(m)) - 53, -1074);  // ulp = 2^ex
  mpfr_mul_2si(e, e, -ex, MPFR_RNDU);
  REQUIRE(mpfr_cmp_d(e, 1e-3) < 0);
  mpfr_sub_d(e, m, d, MPFR_RNDN);
  mpfr_abs(e, e, MPFR_RNDN);
  mpfr_mul_2si(e, e, -ex, MPFR_RNDN);
  double out = mpfr_get_d(e, MPFR_RNDU);
  mpfr_clears(m, e, (mpfr_ptr)nullptr);
  return out;
}

// The shape of a printed decimal such as "-0.0012340", "1.5e-30", "12": its significant digits
// (from the first non-zero digit to the last printed one), the decimal exponent of the leading
// significant digit, and the exponent of one unit in the last printed place.
struct DecimalShape {
  bool zero = true;      // no non-zero digit
  int significant = 0;   // significant digits printed
  long lead = 0;         // value = d.ddd * 10^lead
  long unit = 0;         // one unit in the last place = 10^unit
};

inline DecimalShape decimal_shape(const std::string& text) {
  DecimalShape r;
  std::string s = text;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s = s.substr(1);
  long ex = 0;
  if (auto e = s.find_first_of("eE"); e != std::string::npos) {
    ex = std::stol(s.substr(e + 1));
    s = s.substr(0, e);
  }
  auto dot = s.find('.');
  std::string ip = dot == std::string::npos ? s : s.substr(0, dot);
  std::string fp = dot == std::string::npos ? "" : s.substr(dot + 1);
  std::string all = ip + fp;
  r.unit = ex - long(fp.size());
  std::size_t first = all.find_first_not_of('0');
  if (first == std::string::npos) return r;
  r.zero = false;
  r.significant = int(all.size() - first);
  r.lead = ex + long(ip.size()) - 1 - long(first);
  return r;
}

inline int significant_digits(const std::string& text) { return decimal_shape(text).significant; }

inline Rational pow10(long k) {
  Rational r = boost::multiprecision::pow(Integer(10), unsigned(k < 0 ? -k : k));
  return k < 0 ? 1 / r : r;
}

// `text` has exactly D significant digits and is the exact value q rounded to them: within half a
// unit in the last place, and on an exact tie the last digit is even (round half to even).
inline void check_rounded(const std::string& text, int D, const Rational& q) {
  INFO("value " << (text.size() > 60 ? text.substr(0, 60) + "..." : text) << " (" << D << " digits)");
  DecimalShape sh = decimal_shape(text);
  if (q == 0) {
    CHECK(sh.zero);
    return;
  }
  CHECK(sh.significant == D);
  Rational t = parse_rational(text);
  Rational err = t > q ? t - q : q - t;
  Rational half = pow10(sh.unit) / 2;
  CHECK(err <= half);
  if (err == half) {  // a tie: the last printed digit must be even
    std::string digits = text.substr(0, text.find_first_of("eE"));
    char last = digits.back();
    INFO("exact tie: round half to even");
    CHECK((last - '0') % 2 == 0);
  }
}

// `text` has exactly D significant digits and lies within half a unit in the last place of the
// value enclosed by x, an enclosure much narrower than that unit (from an independent route).
inline void check_rounded(const std::string& text, int D, const Interval& x) {
  INFO("value " << (text.size() > 60 ? text.substr(0, 60) + "..." : text) << " (" << D << " digits)");
  DecimalShape sh = decimal_shape(text);
  REQUIRE(!sh.zero);
  CHECK(sh.significant == D);
  mpfr_prec_t p = mpfr_prec_t(D * 3.33) + 80;
  mpfr_t v, m, r, unit, diff;
  mpfr_inits2(p, v, m, r, unit, diff, (mpfr_ptr)nullptr);
  REQUIRE(mpfr_set_str(v, text.c_str(), 10, MPFR_RNDN) == 0);
  mpfi_mid(m, x.get());
  mpfr_sub(r, &x.get()->right, &x.get()->left, MPFR_RNDU);
  mpfr_set_ui(unit, 10, MPFR_RNDN);
  mpfr_pow_si(unit, unit, sh.unit, MPFR_RNDN);  // one unit in the last printed digit
  mpfr_sub(diff, v, m, MPFR_RNDN);
  mpfr_abs(diff, diff, MPFR_RNDN);
  // the independent enclosure resolves the last digit
  mpfr_div(r, r, unit, MPFR_RNDU);
  CHECK(mpfr_cmp_d(r, 1e-6) < 0);
  mpfr_div(diff, diff, unit, MPFR_RNDU);
  double d = mpfr_get_d(diff, MPFR_RNDU);
  INFO("|printed - exact| = " << d << " units");
  CHECK(d <= 0.5 + 1e-6);
  mpfr_clears(v, m, r, unit, diff, (mpfr_ptr)nullptr);
}

}  // namespace relumix::test
