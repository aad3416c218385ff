// Positively homogeneous activations phi_alpha (issue 14, SPEC section 8): the parser, the closed forms
// of M^alpha_{a,b} (reduction to J against the whole-circle Fourier route), certified values against
// routes independent of the reduction (the Fourier form in brute-force interval arithmetic, the
// reference polar quadrature, a Gauss-Legendre polar quadrature, a Monte Carlo, the Taylor series),
// the exact identities, and the ReLU limit.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "relumix/core/error.hpp"
#include "relumix/exact/combinatorics.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/io/angles.hpp"
#include "support.hpp"

using namespace relumix;

namespace {

bool sanitized() { return std::getenv("RELUMIX_SANITIZED") != nullptr; }

std::mt19937_64& rng() {
  static std::mt19937_64 g(20240614);
  return g;
}

Activation leaky(const char* alpha) { return parse_activation(std::string("leaky:") + alpha); }

const std::vector<Activation>& family() {
  static const std::vector<Activation> f{Activation::relu(), Activation::abs(), leaky("1"),    leaky("0.01"),
                                         leaky("3/10"),      leaky("-1/2"),    leaky("1/7"), leaky("-0.9")};
  return f;
}

Poly poly(std::initializer_list<Rational> c) { return Poly(std::vector<Rational>(c)); }

// The Fourier-route form (no reduction to J) evaluated in plain interval arithmetic at a working
// precision far above `bits`: 2 pi M = (pi - theta) P + sin(theta) Q + pi U, sqrt(2 pi) M = R.
Interval form_value(const MomentForm& f, const Theta& t, mpfr_prec_t bits) {
  const mpfr_prec_t w = 2 * bits + 1200;
  Interval pi = Interval::pi(w), th = t.enclose(w), rho = cos(th), s = sin(th);
  auto at = [&](const Poly& p) {
    Interval r(0L, w);
    for (int k = p.degree(); k >= 0; --k) r = r * rho + p[std::size_t(k)];
    return r;
  };
  if (!f.even()) return at(f.R) / sqrt(ldexp(pi, 1));
  return ((pi - th) * at(f.P) + s * at(f.Q) + pi * at(f.U)) / ldexp(pi, 1);
}

MomentForm fourier(const Activation& act, unsigned a, unsigned b) {
  using boost::multiprecision::pow;
  auto pw = [&](unsigned k) { return Rational(pow(numerator(act.alpha()), k), pow(denominator(act.alpha()), k)); };
  return piecewise_moment_form_fourier(a, b, pw(a), pw(b));
}

std::string independent_value(const Activation& act, unsigned a, unsigned b, const Theta& t, int digits) {
  MomentForm f = fourier(act, a, b);
  return certify([&](mpfr_prec_t bits) { return form_value(f, t, bits); }, digits);
}

Theta random_theta(double lo, double hi) { return test::random_theta(rng(), lo, hi); }

// phi(cos psi)^a phi(cos(psi - theta))^b over the circle, by Gauss-Legendre on each of the four arcs
// between sign changes (the integrand is smooth there), times E[R^n] / (2 pi): long double.
long double gl_polar(double alpha, unsigned a, unsigned b, long double theta) {
  static std::vector<long double> x, wt;
  if (x.empty()) {  // 40-point Gauss-Legendre nodes by Newton on P_40
    const int N = 40;
    for (int i = 1; i <= N; ++i) {
      long double z = std::cos(M_PIl * (i - 0.25L) / (N + 0.5L)), dp = 0;
      for (int it = 0; it < 100; ++it) {
        long double p0 = 1, p1 = z;
        for (int k = 2; k <= N; ++k) {
          long double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
          p0 = p1;
          p1 = p2;
        }
        dp = N * (z * p1 - p0) / (z * z - 1);
        long double dz = p1 / dp;
        z -= dz;
        if (std::fabs(dz) < 1e-19L) break;
      }
      x.push_back(z);
      wt.push_back(2 / ((1 - z * z) * dp * dp));
    }
  }
  auto phi_pow = [&](long double c, unsigned k) { return k == 0 ? 1.0L : std::pow(c > 0 ? c : alpha * c, (long double)k); };
  const long double h = M_PIl / 2;
  const long double ends[5] = {-h, theta - h, h, theta + h, 3 * h};
  long double I = 0;
  for (int arc = 0; arc < 4; ++arc) {
    long double lo = ends[arc], hi = ends[arc + 1], mid = (lo + hi) / 2, rad = (hi - lo) / 2;
    for (std::size_t i = 0; i < x.size(); ++i) {
      long double psi = mid + rad * x[i];
      I += rad * wt[i] * phi_pow(std::cos(psi), a) * phi_pow(std::cos(psi - theta), b);
    }
  }
  unsigned n = a + b;
  long double er = n % 2 == 0 ? std::pow(2.0L, n / 2) * std::tgamma(n / 2 + 1.0L)
                              : (long double)double_factorial(int(n)).convert_to<double>() * std::sqrt(2 * M_PIl) / 2;
  return er * I / (2 * M_PIl);
}

}  // namespace

TEST_CASE("activation parser: names, canonical text, round trip") {
  CHECK(parse_activation("relu").is_relu());
  CHECK(parse_activation("abs").is_abs());
  CHECK(parse_activation("leaky:0.01").alpha() == Rational(1, 100));
  CHECK(parse_activation("leaky:1/10").alpha() == Rational(1, 10));
  CHECK(parse_activation("leaky:-0.5").alpha() == Rational(-1, 2));
  CHECK(parse_activation("leaky:+1e-3").alpha() == Rational(1, 1000));
  CHECK(parse_activation("leaky:2/2").is_linear());
  CHECK(parse_activation("leaky:0").is_relu());
  CHECK(parse_activation("leaky:-1").is_abs());
  CHECK(parse_activation("leaky:0.01").name() == "leaky:0.01");
  CHECK(parse_activation("leaky:1/10").name() == "leaky:0.1");
  CHECK(parse_activation("leaky:2/6").name() == "leaky:1/3");
  CHECK(parse_activation("leaky:-0.0").name() == "relu");
  CHECK(parse_activation("leaky:-1/1").name() == "abs");
  CHECK(parse_activation("leaky:1").name() == "leaky:1");
  for (const Activation& a : family()) CHECK(parse_activation(a.name()) == a);
  CHECK(Activation().is_relu());
  CHECK(leaky("3/10").weight_variance() == Rational(200, 109));
  CHECK(leaky("3/10").second_moment() == Rational(109, 200));
  CHECK(Activation::abs().map_weight() == 2);
  CHECK(leaky("-1/2")(-2.0) == 1.0);
  CHECK(leaky("-1/2")(3.0) == 3.0);
  CHECK(leaky("0.1").alpha_double() == 0.1);  // the nearest double
}

TEST_CASE("activation parser: bad input is a one-line InputError") {
  const char* bad[] = {"", "RELU", "relu ", " relu", "leaky", "leaky:", "leaky:x", "leaky:1.5", "leaky:-1.01",
                       "leaky:3/2", "leaky:1/0", "leaky:0.1.2", "leaky:1e", "leaky:--1", "leaky:1/-2", "leaky: 0.1",
                       "leaky:0x1", "leaky:1e999999", "leaky:1e-99999", "leaky:inf", "leaky:nan", "abs:1", "sigmoid",
                       "leaky:1/2/3", "leaky:."};
  for (const char* s : bad) {
    INFO("'" << s << "'");
    try {
      parse_activation(s);
      FAIL("accepted");
    } catch (const InputError& e) {
      std::string m = e.what();
      CHECK(m.find('\n') == std::string::npos);
      CHECK(m.size() < 200);
    }
  }
  CHECK_THROWS_WITH_AS(parse_activation("leaky:1.5"), "leaky slope 1.5 is outside [-1, 1]", InputError);
  CHECK_THROWS_WITH_AS(parse_activation("tanh"), "unknown activation 'tanh' (use relu, abs or leaky:ALPHA)", InputError);
  CHECK_THROWS_AS(Activation(Rational(2)), InputError);
  // unprintable bytes are not echoed; long text is cut
  std::string nasty = std::string("leaky:\n\x01\xff") + std::string(150, '9');
  try {
    parse_activation(nasty);
    FAIL("accepted");
  } catch (const InputError& e) {
    std::string m = e.what();
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find('\x01') == std::string::npos);
  }
  CHECK_THROWS_AS(parse_activation(std::string(1000000, '1')), InputError);  // too long, refused at once
}

TEST_CASE("activation parser: random bytes never crash and are either valid or an InputError") {
  const std::string alphabet = std::string("leaky:relubsa0123456789./-+eE ") + '\0' + "\xff\x7f";
  std::uniform_int_distribution<std::size_t> len(0, 24), pick(0, alphabet.size() - 1);
  int n = sanitized() ? 3000 : 30000, ok = 0;
  for (int i = 0; i < n; ++i) {
    std::string s = i % 2 ? "leaky:" : "";
    for (std::size_t k = len(rng()); k > 0; --k) s += alphabet[pick(rng())];
    try {
      Activation a = parse_activation(s);
      CHECK(a.alpha() >= -1);
      CHECK(a.alpha() <= 1);
      CHECK(parse_activation(a.name()) == a);
      ++ok;
    } catch (const InputError&) {
    }
  }
  CHECK(ok > 0);
  // the longest accepted text costs microseconds
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) CHECK_THROWS_AS(parse_activation("leaky:0." + std::string(190, '1')), InputError);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
}

TEST_CASE("closed forms: examples in the basis (pi - theta) P + sin Q + pi U") {
  // |x|: M_{1,1} = rho + (2/pi)(sin theta - theta rho): 2 pi M = 4 (pi - theta) rho + 4 s - 2 pi rho
  ActivationClosedForm c = activation_closed_form(Activation::abs(), 1, 1);
  CHECK(c.form.P == poly({0, 4}));
  CHECK(c.form.Q == poly({4}));
  CHECK(c.form.U == poly({0, -2}));
  CHECK(c.same == 2);
  CHECK(c.opposite == 2);
  // leaky: M_{1,1} = (1 - alpha)^2 J_{1,1} + alpha rho
  Rational al(3, 10), l = (1 - al) * (1 - al);
  c = activation_closed_form(leaky("3/10"), 1, 1);
  CHECK(c.form.P == poly({0, l}));
  CHECK(c.form.Q == poly({l}));
  CHECK(c.form.U == poly({0, 2 * al}));
  // M_{2,0} = (1 + alpha^2)/2, a constant: 2 pi M = pi (1 + alpha^2)
  c = activation_closed_form(leaky("3/10"), 2, 0);
  CHECK(c.form.P.is_zero());
  CHECK(c.form.Q.is_zero());
  CHECK(c.form.U == poly({1 + al * al}));
  // odd: M_{1,0} = E phi(G) = (1 - alpha)/sqrt(2 pi); M_{2,1} for |x| = E[G^2 |G'|]
  c = activation_closed_form(leaky("3/10"), 1, 0);
  CHECK(c.form.R == poly({1 - al}));
  c = activation_closed_form(Activation::abs(), 2, 1);
  CHECK(c.form.R == poly({2, 0, 2}));  // sqrt(2 pi) E[G^2 |G'|] = 2 (1 + rho^2)
  // linear: E[G^a G'^b]; odd orders vanish identically
  c = activation_closed_form(leaky("1"), 2, 2);
  CHECK(c.form.U == poly({2, 0, 4}));  // E[G^2 G'^2] = 1 + 2 rho^2
  CHECK(c.form.P.is_zero());
  CHECK(activation_closed_form(leaky("1"), 3, 2).form.is_zero());
}

TEST_CASE("two routes (reduction to J, whole-circle Fourier) agree; the Fourier route also gives J") {
  const unsigned max = sanitized() ? 8 : 14;
  for (const Activation& act : family())
    for (unsigned a = 0; a <= max; ++a)
      for (unsigned b = 0; b <= max; ++b) {
        INFO(act.name() << " a=" << a << " b=" << b);
        REQUIRE(activation_closed_form(act, a, b).form == fourier(act, a, b));
      }
  // weights 0 on the negative arcs: the ReLU J_{a,b} (indicator convention for a or b = 0)
  for (unsigned a = 0; a <= 12; ++a)
    for (unsigned b = 0; b <= 12; ++b) {
      MomentForm f = piecewise_moment_form_fourier(a, b, 0, 0);
      const ClosedForm& J = closed_form(a, b);
      INFO("a=" << a << " b=" << b);
      CHECK(f.P == J.P);
      CHECK(f.Q == J.Q);
      CHECK(f.U.is_zero());
      CHECK(f.R == J.R);
    }
}

TEST_CASE("exact identities for the family (verify_activation_identities)") {
  unsigned max = sanitized() ? 6 : 12;
  for (const Activation& act : family()) {
    std::uint64_t calls = 0, last = 0;
    VerifyReport rep = verify_activation_identities(act, max, [&](std::uint64_t done, std::uint64_t total) {
      ++calls;
      last = done;
      CHECK(done <= total);
    });
    INFO(act.name());
    CHECK(calls == std::uint64_t(max + 1) * (max + 1));
    CHECK(last == calls);
    CHECK(rep.failed() == 0);
    for (auto& t : rep.tallies) {
      INFO(t.identity);
      CHECK(t.checked > 0);
    }
    for (auto& f : rep.failures) INFO(f.identity << " a=" << f.a << " b=" << f.b);
  }
  CHECK_THROWS_AS(verify_activation_identities(Activation(), kMaxVerifyOrder + 1), InputError);
}

TEST_CASE("reference values (polar quadrature, activations.json)") {
  // tests/data/activations.json is a copy of ../shared/reference/activations.json. Its values were
  // computed with alpha and theta as doubles (alpha = 3/10 as 0.299999999999999988898, theta = 0.7 as
  // 0.699999999999999955591): they match the exact inputs to ~1e-16 and the doubles to all their digits.
  std::ifstream in(std::string(RELUMIX_TEST_DATA) + "/activations.json");
  REQUIRE(in.good());
  nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["moments"].size() >= 30);
  auto rel_diff = [](const std::string& mine, const std::string& ref) {
    Interval x = Interval::from_decimal(mine, 200), y = Interval::from_decimal(ref, 200);
    return std::fabs(((x - y) / y).mid_double());
  };
  for (const auto& v : j["moments"]) {
    std::string al = v["alpha"], th = v["theta"], ref = v["value"];
    unsigned a = v["a"], b = v["b"];
    INFO("alpha=" << al << " M_{" << a << "," << b << "}(" << th << ") ref " << ref);
    Activation act = leaky(al.c_str());
    Theta t = parse_theta_checked(th);
    CHECK(rel_diff(activation_moment_value(act, a, b, t, 40), ref) < 1e-14);
    // the entries hold 40 digits computed at 45
    Activation used(Rational(act.alpha_double()));
    CHECK(rel_diff(activation_moment_value(used, a, b, exact_theta(t.to_double()), 45), ref) < 1e-38);
  }
  // alpha = 3/10 exactly: M_{2,0} = 109/200
  CHECK(activation_moment_value(leaky("3/10"), 2, 0, parse_theta("0.7"), 40) == "0.5450000000000000000000000000000000000000");
}

TEST_CASE("certified digits against the Fourier form in brute-force interval arithmetic") {
  int n = sanitized() ? 10 : 60;
  std::uniform_int_distribution<unsigned> ab(0, 9);
  std::uniform_int_distribution<std::size_t> which(0, family().size() - 1);
  for (int i = 0; i < n; ++i) {
    const Activation& act = family()[which(rng())];
    unsigned a = ab(rng()), b = ab(rng());
    Theta t = random_theta(0.0, 3.14159);
    int D = i % 3 == 0 ? 60 : 25;
    INFO(act.name() << " M_{" << a << "," << b << "}(" << t.text << ") digits " << D);
    if (fourier(act, a, b).is_zero()) {  // linear, a+b odd: E[G^a G'^b] = 0
      CHECK(activation_moment_value(act, a, b, t, D) == "0");
      continue;
    }
    CHECK(activation_moment_value(act, a, b, t, D) == independent_value(act, a, b, t, D));
  }
}

TEST_CASE("certified digits near 0 and near pi") {
  const char* thetas[] = {"1e-30", "1e-9", "0.001", "pi-0.001", "pi-1e-9", "pi-1e-25"};
  for (const Activation& act : family())
    for (const char* th : thetas)
      for (auto [a, b] : {std::pair{1u, 1u}, {2u, 2u}, {3u, 1u}, {2u, 1u}, {4u, 3u}, {5u, 5u}, {3u, 0u}}) {
        Theta t = parse_theta_checked(th);
        INFO(act.name() << " M_{" << a << "," << b << "}(" << th << ")");
        std::string v = activation_moment_value(act, a, b, t, 30);
        if (v == "0") {
          CHECK(activation_closed_form(act, a, b).form.is_zero());
          continue;
        }
        CHECK(v == independent_value(act, a, b, t, 30));
      }
  // the enclosure is tight where the value is small: M_{1,1} of ReLU at pi - 1e-25 ~ 1e-76
  Interval e = activation_moment_enclosure(Activation(), 1, 1, parse_theta_checked("pi-1e-25"), 100);
  CHECK(e.is_positive());
  CHECK(e.rel_width() < 1e-28);
}

TEST_CASE("grids: the same digits as single values, whatever the thread count") {
  std::vector<Theta> ts;
  for (int i = 0; i < 40; ++i) ts.push_back(random_theta(0.0, 3.14159));
  ts.push_back(parse_theta("pi"));
  ts.push_back(parse_theta("0"));
  for (const Activation& act : {leaky("3/10"), Activation::abs()}) {
    std::vector<std::string> one = activation_moment_values(act, 3, 1, ts, 40, 1), two = activation_moment_values(act, 3, 1, ts, 40, 2);
    CHECK(one == two);
    for (std::size_t i = 0; i < ts.size(); i += 7) CHECK(one[i] == activation_moment_value(act, 3, 1, ts[i], 40));
  }
  CHECK_THROWS_AS(activation_moment_values(Activation(), 1, 1, {parse_theta("4")}, 10), InputError);
}

TEST_CASE("values near a zero crossing: the two parts cancel, the digits stay correct") {
  // leaky 3/10: M_{1,1} = (1 - alpha)^2 J_{1,1} + alpha rho changes sign at theta = 1.7597674359648891134...
  Activation act = leaky("3/10");
  for (const char* th : {"1.76", "1.7597674", "1.75976743596488", "1.759767435964889113479"}) {
    Theta t = parse_theta_checked(th);
    INFO(th);
    CHECK(activation_moment_value(act, 1, 1, t, 40) == independent_value(act, 1, 1, t, 40));
    // the enclosure keeps its promise (relative width about 2^-bits) where the parts cancel
    Interval e = activation_moment_enclosure(act, 1, 1, t, 100);
    CHECK(e.rel_width() < std::ldexp(1.0, -96));
  }
}

TEST_CASE("Gauss-Legendre polar quadrature (long double) agrees to 1e-14") {
  int n = sanitized() ? 20 : 200;
  std::uniform_int_distribution<unsigned> ab(0, 8);
  std::uniform_real_distribution<double> al(-1, 1);
  for (int i = 0; i < n; ++i) {
    // a random exact slope with 6 decimals
    Rational alpha(Integer(std::llround(al(rng()) * 1e6)), Integer(1000000));
    Activation act(alpha);
    unsigned a = ab(rng()), b = ab(rng());
    Theta t = random_theta(0.0, 3.14159);
    long double q = gl_polar(act.alpha_double(), a, b, (long double)t.offset.convert_to<double>());
    double v = std::stod(activation_moment_value(act, a, b, t, 20));
    INFO(act.name() << " M_{" << a << "," << b << "}(" << t.text << ") = " << v << " quadrature " << double(q));
    // the slope used by the quadrature is the nearest double: a relative effect ~1e-16
    CHECK(std::fabs(v - double(q)) <= 1e-14 * std::max(1.0, std::fabs(v)));
  }
}

TEST_CASE("Monte Carlo of E[phi(G)^a phi(G')^b] within 4.5 standard errors") {
  const long N = sanitized() ? 100000 : 1000000;
  std::mt19937_64 g(7);
  std::normal_distribution<double> z;
  struct Case { const char* alpha; const char* theta; unsigned a, b; };
  const Case cases[] = {{"0.1", "0.1", 1, 1}, {"0.1", "1.0", 2, 2}, {"-1", "2.5", 3, 1}, {"-1/2", "1.0", 2, 1},
                        {"0.01", "pi/2", 1, 1}, {"-0.9", "3.0", 1, 1}, {"1/3", "2.0", 3, 3}, {"1", "0.5", 2, 2}};
  for (const Case& c : cases) {
    Activation act = leaky(c.alpha);
    Theta t = parse_theta_checked(c.theta);
    double th = t.to_double(), rho = std::cos(th), s = std::sin(th);
    double sum = 0, sum2 = 0;
    for (long i = 0; i < N; ++i) {
      double x = z(g), y = rho * x + s * z(g);
      double v = std::pow(act(x), int(c.a)) * std::pow(act(y), int(c.b));
      sum += v;
      sum2 += v * v;
    }
    double mean = sum / N, sd = std::sqrt((sum2 / N - mean * mean) / (N - 1));
    double exact = std::stod(activation_moment_value(act, c.a, c.b, t, 20));
    double zscore = (mean - exact) / sd;
    INFO("alpha=" << c.alpha << " M_{" << c.a << "," << c.b << "}(" << c.theta << ") = " << exact << " MC " << mean << " z " << zscore);
    CHECK(std::fabs(zscore) < 4.5);
  }
}

TEST_CASE("exact values print exactly, also at rounding ties") {
  Activation l3 = leaky("3/10");
  CHECK(activation_moment_value(l3, 2, 0, parse_theta("1.3"), 2) == "0.54");  // 109/200 = 0.545: tie to even
  CHECK(activation_moment_value(l3, 2, 0, parse_theta("1.3"), 3) == "0.545");
  CHECK(activation_moment_value(l3, 0, 2, parse_theta("0"), 6) == "0.545000");
  CHECK(activation_moment_value(leaky("-0.5"), 0, 0, parse_theta("2"), 3) == "1.00");
  // linear: M_{1,1} = rho, exactly 0 at pi/2 and -1/2 at 2 pi/3; odd orders vanish identically
  CHECK(activation_moment_value(leaky("1"), 1, 1, parse_theta("pi/2"), 10) == "0");
  CHECK(activation_moment_value(leaky("1"), 1, 1, parse_theta("2pi/3"), 4) == "-0.5000");
  CHECK(activation_moment_value(leaky("1"), 2, 1, parse_theta("0.7"), 10) == "0");
  // |x| at pi: M_{a,b}(pi) = 2 m_{a+b}; at 0: 2 m_{a+b} too
  CHECK(activation_moment_value(Activation::abs(), 2, 2, parse_theta("pi"), 5) == "3.0000");
  CHECK(activation_moment_value(Activation::abs(), 1, 1, parse_theta("pi"), 5) == "1.0000");
  // leaky at pi/3: 2 pi M_{2,2} = pi [(2/3) P(1/2) + U(1/2)] + (sqrt 3/2) Q(1/2) is irrational; its digits
  // come from the certified route
  Theta t = parse_theta("pi/3");
  CHECK(activation_moment_value(l3, 2, 2, t, 30) == independent_value(l3, 2, 2, t, 30));
  // ReLU at pi: 0; at pi/2 the products of single moments
  CHECK(activation_moment_value(Activation(), 3, 5, parse_theta("pi"), 7) == "0");
  CHECK(activation_moment_value(Activation(), 0, 0, parse_theta("0.4"), 1) == "1");  // M_{0,0} = 1 (J_{0,0} is not)
  CHECK(activation_moment_value(Activation(), 2, 2, parse_theta("pi/2"), 2) == "0.25");
}

TEST_CASE("rational_value rounds exactly") {
  CHECK(rational_value(Rational(1, 3), 5) == "0.33333");
  CHECK(rational_value(Rational(2, 3), 5) == "0.66667");
  CHECK(rational_value(Rational(-1, 8), 2) == "-0.12");
  CHECK(rational_value(Rational(3, 8), 2) == "0.38");
  CHECK(rational_value(Rational(9995, 1000), 3) == "10.0");
  CHECK(rational_value(Rational(1, 1000000), 2) == "1.0e-6");
  CHECK(rational_value(Rational(0), 7) == "0");
  CHECK(rational_value(Rational(123456789), 3) == "1.23e+8");
  CHECK_THROWS_AS(rational_value(Rational(1), 0), InputError);
}

TEST_CASE("alpha = 0 is the ReLU: values, series and the normalized moments") {
  Activation relu;
  int n = sanitized() ? 10 : 50;
  std::uniform_int_distribution<unsigned> ab(1, 9);
  for (int i = 0; i < n; ++i) {
    unsigned a = ab(rng()), b = ab(rng());
    Theta t = random_theta(0.0, 3.14159);
    INFO("a=" << a << " b=" << b << " theta=" << t.text);
    CHECK(activation_moment_value(relu, a, b, t, 30) == moment_value(a, b, t, 30));
  }
  for (const char* th : {"0", "pi/2", "pi", "pi/3", "2pi/3", "pi-1e-20"})
    for (unsigned a = 1; a <= 5; ++a)
      for (unsigned b = 1; b <= 5; ++b) {
        INFO("a=" << a << " b=" << b << " theta=" << th);
        CHECK(activation_moment_value(relu, a, b, parse_theta(th), 20) == moment_value(a, b, parse_theta(th), 20));
      }
  for (unsigned a = 0; a <= 8; ++a)
    for (unsigned b = 0; b <= 8; ++b) {
      INFO("a=" << a << " b=" << b);
      if (a >= 1 && b >= 1) {
        MomentSeries x = activation_taylor_series(relu, a, b, 12), y = taylor_series(a, b, 12);
        CHECK(x.coeffs == y.coeffs);
        CHECK(x.odd == y.odd);
      }
      if ((a + b) % 2 == 0) {
        Series x = normalized_moment_series(relu, a, b, 12), y = plain_moment_series(a, b, 12);
        CHECK(x.precision() == y.precision());
        for (int k = 0; k <= 12; ++k) CHECK(x[k] == y[k]);
      }
    }
  // the shapes the cumulant code takes: the single moments are exact points, the rest contains J
  Interval m = normalized_moment_enclosure(relu, 4, 0, parse_theta("0.3"), 100);
  CHECK(mpfr_equal_p(&m.get()->left, &m.get()->right));
  CHECK(m.mid_double() == 1.5);
  Interval j = normalized_moment_enclosure(relu, 3, 1, parse_theta("0.3"), 100), k = moment_enclosure(closed_form(3, 1), parse_theta("0.3"), 100);
  Interval both(100);
  mpfi_intersect(both.get(), j.get(), k.get());
  CHECK(!mpfi_is_empty(both.get()));
  CHECK(j.rel_width() < 1e-28);
}

TEST_CASE("Taylor series at 0 against the certified values at small theta; normalized moments") {
  for (const Activation& act : family())
    for (auto [a, b] : {std::pair{1u, 1u}, {2u, 2u}, {3u, 1u}, {2u, 1u}, {0u, 3u}, {4u, 4u}}) {
      INFO(act.name() << " a=" << a << " b=" << b);
      MomentSeries s = activation_taylor_series(act, a, b, 14);
      // at theta = 1/1000 the terms beyond theta^14 are below 1e-42 relative
      const mpfr_prec_t bits = 300;
      Rational th(1, 1000);
      Interval pi = Interval::pi(bits), sum(0L, bits), pw(1L, bits), t(th, bits);
      for (unsigned k = 0; k <= 14; ++k) {
        Interval c(s.coeffs[k].coeff(0), bits);
        if (!s.odd) c += Interval(s.coeffs[k].coeff(1), bits) / pi;
        sum += c * pw;
        pw *= t;
      }
      if (s.odd) sum /= sqrt(ldexp(pi, 1));
      Theta tt;
      tt.offset = th;
      std::string v = activation_moment_value(act, a, b, tt, 35);
      if (v == "0") {
        for (auto& c : s.coeffs) CHECK(c.is_zero());
        continue;
      }
      CHECK(v == certify([&](mpfr_prec_t) { return sum; }, 35));
    }
  // normalized: divided by (1 + alpha^2)^((a+b)/2); Mbar_{2,0} = 1/2 for every alpha
  for (const Activation& act : family()) {
    Series x = normalized_moment_series(act, 2, 0, 6), y = activation_moment_series(act, 2, 2, 6),
           z = normalized_moment_series(act, 2, 2, 6);
    CHECK(x[0] == QPi(Rational(1, 2)));
    for (int k = 1; k <= 6; ++k) CHECK(x[k].is_zero());
    Rational c = (1 + act.alpha() * act.alpha()) * (1 + act.alpha() * act.alpha());
    for (int k = 0; k <= 6; ++k) CHECK(z[k] * c == y[k]);
    Theta t = parse_theta("1.1");
    Interval e = normalized_moment_enclosure(act, 1, 3, t, 120) * c, f = activation_moment_enclosure(act, 1, 3, t, 120);
    Interval both(120);
    mpfi_intersect(both.get(), e.get(), f.get());
    CHECK(!mpfi_is_empty(both.get()));
  }
}

TEST_CASE("activation moments: bad input") {
  Activation act = leaky("0.1");
  CHECK_THROWS_AS(activation_moment_value(act, 1, 1, parse_theta("3.2"), 10), InputError);
  CHECK_THROWS_AS(activation_moment_value(act, 1, 1, parse_theta("-0.1"), 10), InputError);
  CHECK_THROWS_AS(activation_moment_value(act, 1, 1, parse_theta("pi+1e-30"), 10), InputError);
  CHECK_THROWS_AS(activation_moment_value(act, 1, 1, parse_theta("1"), 0), InputError);
  CHECK_THROWS_AS(activation_moment_value(act, 1, 1, parse_theta("1"), 100001), InputError);
  CHECK_THROWS_AS(activation_moment_value(act, kMaxMomentOrder, 1, parse_theta("1"), 10), InputError);
  CHECK_THROWS_AS(activation_moment_enclosure(act, 1, 1, parse_theta("4"), 64), InputError);
  CHECK_THROWS_AS(activation_taylor_series(act, 1, 1, kMaxMomentOrder + 1), InputError);
  CHECK_THROWS_AS(activation_moment_series(act, 2, 1, 4), InputError);
  CHECK_THROWS_AS(normalized_moment_series(act, 2, 1, 4), InputError);
  CHECK_THROWS_AS(normalized_moment_enclosure(act, 1, 0, parse_theta("1"), 64), InputError);
  CHECK_THROWS_AS(piecewise_moment_form_fourier(kMaxMomentOrder, 1, 0, 0), InputError);
  // alpha^(a+b) is bounded: (bits of numerator + denominator) (a + b) <= kMaxActivationPowerBits
  Activation fine = parse_activation("leaky:1/" + std::string(76, '7'));  // 1 + 253 bits
  CHECK_THROWS_WITH_AS(activation_closed_form(fine, 600, 600),
                       "moment order a+b = 1200 is too large for the slope 1/7777777777777777777777777777777777777777777777777777777777777777777777777777"
                       " (at most 1032 with its 254 bits)", InputError);
  CHECK_THROWS_AS(activation_moment_value(fine, 1000, 100, parse_theta("1"), 10), InputError);
  CHECK_THROWS_AS(activation_taylor_series(fine, 1000, 100, 4), InputError);
  CHECK(activation_moment_value(fine, 3, 1, parse_theta("1"), 10).size() == 12);
  CHECK(activation_taylor_series(leaky("0.1"), 30, 30, 2).a == 30);
}

TEST_CASE("the O(1/n) coefficients for phi_alpha (docs/theory.md section 9.6, q = Mbar_{4,0}) against a one-layer Monte Carlo") {
  // mu_1 = 4(q - 1/2) - 4 K_q/D^2, sigma_1^2 = 8(J22 + q - 1/2) + 8 K_q/D^2 - 16 L_q/D with the normalized
  // moments: E ln sin^2 theta' = ln D + mu_1/n + O(n^-2), Var = sigma_1^2/n + O(n^-2). The widths are
  // large enough that the O(n^-2) parts stay well below the standard errors.
  const bool san = sanitized();
  std::mt19937_64 g(11);
  std::normal_distribution<double> z;
  for (std::string al : {"0.1", "-1"}) {
    Activation act = leaky(al.c_str());
    Theta t = parse_theta("1");
    auto mbar = [&](unsigned a, unsigned b) { return normalized_moment_enclosure(act, a, b, t, 80).mid_double(); };
    double J = mbar(1, 1), J22 = mbar(2, 2), J31 = mbar(3, 1), q = mbar(4, 0), D = 1 - 4 * J * J, h = q - 0.5;
    double K = 8 * J * J * J22 - 8 * J * J * J * J + 4 * J * J - 8 * J * J31 + J22 + h;
    double L = 2 * J * J - 4 * J * J31 + J22 + h;
    double mu1 = 4 * h - 4 * K / (D * D), s1 = 8 * (J22 + h) + 8 * K / (D * D) - 16 * L / D;
    double rho = std::cos(1.0), s = std::sin(1.0);
    auto one_layer = [&](int n, long N, double& mean, double& var, double& se_mean, double& se_var) {
      std::vector<double> v(static_cast<std::size_t>(N));
      for (long k = 0; k < N; ++k) {
        double A = 0, B = 0, C = 0;
        for (int i = 0; i < n; ++i) {
          double x = z(g), y = rho * x + s * z(g), X = act(x), Y = act(y);
          A += X * X, B += Y * Y, C += X * Y;
        }
        v[std::size_t(k)] = std::log1p(-C * C / (A * B));
      }
      double m = 0, m2 = 0, m4 = 0;
      for (double x : v) m += x;
      m /= double(N);
      for (double x : v) m2 += (x - m) * (x - m), m4 += std::pow(x - m, 4);
      m2 /= double(N - 1), m4 /= double(N);
      mean = m, var = m2, se_mean = std::sqrt(m2 / double(N)), se_var = std::sqrt((m4 - m2 * m2) / double(N));
    };
    double mean, var, se_m, se_v;
    one_layer(256, san ? 2000 : 20000, mean, var, se_m, se_v);
    double zm = (mean - (std::log(D) + mu1 / 256)) / se_m;
    INFO("alpha=" << al << " mu1=" << mu1 << " sigma1^2=" << s1 << " mean " << mean << " z(mean) " << zm);
    CHECK(std::fabs(zm) < 4.5);
    one_layer(1024, san ? 500 : 5000, mean, var, se_m, se_v);
    double zv = (var - s1 / 1024) / se_v;
    INFO("var " << var << " z(var) " << zv);
    CHECK(std::fabs(zv) < 4.5);
  }
}
