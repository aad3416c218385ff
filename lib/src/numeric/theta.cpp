#include "relumix/numeric/theta.hpp"

#include <cctype>
#include <cmath>

#include "relumix/core/error.hpp"

namespace relumix {

namespace {
std::string strip(const std::string& s) {
  std::string r;
  for (char c : s) if (!std::isspace(static_cast<unsigned char>(c))) r += c;
  return r;
}

bool terminating(const Integer& den) {
  Integer d = den;
  while (d % 2 == 0) d /= 2;
  while (d % 5 == 0) d /= 5;
  return d == 1;
}

// exact decimal text when the rational terminates, else "p/q"
std::string rational_text(const Rational& q) {
  Integer den = denominator(q);
  if (den == 1 || !terminating(den)) return to_string(q);
  unsigned k = 0;
  Integer p10 = 1;
  while (p10 % den != 0) { p10 *= 10; ++k; }
  Integer scaled = abs(numerator(q)) * (p10 / den);
  std::string digits = scaled.str();
  if (digits.size() <= k) digits = std::string(k + 1 - digits.size(), '0') + digits;
  std::string out = (q < 0 ? "-" : "") + digits.substr(0, digits.size() - k) + "." + digits.substr(digits.size() - k);
  return out;
}
}  // namespace

std::string theta_text(const Rational& pc, const Rational& off) {
  std::string out;
  if (pc != 0) {
    Integer n = numerator(pc), d = denominator(pc);
    if (n == -1) out = "-";
    else if (n != 1) out = n.str();
    out += "pi";
    if (d != 1) out += "/" + d.str();
  }
  if (off != 0 || pc == 0) {
    std::string o = rational_text(off);
    if (!out.empty() && off > 0) out += "+";
    out += o;
  }
  return out;
}

Theta exact_theta(double theta) {
  require(std::isfinite(theta), "angle must be a finite number");
  Theta t;
  int e;
  double m = std::frexp(theta, &e);  // theta = m 2^e exactly, m has 53 bits
  Integer mant(std::ldexp(m, 53));
  e -= 53;
  t.offset = e >= 0 ? Rational(mant << e) : Rational(mant, Integer(1) << -e);
  t.text = std::to_string(theta);
  return t;
}

Theta parse_theta(const std::string& text) {
  std::string s = strip(text);
  const std::string bad = "malformed angle '" + text + "' (use e.g. 0.1, 1e-12, pi/3, 2pi/5, pi-1e-4)";
  require(!s.empty(), "empty angle");
  Theta t;
  t.text = text;
  auto pos = s.find("pi");
  if (pos == std::string::npos) {
    try { t.offset = parse_rational(s); } catch (const InputError&) { throw InputError(bad); }
    return t;
  }
  std::string coef = s.substr(0, pos), rest = s.substr(pos + 2);
  if (!coef.empty() && coef.back() == '*') coef.pop_back();
  try {
    if (coef.empty() || coef == "+") t.pi_coeff = 1;
    else if (coef == "-") t.pi_coeff = -1;
    else t.pi_coeff = parse_rational(coef);
    // optional "/den", then optional signed offset
    if (!rest.empty() && rest[0] == '/') {
      std::size_t k = 1;
      while (k < rest.size() && std::isdigit(static_cast<unsigned char>(rest[k]))) ++k;
      require(k > 1, bad);
      Integer den = parse_decimal_integer(rest.substr(1, k - 1));
      require(den != 0, "zero denominator in angle '" + text + "'");
      t.pi_coeff /= Rational(den);
      rest = rest.substr(k);
    }
    if (!rest.empty()) {
      require(rest[0] == '+' || rest[0] == '-', bad);
      require(rest.find("pi") == std::string::npos, bad);
      t.offset = parse_rational(rest);
    }
  } catch (const InputError&) {
    throw InputError(bad);
  }
  return t;
}

Interval Theta::enclose(mpfr_prec_t bits) const {
  Interval r(offset, bits);
  if (pi_coeff != 0) r += Interval::pi(bits) * pi_coeff;
  return r;
}

double Theta::to_double() const { return enclose(64).mid_double(); }

int Theta::compare_pi_multiple(const Rational& c) const {
  Rational pc = pi_coeff - c;
  if (pc == 0) return offset > 0 ? 1 : offset < 0 ? -1 : 0;
  // pc*pi + offset is irrational, hence non-zero: refine until the sign shows
  for (mpfr_prec_t bits = 64;; bits *= 2) {
    Interval v = Interval::pi(bits) * pc + offset;
    if (v.is_positive()) return 1;
    if (v.is_negative()) return -1;
    if (bits > (1 << 24)) throw InputError("angle '" + text + "' is too close to a multiple of pi to compare");
  }
}

Theta parse_theta_checked(const std::string& text, bool lo_open) {
  Theta t = parse_theta(text);
  int lo = t.compare_pi_multiple(0), hi = t.compare_pi_multiple(1);
  require(lo > 0 || (lo == 0 && !lo_open) , "angle " + text + " is outside " + (lo_open ? "(0, pi]" : "[0, pi]"));
  require(hi <= 0, "angle " + text + " is outside " + std::string(lo_open ? "(0, pi]" : "[0, pi]"));
  return t;
}

std::vector<Theta> parse_thetas(const std::string& text, bool lo_open, long max_count) {
  std::vector<Theta> out;
  std::string s = strip(text);
  require(!s.empty(), "empty angle list");
  if (s.find(':') != std::string::npos) {
    std::vector<std::string> parts;
    std::size_t start = 0, p;
    while ((p = s.find(':', start)) != std::string::npos) { parts.push_back(s.substr(start, p - start)); start = p + 1; }
    parts.push_back(s.substr(start));
    require(parts.size() == 3, "malformed grid '" + text + "' (use lo:hi:count)");
    Theta lo = parse_theta_checked(parts[0], lo_open), hi = parse_theta_checked(parts[1], lo_open);
    Rational cnt;
    try { cnt = parse_rational(parts[2]); } catch (const InputError&) { throw InputError("malformed grid count '" + parts[2] + "'"); }
    require(denominator(cnt) == 1, "grid count must be an integer, got '" + parts[2] + "'");
    require(cnt >= 1 && cnt <= max_count, "grid count " + parts[2] + " is outside 1.." + std::to_string(max_count));
    long n = numerator(cnt).convert_to<long>();
    out.reserve(std::size_t(n));
    for (long i = 0; i < n; ++i) {
      Rational w = n == 1 ? Rational(0) : Rational(i, n - 1);
      Theta t;
      t.pi_coeff = lo.pi_coeff + (hi.pi_coeff - lo.pi_coeff) * w;
      t.offset = lo.offset + (hi.offset - lo.offset) * w;
      t.text = i == 0 ? lo.text : i == n - 1 ? hi.text : theta_text(t.pi_coeff, t.offset);
      out.push_back(std::move(t));
    }
    return out;
  }
  std::size_t start = 0, p;
  do {
    p = s.find(',', start);
    std::string item = s.substr(start, p == std::string::npos ? std::string::npos : p - start);
    require(!item.empty(), "empty item in angle list '" + text + "'");
    out.push_back(parse_theta_checked(item, lo_open));
    require(long(out.size()) <= max_count, "too many angles (at most " + std::to_string(max_count) + ")");
    start = p + 1;
  } while (p != std::string::npos);
  return out;
}

}  // namespace relumix
