// Certified values of J_{a,b}(theta) (issue 3): every expected value comes from a route
// independent of lib/src/eval.cpp: the reference file (independent quadrature), exact single
// moments, the Taylor series at 0 (moments.hpp), the integral representation near pi
// (a series written out below), exact algebraic values at pi/3, and SPEC identities.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "relumix/exact/combinatorics.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/io/angles.hpp"
#include "support.hpp"

using namespace relumix;
using relumix::test::check_rounded;
using relumix::test::sanitized;

namespace {

mpfr_prec_t bits_for(int D) { return mpfr_prec_t(D * 3.33) + 64; }

Interval sqrt_2pi(mpfr_prec_t bits) { return sqrt(ldexp(Interval::pi(bits), 1)); }

// m_k = (k-1)!! c_k, c_k = 1/2 (k even), 1/sqrt(2 pi) (k odd)
Interval single_moment(unsigned k, mpfr_prec_t bits) {
  Interval d(Rational(double_factorial(int(k) - 1)), bits);
  return k % 2 ? d / sqrt_2pi(bits) : ldexp(d, -1);
}

// Taylor series of moments.hpp at theta = 0, truncated at `order`; the radius is ten times
// the first two omitted terms (the series is entire with factorially decaying coefficients;
// the test picks order so that these are far below the digits checked).
Interval taylor_value(unsigned a, unsigned b, const Rational& theta, unsigned order, mpfr_prec_t bits) {
  MomentSeries s = taylor_series(a, b, order + 2);
  Interval pi = Interval::pi(bits), t(theta, bits), pw(1L, bits), sum(0L, bits), tail(0L, bits);
  for (unsigned k = 0; k <= order + 2; ++k) {
    Interval c(s.coeffs[k].coeff(0), bits);
    if (!s.odd) c += Interval(s.coeffs[k].coeff(1), bits) / pi;
    Interval term = c * pw;
    if (k <= order) sum += term;
    else tail += Interval(abs(Rational(s.coeffs[k].coeff(0))) + abs(Rational(s.coeffs[k].coeff(1))), bits) * pw;
    pw *= t;
  }
  if (s.odd) sum /= sqrt_2pi(bits);
  Interval rad = ldexp(tail, 4);  // 16 x
  Interval lo = sum - rad, hi = sum + rad;
  Interval out(bits);
  mpfi_union(out.get(), lo.get(), hi.get());
  return out;
}

// Integral representation (independent of the closed form):
//   J_{a,b}(pi - phi) = E[R^n] / (2 pi) * int_0^phi sin^a(u) sin^b(phi - u) du,  n = a + b,
// R the radius of a standard 2-d Gaussian. With sin x = x sinc(x):
//   int = phi^(n+1) sum_{k,l} alpha_k beta_l phi^(2k+2l) B(a+2k+1, b+2l+1),
// alpha, beta the coefficients of sinc^a, sinc^b in x^2. Terms with k + l > N are bounded by
// B(a+1, b+1) sinh(1)^n phi^(2N+2) / (1 - phi^2) (Cauchy bound for (sinh x / x)^n on |x| = 1).
Interval near_pi_value(unsigned a, unsigned b, const Rational& phi, unsigned N, mpfr_prec_t bits) {
  unsigned n = a + b;
  auto sinc_pow = [&](unsigned e) {
    std::vector<Rational> s(N + 1), r(N + 1);
    Integer f = 1;
    for (unsigned k = 0; k <= N; ++k) {
      if (k) f *= Integer(2 * k) * (2 * k + 1);
      s[k] = Rational(k % 2 ? -1 : 1) / Rational(f);
    }
    r[0] = 1;
    for (unsigned i = 0; i < e; ++i) {
      std::vector<Rational> t(N + 1);
      for (unsigned x = 0; x <= N; ++x)
        for (unsigned y = 0; x + y <= N; ++y) t[x + y] += r[x] * s[y];
      r = t;
    }
    return r;
  };
  auto beta_fn = [](unsigned p, unsigned q) {  // B(p, q) = (p-1)! (q-1)! / (p+q-1)!
    return Rational(factorial(p - 1) * factorial(q - 1), factorial(p + q - 1));
  };
  std::vector<Rational> al = sinc_pow(a), be = sinc_pow(b);
  Rational phi2 = phi * phi, sum = 0, pw = 1;
  for (unsigned m = 0; m <= N; ++m) {
    Rational c = 0;
    for (unsigned k = 0; k <= m; ++k) c += al[k] * be[m - k] * beta_fn(a + 2 * k + 1, b + 2 * (m - k) + 1);
    sum += c * pw;
    pw *= phi2;
  }
  Rational phin = 1;
  for (unsigned i = 0; i <= n; ++i) phin *= phi;
  Interval I(sum * phin, bits);
  // tail bound
  Interval tail = Interval::from_decimal("1.1752011936438014568823818505956008151557179813342", bits);  // > sinh 1
  tail = pow(tail, n) * Interval(beta_fn(a + 1, b + 1) * pw * phin / (1 - phi2), bits);
  Interval lo = I - tail, hi = I + tail, Iall(bits);
  mpfi_union(Iall.get(), lo.get(), hi.get());
  // E[R^n]: 2^(n/2) (n/2)! (n even); n!! sqrt(2 pi) / 2 (n odd)
  if (n % 2 == 0) {
    Integer er = boost::multiprecision::pow(Integer(2), n / 2) * factorial(n / 2);
    return Iall * Rational(er) / ldexp(Interval::pi(bits), 1);
  }
  return Iall * Rational(double_factorial(int(n)), 2) / sqrt_2pi(bits);
}

// Two enclosures of the same number: both resolve rel_tol, and they intersect.
void check_same(const Interval& x, const Interval& y, double log2_rel_tol) {
  INFO("x = " << x.mid_double() << " y = " << y.mid_double());
  Interval both(std::max(x.bits(), y.bits()));
  mpfi_intersect(both.get(), x.get(), y.get());
  CHECK(!mpfi_is_empty(both.get()));
  for (const Interval* v : {&x, &y}) {
    REQUIRE(!v->contains_zero());
    mpfr_t w;
    mpfr_init2(w, 64);
    mpfi_diam_rel(w, v->get());
    long e = 0;
    if (!mpfr_zero_p(w)) mpfr_get_d_2exp(&e, w, MPFR_RNDU);  // a point (exact value) is fine
    else e = -1000000;
    CHECK(double(e) <= log2_rel_tol);
    mpfr_clear(w);
  }
}

std::mt19937_64& rng() {
  static std::mt19937_64 g(20240611);
  return g;
}
Theta random_theta(double lo, double hi) { return test::random_theta(rng(), lo, hi); }

}  // namespace

TEST_CASE("reference values (independent quadrature) to 50 digits") {
  // tests/data/moments.json is a copy of ../shared/reference/moments.json
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/moments.json");
  REQUIRE(f.good());
  nlohmann::json j = nlohmann::json::parse(f);
  REQUIRE(j["values"].size() >= 10);
  for (const auto& v : j["values"]) {
    unsigned a = v["a"], b = v["b"];
    std::string th = v["theta"], expected = v["value"];
    INFO("J_{" << a << "," << b << "}(" << th << ")");
    CHECK(moment_value(a, b, parse_theta_checked(th), 50) == expected);
  }
}

TEST_CASE("values at 0, pi/2 and pi") {
  for (unsigned a = 0; a <= 9; ++a)
    for (unsigned b = 0; b <= 9; ++b) {
      INFO("a=" << a << " b=" << b);
      const int D = 40;
      // J(0) = m_{a+b}, J(pi/2) = m_a m_b, J(pi) = 0
      check_rounded(moment_value(a, b, parse_theta("0"), D), D, single_moment(a + b, 300));
      check_rounded(moment_value(a, b, parse_theta("pi/2"), D), D, single_moment(a, 300) * single_moment(b, 300));
      CHECK(moment_value(a, b, parse_theta("pi"), D) == "0");
      Interval z = moment_enclosure(closed_form(a, b), parse_theta("pi"), 100);
      CHECK(mpfi_is_zero(z.get()) > 0);
    }
  // exact (dyadic) values print exactly, also where the rounding is a tie
  CHECK(moment_value(2, 2, parse_theta("pi/2"), 30) == "0.250000000000000000000000000000");
  CHECK(moment_value(2, 2, parse_theta("pi/2"), 2) == "0.25");
  CHECK(moment_value(0, 0, parse_theta("pi/2"), 1) == "0.2");  // 1/4: ties to even
  CHECK(moment_value(4, 2, parse_theta("0"), 3) == "7.50");    // m_6 = 15/2
  CHECK(moment_value(1, 1, parse_theta("0"), 5) == "0.50000"); // m_2 = 1/2
  CHECK(moment_value(4, 0, parse_theta("pi/2"), 4) == "0.7500");  // m_4 m_0 = 3/2 * 1/2
  CHECK(moment_value(3, 5, parse_theta("pi"), 7) == "0");
}

TEST_CASE("random (a, b, theta) at two precisions agree to the lower") {
  int n = sanitized() ? 40 : 200;
  std::uniform_int_distribution<unsigned> ab(0, 12);
  for (int i = 0; i < n; ++i) {
    unsigned a = ab(rng()), b = ab(rng());
    Theta t = random_theta(0, 3.14159);
    INFO("J_{" << a << "," << b << "}(" << t.text << ")");
    std::string lo = moment_value(a, b, t, 20), hi = moment_value(a, b, t, 45);
    // the 45-digit value pins the exact value to 1/2 unit of its last digit
    test::DecimalShape sh = test::decimal_shape(hi);
    CHECK(sh.significant == 45);
    Interval x = Interval::from_decimal(hi, 200), half = Interval::from_decimal("5e" + std::to_string(sh.unit - 1), 200);
    Interval lo_end = x - half, hi_end = x + half, exact(200);
    mpfi_union(exact.get(), lo_end.get(), hi_end.get());
    check_rounded(lo, 20, exact);
    // the enclosure API agrees with both
    Interval e = moment_enclosure(closed_form(a, b), t, 150);
    Interval both(200);
    mpfi_intersect(both.get(), e.get(), exact.get());
    CHECK(!mpfi_is_empty(both.get()));
  }
}

TEST_CASE("SPEC identities at 100 digits on random theta") {
  const int D = 100;
  const mpfr_prec_t bits = bits_for(D);
  const double tol = -double(D) * 3.32;  // log2 of 1e-100
  int n = sanitized() ? 6 : 25;
  std::uniform_int_distribution<unsigned> ab(0, 9);
  for (int i = 0; i < n; ++i) {
    unsigned a = ab(rng()), b = ab(rng());
    Theta t = random_theta(0.05, 3.09);
    INFO("a=" << a << " b=" << b << " theta=" << t.text);
    const ClosedForm& cf = closed_form(a, b);
    Interval J = moment_enclosure(cf, t, bits);
    // symmetry: J_{a,b} against J_{b,a} from the Fourier route of (b, a), and printed values
    check_same(J, moment_enclosure(closed_form_fourier(b, a), t, bits), tol);
    check_rounded(moment_value(b, a, t, D), D, J);

    Interval theta(t.offset, bits + 64), rho = cos(theta), s = sin(theta);
    // reflection: J(theta) + (-1)^b J(pi - theta) = sum_j T(b,j) rho^(b-2j) (1-rho^2)^j m_{a+b-2j}
    Theta r;
    r.pi_coeff = 1;
    r.offset = -t.offset;
    Interval lhs = J, Jr = moment_enclosure(cf, r, bits);
    if (b % 2) lhs -= Jr;
    else lhs += Jr;
    Interval rhs(0L, bits + 64), one_m = Interval(1L, bits + 64) - sqr(rho);
    for (unsigned j = 0; 2 * j <= b; ++j)
      rhs += Interval(Rational(bessel_number(b, j)), bits + 64) * pow(rho, b - 2 * j) * pow(one_m, j) *
             single_moment(a + b - 2 * j, bits + 64);
    if (!rhs.contains_zero()) check_same(lhs, rhs, tol + 40);

    // Price: dJ_{a,b}/drho = ab J_{a-1,b-1}, and the base column dJ_{a,0}/drho = a m_{a-1} (1-rho^2)^((a-1)/2)/sqrt(2pi),
    // by a central difference in theta (dJ/dtheta = -sin(theta) dJ/drho) with h = 1e-60:
    // truncation O(h^2) = 1e-120, far below 1e-100.
    if (a >= 1) {
      const mpfr_prec_t wb = bits + 500;
      Rational h(1, boost::multiprecision::pow(Integer(10), 60));
      Theta tp = t, tm = t;
      tp.offset += h;
      tm.offset -= h;
      Interval fd = (moment_enclosure(cf, tp, wb) - moment_enclosure(cf, tm, wb)) / Interval(2 * h, wb);
      Interval expect(bits);
      if (b >= 1) {
        expect = moment_enclosure(closed_form(a - 1, b - 1), t, bits) * Rational(a * b);
      } else {
        // (1 - rho^2)^((a-1)/2) = s^(a-1)
        expect = single_moment(a - 1, bits + 64) * pow(s, a - 1) * Rational(a) / sqrt_2pi(bits + 64);
      }
      expect = -(expect * s);
      // the truncation error is not in the enclosure: compare the midpoints to 1e-100
      Interval diff = fd - expect;
      double rel = std::fabs(diff.mid_double()) / std::fabs(expect.mid_double());
      CHECK(rel < 1e-100);
      CHECK(std::fabs(diff.hi_double() - diff.lo_double()) < 1e-100 * std::fabs(expect.mid_double()));
    }
  }
}

TEST_CASE("small theta (1e-30 .. 1/256: the truncated closed form in 1 - rho) against the Taylor series at 0") {
  struct C { unsigned a, b; const char* theta; unsigned order; int D; };
  std::vector<C> cases = {
      {1, 1, "1e-9", 12, 30},  {3, 2, "1e-9", 12, 30},  {20, 20, "1e-9", 12, 30}, {21, 20, "1e-9", 12, 30},
      {1, 1, "1e-30", 8, 30},  {0, 0, "1e-30", 8, 30},  {25, 16, "1e-30", 8, 30}, {30, 30, "1e-30", 8, 30},
      {2, 3, "1e-30", 12, 300}, {7, 7, "1e-30", 12, 300},
      // up to the switch at 1/256 (exactly 1/256: the closed form in rho)
      {1, 1, "0.0039", 40, 50},   {3, 2, "0.0039", 40, 50},   {5, 5, "1/300", 40, 50}, {20, 20, "0.0039", 40, 50},
      {21, 20, "1e-3", 30, 50},   {0, 1, "3e-5", 20, 50},     {6, 3, "1e-12", 8, 50},  {2, 3, "1e-3", 110, 300},
      {10, 0, "0.00390625", 40, 50}, {4, 4, "0.0039", 40, 50},
  };
  for (const auto& c : cases) {
    INFO("J_{" << c.a << "," << c.b << "}(" << c.theta << ") to " << c.D << " digits");
    Theta t = parse_theta_checked(c.theta);
    check_rounded(moment_value(c.a, c.b, t, c.D), c.D, taylor_value(c.a, c.b, t.offset, c.order, bits_for(c.D) + 64));
  }
}

TEST_CASE("theta near pi (pi - 1e-4, pi - 1e-20) against the integral representation, a+b up to 41") {
  struct C { unsigned a, b; const char* phi; unsigned N; int D; };
  std::vector<C> cases = {
      {1, 1, "1e-4", 12, 30},   {0, 0, "1e-4", 12, 30},  {2, 1, "1e-4", 12, 30},  {20, 20, "1e-4", 12, 30},
      {21, 20, "1e-4", 12, 30}, {3, 2, "1e-4", 50, 300}, {1, 1, "1e-20", 4, 30},  {20, 20, "1e-20", 4, 30},
      {25, 16, "1e-20", 4, 30}, {40, 0, "1e-20", 4, 30}, {9, 8, "1e-20", 12, 300},
  };
  for (const auto& c : cases) {
    std::string th = std::string("pi-") + c.phi;
    INFO("J_{" << c.a << "," << c.b << "}(" << th << ") to " << c.D << " digits");
    Theta t = parse_theta_checked(th);
    Rational phi = parse_rational(c.phi);
    check_rounded(moment_value(c.a, c.b, t, c.D), c.D, near_pi_value(c.a, c.b, phi, c.N, bits_for(c.D) + 64));
  }
}

TEST_CASE("10000 digits at pi/3 and pi/2 against exact algebraic forms") {
  const int D = sanitized() ? 2000 : 10000;
  const mpfr_prec_t bits = bits_for(D) + 64;
  Interval pi = Interval::pi(bits), sqrt3 = sqrt(Interval(3L, bits));
  // pi/3: rho = 1/2, sin = sqrt(3)/2: J = P(1/2)/3 + sqrt(3) Q(1/2)/(4 pi), or R(1/2)/sqrt(2 pi)
  for (auto [a, b] : {std::pair{3u, 3u}, std::pair{4u, 1u}}) {
    INFO("a=" << a << " b=" << b);
    const ClosedForm& cf = closed_form(a, b);
    Rational half(1, 2);
    Interval expect(bits);
    if (cf.even()) expect = Interval(cf.P(half) / 3, bits) + sqrt3 * Interval(cf.Q(half) / 4, bits) / pi;
    else expect = Interval(cf.R(half), bits) / sqrt_2pi(bits);
    check_rounded(moment_value(a, b, parse_theta("pi/3"), D), D, expect);
  }
  // pi/2, a and b odd: m_a m_b = (a-1)!! (b-1)!! / (2 pi)
  Interval expect = Interval(Rational(double_factorial(4) * double_factorial(2)), bits) / ldexp(pi, 1);
  check_rounded(moment_value(5, 3, parse_theta("pi/2"), D), D, expect);
}

TEST_CASE("grids reuse the closed form and match single values; threads do not change results") {
  std::vector<Theta> th = parse_thetas("0:pi:37");
  std::vector<Theta> more = parse_thetas("1e-30,pi-1e-20,pi/2,0.3");
  th.insert(th.end(), more.begin(), more.end());
  std::vector<std::string> one = moment_values(3, 4, th, 25, 1), many = moment_values(3, 4, th, 25, 4);
  REQUIRE(one.size() == th.size());
  CHECK(one == many);
  for (std::size_t i = 0; i < th.size(); i += 5) CHECK(one[i] == moment_value(3, 4, th[i], 25));
  CHECK(one[36] == "0");  // theta = pi
}

TEST_CASE("mpfr API") {
  using boost::multiprecision::mpfr_float;
  const unsigned saved_precision = mpfr_float::default_precision();
  mpfr_float::default_precision(60);
  mpfr_float theta("0.3");  // a binary number close to 0.3
  mpfr_float v = moment_mpfr(1, 1, theta, 50);
  // the exact binary angle as a Theta; compare with the certified value at 55 digits
  Rational q;
  mpfr_get_q(q.backend().data(), theta.backend().data());
  Theta t;
  t.offset = q;
  Interval exact = moment_enclosure(closed_form(1, 1), t, 300);
  mpfr_t d;
  mpfr_init2(d, 300);
  mpfi_mid(d, exact.get());
  mpfr_sub(d, d, v.backend().data(), MPFR_RNDN);
  mpfr_div(d, d, v.backend().data(), MPFR_RNDN);
  CHECK(std::fabs(mpfr_get_d(d, MPFR_RNDN)) < 1e-50);
  mpfr_clear(d);
  // theta = 0 and a large order
  CHECK(moment_mpfr(4, 2, mpfr_float(0), 30) == 7.5);
  mpfr_float::default_precision(40);
  mpfr_float pi_minus = boost::multiprecision::mpfr_float(3.14159);
  mpfr_float w = moment_mpfr(6, 5, pi_minus, 30);
  CHECK(w > 0);
  CHECK_THROWS_AS(moment_mpfr(1, 1, mpfr_float(3.2), 30), InputError);
  CHECK_THROWS_AS(moment_mpfr(1, 1, mpfr_float(-0.1), 30), InputError);
  CHECK_THROWS_AS(moment_mpfr(1, 1, mpfr_float(0.1), 0), InputError);
  mpfr_float::default_precision(saved_precision);
}

TEST_CASE("bad input") {
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("3.2"), 30), InputError);
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("-0.1"), 30), InputError);
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("2pi"), 30), InputError);
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("pi+1e-30"), 30), InputError);
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("0.3"), 0), InputError);
  CHECK_THROWS_AS(moment_value(1, 1, parse_theta("0.3"), 100001), InputError);
  CHECK_THROWS_AS(moment_value(kMaxMomentOrder, 1, parse_theta("0.3"), 30), InputError);
}
