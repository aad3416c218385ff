// The infinite-width map f_alpha of a positively homogeneous activation (issue 14): the double map
// against certified cos f, the reference values, the exact series against its closed-form leading
// terms and the ReLU map, the fixed points, and the large-depth expansion against iterates.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

namespace {

Activation leaky(const char* alpha) { return parse_activation(std::string("leaky:") + alpha); }

const std::vector<Activation>& family() {
  static const std::vector<Activation> f{Activation::relu(), Activation::abs(), leaky("0.01"), leaky("0.1"),
                                         leaky("0.2"),       leaky("0.5"),    leaky("-1/2"), leaky("-0.99"), leaky("1")};
  return f;
}

}  // namespace

TEST_CASE("cos f: certified values against the reference and the definition") {
  std::ifstream in(std::string(RELUMIX_TEST_DATA) + "/activations.json");
  REQUIRE(in.good());
  nlohmann::json j = nlohmann::json::parse(in);
  REQUIRE(j["map"].size() >= 6);
  for (const auto& v : j["map"]) {
    std::string al = v["alpha"], th = v["theta"], ref = v["cos_f"];
    INFO("alpha=" << al << " theta=" << th);
    // the reference used alpha and theta as doubles (see test_activation.cpp)
    Activation act = leaky(al.c_str()), used(Rational(act.alpha_double()));
    std::string mine = activation_cos_map_value(used, exact_theta(parse_theta_checked(th).to_double()), 40);
    Interval x = Interval::from_decimal(mine, 200), y = Interval::from_decimal(ref, 200);
    CHECK(std::fabs(((x - y) / y).mid_double()) < 1e-38);
  }
  // alpha = 0: what the ReLU code gives
  CHECK(activation_cos_map_value(Activation(), parse_theta("pi"), 30) == "0");
  for (const char* th : {"0.1", "1", "pi/2", "3", "pi-1e-10", "0"}) {
    Theta t = parse_theta_checked(th);
    CHECK(activation_cos_map_value(Activation(), t, 30) == certify([&](mpfr_prec_t b) { return cos_infinite_enclosure(t, b); }, 30));
  }
  // exact: cos f(pi) = w - 1, cos f(0) = 1
  CHECK(activation_cos_map_value(Activation::abs(), parse_theta("pi"), 5) == "1.0000");
  CHECK(activation_cos_map_value(leaky("0.5"), parse_theta("pi"), 3) == "-0.800");
  CHECK(activation_cos_map_value(leaky("0.2"), parse_theta("0"), 3) == "1.00");
  CHECK(activation_cos_map_value(leaky("1"), parse_theta("pi/3"), 3) == "0.500");
}

TEST_CASE("f in double: against the certified cos f, accurate near 0 and pi") {
  std::mt19937_64 g(3);
  std::uniform_real_distribution<double> u(0, M_PI);
  for (const Activation& act : family()) {
    for (int i = 0; i < 200; ++i) {
      double t = i < 20 ? std::ldexp(1.0, -2 * i - 1) : i < 40 ? M_PI - std::ldexp(1.0, -2 * (i - 20) - 1) : u(g);
      double f = activation_map(act, t);
      // 1 - cos f certified from the exact binary angle, then f = 2 asin(sqrt((1 - cos f)/2))
      Theta th = exact_theta(t);
      Interval one_minus = Interval(1L, 200) - activation_cos_map_enclosure(act, th, 200);
      double expect = one_minus.contains_zero() ? 0.0 : ldexp(asin(sqrt(ldexp(one_minus, -1))), 1).mid_double();
      INFO(act.name() << " theta=" << t << " f=" << f << " expected " << expect);
      CHECK(std::fabs(f - expect) <= 8e-16 * std::max(expect, 1e-300) + (act.is_abs() ? 4e-16 : 0.0));
    }
  }
  // alpha = 0 is the ReLU map
  for (double t : {1e-8, 0.1, 1.0, 2.0, 3.0, M_PI})
    CHECK(activation_map(Activation(), t) == doctest::Approx(infinite_map(t)).epsilon(1e-15));
  CHECK(activation_map(leaky("1"), 0.7) == doctest::Approx(0.7).epsilon(1e-15));
  CHECK_THROWS_AS(activation_map(Activation(), -0.1), InputError);
  CHECK_THROWS_AS(activation_map(Activation(), 3.2), InputError);
  CHECK_THROWS_AS(activation_map(Activation(), NAN), InputError);
}

TEST_CASE("fixed points and shape of f") {
  for (const Activation& act : family()) {
    INFO(act.name());
    double w = act.map_weight().convert_to<double>();
    // f(pi) = arccos(w - 1)
    CHECK(activation_map(act, M_PI) == doctest::Approx(std::acos(w - 1)).epsilon(1e-12));
    for (double t = 0.01; t < M_PI; t += 0.01) {
      double f = activation_map(act, t);
      if (act.is_linear()) CHECK(f == doctest::Approx(t).epsilon(1e-14));
      else CHECK(f < t);  // theta = 0 is the only fixed point
      // monotone for w <= 1, peak at pi / w for w > 1
      double f2 = activation_map(act, std::min(M_PI, t + 0.01));
      if (w <= 1 || t + 0.01 <= M_PI / w) CHECK(f2 > f);
      else if (t >= M_PI / w) CHECK(f2 < f);
    }
  }
  CHECK(activation_map(Activation::abs(), M_PI) == 0.0);  // |x| maps antipodal inputs to identical ones
  // |x| is even: f(pi - theta) = f(theta)
  for (double t : {0.1, 0.7, 1.3}) CHECK(activation_map(Activation::abs(), M_PI - t) == doctest::Approx(activation_map(Activation::abs(), t)).epsilon(1e-13));
}

TEST_CASE("exact series of f: ReLU, the closed-form leading terms, the double map") {
  Series r = activation_map_series(Activation(), 12), s = infinite_map_series(12);
  for (int k = 0; k <= 12; ++k) CHECK(r[k] == s[k]);
  for (const Activation& act : family()) {
    INFO(act.name());
    Rational w = act.map_weight();
    Series f = activation_map_series(act, 10);
    CHECK(f.precision() == 11);
    CHECK(f[0].is_zero());
    CHECK(f[1] == QPi(1));
    CHECK(f[2] == QPi::inv_pi_power(1, -w / 3));
    CHECK(f[3] == QPi::inv_pi_power(2, -w * w / 18));
    CHECK(f[4] == QPi::inv_pi_power(1, -w / 45) + QPi::inv_pi_power(3, -w * w * w / 54));
    // the series summed at theta = 0.05 against the double map
    double t = 0.05, sum = 0;
    for (int k = 10; k >= 0; --k) {
      double c = 0;
      for (unsigned i = 0; i <= f[k].degree(); ++i) c += f[k].coeff(i).convert_to<double>() * std::pow(M_PI, -double(i));
      sum = sum * t + c;
    }
    CHECK(sum == doctest::Approx(activation_map(act, t)).epsilon(1e-14));
  }
  CHECK_THROWS_AS(activation_map_series(Activation(), 201), InputError);
}

TEST_CASE("large depth: 1/theta^l = a l + B ln l + C + (D1 ln l + D0)/l against the iterates") {
  for (const Activation& act : family()) {
    if (act.is_linear()) {
      CHECK_THROWS_AS(activation_depth_asymptotics(act, 0.1), InputError);
      continue;
    }
    INFO(act.name());
    // (under the sanitizers a shorter fit: the checks below allow its larger error)
    ActivationDepthAsymptotics d = activation_depth_asymptotics(act, 0.1, std::getenv("RELUMIX_SANITIZED") ? 64000 : 200000);
    Rational w = act.map_weight();
    CHECK(d.w == w);
    CHECK(d.leading_over_pi == 3 / w);
    CHECK(d.a == QPi::inv_pi_power(1, w / 3));
    CHECK(d.B == QPi::inv_pi_power(1, w / 2));
    CHECK(d.D1 == QPi::inv_pi_power(1, 3 * w / 4));
    CHECK(d.C_error < 1e-6 * std::fabs(d.C) + 1e-6);
    // the expansion against the iterates at depths it was not fitted at: the error in 1/theta^l is
    // O(ln^2 l / l^2) (a wrong 1/l term would leave an error ~ 1/l)
    double t = 0.1;
    long l = 0;
    double prev_err = 0;
    for (long L : {2000L, 8000L, 32000L}) {
      while (l < L) t = activation_map(act, t), ++l;
      double err = std::fabs(1 / t - d.reciprocal(double(L)));
      INFO("l=" << L << " error in 1/theta " << err);
      CHECK(err < 50 * std::pow(std::log(double(L)) / double(L), 2));
      if (prev_err > 0) CHECK(err < prev_err / 8);
      prev_err = err;
    }
    // and the angle itself
    CHECK(d.theta(32000) == doctest::Approx(t).epsilon(1e-7));
  }
  // ReLU: the same constant as depth_asymptotics (which fits without the 1/l term, error ~ ln l / l)
  CHECK(activation_depth_asymptotics(Activation(), 0.1).C == doctest::Approx(depth_asymptotics(0.1).C).epsilon(1e-5));
  // C_alpha = 3 pi (1 + alpha^2)/(1 - alpha)^2
  CHECK(activation_depth_asymptotics(leaky("0.5"), 1.0).leading_over_pi == 15);
  CHECK(activation_depth_asymptotics(Activation::abs(), 1.0).leading_over_pi == Rational(3, 2));
  CHECK_THROWS_AS(activation_depth_asymptotics(Activation::abs(), M_PI), InputError);
  CHECK_THROWS_AS(activation_depth_asymptotics(Activation(), 0.0), InputError);
  CHECK_THROWS_AS(activation_depth_asymptotics(Activation(), 0.1, 10), InputError);
}

TEST_CASE("decay-series --activation: the double series against the small-angle law derived by hand") {
  // theta -> 0: phi(W y) = D W x + D W delta with D = diag(phi'), so sin^2 theta' / sin^2 theta ->
  // (A - C^2/B)/B, A = sum d_i^2 h_i^2, B = sum d_i^2 g_i^2, C = sum d_i^2 g_i h_i: to O(1/n),
  // E ln = -E[C^2]/(E A E B) = -2 (1 + alpha^4) / (n (1 + alpha^2)^2), and the variance 4x that.
  // For alpha = 1 (linear) the law is exactly chi^2_{n-1}/chi^2_n (independent): mean
  // psi((n-1)/2) - psi(n/2) = -1/n - 3/(2 n^2) + ..., variance psi'((n-1)/2) + psi'(n/2) = 4/n + 6/n^2 + ...
  for (const char* name : {"leaky:0.1", "abs", "leaky:-1/3", "leaky:1"}) {
    const relumix::Activation act = relumix::parse_activation(name);
    const relumix::Rational a = act.alpha(), a2 = a * a;
    const relumix::Rational c01 = -2 * (1 + a2 * a2) / ((1 + a2) * (1 + a2));
    const relumix::DecayDoubleSeries d = relumix::decay_double_series(1, 2, act);
    CHECK(d.mu[1][0] == relumix::QPi(c01));
    CHECK(d.sigma2[1][0] == relumix::QPi(-4 * c01));
    CHECK(d.mu[0][0] == relumix::QPi(0));
    // c_{1,0}: ln(sin^2 f / sin^2 theta) = -(2 w/(3 pi)) theta + ...  (the map's series)
    CHECK(d.mu[0][1] == relumix::QPi::inv_pi_power(1, -2 * act.map_weight() / 3));
    if (act.is_linear()) {
      CHECK(d.mu[1][0] == relumix::QPi(-1));
      CHECK(d.mu[2][0] == relumix::QPi(relumix::Rational(-3, 2)));
      CHECK(d.sigma2[1][0] == relumix::QPi(4));
      CHECK(d.sigma2[2][0] == relumix::QPi(6));
    }
  }
  // alpha = 0 is the ReLU series
  const relumix::DecayDoubleSeries r = relumix::decay_double_series(3, 2), z = relumix::decay_double_series(3, 2, relumix::Activation::relu());
  CHECK(r.mu == z.mu);
  CHECK(r.sigma2 == z.sigma2);
}
