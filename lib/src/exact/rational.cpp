#include "relumix/exact/rational.hpp"

#include <cctype>

#include "relumix/core/error.hpp"

namespace relumix {

std::string to_string(const Rational& q) {
  if (denominator(q) == 1) return numerator(q).str();
  return numerator(q).str() + "/" + denominator(q).str();
}

namespace {
bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char ch : s) if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}
}  // namespace

Integer parse_decimal_integer(const std::string& digits) {
  require(all_digits(digits), "malformed integer '" + digits + "'");
  Integer r;
  mpz_set_str(r.backend().data(), digits.c_str(), 10);
  return r;
}

Rational parse_rational(const std::string& text) {
  std::string s = text;
  const std::string bad = "malformed number '" + text + "'";
  require(!s.empty() && s.size() < 100000, bad);
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') { neg = s[0] == '-'; s = s.substr(1); }
  Rational r;
  if (auto slash = s.find('/'); slash != std::string::npos) {
    std::string n = s.substr(0, slash), d = s.substr(slash + 1);
    require(all_digits(n) && all_digits(d), bad);
    Integer den = parse_decimal_integer(d);
    require(den != 0, "zero denominator in '" + text + "'");
    r = Rational(parse_decimal_integer(n), den);
  } else {
    long exp10 = 0;
    if (auto e = s.find_first_of("eE"); e != std::string::npos) {
      std::string es = s.substr(e + 1);
      s = s.substr(0, e);
      bool eneg = false;
      if (!es.empty() && (es[0] == '+' || es[0] == '-')) { eneg = es[0] == '-'; es = es.substr(1); }
      require(all_digits(es) && es.size() <= 6, bad);
      exp10 = std::stol(es) * (eneg ? -1 : 1);
      require(exp10 > -100000 && exp10 < 100000, "exponent out of range in '" + text + "'");
    }
    std::string ip = s, fp;
    if (auto dot = s.find('.'); dot != std::string::npos) { ip = s.substr(0, dot); fp = s.substr(dot + 1); }
    require(!(ip.empty() && fp.empty()) && (ip.empty() || all_digits(ip)) && (fp.empty() || all_digits(fp)), bad);
    Integer num = parse_decimal_integer(ip + fp);
    exp10 -= long(fp.size());
    Integer p10 = boost::multiprecision::pow(Integer(10), unsigned(exp10 < 0 ? -exp10 : exp10));
    r = exp10 >= 0 ? Rational(num * p10) : Rational(num, p10);
  }
  return neg ? Rational(-r) : r;
}

Integer factorial(unsigned n) {
  Integer r = 1;
  for (unsigned k = 2; k <= n; ++k) r *= k;
  return r;
}

Integer double_factorial(int k) {
  Integer r = 1;
  for (int j = k; j > 1; j -= 2) r *= j;
  return r;
}

Integer binomial(unsigned n, unsigned k) {
  if (k > n) return 0;
  Integer r;
  mpz_bin_uiui(r.backend().data(), n, k);
  return r;
}

}  // namespace relumix
