// Layer-by-layer predictions (SPEC section 4): the mean recursions against hand iterations, the
// density engine against exact Gaussian cases and the dense reference, and the figure-1 case
// against the independent Monte Carlo of tests/data/mc_figure1.json.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <nlohmann/json.hpp>

#include "relumix/core/error.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

namespace {
// rho(n) written out independently of the library
double rho_ref(double n) {
  return std::log((n + 5) / (n - 1)) - 10 * n / ((n + 5) * (n + 5)) + 6 * n / ((n - 1) * (n - 1));
}
double Phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }
const double z95 = 1.6448536269514722;

double mass(const Prediction& p, int layer) {
  double h = p.grid[1] - p.grid[0], s = 0;
  for (double v : p.density[std::size_t(layer - 1)]) s += v * h;
  return s;
}
}  // namespace

TEST_CASE("predict: method names") {
  CHECK(parse_predict_method("density") == PredictMethod::Density);
  CHECK(method_name(parse_predict_method("infinite")) == "infinite");
  CHECK(method_name(parse_predict_method("linear")) == "linear");
  CHECK(method_name(parse_predict_method("full")) == "full");
  CHECK_THROWS_AS(parse_predict_method("exact"), InputError);
}

TEST_CASE("predict linear: hand iteration of the linearized recursion") {
  std::vector<long> w = {64, 128, 256, 256, 32, 1000};
  PredictOptions o;
  o.method = PredictMethod::Linear;
  for (double t0 : {0.1, 1.0}) {
    Prediction p = predict(w, parse_theta(t0 == 0.1 ? "0.1" : "1"), o);
    REQUIRE(p.layers.size() == w.size());
    double x = std::log(std::sin(t0) * std::sin(t0)), t = t0;
    for (std::size_t l = 0; l < w.size(); ++l) {
      x = x - 2 / (3 * M_PI) * t - rho_ref(double(w[l]));
      t = std::asin(std::exp(x / 2));
      CHECK(p.layers[l].layer == int(l + 1));
      CHECK(p.layers[l].mean == doctest::Approx(x).epsilon(1e-13));
      CHECK(p.layers[l].theta_mean == doctest::Approx(t).epsilon(1e-12));
      CHECK(p.layers[l].sd < 0);
    }
  }
  // theta0 > pi/2: the small-angle step does not apply; layer 1 is the paper's mu(theta0, n), later
  // layers the linearized step from theta_1 (theta0 = pi: X_1 = mu(pi, n) = 0)
  Prediction q = predict({64, 64}, parse_theta("pi"), o);
  CHECK(std::fabs(q.layers[0].mean) < 1e-14);
  Prediction r = predict({16, 16}, parse_theta("2.5"), o);
  CHECK(r.layers[0].mean == doctest::Approx(mu_double(2.5, 16, 1)).epsilon(1e-14));
  double x1 = r.layers[0].mean, t1 = std::asin(std::exp(x1 / 2));
  CHECK(r.layers[1].mean == doctest::Approx(x1 - 2 / (3 * M_PI) * t1 - rho_ref(16)).epsilon(1e-13));
}

TEST_CASE("predict infinite: direct iteration of arccos((sin t + (pi - t) cos t)/pi)") {
  PredictOptions o;
  o.method = PredictMethod::Infinite;
  for (const char* s : {"0.5", "1", "pi/2", "2", "pi"}) {
    Theta th = parse_theta(s);
    Prediction p = predict(std::vector<long>(20, 100), th, o);
    double t = th.to_double();
    for (int l = 0; l < 20; ++l) {
      t = std::acos((std::sin(t) + (M_PI - t) * std::cos(t)) / M_PI);
      INFO("theta0 = " << s << ", layer " << l + 1);
      // the direct formula loses ~1e-16/theta^2 relative near 0; theta stays above 0.3 here
      CHECK(p.layers[std::size_t(l)].theta_mean == doctest::Approx(t).epsilon(1e-12));
      CHECK(p.layers[std::size_t(l)].mean == doctest::Approx(2 * std::log(std::sin(t))).epsilon(1e-11));
    }
  }
  // theta0 = pi: exactly orthogonal after one layer
  Prediction p = predict({10}, parse_theta("pi"), o);
  CHECK(p.layers[0].theta_mean == doctest::Approx(M_PI / 2).epsilon(1e-15));
}

TEST_CASE("predict full: first layer is mu(theta0, n); theta0 = pi gives X_1 = 0") {
  PredictOptions o;
  o.method = PredictMethod::Full;
  o.model = PredictModel::PaperFull;
  Prediction p = predict({16, 16}, parse_theta("1"), o);
  // reference value: tests/cli/test_angle.cpp (independent, shared/reference/angle.json)
  CHECK(p.layers[0].mean == doctest::Approx(-0.76230631076645239).epsilon(1e-14));
  CHECK(p.layers[0].theta_mean == doctest::Approx(std::asin(std::exp(p.layers[0].mean / 2))).epsilon(1e-14));
  Prediction q = predict({16}, parse_theta("pi"), o);
  CHECK(std::fabs(q.layers[0].mean) < 1e-14);
  // the full mean follows the linearized one at small theta, within O(theta^2 + 1/n^2) per layer
  PredictOptions lo;
  lo.method = PredictMethod::Linear;
  Prediction a = predict(std::vector<long>(10, 1024), parse_theta("0.01"), o);
  Prediction b = predict(std::vector<long>(10, 1024), parse_theta("0.01"), lo);
  for (int l = 0; l < 10; ++l) CHECK(a.layers[std::size_t(l)].mean == doctest::Approx(b.layers[std::size_t(l)].mean).epsilon(1e-3));
}

TEST_CASE("density: layer 1 is the exact Gaussian, mass is conserved") {
  PredictOptions o;
  o.model = PredictModel::PaperLinear;
  o.method = PredictMethod::Density;
  std::vector<long> w = {64, 64, 128, 32, 256};
  Prediction p = predict(w, parse_theta("0.3"), o);
  REQUIRE(p.layers.size() == w.size());
  double x0 = std::log(std::sin(0.3) * std::sin(0.3));
  double m1 = x0 - 2 / (3 * M_PI) * 0.3 - rho_ref(64), s1 = std::sqrt(8.0 * 64 / (69.0 * 69.0));
  const auto& L1 = p.layers[0];
  CHECK(L1.mean == doctest::Approx(m1).epsilon(1e-14));
  CHECK(L1.sd == doctest::Approx(s1).epsilon(1e-14));
  CHECK(L1.q05 == doctest::Approx(m1 - z95 * s1).epsilon(1e-14));
  CHECK(L1.q50 == doctest::Approx(m1).epsilon(1e-14));
  CHECK(L1.q95 == doctest::Approx(m1 + z95 * s1).epsilon(1e-14));
  for (double z : {-2.0, -0.5, 0.0, 1.0, 3.0}) CHECK(p.cdf(1, m1 + z * s1) == doctest::Approx(Phi(z)).epsilon(1e-14));
  // the grid density of layer 1 is the Gaussian pdf
  double h = p.grid[1] - p.grid[0];
  for (std::size_t i = 0; i < p.grid.size(); i += 97) {
    double z = (p.grid[i] - m1) / s1;
    CHECK(p.density[0][i] == doctest::Approx(std::exp(-z * z / 2) / (s1 * std::sqrt(2 * M_PI))).epsilon(1e-10).scale(1e-300));
  }
  CHECK(h < s1 / 4);
  for (int l = 1; l <= int(w.size()); ++l) {
    CHECK(mass(p, l) == doctest::Approx(1).epsilon(1e-12));
    const auto& L = p.layers[std::size_t(l - 1)];
    CHECK(L.q05 < L.q50);
    CHECK(L.q50 < L.q95);
    CHECK(p.cdf(l, L.q05) == doctest::Approx(0.05).epsilon(1e-10));
    CHECK(p.cdf(l, L.q95) == doctest::Approx(0.95).epsilon(1e-10));
    // grid mean and the mixture mean agree (trapezoid on the grid vs exact mixture moments)
    double gm = 0;
    for (std::size_t i = 0; i < p.grid.size(); ++i) gm += p.grid[i] * p.density[std::size_t(l - 1)][i] * h;
    CHECK(gm == doctest::Approx(L.mean).epsilon(1e-10));
  }
  CHECK_THROWS_AS(p.cdf(0, 0.0), InputError);
  CHECK_THROWS_AS(p.cdf(6, 0.0), InputError);
}

TEST_CASE("density: linear mean and constant sd stay Gaussian with the known moments") {
  // X_1 ~ N(-3, 0.2^2); X_{l+1} = a X_l + b(n) + s eps
  DensityModel m;
  m.mean1 = -3;
  m.sd1 = 0.2;
  const double a = 0.97;
  m.mean = [a](double y, long n) { return a * y - 1.0 / double(n); };
  m.sd = [](double, long n) { return 1.0 / std::sqrt(double(n)); };
  std::vector<long> w = {16, 25, 36, 16, 100, 64, 16, 49};
  PredictOptions o;
  o.model = PredictModel::PaperLinear;
  Prediction p = predict_density(w, m, o);
  double mu = -3, var = 0.04;
  for (std::size_t l = 0; l < w.size(); ++l) {
    if (l > 0) {
      mu = a * mu - 1.0 / double(w[l]);
      var = a * a * var + 1.0 / double(w[l]);
    }
    const auto& L = p.layers[l];
    double sd = std::sqrt(var);
    INFO("layer " << l + 1);
    CHECK(L.mean == doctest::Approx(mu).epsilon(1e-12));
    CHECK(L.sd == doctest::Approx(sd).epsilon(1e-12));
    CHECK(L.q05 == doctest::Approx(mu - z95 * sd).epsilon(1e-10));
    CHECK(L.q50 == doctest::Approx(mu).epsilon(1e-10));
    CHECK(L.q95 == doctest::Approx(mu + z95 * sd).epsilon(1e-10));
    CHECK(p.cdf(int(l + 1), mu + 0.7 * sd) == doctest::Approx(Phi(0.7)).epsilon(1e-10));
    CHECK(mass(p, int(l + 1)) == doctest::Approx(1).epsilon(1e-12));
  }
}

TEST_CASE("density: banded engine equals the dense quadrature matrix") {
  std::vector<long> w = {64, 64, 64, 32, 32, 128};
  PredictOptions o;
  o.model = PredictModel::PaperLinear;
  o.grid_points = 1500;
  Prediction b = predict(w, parse_theta("0.2"), o);
  o.dense_reference = true;
  Prediction d = predict(w, parse_theta("0.2"), o);
  REQUIRE(b.grid_points == d.grid_points);
  for (std::size_t l = 0; l < w.size(); ++l) {
    CHECK(std::fabs(b.layers[l].mean - d.layers[l].mean) < 1e-12);
    CHECK(std::fabs(b.layers[l].sd - d.layers[l].sd) < 1e-12);
    CHECK(std::fabs(b.layers[l].q05 - d.layers[l].q05) < 1e-10);
    CHECK(std::fabs(b.layers[l].q95 - d.layers[l].q95) < 1e-10);
    double md = 0;
    for (std::size_t i = 0; i < b.grid.size(); ++i) md = std::max(md, std::fabs(b.density[l][i] - d.density[l][i]));
    CHECK(md < 1e-10);
  }
  // a coarser banded grid gives the same answer to 1e-6 (spectral accuracy of the quadrature)
  PredictOptions c;
  c.model = PredictModel::PaperLinear;
  c.grid_points = 400;
  Prediction q = predict(w, parse_theta("0.2"), c);
  for (std::size_t l = 0; l < w.size(); ++l) {
    CHECK(std::fabs(q.layers[l].mean - d.layers[l].mean) < 1e-6);
    CHECK(std::fabs(q.layers[l].sd - d.layers[l].sd) < 1e-6);
    CHECK(std::fabs(q.layers[l].q50 - d.layers[l].q50) < 1e-6);
  }
}

TEST_CASE("density: full mean and variance options") {
  PredictOptions o;
  o.model = PredictModel::PaperLinear;
  o.full_mean = true;
  o.full_variance = true;
  Prediction p = predict({16, 16, 16}, parse_theta("1"), o);
  CHECK(p.layers[0].mean == doctest::Approx(-0.76230631076645239).epsilon(1e-14));
  CHECK(p.layers[0].sd == doctest::Approx(std::sqrt(0.12651514966393668676)).epsilon(1e-14));
  CHECK(mass(p, 3) == doctest::Approx(1).epsilon(1e-12));
  // theta0 = pi: X_1 = 0 exactly (sigma^2(pi, n) = 0), a point mass; later layers spread
  Prediction q = predict({16, 16}, parse_theta("pi"), o);
  CHECK(std::fabs(q.layers[0].mean) < 1e-14);
  CHECK(q.layers[0].sd < 1e-7);
  CHECK(q.layers[1].sd > 0.05);
}

TEST_CASE("density: figure-1 case against the independent Monte Carlo") {
  // tests/data/mc_figure1.json: plain numpy simulation of the reduced chain, 50000 samples,
  // n = 256 at every layer, theta0 = 0.1.
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/mc_figure1.json");
  REQUIRE(f);
  auto mc = nlohmann::json::parse(f);
  auto L30 = mc["layers"][29];
  REQUIRE(L30["layer"] == 30);
  double mc_mean = L30["mean"], mc_sd = L30["sd"], se = L30["stderr_mean"];
  PredictOptions o;
  Prediction p = predict(std::vector<long>(32, 256), parse_theta("0.1"), o);
  const auto& P = p.layers[29];
  MESSAGE("layer 30: predicted mean " << P.mean << " sd " << P.sd << "; MC mean " << mc_mean << " +- " << se << " sd " << mc_sd);
  // Tolerance: the O(1/n) model errs by O(1/n^2) per layer. SPEC section 5: at n = 64 the mean
  // of one layer is off by 0.02 and the variance by 18%; scaled by (64/256)^2 that is 0.00125 per
  // layer in the mean (0.0375 over 30 layers if the bias is systematic) and ~1.2% in the
  // variance (~0.6% in sd); the linearization drops O(theta) terms (theta^30 ~ 0.07: c1-(2/(3pi))
  // ~ 2.6e-4 per unit theta, negligible). Allow 0.04 + 3 MC stderr in the mean, 3% in sd.
  CHECK(std::fabs(P.mean - mc_mean) < 0.04 + 3 * se);
  CHECK(std::fabs(P.sd - mc_sd) < 0.03 * mc_sd);
  // layer 1 is the exact one-layer law up to O(1/n^2) and the linearization in theta0
  auto L1 = mc["layers"][0];
  CHECK(std::fabs(p.layers[0].mean - L1["mean"].get<double>()) < 0.005 + 3 * L1["stderr_mean"].get<double>());
}

TEST_CASE("predict: bad input") {
  PredictOptions o;
  CHECK_THROWS_AS(predict({}, parse_theta("1"), o), InputError);
  CHECK_THROWS_AS(predict({1, 5}, parse_theta("1"), o), InputError);
  CHECK_THROWS_AS(predict({8}, parse_theta("4"), o), InputError);
  CHECK_THROWS_AS(predict({8}, parse_theta("0"), o), InputError);
  o.grid_points = 2;
  CHECK_THROWS_AS(predict({8}, parse_theta("1"), o), InputError);
}

TEST_CASE("architecture screening: parsing and ranking") {
  auto a = parse_architectures("# comment\nwide: 1024x8\n\n  narrow : 16x8  # trailing\n64x4,32x4\n");
  REQUIRE(a.size() == 3);
  CHECK(a[0].name == "wide");
  CHECK(a[0].widths == std::vector<long>(8, 1024));
  CHECK(a[1].name == "narrow");
  CHECK(a[2].name == "64x4,32x4");
  CHECK_THROWS_AS(parse_architectures("# nothing\n"), InputError);
  CHECK_THROWS_AS(parse_architectures("ok: 64x2\nbad: 1x3\n"), InputError);
  CHECK_THROWS_AS(parse_architectures(": 64x2\n"), InputError);
  PredictOptions o;
  auto r = screen_architectures(a, parse_theta("pi/2"), o);
  REQUIRE(r.size() == 3);
  CHECK(r[0].rank == 1);
  CHECK(r[0].arch.name == "wide");  // less noise per layer: largest output X
  CHECK(r[2].arch.name == "narrow");
  CHECK(r[0].mean >= r[1].mean);
  CHECK(r[1].mean >= r[2].mean);
  CHECK(r[0].layers == 8);
  CHECK(r[0].sd > 0);
  // the accurate model screens on shared grids: each result as predict() gives it on its own grid
  auto many = parse_architectures("a: 512x8\nb: 8x3\nc: 64,128,256x6\nd: 32x8\ne: 16x20,256x5\nf: 12x40\n");
  auto s = screen_architectures(many, parse_theta("pi/2"), o);
  REQUIRE(s.size() == many.size());
  for (const auto& x : s) {
    const LayerPrediction L = predict(x.arch.widths, parse_theta("pi/2"), o).layers.back();
    INFO(x.arch.name);
    CHECK(std::fabs(x.mean - L.mean) <= 0.005 * L.sd);
    CHECK(x.sd == doctest::Approx(L.sd).epsilon(2e-3));
    CHECK(x.p_excluded == doctest::Approx(L.p_excluded).epsilon(1e-3).scale(1e-12));  // integrated over the grid
  }
}

// ---------------------------------------------------------------- the accurate (default) model
// Each check below is against the chain Monte Carlo with a fixed seed (an independent route: it
// simulates the network, the prediction uses none of it) at 4.5 standard errors.
#include "relumix/mc/mc.hpp"

namespace {
McOptions mc_opts(std::uint64_t samples, std::uint64_t seed) {
  McOptions o;
  o.samples = samples;
  o.seed = seed;
  return o;
}
// every layer: |mean - MC| <= 4.5 stderr, sd within `sd_tol` relative
void check_against_mc(long n, long L, double t0, const char* t0_text, std::uint64_t samples, double sd_tol) {
  std::vector<long> w(std::size_t(L), n);
  McResult mc = run_mc(w, t0, mc_opts(samples, 7));
  Prediction p = predict(w, parse_theta(t0_text), PredictOptions{});
  double zmax = 0, smax = 0;
  for (long l = 0; l < L; ++l) {
    const auto& M = mc.layers[std::size_t(l)];
    const auto& P = p.layers[std::size_t(l)];
    double z = (P.mean - M.x.mean) / M.x.stderr_mean, r = P.sd / M.x.sd - 1;
    zmax = std::max(zmax, std::fabs(z)), smax = std::max(smax, std::fabs(r));
    CHECK_MESSAGE(std::fabs(z) <= 4.5, "n " << n << " theta0 " << t0_text << " layer " << l + 1 << ": z " << z);
    CHECK_MESSAGE(std::fabs(r) <= sd_tol, "n " << n << " theta0 " << t0_text << " layer " << l + 1 << ": sd " << r);
  }
  MESSAGE("n " << n << " L " << L << " theta0 " << t0_text << ": max |z| " << zmax << ", max sd rel " << smax);
}
}  // namespace

TEST_CASE("accurate: order from the width, excluded probability, small-angle law") {
  CHECK(accurate_order(2) == 1);
  CHECK(accurate_order(6) == 2);
  CHECK(accurate_order(8) == 4);
  CHECK(accurate_order(12) == 7);
  CHECK(accurate_order(16) == 8);
  CHECK(accurate_order(1e10) == 8);
  // 2^(1-n) + (n-1) q^n: at theta -> 0, q = 1/2: (n + 1) 2^-n = P(k <= 1), k ~ Bin(n, 1/2)
  CHECK(excluded_probability(0, 8) == doctest::Approx(9.0 / 256).epsilon(1e-15));
  CHECK(excluded_probability(M_PI, 8) == doctest::Approx(2.0 / 256).epsilon(1e-15));
  // docs/theory.md 4.4 (the exact small-angle law, there checked by a plain simulation)
  CHECK(small_angle_law(8).mean == doctest::Approx(-0.500691).epsilon(2e-6));
  CHECK(small_angle_law(8).var == doctest::Approx(2.28147).epsilon(2e-6));
  CHECK(small_angle_law(16).mean == doctest::Approx(-0.173646).epsilon(2e-6));
  CHECK(small_angle_law(64).var == doctest::Approx(0.133538).epsilon(2e-6));
  CHECK_THROWS_AS(predict({8}, parse_theta("1"), [] { PredictOptions o; o.order = 9; return o; }()), InputError);
}

TEST_CASE("accurate: the excluded probability of one layer against the Monte Carlo") {
  // n = 4: dead or parallel in a quarter of the samples at theta = 0.3
  for (double t : {0.3, 1.5, 2.8}) {
    McResult mc = run_mc({4}, t, mc_opts(200000, 3));
    const auto& M = mc.layers[0];
    double f = double(M.dead + M.degenerate) / 200000, p = excluded_probability(t, 4);
    CHECK_MESSAGE(std::fabs(p - f) <= 4.5 * std::sqrt(p * (1 - p) / 200000), "theta " << t << ": " << p << " vs " << f);
  }
}

TEST_CASE("accurate: obtuse theta0, layer 1 is exact given theta0") {
  McResult mc = run_mc({16, 16}, 2.5, mc_opts(20000, 5));
  Prediction p = predict({16, 16}, parse_theta("2.5"), PredictOptions{});
  const auto& M = mc.layers[0];
  CHECK(std::fabs(p.layers[0].mean - M.x.mean) <= 4.5 * M.x.stderr_mean);  // -0.0033, not -1.96
  // the sd's standard error is ~6% here (X's law is heavy-tailed at theta0 = 2.5): 4.5 of them
  CHECK(std::fabs(p.layers[0].sd - M.x.sd) <= 4.5 * M.x.stderr_sd);
  for (auto m : {PredictMethod::Linear, PredictMethod::Full}) {
    PredictOptions o;
    o.method = m;
    o.model = PredictModel::PaperFull;
    CHECK(std::fabs(predict({16}, parse_theta("2.5"), o).layers[0].mean - M.x.mean) <= 4.5 * M.x.stderr_mean + 2e-4);
  }
}

TEST_CASE("accurate: 50 layers against the Monte Carlo (n = 16, 32, 64)") {
  check_against_mc(32, 50, 0.5, "0.5", 10000, 0.05);
  check_against_mc(64, 50, 1.0, "1", 10000, 0.05);
  check_against_mc(16, 50, 0.1, "0.1", 10000, 0.05);
  check_against_mc(16, 50, M_PI / 2, "pi/2", 10000, 0.05);
  // obtuse: layer 1 lands next to pi/2 (X ~ -0.003), where the W grid and the gamma law of layer 1
  // carry the law (on a grid in X this was 4.7 standard errors off at 4e4 samples)
  check_against_mc(16, 50, 2.5, "2.5", 20000, 0.05);
  check_against_mc(32, 30, 2.5, "2.5", 20000, 0.05);
}

TEST_CASE("accurate: the W grid conserves mass; densities and cells integrate the mixture") {
  for (const char* t : {"2.5", "0.3"}) {
    Prediction p = predict(std::vector<long>(6, 12), parse_theta(t), PredictOptions{});
    REQUIRE(p.cell.size() == p.grid.size());
    for (std::size_t i = 1; i < p.grid.size(); ++i) REQUIRE(p.grid[i] > p.grid[i - 1]);
    CHECK(p.grid.back() == 0.0);  // theta = pi/2 is a grid point
    for (std::size_t l = 0; l < p.layers.size(); ++l) {
      double m = 0, x = 0;
      for (std::size_t i = 0; i < p.grid.size(); ++i) m += p.density[l][i] * p.cell[i], x += p.grid[i] * p.density[l][i] * p.cell[i];
      INFO("theta0 " << t << " layer " << l + 1);
      CHECK(m == doctest::Approx(1 - p.layers[l].p_excluded).epsilon(1e-12));
      CHECK(x / m == doctest::Approx(p.layers[l].mean).epsilon(2e-3));  // cell midpoints vs the mixture
      CHECK(p.cdf(int(l + 1), p.layers[l].q50) == doctest::Approx(0.5).epsilon(1e-9));
    }
  }
  // layer 1 at theta0 = 2.5, n = 12 (sd 3.5 times |mean|, beyond any cosh law): -X ~ Gamma(k, v/|m|),
  // k = m^2/v, its CDF checked against a plain quadrature of the gamma density
  Prediction p = predict({12, 12}, parse_theta("2.5"), PredictOptions{});
  const GaussianMixture& m1 = p.mixtures[0];
  REQUIRE(m1.gk.size() == 1);
  const double m = p.layers[0].mean, s = p.layers[0].sd, k = m * m / (s * s), sc = s * s / -m;
  CHECK(m1.gk[0] == doctest::Approx(k).epsilon(1e-14));
  CHECK(m1.mean() == doctest::Approx(m).epsilon(1e-14));
  for (double x : {-1e-4, -3e-3, -0.02}) {
    // P(X <= x) = P(-X >= -x) = 1 - int_0^{-x} u^(k-1) e^(-u/sc) du / (Gamma(k) sc^k), u = t^(1/k) substituted
    const double top = std::pow(-x, k);
    double I = 0;
    const int M = 20000;
    for (int i = 0; i < M; ++i) {
      double t = (i + 0.5) * top / M, u = std::pow(t, 1 / k);
      I += std::exp(-u / sc);
    }
    I *= top / M / (k * std::tgamma(k) * std::pow(sc, k));
    CHECK(p.cdf(1, x) == doctest::Approx(1 - I).epsilon(1e-6));
  }
  CHECK(p.layers[0].q95 <= 0);
}

TEST_CASE("accurate: p_excluded at n = 8 against the simulated excluded fraction") {
  const long L = 32;
  const std::uint64_t N = 20000;
  for (const char* t : {"0.5", "pi/2"}) {
    std::vector<long> w(std::size_t(L), 8);
    McResult mc = run_mc(w, parse_theta(t).to_double(), mc_opts(N, 11));
    Prediction p = predict(w, parse_theta(t), PredictOptions{});
    for (long l = 0; l < L; ++l) {
      const auto& M = mc.layers[std::size_t(l)];
      double f = double(M.dead + M.degenerate) / double(N), q = p.layers[std::size_t(l)].p_excluded;
      REQUIRE(q >= 0);
      CHECK_MESSAGE(std::fabs(q - f) <= 4.5 * std::sqrt(q * (1 - q) / double(N)), "theta0 " << t << " layer " << l + 1 << ": " << q << " vs " << f);
    }
  }
}

TEST_CASE("accurate: error estimates and the cosh law") {
  Prediction p = predict(std::vector<long>(10, 16), parse_theta("1"), PredictOptions{});
  for (auto& L : p.layers) {
    CHECK(L.mean_error >= 0);
    CHECK(L.sd_error >= 0);
    CHECK(L.p_excluded >= 0);
    CHECK(L.q95 <= 0);  // the cosh law keeps X <= 0 near the bound
  }
  CHECK(p.layers[9].mean_error > p.layers[0].mean_error);  // accumulated
  double a = 0, b = 0;
  REQUIRE(match_cosh_law(-0.3, 0.25, a, b));
  // the matched law reproduces its moments (checked by a plain quadrature on a finer rule)
  double s0 = 0, s1 = 0, s2 = 0;
  for (int k = -4000; k <= 4000; ++k) {
    double z = k * 0.005, g = std::exp(-z * z / 2), w = std::fabs(a + b * z);
    double h = -2 * (w + std::log1p(std::exp(-2 * w)) - std::log(2.0));
    s0 += g, s1 += g * h, s2 += g * h * h;
  }
  CHECK(s1 / s0 == doctest::Approx(-0.3).epsilon(1e-9));
  CHECK(std::sqrt(s2 / s0 - (s1 / s0) * (s1 / s0)) == doctest::Approx(0.25).epsilon(1e-8));
}

namespace {
// A plain simulation of the angle chain of a phi_alpha network (independent of lib/src/mc): per layer
// n fresh Gaussian pairs of correlation cos theta, phi applied, the new angle from the Lagrange
// identity |u|^2 |v|^2 - (u.v)^2 = sum_{i<j} (u_i v_j - u_j v_i)^2 (no cancellation at small angles).
struct PlainStats {
  std::vector<double> mean, var, m4, tmean, tvar;  // per layer: X mean, variance, 4th central moment; theta mean, variance
};
PlainStats plain_chain(double alpha, long n, int layers, double theta0, int samples, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N01;
  std::vector<std::vector<double>> xs(static_cast<std::size_t>(layers)), ts(static_cast<std::size_t>(layers));
  std::vector<double> u(static_cast<std::size_t>(n)), v(static_cast<std::size_t>(n));
  auto phi = [&](double z) { return z > 0 ? z : alpha * z; };
  for (int s = 0; s < samples; ++s) {
    double t = theta0;
    for (int l = 0; l < layers; ++l) {
      const double c = std::cos(t), sn = std::sin(t);
      for (long i = 0; i < n; ++i) {
        double g = N01(rng), h = N01(rng);
        u[std::size_t(i)] = phi(g), v[std::size_t(i)] = phi(c * g + sn * h);
      }
      double uu = 0, vv = 0, uv = 0, cross = 0;
      for (long i = 0; i < n; ++i) {
        uu += u[std::size_t(i)] * u[std::size_t(i)], vv += v[std::size_t(i)] * v[std::size_t(i)], uv += u[std::size_t(i)] * v[std::size_t(i)];
        for (long j = i + 1; j < n; ++j) {
          double d = u[std::size_t(i)] * v[std::size_t(j)] - u[std::size_t(j)] * v[std::size_t(i)];
          cross += d * d;
        }
      }
      t = std::atan2(std::sqrt(cross), uv);
      xs[std::size_t(l)].push_back(std::log(cross / (uu * vv)));
      ts[std::size_t(l)].push_back(t);
    }
  }
  PlainStats P;
  for (int l = 0; l < layers; ++l) {
    auto moments = [&](const std::vector<double>& a, double& m, double& var, double* m4) {
      m = 0;
      for (double x : a) m += x;
      m /= double(a.size());
      var = 0;
      double q = 0;
      for (double x : a) var += (x - m) * (x - m), q += std::pow(x - m, 4);
      var /= double(a.size() - 1);
      if (m4) *m4 = q / double(a.size());
    };
    double m, var, m4, tm, tv;
    moments(xs[std::size_t(l)], m, var, &m4);
    moments(ts[std::size_t(l)], tm, tv, nullptr);
    P.mean.push_back(m), P.var.push_back(var), P.m4.push_back(m4), P.tmean.push_back(tm), P.tvar.push_back(tv);
  }
  return P;
}
}  // namespace

TEST_CASE("predict --activation: the accurate density model against a plain simulation of the chain (4.5 SE)") {
  // 4000 samples of a plain simulation (above; std::mt19937_64, fixed seeds); n = 64, 8 layers
  const int S = 4000, L = 8;
  const long n = 64;
  struct Case { const char* act; double alpha; const char* theta0; double t0; };
  for (const Case& c : {Case{"leaky:0.1", 0.1, "0.1", 0.1}, Case{"abs", -1.0, "0.1", 0.1}, Case{"leaky:0.5", 0.5, "pi/2", M_PI / 2}}) {
    PredictOptions o;
    o.activation = parse_activation(c.act);
    o.keep_densities = false;
    const Prediction p = predict(std::vector<long>(std::size_t(L), n), parse_theta_checked(c.theta0, true), o);
    const PlainStats ref = plain_chain(c.alpha, n, L, c.t0, S, 20261203u);
    REQUIRE(p.layers.size() == std::size_t(L));
    for (int l : {1, 4, 8}) {
      const auto& P = p.layers[std::size_t(l - 1)];
      const std::size_t k = std::size_t(l - 1);
      const double se_mean = std::sqrt(ref.var[k] / S);
      const double se_var = std::sqrt(std::max(ref.m4[k] - ref.var[k] * ref.var[k], 0.0) / S);
      const double se_theta = std::sqrt(ref.tvar[k] / S);
      INFO(c.act << " theta0 " << c.theta0 << " layer " << l << ": mean " << P.mean << " vs " << ref.mean[k] << " +- " << se_mean
                 << ", var " << P.sd * P.sd << " vs " << ref.var[k] << " +- " << se_var << ", E theta " << P.theta_mean << " vs "
                 << ref.tmean[k] << " +- " << se_theta);
      CHECK(std::fabs(P.mean - ref.mean[k]) < 4.5 * se_mean);
      CHECK(std::fabs(P.sd * P.sd - ref.var[k]) < 4.5 * se_var);
      CHECK(std::fabs(P.theta_mean - ref.tmean[k]) < 4.5 * se_theta);
      CHECK(P.p_excluded == 0.0);  // no unit of phi_alpha, alpha != 0, dies
    }
  }
  // the infinite method iterates f_alpha: cos f = cos t + w (sin t - t cos t)/pi, w = (1 - alpha)^2/(1 + alpha^2)
  PredictOptions o;
  o.activation = parse_activation("leaky:1/2");
  o.method = PredictMethod::Infinite;
  const Prediction p = predict({16, 16, 16}, parse_theta_checked("1", true), o);
  double t = 1, w = 0.25 / 1.25;
  for (int l = 0; l < 3; ++l) {
    t = std::acos(std::cos(t) + w * (std::sin(t) - t * std::cos(t)) / M_PI);
    CHECK(p.layers[std::size_t(l)].theta_mean == doctest::Approx(t).epsilon(1e-13));
  }
}

TEST_CASE("predict --activation: what exists for another activation") {
  const Theta t = parse_theta_checked("0.1", true);
  PredictOptions o;
  o.activation = parse_activation("leaky:0.1");
  o.method = PredictMethod::Linear;
  CHECK_THROWS_AS(predict({16}, t, o), InputError);
  o.method = PredictMethod::Density;
  o.model = PredictModel::PaperFull;
  CHECK_THROWS_AS(predict({16}, t, o), InputError);
  o.model = PredictModel::Accurate;
  o.activation = Activation::abs();
  CHECK_THROWS_AS(predict({16}, parse_theta_checked("pi", true), o), InputError);
  CHECK(activation_order(256) == kMaxActivationPredictOrder);
  CHECK(activation_order(5) == accurate_order(5));
}
