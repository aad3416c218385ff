// The angle decay (SPEC section 4): certified mu/sigma^2 against independent references,
// the exact small-theta coefficients rho(n), c1(n), sigma^2(0,n), the infinite-width map.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/depth_constant.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/core/error.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

namespace {
// |x - want| <= tol * |want| with want a decimal string
std::string ends(const Interval& x) {
  char* t = nullptr;
  mpfr_asprintf(&t, "[%.32Rg, %.32Rg]", &x.get()->left, &x.get()->right);
  std::string r(t);
  mpfr_free_str(t);
  return r;
}
bool close(const Interval& x, const std::string& want, double tol) {
  Interval w = Interval::from_decimal(want, x.bits());
  return std::fabs(((x - w) / w).mid_double()) <= tol;
}
}  // namespace

TEST_CASE("mu, sigma^2 match the independent reference angle.json to 35 digits") {
  // tests/data/angle.json: copy of shared/reference/angle.json (independent computation)
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/angle.json");
  REQUIRE(f);
  auto ref = nlohmann::json::parse(f);
  for (auto& v : ref["values"]) {
    Theta t = parse_theta(v["theta"].get<std::string>());
    Rational n(v["n"].get<long>());
    INFO("theta=" << v["theta"] << " n=" << v["n"]);
    AngleValues a = angle_values(t, n, 35);
    CHECK(close(Interval::from_decimal(a.mu, 300), v["mu"].get<std::string>(), 1e-34));
    CHECK(close(Interval::from_decimal(a.sigma2, 300), v["sigma2"].get<std::string>(), 1e-34));
  }
  for (auto& v : ref["rho"]) {
    Rational n(v["n"].get<long>());
    DecaySeries d = decay_series(n, 0);
    // rho(n) = -(constant term) = -(log((n-1)/(n+5)) + mu_0)
    Interval rho = -(enclose(d.mu[0], 300) + log(Interval(n - 1, 300) / Interval(n + 5, 300)));
    CHECK(close(rho, v["rho"].get<std::string>(), 1e-38));
  }
}

TEST_CASE("exact small-theta coefficients reproduce rho(n), c1(n), sigma^2(0,n) of the SPEC") {
  for (long nn : {2L, 3L, 16L, 64L, 256L, 1000L, 1000000000L}) {
    Rational n(nn), n1 = n - 1, n5 = n + 5;
    DecaySeries d = decay_series(n, 2);
    INFO("n=" << nn);
    // -rho(n) = log((n-1)/(n+5)) + 10n/(n+5)^2 - 6n/(n-1)^2
    CHECK(d.mu[0] == QPi(10 * n / (n5 * n5) - 6 * n / (n1 * n1)));
    // -c1(n) = -(2/(3 pi) + 8n/(15 pi (n-1)^2))
    CHECK(d.mu[1] == QPi::inv_pi_power(1, -(Rational(2, 3) + 8 * n / (15 * n1 * n1))));
    // sigma^2(0,n) = 8n(n^2 - 2n + 55)/((n-1)^2 (n+5)^2)
    CHECK(d.sigma2[0] == QPi(8 * n * (n * n - 2 * n + 55) / (n1 * n1 * n5 * n5)));
  }
}

TEST_CASE("the 1/n parts: mu_1 and sigma_1^2 are the large-n limits of the width-n series") {
  DecayDoubleSeries dd = decay_double_series(4, 1);
  Rational n(Integer(1000000000));
  DecaySeries d = decay_series(n, 4);
  for (unsigned j = 0; j <= 4; ++j) {
    // n (c_j(n) - c_j0) -> c_j1 with error O(1/n); sigma^2: n s_j(n) -> s_j1
    QPi mu_lim = (d.mu[j] - dd.mu[0][j]) * n - dd.mu[1][j];
    QPi s_lim = d.sigma2[j] * n - dd.sigma2[1][j];
    double e1 = std::fabs(enclose(mu_lim, 200).mid_double()), e2 = std::fabs(enclose(s_lim, 200).mid_double());
    INFO("j=" << j);
    if (j == 0) {  // the log term: n (log((n-1)/(n+5)) - 0) -> -6 is inside mu_1(0) = 4 - 4K/D^2 at 0
      CHECK(std::fabs(e1 - 6) < 1e-6);
    } else {
      CHECK(e1 < 1e-6);
    }
    CHECK(e2 < 1e-6);
  }
}

TEST_CASE("certified at tiny theta where 1 - 4 J11^2 cancels: series agrees") {
  Rational n(64);
  DecaySeries d = decay_series(n, 6);
  for (const char* th : {"1e-6", "1e-12"}) {
    Theta t = parse_theta(th);
    AngleValues a = angle_values(t, n, 30);
    // mu = ln sin^2 theta + log((n-1)/(n+5)) + sum_j mu_j theta^j  (truncation error ~ theta^7)
    const mpfr_prec_t b = 300;
    Interval x = t.enclose(b), s = sin(x), series = log(sqr(s)) + log(Interval(n - 1, b) / Interval(n + 5, b));
    Interval sig(0L, b);
    for (int j = 6; j >= 0; --j) {
      series = series + enclose(d.mu[std::size_t(j)], b) * pow(x, unsigned(j));
      sig = sig + enclose(d.sigma2[std::size_t(j)], b) * pow(x, unsigned(j));
    }
    INFO("theta=" << th);
    CHECK(close(series, a.mu, 1e-29));
    CHECK(close(sig, a.sigma2, 1e-29));
  }
}

TEST_CASE("infinite-width map: series, double map, depth expansion") {
  Series f = infinite_map_series(4);
  CHECK(f[1] == QPi(1));
  CHECK(f[2] == QPi::inv_pi_power(1, Rational(-1, 3)));
  CHECK(f[3] == QPi::inv_pi_power(2, Rational(-1, 18)));
  CHECK(f[4] == QPi::inv_pi_power(1, Rational(-1, 45)) + QPi::inv_pi_power(3, Rational(-1, 54)));
  // double map vs the direct formula where it does not cancel
  for (double t : {0.3, 1.0, 2.0, 3.0}) {
    double direct = std::acos((std::sin(t) + (M_PI - t) * std::cos(t)) / M_PI);
    CHECK(infinite_map(t) == doctest::Approx(direct).epsilon(1e-13));
  }
  // tiny theta: f(t) = t - t^2/(3 pi) - ...
  double t = 1e-9;
  CHECK(infinite_map(t) == doctest::Approx(t - t * t / (3 * M_PI)).epsilon(1e-15));
  CHECK(infinite_map(M_PI) == doctest::Approx(M_PI / 2).epsilon(1e-15));
}

TEST_CASE("large-depth expansion against iterating f to depth 10^6") {
  long L = std::getenv("RELUMIX_SANITIZED") ? 100000 : 1000000;
  DepthAsymptotics d = depth_asymptotics(0.1, L);
  // iterate again and compare the three-term expansion at depths l << L: error O(ln^2 l / l^3)
  double th = 0.1;
  for (long l = 1; l <= L / 10; ++l) {
    th = infinite_map(th);
    if (l == 1000 || l == 10000 || l == L / 10) {
      double x = double(l), ln = std::log(x), lead = 3 * M_PI / x;
      double err = std::fabs(d.theta(x) - th), err_recip = std::fabs(d.theta_reciprocal(x) - th);
      // the first omitted term of the expanded form is 3 pi eps^2 / l, eps = (1.5 ln l + 3 pi C)/l
      double eps = (1.5 * ln + 3 * M_PI * d.C) / x;
      INFO("l=" << l << " theta=" << th << " expansion=" << d.theta(x) << " reciprocal=" << d.theta_reciprocal(x));
      CHECK(err < 1.5 * lead * eps * eps);
      // next terms: O(ln l / l^3) with coefficient 27 pi/4 + O(C) (about 150 for theta0 = 0.1)
      CHECK(err_recip < 300 * ln / (x * x * x));
      CHECK(std::fabs(lead - th) > 10 * err);  // the correction terms matter and are right
    }
  }
}

TEST_CASE("bad input is refused") {
  CHECK_THROWS_AS(decay_series(Rational(1), 2), InputError);
  CHECK_THROWS_AS(decay_series(Rational(64), 61), InputError);
  CHECK_THROWS_AS(angle_values(parse_theta("0"), Rational(64), 30), InputError);
  CHECK_THROWS_AS(mu_double(0.1, 1.0), InputError);
}

TEST_CASE("C(theta0) proven: a narrow enclosure holding the independent mpmath values") {
  // Reference: tests/data/depth_constant_reference.py (mpmath 1.3.0, f iterated at 50 digits to depth
  // 4e4 and the expansion fitted by least squares, in the depth l + 9425 for 1e-3), not relumix's
  // route. tol: the spread of the fits (J = 3, 4, upper half of the depths), times about 3.
  struct Ref {
    const char* theta0;
    const char* C;
    double tol;
  };
  const Ref refs[] = {{"0.1", "9.28424443508672", 1e-11},
                      {"1", "0.717289570140458905", 1e-14},
                      {"pi/2", "0.46577727369351120", 1e-14},
                      {"pi", "0.35967397829891431", 1e-14},
                      {"1e-3", "998.5436355259511478", 1e-12}};
  for (const Ref& r : refs) {
    INFO("theta0 = " << std::string(r.theta0));
    const auto t0 = std::chrono::steady_clock::now();
    DepthConstant d = depth_constant(parse_theta(r.theta0));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE("theta0 " << std::string(r.theta0) << ": L = " << d.steps << ", tail bound " << d.tail_bound << ", relative width "
                      << d.C.rel_width() << ", " << ms << " ms, C in " << ends(d.C));
    Interval want = Interval::from_decimal(r.C, 192);
    CHECK(d.tail_bound < 1e-25);
    CHECK(d.C.rel_width() < 1e-25);
    CHECK(std::fabs((d.C - want).mid_double()) <= r.tol);
  }
  // f(pi) = pi/2 exactly and C(f(theta0)) = C(theta0) + 1/(3 pi) (the sequence shifts by one step)
  Interval shift = depth_constant(parse_theta("pi/2")).C - depth_constant(parse_theta("pi")).C -
                   Interval(1L, 192) / (Interval::pi(192) * Rational(3));
  CHECK(shift.contains_zero());
  CHECK(std::fabs(shift.mid_double()) < 1e-28);
  // other stopping angles (other depths L, tails bounded from other points) and precisions: overlapping enclosures
  for (const char* t : {"0.1", "pi"}) {
    INFO("theta0 = " << std::string(t));
    const DepthConstant d = depth_constant(parse_theta(t));
    const DepthConstant d50 = depth_constant(parse_theta(t), 160, 50), d300 = depth_constant(parse_theta(t), 256, 300);
    CHECK(d50.steps < d.steps);
    CHECK(d300.steps > 2 * d.steps);
    CHECK((d.C - d50.C).contains_zero());
    CHECK((d.C - d300.C).contains_zero());
    CHECK(d300.tail_bound < 1e-3 * d.tail_bound);
    CHECK(d50.tail_bound < 1e-20);
  }
  // the old double-precision fit at depth 1e6 (error ~ 3 ln(L)/(4 pi L) ~ 1e-5) lies near it
  CHECK(std::fabs(depth_constant(parse_theta("0.1")).C.mid_double() - depth_asymptotics(0.1, 100000).C) < 1e-3);
  CHECK_THROWS_AS(depth_constant(Theta{Rational(1), Rational(1, 10), "pi+1/10"}), InputError);
}

TEST_CASE("C(theta0) proven for phi_alpha (w >= 1/5), against mpmath; refused below and for abs from pi") {
  // Reference: tests/data/depth_constant_reference.py with W = w (mpmath 1.3.0, 50 digits, depth 4e4,
  // 1e5 for w = 1/5), not relumix's route; tol about 3 times the spread of the fits.
  struct Ref {
    const char* act;
    const char* theta0;
    const char* C;
    double tol;
  };
  const Ref refs[] = {{"abs", "0.1", "8.784778257946567312", 2e-12},
                      {"leaky:-0.5", "pi", "0.82820366810908250275", 1e-15},
                      {"leaky:0.1", "1", "0.75627098088097332107", 1e-14},
                      {"leaky:0.5", "1", "0.9440564233690625051", 1e-13}};
  for (const Ref& r : refs) {
    INFO(std::string(r.act) << " from " << std::string(r.theta0));
    const DepthConstant d = depth_constant(parse_activation(r.act), parse_theta(r.theta0));
    MESSAGE(std::string(r.act) << " from " << std::string(r.theta0) << ": L = " << d.steps << ", tail bound "
                               << d.tail_bound << ", C in " << ends(d.C));
    CHECK(d.C.rel_width() < 1e-25);
    CHECK(std::fabs((d.C - Interval::from_decimal(r.C, 192)).mid_double()) <= r.tol);
  }
  // relu through the activation route is the relu route
  CHECK((depth_constant(parse_activation("relu"), parse_theta("0.1")).C - depth_constant(parse_theta("0.1")).C).contains_zero());
  // leaky:-0.5 has its peak at pi/w = 5 pi/9: the first step's interval holds it (the hull with f(pi/w));
  // from pi the first step is on the decreasing side. mpmath (W=9/5, "5*pi/9"): 0.45586236462132931639
  const DepthConstant peak = depth_constant(parse_activation("leaky:-0.5"), parse_theta("5pi/9"));
  CHECK(peak.C.rel_width() < 1e-25);
  CHECK(std::fabs((peak.C - Interval::from_decimal("0.45586236462132931639", 192)).mid_double()) <= 1e-15);
  // abs from close to pi: the first step needs more precision (1 - cos f cancels), then theta^1 ~ 1e-300
  const DepthConstant near_pi = depth_constant(Activation::abs(), parse_theta("pi-1e-300"));
  CHECK(near_pi.C.rel_width() < 1e-25);
  CHECK(near_pi.steps == 1);
  CHECK_THROWS_AS(depth_constant(Activation::abs(), parse_theta("pi")), InputError);
  CHECK_THROWS_AS(depth_constant(parse_activation("leaky:1"), parse_theta("1")), InputError);
}

TEST_CASE("C(theta0) proven for small w (alpha in (1/2, 1)), against mpmath; the step limit") {
  // Reference: tests/data/depth_constant_reference.py with W = w, DPS=40, to the depth 600/a (u = 600),
  // in the depth l + 1/(a theta0) (mpmath 1.3.0), not relumix's route; tol about 3 times the spread of
  // the fits (J = 3, 4, upper half). w = 2/17, 1/25, 1/181 for alpha = 0.6, 0.75, 0.9.
  struct Ref {
    const char* act;
    const char* theta0;
    const char* C;
    double tol;
  };
  const Ref refs[] = {{"leaky:0.6", "0.1", "9.8814873742186265428", 2e-13},
                      {"leaky:0.6", "pi/2", "0.66899745994334491294", 2e-15},
                      {"leaky:0.75", "0.1", "9.9572347092981817966", 4e-13},
                      {"leaky:0.75", "pi/2", "0.71156241979108268954", 1.5e-14},
                      {"leaky:0.9", "0.1", "9.9980986822272010903", 3e-13},
                      {"leaky:0.9", "pi/2", "0.7377562521108459298", 1.2e-14}};
  for (const Ref& r : refs) {
    INFO(std::string(r.act) << " from " << std::string(r.theta0));
    const auto t0 = std::chrono::steady_clock::now();
    const DepthConstant d = depth_constant(parse_activation(r.act), parse_theta(r.theta0));
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(std::string(r.act) << " from " << std::string(r.theta0) << ": L = " << d.steps << ", tail bound "
                               << d.tail_bound << ", " << ms << " ms, C in " << ends(d.C));
    CHECK(d.tail_bound < 1e-30);
    CHECK(d.C.rel_width() < 1e-28);
    CHECK(std::fabs((d.C - Interval::from_decimal(r.C, 192)).mid_double()) <= r.tol);
  }
  // F = f/theta in interval arithmetic (the small-w route) against the exact series in Q[1/pi]
  for (const char* a : {"leaky:0.6", "leaky:0.9", "abs"}) {
    INFO(std::string(a));
    const Activation act = parse_activation(a);
    const std::vector<Interval> F = activation_f_over_theta_series(act, 21, 192);
    const Series exact = activation_map_series(act, 21);
    for (int k = 0; k <= 20; ++k) CHECK((F[std::size_t(k)] - enclose(exact[k + 1], 192)).contains_zero());
    CHECK(F[20].rel_width() < 1e-40);
  }
  // other stopping angles (1/7, 1/12: other depths, tails from other points) and precisions overlap
  for (const char* t : {"1", "pi"}) {
    INFO("leaky:0.75 from " << std::string(t));
    const Activation act = parse_activation("leaky:0.75");
    const DepthConstant d = depth_constant(act, parse_theta(t));
    const DepthConstant d7 = depth_constant(act, parse_theta(t), 160, 7), d12 = depth_constant(act, parse_theta(t), 256, 12);
    CHECK(d7.steps < d.steps);
    CHECK(d12.steps > d.steps);
    CHECK((d.C - d7.C).contains_zero());
    CHECK((d.C - d12.C).contains_zero());
    CHECK(d12.tail_bound < 1e-6 * d.tail_bound);
  }
  // continuity at w = 1/5: just above alpha = 1/2 (small-w route) C moves by O(dw) from leaky:0.5 (w >= 1/5 route)
  const DepthConstant half = depth_constant(parse_activation("leaky:0.5"), parse_theta("1"));
  const DepthConstant above = depth_constant(parse_activation("leaky:500001/1000000"), parse_theta("1"));
  CHECK(std::fabs((half.C - above.C).mid_double()) < 1e-4);
  // the step limit: refused at once above kMaxMapSeriesSteps (about 24 pi/w steps)
  CHECK_THROWS_AS(depth_constant(parse_activation("leaky:0.99"), parse_theta("1")), InputError);
  CHECK(depth_constant_steps(parse_activation("leaky:0.9").map_weight()) < 14000);
}
