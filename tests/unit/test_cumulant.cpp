// The cumulant expansion of the angle law in 1/n (SPEC section 5): its O(1/n) part against the
// closed forms mu_1, sigma_1^2 of SPEC section 4 (computed here independently from J11, J22, J31),
// the exact theta-series against the enclosures, the double path, and a Monte Carlo check that
// order 3 is right where the O(1/n) form is measurably off.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "support.hpp"
#include "relumix/check/accuracy.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;
using relumix::test::sanitized;
using relumix::test::scaled;

namespace {

// |a - b| <= tol * max(|a|, |b|) for two enclosures (midpoints)
bool agree(const Interval& a, const Interval& b, double tol) {
  if (a.mid_double() == 0 && b.mid_double() == 0) return true;
  double x = a.mid_double(), y = b.mid_double();
  return std::fabs(x - y) <= tol * std::max(std::fabs(x), std::fabs(y));
}

// the two enclosures overlap closely (relative 1e-25)
bool close(const Interval& a, const Interval& b) { return agree(a, b, 1e-25); }

// mu_1 = 4 - 4K/D^2 and sigma_1^2 = 8(J22 + 1) + 8K/D^2 - 16L/D (SPEC section 4)
struct FirstOrder {
  Interval mu1, s1;
};
FirstOrder first_order(const Theta& t, mpfr_prec_t bits) {
  Interval j11 = moment_enclosure(closed_form(1, 1), t, bits), j22 = moment_enclosure(closed_form(2, 2), t, bits),
           j31 = moment_enclosure(closed_form(3, 1), t, bits), one(1L, bits);
  Interval j2 = sqr(j11), D = one - j2 * Rational(4);
  Interval K = j2 * j22 * Rational(8) - sqr(j2) * Rational(8) + j2 * Rational(4) - j11 * j31 * Rational(8) + j22 + one;
  Interval L = j2 * Rational(2) - j11 * j31 * Rational(4) + j22 + one;
  return {Interval(4L, bits) - K * Rational(4) / sqr(D),
          (j22 + one) * Rational(8) + K * Rational(8) / sqr(D) - L * Rational(16) / D};
}
}  // namespace

TEST_CASE("the O(1/n) coefficients are mu_1 and sigma_1^2 of the SPEC, at every order K") {
  for (const char* th : {"0.05", "0.3", "1", "2", "pi/2", "3pi/4", "pi"}) {
    Theta t = parse_theta(th);
    FirstOrder f = first_order(t, 400);
    for (unsigned K : {1u, 2u, 3u, 5u}) {
      INFO("theta=" << std::string(th) << " K=" << K);
      CumulantEnclosure c = cumulant_enclosure(t, K, 400);
      REQUIRE(c.mean.size() == K + 1);
      CHECK(agree(c.mean[1], f.mu1, 1e-60));
      CHECK(agree(c.var[1], f.s1, 1e-60));
      if (t.is_pi()) {  // X Y = 0 at theta = pi: sin^2 theta' = 1, every coefficient vanishes
        for (unsigned k = 1; k <= K; ++k) CHECK((c.mean[k].contains_zero() && c.var[k].contains_zero()));
      } else {
        CHECK(c.mean[K].rel_width() < 1e-20);
        CHECK(c.var[K].rel_width() < 1e-20);
      }
    }
  }
}

TEST_CASE("exact theta-series: k = 1 is the closed form, poles cancel, k >= 2 match the enclosures") {
  const unsigned order = 14;
  CumulantSeries s = cumulant_series(3, order);
  DecayDoubleSeries d = decay_double_series(order, 1);
  for (unsigned j = 0; j <= order; ++j) {
    INFO("j=" << j);
    CHECK(s.mean[1][j] == d.mu[1][j]);
    CHECK(s.var[1][j] == d.sigma2[1][j]);
  }
  // coefficients known by hand: mean_2(0) = -8 (the series constant), a pure rational
  CHECK(s.mean[2][0] == QPi(-8));
  // sum_j c_kj theta^j at theta = 0.01 against the enclosure (truncation ~ 0.01^15)
  Theta t = parse_theta("0.01");
  CumulantEnclosure c = cumulant_enclosure(t, 3, 300);
  Interval th = t.enclose(300);
  for (unsigned k = 1; k <= 3; ++k) {
    Interval m(0L, 300), v(0L, 300), p(1L, 300);
    for (unsigned j = 0; j <= order; ++j, p *= th) {
      m += enclose(s.mean[k][j], 300) * p;
      v += enclose(s.var[k][j], 300) * p;
    }
    INFO("k=" << k);
    CHECK(agree(m, c.mean[k], 1e-20));
    CHECK(agree(v, c.var[k], 1e-20));
  }
  // decay-series --n-order 3 is this series
  DecayDoubleSeries d3 = decay_double_series(6, 3);
  REQUIRE(d3.mu.size() == 4);
  for (unsigned j = 0; j <= 6; ++j) {
    CHECK(d3.mu[3][j] == s.mean[3][j]);
    CHECK(d3.sigma2[2][j] == s.var[2][j]);
  }
}

TEST_CASE("double path agrees with the enclosures, also at tiny and large theta") {
  for (double th : {1e-8, 1e-3, 0.1, 1.0, 3.0, M_PI}) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", th);  // the decimal differs from th by < 1e-17 relative
    Theta t = parse_theta(std::string(buf) == "3.1415926535897931" ? "pi" : buf);
    for (unsigned K : {2u, 4u}) {
      INFO("theta=" << buf << " K=" << K);
      const CumulantValues& v = cumulant_double(th, K);
      // enough bits for the cancellation ~ (4/theta^2)^(2K)
      mpfr_prec_t bits = 200 + mpfr_prec_t(2 * K * std::log2(4 / (th * th)));
      for (long n : {2L, 16L, 64L}) {
        Interval mu = mu_series_enclosure(t, Rational(n), K, bits), s2 = sigma2_series_enclosure(t, Rational(n), K, bits);
        if (t.is_pi()) {  // exactly 0
          CHECK(v.mu(double(n)) == 0);
          CHECK(v.sigma2(double(n)) == 0);
        } else {
          CHECK(std::fabs(v.mu(double(n)) - mu.mid_double()) <= 1e-13 * std::fabs(mu.mid_double()));
          CHECK(std::fabs(v.sigma2(double(n)) - s2.mid_double()) <= 1e-13 * std::fabs(s2.mid_double()));
        }
        CHECK(mu_double(th, double(n), int(K)) == v.mu(double(n)));
        CHECK(sigma2_double(th, double(n), int(K)) == v.sigma2(double(n)));
      }
    }
  }
}

TEST_CASE("certified values: order K through the angle API, digits agree across precisions") {
  Theta t = parse_theta("0.1");
  AngleValues a = angle_values(t, Rational(64), 50, 3), b = angle_values(t, Rational(64), 20, 3);
  CHECK(a.mu.substr(0, 12) == b.mu.substr(0, 12));
  CHECK(a.sigma2.substr(0, 12) == b.sigma2.substr(0, 12));
  // order 1 stays the paper's form
  AngleValues p = angle_values(t, Rational(64), 30, 1);
  CHECK(close(Interval::from_decimal(p.mu, 200), mu_enclosure(t, Rational(64), 200)));
  // tiny theta: ln sin^2 theta dominates; the cancellation in 1/D is absorbed
  AngleValues tiny = angle_values(parse_theta("1e-12"), Rational(64), 30, 3);
  CHECK(tiny.mu.substr(0, 3) == "-55");
  // theta = pi: the inputs' images have disjoint supports, sin^2 theta' = 1: exactly 0 at every order
  for (int K : {1, 2, 5}) {
    AngleValues z = angle_values(parse_theta("pi"), Rational(16), 30, K);
    CHECK(z.mu == "0");
    CHECK(z.sigma2 == "0");
    CHECK(z.cos_infinite_width == "0");
  }
}

TEST_CASE("Monte Carlo: order 3 is within 4.5 standard errors where the O(1/n) form is off") {
  // one layer of width n from theta0: E[X] and Var[X] of X = ln sin^2 theta^1 (accuracy_point:
  // sample mean and variance with their standard errors); the issue asks for the order-3 mean and
  // variance at n = 64 and the mean at n = 32
  const double theta0 = 0.5;
  for (long n : {64L, 32L}) {
    McOptions o;
    o.samples = sanitized() ? 100000 : 400000;
    o.seed = 20261123;
    AccuracyPoint p = accuracy_point(n, theta0, 3, o);
    REQUIRE(p.predictions.size() == 4);  // paper form, orders 1..3
    const AccuracyPrediction &paper = p.predictions[0], &k3 = p.predictions[3];
    CHECK(k3.mean == doctest::Approx(mu_double(theta0, double(n), 3)).epsilon(1e-14));
    CHECK(k3.var == doctest::Approx(sigma2_double(theta0, double(n), 3)).epsilon(1e-14));
    CHECK(paper.mean == mu_double(theta0, double(n), 1));
    INFO("n = " << n << ": MC mean " << p.mean << " +- " << p.stderr_mean << ", order 3 " << k3.mean << ", paper "
                << paper.mean);
    INFO("MC var " << p.var << " +- " << p.stderr_var << ", order 3 " << k3.var);
    CHECK(std::fabs(k3.mean - p.mean) <= 4.5 * p.stderr_mean);
    if (n == 64) CHECK(std::fabs(k3.var - p.var) <= 4.5 * p.stderr_var);
    // the test can fail: the O(1/n) mean is many standard errors away here
    CHECK(std::fabs(paper.mean - p.mean) > 10 * p.stderr_mean);
  }
}

TEST_CASE("cumulant expansion: bad input") {
  Theta t = parse_theta("0.1");
  CHECK_THROWS_AS(cumulant_enclosure(t, 0, 100), InputError);
  CHECK_THROWS_AS(cumulant_enclosure(t, 9, 100), InputError);
  CHECK_THROWS_AS(cumulant_enclosure(parse_theta("0"), 2, 100), InputError);
  CHECK_THROWS_AS(cumulant_enclosure(parse_theta("3.2"), 2, 100), InputError);
  CHECK_THROWS_AS(cumulant_series(5, 4), InputError);
  CHECK_THROWS_AS(cumulant_series(2, 31), InputError);
  CHECK_THROWS_AS(cumulant_double(0.0, 2), InputError);
  CHECK_THROWS_AS(angle_values(t, Rational(64), 30, 9), InputError);
  CHECK_THROWS_AS(decay_double_series(4, 5), InputError);
  CHECK_THROWS_AS(mu_series_enclosure(t, Rational(1), 2, 100), InputError);
}

TEST_CASE("cumulant table: the Chebyshev tables against the certified evaluation between the nodes") {
  // cumulant_double: certified intervals to 1e-15 relative; the table: tools/gen/gen_cumulant_table.cpp
  double worst = 0;
  for (double t : {1e-6, 0.0123, 0.1, 0.3141, 0.77, 1.2345, 1.5707963, 2.0, 2.71, 3.1}) {
    const auto& v = relumix::cumulant_double(t, 8);
    double mean[9], var[9];
    relumix::cumulant_table(t, 8, mean, var);
    for (unsigned k = 1; k <= 8; ++k) {
      // relative to the size of the coefficient over [0, pi] (mean_k(0), var_k(0) are the largest)
      double m0[9], v0[9];
      relumix::cumulant_table(0, 8, m0, v0);
      double em = std::fabs(mean[k] - v.mean[k]) / std::fabs(m0[k]), ev = std::fabs(var[k] - v.var[k]) / std::fabs(v0[k]);
      worst = std::max({worst, em, ev});
      CHECK_MESSAGE(em < 1e-12, "theta " << t << " mean_" << k);
      CHECK_MESSAGE(ev < 1e-12, "theta " << t << " var_" << k);
    }
  }
  MESSAGE("largest relative error of the table: " << worst);
  double m[9], v[9];
  CHECK_THROWS(relumix::cumulant_table(-0.1, 8, m, v));
  CHECK_THROWS(relumix::cumulant_table(1, 9, m, v));
}

TEST_CASE("cumulant_double returns a value that later calls leave alone") {
  const CumulantValues a = cumulant_double(0.3, 3);
  const CumulantValues& b = cumulant_double(0.3, 3);  // bound to a temporary: lives as long as b
  for (double th : {0.1, 0.2, 0.4, 0.5, 0.6, 0.7}) (void)cumulant_double(th, 3);  // past the cache's 4 angles
  CHECK(b.theta == 0.3);
  CHECK(b.K == 3);
  CHECK(b.mean == a.mean);
  CHECK(b.var == a.var);
  CHECK(b.mu(16) == cumulant_double(0.3, 3).mu(16));
}

TEST_CASE("activation cumulant table: the runtime Chebyshev tables against the certified evaluation between the nodes") {
  // reference: cumulant_double(theta, K, act), certified intervals to 1e-15 relative, at angles that
  // are not Chebyshev nodes; the table is built from the same evaluation at the nodes only
  for (const char* name : {"leaky:0.1", "abs", "leaky:-1/2"}) {
    const relumix::Activation act = relumix::parse_activation(name);
    double err = 0, m0[5], v0[5];
    relumix::activation_cumulant_table(act, 0, 4, m0, v0, 0, &err);
    CHECK_MESSAGE(err < 1e-11, std::string(name) << ": estimated interpolation error " << err);
    double worst = 0;
    for (double t : {1e-5, 0.0123, 0.3141, 0.77, 1.2345, 1.5, 2.0, 2.71, 3.1}) {
      if (act.is_abs() && t > 1.6) continue;
      const relumix::CumulantValues v = relumix::cumulant_double(t, 4, act);
      double mean[5], var[5];
      relumix::activation_cumulant_table(act, t, 4, mean, var);
      for (unsigned k = 1; k <= 4; ++k) {
        double em = std::fabs(mean[k] - v.mean[k]) / std::max(1.0, std::fabs(m0[k]));
        double ev = std::fabs(var[k] - v.var[k]) / std::max(1.0, std::fabs(v0[k]));
        worst = std::max({worst, em, ev});
        CHECK_MESSAGE(em < 1e-10, std::string(name) << " theta " << t << " mean_" << k << ": " << mean[k] << " vs " << v.mean[k]);
        CHECK_MESSAGE(ev < 1e-10, std::string(name) << " theta " << t << " var_" << k << ": " << var[k] << " vs " << v.var[k]);
      }
    }
    MESSAGE(std::string(name) << ": largest relative error of the table " << worst << ", estimated " << err);
  }
  // abs: symmetric about pi/2
  const relumix::Activation abs = relumix::Activation::abs();
  double a[3], b[3], c[3], d[3];
  relumix::activation_cumulant_table(abs, 0.4, 2, a, b);
  relumix::activation_cumulant_table(abs, M_PI - 0.4, 2, c, d);
  CHECK(a[2] == doctest::Approx(c[2]).epsilon(1e-14));
}
