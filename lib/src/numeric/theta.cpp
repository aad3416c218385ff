#include "relumix/numeric/theta.hpp"

#include <algorithm>
#include <cmath>

#include "relumix/core/error.hpp"

namespace relumix {

namespace {
// Exact text of a rational: a terminating decimal in its shorter form (plain "0.25", "1.5", or
// scientific "1e-12", "2.5e-7"; plain on a tie), else "p/q".
std::string rational_text(const Rational& q) {
  if (q == 0) return "0";
  Integer den = denominator(q);
  mpz_srcptr d = den.backend().data();
  const unsigned long twos = mpz_scan1(d, 0);
  Integer odd;
  mpz_tdiv_q_2exp(odd.backend().data(), d, twos);
  Integer rest;
  const unsigned long fives = mpz_remove(rest.backend().data(), odd.backend().data(), Integer(5).backend().data());
  if (rest != 1) return to_string(q);
  // q = M * 10^E with M an integer without trailing zeros
  const unsigned long k = std::max(twos, fives);
  Integer M = abs(numerator(q));
  mpz_mul_2exp(M.backend().data(), M.backend().data(), k - twos);
  Integer p5;
  mpz_ui_pow_ui(p5.backend().data(), 5, k - fives);
  M *= p5;
  Integer stripped;
  const unsigned long tens = mpz_remove(stripped.backend().data(), M.backend().data(), Integer(10).backend().data());
  const long long E = (long long)tens - (long long)k;
  const std::string D = stripped.str();
  const long long nd = (long long)D.size();
  const std::string sign = q < 0 ? "-" : "";
  // lengths of the two forms (without the sign)
  long long plain_len = E >= 0 ? nd + E : (nd > -E ? nd + 1 : 2 - E);
  const long long sci_exp = E + nd - 1;
  const std::string sci = D.substr(0, 1) + (nd > 1 ? "." + D.substr(1) : "") + "e" + std::to_string(sci_exp);
  if (plain_len > (long long)sci.size()) return sign + sci;
  if (E >= 0) return sign + D + std::string(std::size_t(E), '0');
  if (nd > -E) return sign + D.substr(0, std::size_t(nd + E)) + "." + D.substr(std::size_t(nd + E));
  return sign + "0." + std::string(std::size_t(-E - nd), '0') + D;
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

Interval Theta::enclose(mpfr_prec_t bits) const {
  Interval r(offset, bits);
  if (pi_coeff != 0) r += Interval::pi(bits) * pi_coeff;
  return r;
}

double Theta::to_double() const { return enclose(64).mid_double(); }

int Theta::compare_pi_multiple(const Rational& c) const {
  Rational pc = pi_coeff - c;
  if (pc == 0) return offset > 0 ? 1 : offset < 0 ? -1 : 0;
  // pc*pi + offset is irrational, hence non-zero. Usually rational bounds of pi decide the sign
  // (3.14159265 < pi < 3.14159266); else refine intervals until it shows.
  static const Rational pi_lo(314159265, 100000000), pi_hi(314159266, 100000000);
  Rational a = pc * pi_lo + offset, b = pc * pi_hi + offset;
  if (a > 0 && b > 0) return 1;
  if (a < 0 && b < 0) return -1;
  for (mpfr_prec_t bits = 64;; bits *= 2) {
    Interval v = Interval::pi(bits) * pc + offset;
    if (v.is_positive()) return 1;
    if (v.is_negative()) return -1;
    if (bits > (1 << 24)) throw InputError("angle '" + text + "' is too close to a multiple of pi to compare");
  }
}

long theta_edge_bits(const Theta& t) {
  if (!(t.pi_coeff == 0 || t.pi_coeff == 1) || t.offset == 0) return 0;
  const Integer num = boost::multiprecision::abs(boost::multiprecision::numerator(t.offset));
  const Integer& den = boost::multiprecision::denominator(t.offset);
  return std::max(0L, long(boost::multiprecision::msb(den)) - long(boost::multiprecision::msb(num)));
}

}  // namespace relumix
