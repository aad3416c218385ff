// Collapse of deep narrow networks (SPEC section 7): exact law, safe depths, Monte Carlo.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "support.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/core/error.hpp"

using namespace relumix;
using relumix::test::check_rounded;
using relumix::test::sanitized;

namespace {

Rational exact_p(long n, long long L) {
  Integer den = Integer(1) << std::size_t(n * L);
  Integer num = boost::multiprecision::pow((Integer(1) << n) - 1, unsigned(L));
  return 1 - Rational(num, den);
}

double binomial_se(double p, double samples) { return std::sqrt(p * (1 - p) / samples); }

}  // namespace

TEST_CASE("collapse probability: exact small cases against GMP rationals") {
  CHECK(collapse_probability_text(3, 5, 30) == "0.487091064453125000000000000000");  // 1 - (7/8)^5
  for (long n = 1; n <= 7; ++n)
    for (long long L = 1; L <= 9; ++L)
      for (int d : {1, 2, 5, 17, 40}) {
        Rational p = exact_p(n, L);
        check_rounded(collapse_probability_text(n, L, d), int(d), p);
        check_rounded(survival_probability_text(n, L, d), int(d), 1 - p);
      }
  // a rounding tie (0.125 to 2 digits) is resolved exactly, not by a precision cap
  std::string t = collapse_probability_text(3, 1, 2);
  CHECK((t == "0.12" || t == "0.13"));
}

TEST_CASE("collapse probability: tiny and close to one") {
  // N = 200, L = 1: exactly 2^-200
  CHECK(collapse_probability_text(200, 1, 50) == "6.2230152778611417071440640537801242405902521687212e-61");
  // N = 200, L = 1e18: three terms of the binomial series are exact to ~1e-120 relative
  long long L = 1000000000000000000LL;
  Rational x = Rational(1) / Rational(Integer(1) << 200), Lq = Rational(Integer(L));
  Rational series = Lq * x - Lq * (Lq - 1) / 2 * x * x + Lq * (Lq - 1) * (Lq - 2) / 6 * x * x * x;
  check_rounded(collapse_probability_text(200, L, 60), 60, series);
  // reference values from mpmath at 80 digits
  CHECK(collapse_probability_text(64, L, 30) == "0.0527669362436620193021668116669");
  CHECK(collapse_probability_text(1, L, 30) == "1.00000000000000000000000000000");
  CHECK(survival_probability_text(1, L, 15) == "6.11309444145570e-301029995663981196");
  // large N L beyond the exact (dyadic) route: intervals, compared with the series
  check_rounded(collapse_probability_text(100000, 1000000, 25), 25, []() -> Rational {
    Rational y = Rational(1) / Rational(Integer(1) << 100000), M = 1000000;
    return M * y - M * (M - 1) / 2 * y * y;
  }());
  // width 1: P = 1 - 2^-L exactly; L = 2000 is beyond the exact route at 30 digits
  check_rounded(survival_probability_text(1, 2000, 30), 30, Rational(1) / Rational(Integer(1) << 2000));
}

TEST_CASE("collapse: bad input") {
  CHECK_THROWS_AS(collapse_probability_text(0, 5, 10), InputError);
  CHECK_THROWS_AS(collapse_probability_text(3, 0, 10), InputError);
  CHECK_THROWS_AS(collapse_probability_text(-1, 5, 10), InputError);
  CHECK_THROWS_AS(collapse_probability_text(kCollapseMaxWidth + 1, 5, 10), InputError);
  CHECK_THROWS_AS(collapse_probability_text(3, 5, 0), InputError);
  CHECK_THROWS_AS(survival_probability_text(3, -2, 10), InputError);
  CHECK_THROWS_AS(collapse_safe_depth(3, Rational(0)), InputError);
  CHECK_THROWS_AS(collapse_safe_depth(3, Rational(1)), InputError);
  CollapseMcOptions o;
  o.width = 0;
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);
  o.width = 3;
  o.inputs = 3;
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);
  o.inputs = 2;
  o.angle = 2.0;  // beyond pi/2
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);
  o.angle = 1;
  o.bias_std = -1;
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);
  o.bias_std = std::nan("");
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);
  o.bias_std = 0;
  o.samples = 1000000000;
  o.depth = 1000;
  CHECK_THROWS_AS(collapse_monte_carlo(o), InputError);  // too much work
}

TEST_CASE("safe depth: the largest L with P < eps, checked exactly") {
  for (long n = 2; n <= 20; ++n)
    for (Rational eps : {Rational(1, 100), Rational(1, 1000), Rational(1, 1000000)}) {
      long long L = collapse_safe_depth(n, eps).convert_to<long long>();
      INFO("n " << n << " eps " << eps << " L " << L);
      CHECK(L >= 0);
      if (L > 0) CHECK(exact_p(n, L) < eps);
      CHECK(exact_p(n, L + 1) >= eps);
    }
  CHECK(collapse_safe_depth(7, Rational(1, 100)) == 1);  // 1/128 < 1/100 < 1 - (127/128)^2
  CHECK(collapse_safe_depth(6, Rational(1, 100)) == 0);  // 1/64 > 1/100
  // a boundary eps equal to P(L) exactly: L itself is not safe
  CHECK(collapse_safe_depth(3, exact_p(3, 4)) == 3);
}

TEST_CASE("collapse Monte Carlo, one input: the exact law, with and without biases") {
  const std::uint64_t S = sanitized() ? 4000 : 40000;
  for (double bias : {0.0, 1.5}) {
    CollapseMcOptions o;
    o.width = 4;
    o.depth = 6;
    o.bias_std = bias;
    o.samples = S;
    o.seed = 11;
    CollapseMcResult r = collapse_monte_carlo(o);
    double p = 1 - std::pow(15.0 / 16.0, 6);
    CHECK(r.samples == S);
    CHECK(std::fabs(r.probability - p) <= 4.5 * binomial_se(p, double(S)));
    CHECK(r.stderr_ == doctest::Approx(binomial_se(r.probability, double(S))));
    // by-layer estimates agree with the exact law at every depth
    for (long long l = 1; l <= 6; ++l) {
      double pl = 1 - std::pow(15.0 / 16.0, double(l));
      CHECK(std::fabs(r.probability_by(l) - pl) <= 4.5 * binomial_se(pl, double(S)));
    }
    CHECK(r.probability_by(6) == doctest::Approx(r.probability));
  }
  // reproducible: same seed, same counts; another seed, other counts
  CollapseMcOptions o;
  o.width = 3;
  o.depth = 4;
  o.samples = 3000;
  o.seed = 5;
  auto a = collapse_monte_carlo(o), b = collapse_monte_carlo(o);
  CHECK(a.first_event == b.first_event);
  o.seed = 6;
  auto c = collapse_monte_carlo(o);
  CHECK(a.first_event != c.first_event);
}

TEST_CASE("collapse Monte Carlo, two inputs, one layer: closed form") {
  // One layer, correlation rho of the pre-activation pairs, q = P(G <= 0, G' <= 0) = (pi - theta')/(2 pi):
  // P(either dead or the same single unit active) = 2^(1-n) - q^n + n q^n.
  const std::uint64_t S = sanitized() ? 4000 : 40000;
  const double pi = 3.141592653589793;
  struct Case { long n; double angle, bias; };
  for (Case cs : {Case{3, pi / 3, 0.0}, Case{4, pi / 2, 0.0}, Case{3, pi / 4, 1.0}, Case{2, 0.3, 2.0}}) {
    CollapseMcOptions o;
    o.width = cs.n;
    o.depth = 1;
    o.inputs = 2;
    o.angle = cs.angle;
    o.bias_std = cs.bias;
    o.samples = S;
    o.seed = 3;
    CollapseMcResult r = collapse_monte_carlo(o);
    // layer 1 covariance: (2/n) * n * [[1, cos], [cos, 1]] + bias^2
    double s2 = cs.bias * cs.bias, rho = (2 * std::cos(cs.angle) + s2) / (2 + s2);
    double q = (pi - std::acos(rho)) / (2 * pi), n = double(cs.n);
    double p = std::pow(2.0, 1 - n) + (n - 1) * std::pow(q, n);
    INFO("n " << cs.n << " angle " << cs.angle << " bias " << cs.bias << " p " << p << " got " << r.probability);
    CHECK(std::fabs(r.probability - p) <= 4.5 * binomial_se(p, double(S)));
    CHECK(r.dead_one + r.dead_both + r.parallel == r.collapsed);
  }
  // identical inputs are parallel from the start
  CollapseMcOptions o;
  o.width = 5;
  o.depth = 3;
  o.inputs = 2;
  o.angle = 0;
  o.samples = 200;
  CollapseMcResult r = collapse_monte_carlo(o);
  CHECK(r.collapsed == 200);
  CHECK(r.first_event[0] == 200);
}

namespace {
// Network mode: explicit weight matrices and biases (std::mt19937_64, independent of Philox
// and of the reduced chain). Returns the first event layer (0: none) for one or two inputs.
struct Network {
  std::mt19937_64 gen;
  std::normal_distribution<double> normal{0.0, 1.0};
  long long run(long n, long long depth, double bias, int inputs, double angle) {
    // inputs with squared norm n at the given angle: non-negative coordinates
    std::vector<double> ha(std::size_t(n), 0.0), hb(std::size_t(n), 0.0);
    ha[0] = std::sqrt(double(n));
    hb[0] = std::sqrt(double(n)) * std::cos(angle);
    if (n > 1) hb[1] = std::sqrt(double(n)) * std::sin(angle);
    std::vector<double> za(ha.size()), zb(hb.size());
    for (long long l = 1; l <= depth; ++l) {
      long ka = 0, kb = 0, ia = -1, ib = -1;
      for (long i = 0; i < n; ++i) {
        double sa = 0, sb = 0;
        for (long j = 0; j < n; ++j) {
          double w = normal(gen);
          sa += w * ha[std::size_t(j)];
          sb += w * hb[std::size_t(j)];
        }
        double b = bias * normal(gen), c = std::sqrt(2.0 / double(n));
        za[std::size_t(i)] = c * sa + b;
        zb[std::size_t(i)] = c * sb + b;
      }
      for (long i = 0; i < n; ++i) {
        ha[std::size_t(i)] = std::max(za[std::size_t(i)], 0.0);
        hb[std::size_t(i)] = std::max(zb[std::size_t(i)], 0.0);
        if (ha[std::size_t(i)] > 0) { ++ka; ia = i; }
        if (hb[std::size_t(i)] > 0) { ++kb; ib = i; }
      }
      if (ka == 0 || (inputs == 2 && (kb == 0 || (ka == 1 && kb == 1 && ia == ib)))) return l;
    }
    return 0;
  }
};
}  // namespace

TEST_CASE("collapse Monte Carlo against explicit weight matrices (network mode)") {
  const std::uint64_t S = sanitized() ? 3000 : 20000;
  const double pi = 3.141592653589793;
  // one input with biases: the exact law 1 - (1 - 2^-n)^L
  {
    Network net{std::mt19937_64(42)};
    long count = 0;
    for (std::uint64_t s = 0; s < S; ++s) count += net.run(3, 4, 1.0, 1, 0) != 0;
    double p = 1 - std::pow(7.0 / 8.0, 4), ph = double(count) / double(S);
    CHECK(std::fabs(ph - p) <= 4.5 * binomial_se(p, double(S)));
  }
  // two inputs with biases over several layers: the reduced chain agrees with the network
  {
    Network net{std::mt19937_64(43)};
    long count = 0;
    for (std::uint64_t s = 0; s < S; ++s) count += net.run(3, 3, 1.0, 2, pi / 4) != 0;
    CollapseMcOptions o;
    o.width = 3;
    o.depth = 3;
    o.inputs = 2;
    o.angle = pi / 4;
    o.bias_std = 1.0;
    o.samples = S;
    o.seed = 9;
    CollapseMcResult r = collapse_monte_carlo(o);
    double ph = double(count) / double(S);
    double se = std::sqrt(binomial_se(ph, double(S)) * binomial_se(ph, double(S)) + r.stderr_ * r.stderr_);
    INFO("network " << ph << " chain " << r.probability);
    CHECK(std::fabs(ph - r.probability) <= 4.5 * se);
  }
}
