// Monte Carlo with the positively homogeneous activations phi_alpha(x) = max(x, 0) + alpha min(x, 0)
// (mc --activation; SPEC section 8): chain mode (its own path for alpha != 0) against network
// mode, one layer against a plain independent simulation written here (std::mt19937_64 normals,
// the textbook formula for the angle) and, at large width, against the infinite-width map
// cos f_alpha (angle/activation_map.hpp: the Monte Carlo itself uses no theory); the degenerate
// events of the family; obtuse angles (theta binned itself); tiny angles near 0 and pi; shards,
// threads, checkpoints; and ReLU output pinned to its bits before the activation existed.
//
// Statistical checks: fixed seeds, 4.5 standard errors (deterministic, able to fail).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "support.hpp"
#include "mc/mc_kernel.hpp"
#include "relumix/angle/activation_map.hpp"
#include "relumix/core/error.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/activation.hpp"

using namespace relumix;
using relumix::test::scaled;

namespace {
const double kPi = 3.141592653589793;

McOptions opts(std::uint64_t samples, std::uint64_t seed, const char* act, McMode mode = McMode::Chain) {
  McOptions o;
  o.samples = samples;
  o.seed = seed;
  o.mode = mode;
  o.activation = parse_activation(act);
  return o;
}
McOptions keep(McOptions o) {
  o.keep = true;
  return o;
}

void check_close(double a, double sa, double b, double sb, const std::string& what) {
  double tol = 4.5 * std::sqrt(sa * sa + sb * sb) + 1e-12 * (1 + std::fabs(b));
  INFO(what << ": " << a << " vs " << b << " (tolerance " << tol << ")");
  CHECK(std::fabs(a - b) <= tol);
}

struct Stats {
  double mean = 0, stderr_mean = 0, var = 0, stderr_var = 0;
};
Stats stats(const std::vector<double>& v) {
  Stats s;
  const double n = double(v.size());
  for (double x : v) s.mean += x;
  s.mean /= n;
  double m2 = 0, m4 = 0;
  for (double x : v) {
    const double d = (x - s.mean) * (x - s.mean);
    m2 += d;
    m4 += d * d;
  }
  s.var = m2 / (n - 1);
  s.stderr_mean = std::sqrt(s.var / n);
  s.stderr_var = std::sqrt((m4 / n - s.var * s.var) / n);
  return s;
}

// the plain simulation of one layer: n pairs G, G' = cos(theta) G + sin(theta) Z, X = phi(G),
// Y = phi(G'), theta' = arccos(X.Y / |X||Y|); ln sin^2 theta' and theta' per sample
void plain_layer(double alpha, double theta, int n, std::uint64_t samples, std::uint64_t seed, std::vector<double>& x,
                 std::vector<double>& t) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  auto phi = [alpha](double v) { return v > 0 ? v : alpha * v; };
  for (std::uint64_t i = 0; i < samples; ++i) {
    double a = 0, b = 0, c = 0;
    for (int k = 0; k < n; ++k) {
      const double g = normal(gen), z = normal(gen);
      const double X = phi(g), Y = phi(std::cos(theta) * g + std::sin(theta) * z);
      a += X * X;
      b += Y * Y;
      c += X * Y;
    }
    const double th = std::acos(std::clamp(c / std::sqrt(a * b), -1.0, 1.0));
    x.push_back(std::log(std::sin(th) * std::sin(th)));
    t.push_back(th);
  }
}

std::vector<double> kept_theta(const McResult& r, int layer) {
  std::vector<double> v;
  const McRaw& k = *r.kept;
  const auto j = std::size_t(std::find(k.layers.begin(), k.layers.end(), layer) - k.layers.begin());
  for (std::uint64_t i = 0; i < k.count; ++i)
    if (k.state(i, layer) == McRaw::kOk) v.push_back(k.theta_at(i, j));
  return v;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("relumix_test_mca_" + std::to_string(getpid()) + "_" + name)).string();
}
}  // namespace

TEST_CASE("activations: the chain agrees with explicit weight matrices, and no unit dies") {
  for (const char* act : {"leaky:0.1", "abs"}) {
    for (auto [widths, th] : {std::pair<std::vector<long>, double>{{8, 16, 6}, 2.5},
                              std::pair<std::vector<long>, double>{{16, 16, 16}, 0.3},
                              std::pair<std::vector<long>, double>{{2, 5, 3}, 1.2}}) {
      const std::uint64_t S = scaled(20000);
      auto a = run_mc(widths, th, opts(S, 101, act, McMode::Chain));
      auto b = run_mc(widths, th, opts(S, 202, act, McMode::Network));
      CHECK(a.activation == parse_activation(act));
      for (std::size_t l = 0; l < widths.size(); ++l) {
        const auto &A = a.layers[l], &B = b.layers[l];
        INFO(std::string(act) << " layer " << l + 1 << " widths[0] " << widths[0] << " theta0 " << th);
        CHECK(A.dead == 0);
        CHECK(B.dead == 0);
        CHECK(A.degenerate == 0);  // parallel: probability 0 away from theta0 = pi
        CHECK(B.degenerate == 0);
        check_close(A.x.mean, A.x.stderr_mean, B.x.mean, B.x.stderr_mean, "mean of X");
        check_close(A.x.var, A.x.stderr_var, B.x.var, B.x.stderr_var, "variance of X");
        check_close(A.theta.mean, A.theta.stderr_mean, B.theta.mean, B.theta.stderr_mean, "mean of theta");
        check_close(A.theta.var, A.theta.stderr_var, B.theta.var, B.theta.stderr_var, "variance of theta");
      }
    }
  }
}

TEST_CASE("activations: one layer at n = 64 equals a plain independent simulation") {
  // E and Var of ln sin^2 theta' (and E theta') at theta in {0.1, 1.0}, alpha in {0.1, -1}, and
  // an obtuse case (alpha = 0.5 at theta = 2.8)
  for (auto [act, alpha] : {std::pair{"leaky:0.1", 0.1}, std::pair{"abs", -1.0}, std::pair{"leaky:1/2", 0.5}}) {
    for (double th : {0.1, 1.0, 2.8}) {
      if ((th == 2.8) != (alpha == 0.5)) continue;
      const std::uint64_t S = scaled(40000);
      auto r = run_mc({64}, th, opts(S, 31, act));
      std::vector<double> x, t;
      plain_layer(alpha, th, 64, S, 4242, x, t);
      const Stats px = stats(x), pt = stats(t);
      const McLayer& L = r.layers[0];
      INFO(std::string(act) << " theta " << th);
      REQUIRE(L.count == S);
      check_close(L.x.mean, L.x.stderr_mean, px.mean, px.stderr_mean, "E ln sin^2 theta'");
      check_close(L.x.var, L.x.stderr_var, px.var, px.stderr_var, "Var ln sin^2 theta'");
      check_close(L.theta.mean, L.theta.stderr_mean, pt.mean, pt.stderr_mean, "E theta'");
    }
  }
}

TEST_CASE("activations: one layer at n = 4096, E cos theta' -> cos f_alpha(theta) (infinite width)") {
  // E cos theta' = cos f + c/n + O(1/n^2). The 1/n term (about 0.4/n) is below the standard error
  // at most angles, but not near pi, where cos theta' is nearly stationary (at theta = pi it is
  // -alpha (P + N) / sqrt((P + alpha^2 N)(alpha^2 P + N)), stationary at P = N: sd O(1/n) too).
  // So the check is on 2 E_4096 - E_2048 (Richardson: O(1/n^2)), and on E_4096 alone where the
  // standard error dominates.
  for (const char* act : {"leaky:0.1", "abs", "leaky:1/2", "leaky:-0.3"}) {
    const Activation a = parse_activation(act);
    for (double th : {0.3, 1.2, 2.5, 3.0, kPi}) {
      if (a.is_abs() && th == kPi) continue;  // degenerate (see below)
      Stats m[2];
      for (int k = 0; k < 2; ++k) {
        auto r = run_mc({k == 0 ? 4096L : 2048L}, th, keep(opts(scaled(1000), 11 + std::uint64_t(k), act)));
        std::vector<double> c;
        for (double t : kept_theta(r, 1)) c.push_back(std::cos(t));
        m[k] = stats(c);
      }
      const double expect = std::cos(activation_map(a, th));
      INFO(std::string(act) << " theta " << th);
      check_close(2 * m[0].mean - m[1].mean, std::hypot(2 * m[0].stderr_mean, m[1].stderr_mean), expect, 0,
                  "2 E_4096 - E_2048 of cos theta^1");
      if (th <= 2.5) check_close(m[0].mean, m[0].stderr_mean, expect, 0, "E_4096 cos theta^1");
    }
  }
}

TEST_CASE("activations: the degenerate events of the family") {
  const std::uint64_t S = scaled(20000);
  for (McMode mode : {McMode::Chain, McMode::Network}) {
    INFO("mode " << mc_mode_name(mode));
    // |x| and the linear map from theta0 = pi: the two vectors equal (opposite) after one layer
    for (const char* act : {"abs", "leaky:1"}) {
      auto r = run_mc({5, 5}, kPi, opts(500, 3, act, mode));
      CHECK(r.layers[0].degenerate == 500);
      CHECK(r.layers[0].dead == 0);
    }
    // any other alpha from pi: opposite exactly when the n pre-activations have one sign, 2^(1-n)
    const int n = 3;
    const double p = std::pow(2.0, 1 - n);
    auto r = run_mc({n, 4}, kPi, opts(S, 5, "leaky:0.3", mode));
    check_close(double(r.layers[0].degenerate) / double(S), std::sqrt(p * (1 - p) / double(S)), p, 0, "P(opposite)");
    CHECK(r.layers[1].degenerate == r.layers[0].degenerate);  // after one layer theta < pi: none more
    // a leaky unit never dies, even at width 1 in network mode or width 2 in the chain
    auto w = run_mc(std::vector<long>(6, mode == McMode::Chain ? 2 : 1), 1.0, opts(2000, 9, "leaky:0.01", mode));
    for (const auto& L : w.layers) CHECK(L.dead == 0);
  }
}

TEST_CASE("activations: obtuse angles for alpha > 0, theta statistics from theta itself") {
  auto r = run_mc({64, 64}, 2.8, keep(opts(scaled(4000), 17, "leaky:1/2")));
  for (int l = 1; l <= 2; ++l) {
    std::vector<double> t = kept_theta(r, l);
    std::sort(t.begin(), t.end());
    const McLayer& L = r.layers[std::size_t(l - 1)];
    INFO("layer " << l);
    CHECK(L.theta.max > kPi / 2 + 0.5);  // obtuse, which X alone could not say
    CHECK(L.theta.min == t.front());
    CHECK(L.theta.max == t.back());
    const double h = double(t.size() - 1) * 0.5;
    const double med = t[std::size_t(h)] + (h - std::floor(h)) * (t[std::size_t(h) + 1] - t[std::size_t(h)]);
    CHECK(std::fabs(L.theta.q50 - med) <= 0.01 * L.theta.sd);  // the binning is about sd/1024 wide
    CHECK(L.theta.q50 > kPi / 2);
  }
  // alpha <= 0: phi >= 0, so theta <= pi/2 after a layer
  auto a = run_mc({8, 8}, 3.0, opts(2000, 3, "leaky:-0.4"));
  for (const auto& L : a.layers) CHECK(L.theta.max <= kPi / 2);
}

TEST_CASE("activations: tiny angles near 0 and near pi, no cancellation") {
  // X' - X has a limit law as theta0 -> 0 (and, for the linear map, as theta0 -> pi): for the same
  // random numbers the per-sample values at theta0 = eps agree to O(eps)
  for (const char* act : {"leaky:0.1", "abs", "leaky:1"}) {
    auto step = [&](double th) { return run_mc({64, 16}, th, keep(opts(40, 3, act))); };
    McResult a = step(1e-6), b = step(1e-9), c = step(1e-150);
    for (std::uint64_t i = 0; i < 40; ++i) {
      for (std::size_t l = 0; l < 2; ++l) {
        INFO(std::string(act) << " sample " << i << " layer " << l + 1);
        const double da = a.kept->value_at(i, l) - 2 * std::log(1e-6), db = b.kept->value_at(i, l) - 2 * std::log(1e-9),
                     dc = c.kept->value_at(i, l) - 2 * std::log(1e-150);
        CHECK(std::fabs(da - db) < 1e-4);
        CHECK(std::fabs(db - dc) < 1e-7);
      }
    }
    CHECK(c.layers[1].theta.mean > 1e-151);
  }
  // the linear map near pi: pi - theta stays tiny with full relative accuracy (the E = (Y + X)/s route)
  auto near = [](double eps) { return run_mc({64}, kPi - eps, keep(opts(40, 5, "leaky:1"))); };
  McResult a = near(1e-5), b = near(1e-7);
  for (std::uint64_t i = 0; i < 40; ++i) {
    const double ea = kPi - a.kept->theta_at(i, 0), eb = kPi - b.kept->theta_at(i, 0);
    CHECK(ea > 0);
    // (pi - theta') / (pi - theta0) has the same limit; the double pi - 1e-7 carries ~1e-16 of error
    CHECK(std::fabs(ea / (kPi - (kPi - 1e-5)) - eb / (kPi - (kPi - 1e-7))) < 1e-3 * (ea / 1e-5));
  }
}

TEST_CASE("activations: threads, shards and checkpoints give the same bits; other activations are refused") {
  const std::vector<long> w{12, 20, 7};
  McOptions o = opts(scaled(3000), 21, "leaky:0.2");
  o.threads = 1;
  o.hist_bins = 5;
  const McResult one = run_mc(w, 2.6, o);
  o.threads = 2;
  const McResult two = run_mc(w, 2.6, o);
  McPlan plan = mc_plan(w, 2.6, o);
  McState s0 = mc_simulate(plan, mc_shard(plan, 0, 2), o), s1 = mc_simulate(plan, mc_shard(plan, 1, 2), o);
  McState merged = McState::deserialize(plan, s1.serialize());
  merged.merge(McState::deserialize(plan, s0.serialize()));
  const McResult sharded = mc_result(plan, merged, o);
  for (const McResult* r : {&two, &sharded}) {
    for (std::size_t l = 0; l < w.size(); ++l) {
      const auto &A = one.layers[l], &B = r->layers[l];
      CHECK(A.x.mean == B.x.mean);
      CHECK(A.x.var == B.x.var);
      CHECK(A.x.q50 == B.x.q50);
      CHECK(A.theta.mean == B.theta.mean);
      CHECK(A.theta.q05 == B.theta.q05);
      CHECK(A.theta.q95 == B.theta.q95);
      CHECK(A.theta.max == B.theta.max);
      CHECK(A.hist == B.hist);
    }
  }
  // a checkpoint of another activation is refused, naming it
  const std::string file = temp_path("ckpt");
  std::filesystem::remove(file);
  McOptions c = o;
  c.checkpoint = file;
  McPlan cp = mc_plan(w, 2.6, c);
  mc_simulate(cp, McShard{0, cp.blocks()}, c);
  for (const char* other : {"relu", "leaky:0.3", "abs"}) {
    McOptions d = c;
    d.activation = parse_activation(other);
    McPlan dp = mc_plan(w, 2.6, d);
    try {
      mc_simulate(dp, McShard{0, dp.blocks()}, d);
      FAIL("accepted a checkpoint of another activation");
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find("activation leaky:0.2 there, " + std::string(other) + " here") !=
            std::string::npos);
    }
  }
  // and the same activation resumes the finished run at once
  const McResult again = mc_result(cp, mc_simulate(cp, McShard{0, cp.blocks()}, c), c);
  CHECK(again.layers[2].theta.mean == one.layers[2].theta.mean);
  std::filesystem::remove(file);
}

TEST_CASE("--activation relu gives the bits of a run without the option, in both modes and every kernel") {
  // The ReLU paths (chain_step in chain mode, the ReLU network) must be the ones a run without the
  // option takes, not chain_step_alpha or a leaky network with alpha = 0. (Pins of the numbers
  // of an earlier build no longer apply: the generator is ARS-7 since 2026-12; the statistics
  // are checked against independent simulations in unit.mc.) The AVX2 build makes the portable
  // numbers (family "portable").
  const auto& before = mc_detail::kernel();
  std::map<McMode, McResult> portable;
  for (auto k : {mc_detail::Kernel::Portable, mc_detail::Kernel::Avx2, mc_detail::Kernel::Avx512}) {
    if (!mc_detail::kernel_available(k)) continue;
    mc_detail::select_kernel(k);
    for (McMode mode : {McMode::Chain, McMode::Network}) {
      McOptions plain;
      plain.samples = 3000;
      plain.seed = 77;
      plain.mode = mode;
      const McResult a = run_mc({32, 16, 8}, 0.7, opts(3000, 77, "relu", mode)), b = run_mc({32, 16, 8}, 0.7, plain);
      if (k == mc_detail::Kernel::Portable) portable.emplace(mode, b);
      for (int l = 0; l < 3; ++l) {
        INFO(mc_detail::kernel().name << " " << mc_mode_name(mode) << " layer " << l + 1);
        CHECK(a.layers[std::size_t(l)].x.mean == b.layers[std::size_t(l)].x.mean);
        CHECK(a.layers[std::size_t(l)].x.var == b.layers[std::size_t(l)].x.var);
        CHECK(a.layers[std::size_t(l)].count == b.layers[std::size_t(l)].count);
        if (k == mc_detail::Kernel::Avx2) {
          CHECK(b.layers[std::size_t(l)].x.mean == portable.at(mode).layers[std::size_t(l)].x.mean);
          CHECK(b.layers[std::size_t(l)].x.var == portable.at(mode).layers[std::size_t(l)].x.var);
        }
      }
    }
  }
  for (auto k : {mc_detail::Kernel::Portable, mc_detail::Kernel::Avx2, mc_detail::Kernel::Avx512})
    if (std::string(before.name) == mc_detail::kernel_name(k)) mc_detail::select_kernel(k);
}
