// Monte Carlo backend: generator, reproducibility, exact layer-1 probabilities, chain vs network,
// and the figure-1 cross-validation against an independent numpy simulation.
//
// tests/data/mc_figure1.json is a copy of ../shared/reference/mc_figure1.json: a plain numpy
// Monte Carlo of the reduced chain (n = 256 every layer, theta0 = 0.1, 32 layers, 50000 samples)
// written independently of this code.
//
// Statistical checks use fixed seeds and tolerances of 4.5 standard errors (deterministic, but
// able to fail). Under the sanitizers (RELUMIX_SANITIZED=1) sample sizes are smaller; the
// tolerances follow from the standard errors of the sizes used.
#include <doctest/doctest.h>

#include <Random123/philox.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/mc/stats.hpp"

using namespace relumix;
using relumix::test::sanitized;
using relumix::test::scaled;

namespace {
const double kPi = 3.141592653589793;


McOptions opts(std::uint64_t samples, std::uint64_t seed, McMode mode = McMode::Chain, int threads = 0) {
  McOptions o;
  o.samples = samples;
  o.seed = seed;
  o.mode = mode;
  o.threads = threads;
  return o;
}

// |a - b| <= 4.5 sqrt(sa^2 + sb^2) (+ rounding)
void check_close(double a, double sa, double b, double sb, const std::string& what) {
  double tol = 4.5 * std::sqrt(sa * sa + sb * sb) + 1e-12 * (1 + std::fabs(b));
  INFO(what << ": " << a << " vs " << b << " (tolerance " << tol << ")");
  CHECK(std::fabs(a - b) <= tol);
}
}  // namespace

TEST_CASE("Philox batches equal Random123's philox4x32") {
  for (std::uint64_t seed : {0ULL, 1ULL, 0x123456789abcdefULL}) {
    auto key = mc_detail::key_of_seed(seed);
    for (std::uint64_t sample : {0ULL, 5ULL, 0x2540BE3FFULL}) {  // up to 10^10 - 1: high word used
      for (std::uint32_t layer : {1u, 7u, 1000000u}) {
        std::uint64_t j0 = (1ULL << 32) - 3;  // carry into the high word inside the batch (full batch: every lane)
        std::uint32_t o[4][mc_detail::kBatch];
        mc_detail::philox_batch(key, layer, sample, j0, mc_detail::kBatch, o[0], o[1], o[2], o[3]);
        for (int k = 0; k < mc_detail::kBatch; ++k) {
          std::uint64_t j = j0 + std::uint64_t(k);
          r123::Philox4x32 gen;
          r123::Philox4x32::ctr_type c = {{std::uint32_t(j), std::uint32_t(j >> 32) + (layer << 12),
                                           std::uint32_t(sample), std::uint32_t(sample >> 32)}};
          r123::Philox4x32::key_type kk = {{std::uint32_t(seed), std::uint32_t(seed >> 32)}};
          auto r = gen(c, kk);
          for (int w = 0; w < 4; ++w) CHECK(o[w][k] == r[w]);
        }
      }
    }
  }
}

TEST_CASE("Box-Muller transform matches the libm formula") {
  r123::Philox4x32 gen;
  double worst = 0;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    auto r = gen({{i, 0, 0, 0}}, {{99, 0}});
    double g, z;
    mc_detail::box_muller(r[0], r[1], g, z);
    double u = (double(r[0]) + 0.5) / 4294967296.0, phi = 2 * kPi * (double(r[1]) + 0.5) / 4294967296.0;
    double rad = std::sqrt(-2 * std::log(u));
    worst = std::max({worst, std::fabs(g - rad * std::cos(phi)), std::fabs(z - rad * std::sin(phi))});
  }
  CHECK(worst < 1e-12);
  // extreme words: u at both ends of (0, 1)
  for (std::uint32_t a : {0u, 1u, 0xFFFFFFFFu}) {
    double g, z;
    mc_detail::box_muller(a, 12345u, g, z);
    double u = (double(a) + 0.5) / 4294967296.0, phi = 2 * kPi * (12345 + 0.5) / 4294967296.0;
    CHECK(g == doctest::Approx(std::sqrt(-2 * std::log(u)) * std::cos(phi)).epsilon(1e-12));
  }
}

TEST_CASE("normal pairs (the vectorized block) equal box_muller of the Philox words") {
  // normal_pairs uses call j's words (0, 1) for pair j and words (2, 3) for pair m + j
  for (int m : {1, 7, 8, 9, 37, mc_detail::kBatch}) {
    auto key = mc_detail::key_of_seed(77);
    std::vector<double> g(2 * std::size_t(m)), z(2 * std::size_t(m));
    mc_detail::normal_pairs(key, 5, 123, 1000, m, g.data(), z.data());
    std::vector<std::uint32_t> w0(std::size_t(m) + 16), w1(w0.size()), w2(w0.size()), w3(w0.size());
    mc_detail::philox_batch(key, 5, 123, 1000, m, w0.data(), w1.data(), w2.data(), w3.data());
    double worst = 0;
    for (int k = 0; k < m; ++k) {
      double ga, za, gb, zb;
      mc_detail::box_muller(w0[std::size_t(k)], w1[std::size_t(k)], ga, za);
      mc_detail::box_muller(w2[std::size_t(k)], w3[std::size_t(k)], gb, zb);
      worst = std::max({worst, std::fabs(g[std::size_t(k)] - ga), std::fabs(z[std::size_t(k)] - za),
                        std::fabs(g[std::size_t(m + k)] - gb), std::fabs(z[std::size_t(m + k)] - zb)});
    }
    INFO("m = " << m);
    CHECK(worst < 1e-14);
  }
}

TEST_CASE("normal pairs: moments, independence and KS against the normal CDF") {
  auto key = mc_detail::key_of_seed(2024);
  const int calls = mc_detail::kBatch;
  std::vector<double> g(2 * calls), z(2 * calls), all;
  double sg = 0, sgg = 0, sgz = 0, tail = 0;
  const long batches = long(scaled(400));
  for (long b = 0; b < batches; ++b) {
    mc_detail::normal_pairs(key, 3, std::uint64_t(b), 0, calls, g.data(), z.data());
    for (int k = 0; k < 2 * calls; ++k) {
      sg += g[k] + z[k];
      sgg += g[k] * g[k] + z[k] * z[k];
      sgz += g[k] * z[k];
      tail += (std::fabs(g[k]) > 2) + (std::fabs(z[k]) > 2);
      all.push_back(g[k]);
      all.push_back(z[k]);
    }
  }
  double n = double(all.size());
  check_close(sg / n, 1 / std::sqrt(n), 0, 0, "mean");
  check_close(sgg / n, std::sqrt(2 / n), 1, 0, "variance");
  check_close(sgz / (n / 2), 1 / std::sqrt(n / 2), 0, 0, "correlation of the pair");
  double p2 = std::erfc(2 / std::sqrt(2.0));
  check_close(tail / n, std::sqrt(p2 * (1 - p2) / n), p2, 0, "P(|N| > 2)");
  std::sort(all.begin(), all.end());
  double d = ks_statistic(all, [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); });
  CHECK(ks_pvalue(d, n) > 1e-4);
}

TEST_CASE("chain categories: multinomial counts, with ties settled exactly") {
  // Neuron categories (only X > 0, only Y > 0, both > 0) have probabilities d, d, 1/2 - d with
  // d = theta / (2 pi). Summed over many layers the counts are binomial; check them within 4.5
  // standard errors.
  auto check_counts = [](double theta, long n, int steps, const char* what) {
    const double d = theta / (2 * kPi);
    double x = 0, y = 0, both = 0;
    auto key = mc_detail::key_of_seed(99);
    for (int i = 0; i < steps; ++i) {
      auto c = mc_detail::neuron_counts(key, 1, std::uint64_t(i), n, theta);
      x += double(c.x);
      y += double(c.y);
      both += double(c.both);
    }
    const double N = double(n) * steps;
    INFO(what);
    check_close(x / N, std::sqrt(d * (1 - d) / N), d, 0, "P(only X)");
    check_close(y / N, std::sqrt(d * (1 - d) / N), d, 0, "P(only Y)");
    check_close(both / N, std::sqrt((0.5 - d) * (0.5 + d) / N), 0.5 - d, 0, "P(both)");
  };
  check_counts(1.0, 1000, int(scaled(2000)), "theta = 1");
  check_counts(3.0, 7, int(scaled(20000)), "theta = 3, odd width");
  // d = 2^-20: both thresholds d and 2d lie below the first 16-bit step, so every neuron of the
  // two small categories comes from a tie (first 16 bits all zero, probability 2^-16) settled by
  // further words (probability 1/16 each): this exercises the exact tie path, about 4 per layer.
  check_counts(2 * kPi * std::ldexp(1.0, -20), 1L << 22, sanitized() ? 40 : 200, "theta = 2 pi 2^-20 (ties)");
  // theta = pi: never both
  auto c = mc_detail::neuron_counts(mc_detail::key_of_seed(1), 1, 0, 1000, kPi);
  CHECK(c.both == 0);
  CHECK(c.x + c.y == 1000);
}

TEST_CASE("chain pair sums: the vectorized kernels equal the formulas with libm") {
  // Reference: the documented use of the words (mc.hpp, pair_sums) evaluated with std::log,
  // std::sin, std::cos in long double.
  auto key = mc_detail::key_of_seed(4242);
  for (double theta : {0.1, 1.0, 3.0, 1e-8, kPi}) {
    for (auto cnt : {mc_detail::Counts{3, 2, 11}, mc_detail::Counts{30, 5, 700}, mc_detail::Counts{1, 0, 0},
                     mc_detail::Counts{0, 4, 1}}) {
      if (theta == kPi) cnt.both = 0;
      const long active = cnt.both + cnt.x + cnt.y;
      long double cc = 0, ss = 0, cs = 0, sx = 0, sy = 0;
      for (long p0 = 0; p0 < active; p0 += 2 * mc_detail::kBatch) {
        const int np = int(std::min<long>(2 * mc_detail::kBatch, active - p0)), m = (np + 1) / 2;
        std::vector<std::uint32_t> w0(static_cast<std::size_t>(m)), w1 = w0, w2 = w0, w3 = w0;
        mc_detail::philox_batch(key, 7, 31, std::uint64_t(p0 / 2), m, w0.data(), w1.data(), w2.data(), w3.data());
        for (int k = 0; k < np; ++k) {
          const std::uint32_t a = k < m ? w0[std::size_t(k)] : w2[std::size_t(k - m)];
          const std::uint32_t b = k < m ? w1[std::size_t(k)] : w3[std::size_t(k - m)];
          const long double w = -2.0L * std::log((a + 0.5L) / 4294967296.0L);
          const long p = p0 + k;
          if (p < cnt.both) {
            const long double psi = (kPi - theta) / 2 * (double(std::int32_t(b ^ 0x80000000u)) + 0.5L) / 2147483648.0L;
            cc += w * std::cos(psi) * std::cos(psi);
            ss += w * std::sin(psi) * std::sin(psi);
            cs += w * std::cos(psi) * std::sin(psi);
          } else {
            const long double sa = std::sin(theta * (b + 0.5L) / 4294967296.0L);
            (p < cnt.both + cnt.x ? sx : sy) += w * sa * sa;
          }
        }
      }
      for (bool portable : {false, true}) {
        auto got = portable ? mc_detail::pair_sums_portable(key, 7, 31, cnt, theta)
                            : mc_detail::pair_sums(key, 7, 31, cnt, theta);
        INFO("theta " << theta << " counts " << cnt.x << "," << cnt.y << "," << cnt.both << " portable " << portable);
        const double scale = double(cc + ss) + 1e-300;
        CHECK(std::fabs(got.cc - double(cc)) <= 1e-13 * scale);
        CHECK(std::fabs(got.ss - double(ss)) <= 1e-13 * scale);
        CHECK(std::fabs(got.cs - double(cs)) <= 1e-13 * scale);
        // the one-input sums are O(theta^2): relative accuracy
        CHECK(std::fabs(got.sx - double(sx)) <= 1e-13 * double(sx));
        CHECK(std::fabs(got.sy - double(sy)) <= 1e-13 * double(sy));
      }
    }
  }
}

TEST_CASE("results do not depend on the thread count or on splitting the samples") {
  std::vector<long> w{64, 3, 17, 200};
  for (McMode mode : {McMode::Chain, McMode::Network}) {
    auto o1 = opts(300, 77, mode, 1), o3 = opts(300, 77, mode, 3);
    McRaw a = simulate_mc(w, 0.8, o1, 0, 300), b = simulate_mc(w, 0.8, o3, 0, 300);
    CHECK(a.x == b.x);
    CHECK(a.end == b.end);
    CHECK(a.kind == b.kind);
    // a slice [100, 250) as another process would compute it
    McRaw s = simulate_mc(w, 0.8, o3, 100, 150);
    for (std::uint64_t i = 0; i < 150; ++i) {
      CHECK(s.end[i] == a.end[100 + i]);
      for (int l = 1; l < s.end[i]; ++l) CHECK(s.value(i, l) == a.value(100 + i, l));
    }
    // the summaries agree bit for bit as well
    auto ra = summarize_mc(a, w, 0.8, o1), rb = summarize_mc(b, w, 0.8, o3);
    for (std::size_t l = 0; l < w.size(); ++l) {
      CHECK(ra.layers[l].x.mean == rb.layers[l].x.mean);
      CHECK(ra.layers[l].x.q50 == rb.layers[l].x.q50);
    }
  }
  // and on the seed
  McRaw c = simulate_mc({32}, 0.5, opts(10, 1), 0, 10), d = simulate_mc({32}, 0.5, opts(10, 2), 0, 10);
  CHECK(c.x != d.x);
}

TEST_CASE("layer 1: dead and parallel probabilities are exact in both modes") {
  // n = 3, theta0 = 1: P(both pre-activations > 0) = P(both <= 0) = p = (pi - theta)/(2 pi).
  // dead: all G <= 0 or all Ghat <= 0 -> 2^(1-n) - p^n; parallel: supports equal and single -> n p^n.
  const int n = 3;
  const double th = 1.0, p = (kPi - th) / (2 * kPi);
  const double p_dead = std::pow(2.0, 1 - n) - std::pow(p, n), p_par = n * std::pow(p, n);
  const std::uint64_t S = scaled(40000);
  for (McMode mode : {McMode::Chain, McMode::Network}) {
    auto r = run_mc({n}, th, opts(S, 5, mode));
    const auto& L = r.layers[0];
    INFO("mode " << mc_mode_name(mode));
    CHECK(L.count + L.dead + L.degenerate == S);
    check_close(double(L.dead) / double(S), std::sqrt(p_dead * (1 - p_dead) / double(S)), p_dead, 0, "P(dead)");
    check_close(double(L.degenerate) / double(S), std::sqrt(p_par * (1 - p_par) / double(S)), p_par, 0,
                "P(parallel)");
  }
}

TEST_CASE("layer 1 at large width: cos theta^1 -> 2 J_{1,1}(theta0)") {
  for (double th : {0.3, 1.2, 2.5, kPi}) {
    const long n = 20000;
    auto r = run_mc({n}, th, opts(scaled(300), 11));
    // cos theta = sqrt(1 - e^X) for theta in [0, pi/2]
    McRaw raw = simulate_mc({n}, th, opts(scaled(300), 11), 0, scaled(300));
    std::vector<double> c;
    for (std::uint64_t i = 0; i < raw.count; ++i) c.push_back(std::sqrt(-std::expm1(raw.value(i, 1))));
    Moments m = moments(c);
    double expect = (std::sin(th) + (kPi - th) * std::cos(th)) / kPi;
    check_close(m.mean, m.stderr_mean, expect, 0, "E cos theta^1 at theta0 = " + std::to_string(th));
    CHECK(r.layers[0].count == scaled(300));
  }
}

TEST_CASE("chain reduction agrees with explicit weight matrices") {
  // small widths, several layers, including degenerate events
  for (auto [widths, th] : {std::pair<std::vector<long>, double>{{4, 6, 5, 8, 3}, 0.7},
                            std::pair<std::vector<long>, double>{{16, 16, 16, 16}, 0.2},
                            std::pair<std::vector<long>, double>{{2, 9}, 2.8}}) {
    const std::uint64_t S = scaled(20000);
    auto a = run_mc(widths, th, opts(S, 101, McMode::Chain));
    auto b = run_mc(widths, th, opts(S, 202, McMode::Network));
    for (std::size_t l = 0; l < widths.size(); ++l) {
      const auto &A = a.layers[l], &B = b.layers[l];
      INFO("layer " << l + 1 << " widths[0] " << widths[0]);
      check_close(A.x.mean, A.x.stderr_mean, B.x.mean, B.x.stderr_mean, "mean of X");
      check_close(A.theta.mean, A.theta.stderr_mean, B.theta.mean, B.theta.stderr_mean, "mean of theta");
      for (auto [ka, kb, what] : {std::tuple{A.dead, B.dead, "dead"}, std::tuple{A.degenerate, B.degenerate, "parallel"}}) {
        double pa = double(ka) / double(S), pb = double(kb) / double(S);
        check_close(pa, std::sqrt(pa * (1 - pa) / double(S)), pb, std::sqrt(pb * (1 - pb) / double(S)), what);
      }
    }
  }
}

TEST_CASE("tiny angles: no cancellation") {
  // The map X -> X' at theta -> 0 has a limit law: for the same random numbers, X' - X at
  // theta0 = 1e-6, 1e-9, 1e-150 agree to O(theta0) per sample.
  auto step = [](double th) { return simulate_mc({256, 64}, th, opts(50, 3), 0, 50); };
  McRaw a = step(1e-6), b = step(1e-9), c = step(1e-150);
  for (std::uint64_t i = 0; i < 50; ++i) {
    for (int l = 1; l <= 2; ++l) {
      double da = a.value(i, l) - 2 * std::log(1e-6), db = b.value(i, l) - 2 * std::log(1e-9),
             dc = c.value(i, l) - 2 * std::log(1e-150);
      CHECK(std::fabs(da - db) < 1e-4);
      CHECK(std::fabs(db - dc) < 1e-7);
    }
  }
}

TEST_CASE("figure 1: every layer agrees with the independent numpy simulation") {
  std::ifstream f(std::string(RELUMIX_TEST_DATA) + "/mc_figure1.json");
  REQUIRE(f);
  auto ref = nlohmann::json::parse(f);
  const int L = ref["depth"];
  const std::uint64_t S = sanitized() ? 5000 : 20000;
  const long width = ref["width"];
  std::vector<long> widths(std::size_t(L), width);
  McRaw raw = simulate_mc(widths, double(ref["theta0"]), opts(S, 20240601), 0, S);
  for (int l = 1; l <= L; ++l) {
    const auto& R = ref["layers"][std::size_t(l - 1)];
    std::vector<double> v;
    for (std::uint64_t i = 0; i < S; ++i) v.push_back(raw.value(i, l));
    REQUIRE(raw.end[0] > l);
    Moments m = moments(v);
    INFO("layer " << l);
    check_close(m.mean, m.stderr_mean, R["mean"], R["stderr_mean"], "mean");
    // sd within 4% (the criterion); with fewer samples (sanitizers) the tolerance is
    // widened to 4.5 standard errors of the sd, SE(s) ~ s sqrt((kurtosis - 1) / (4 n)).
    double m4 = 0;
    for (double x : v) m4 += std::pow(x - m.mean, 4);
    double kurt = m4 / double(S) / std::pow(m.sd, 4);
    double se_sd = m.sd * std::sqrt((kurt - 1) / (4.0 * double(S)));
    double tol = std::max(0.04 * double(R["sd"]), sanitized() ? 4.5 * se_sd : 0.0);
    CHECK(std::fabs(m.sd - double(R["sd"])) <= tol);
  }
}

TEST_CASE("theta0 = pi and theta0 near pi stay finite") {
  for (double th : {kPi, kPi - 1e-12, 3.0}) {
    auto r = run_mc({5, 50, 5}, th, opts(2000, 8));
    for (const auto& L : r.layers) {
      CHECK(L.count + L.dead + L.degenerate == 2000);
      CHECK(std::isfinite(L.x.mean));
      CHECK(L.x.max <= 0.0);
      CHECK(L.theta.max <= kPi / 2);
    }
  }
}

TEST_CASE("theta from X") {
  for (double th : {1e-200, 1e-8, 0.3, 1.0, 1.5, kPi / 2 - 1e-9}) {
    double x = std::log(std::sin(th) * std::sin(th));
    CHECK(mc_theta_of_x(x) == doctest::Approx(th).epsilon(th > 1.5 ? 1e-7 : 1e-12));
  }
  CHECK(mc_theta_of_x(0.0) == kPi / 2);
}

TEST_CASE("bad arguments are InputErrors") {
  auto bad = [](std::vector<long> w, double th, McOptions o) {
    CHECK_THROWS_AS(check_mc_args(w, th, o), InputError);
  };
  bad({256}, 0.1, opts(0, 1));
  bad({256}, 0.1, opts(kMcMaxSamples + 1, 1));
  bad({1, 5}, 0.1, opts(10, 1));                     // chain needs n >= 2
  bad({0, 5}, 0.1, opts(10, 1, McMode::Network));    // network n >= 1
  bad({256}, 0.0, opts(10, 1));
  bad({256}, 3.2, opts(10, 1));
  bad({256}, std::nan(""), opts(10, 1));
  bad({256}, 1e-320, opts(10, 1));
  bad({256}, 0.1, opts(10, 1, McMode::Chain, -1));
  bad({1000000000}, 0.1, opts(10, 1, McMode::Network, 1));  // absurd memory
  bad(std::vector<long>(32, 256), 0.1, opts(kMcMaxSamples, 1));  // storage above the limit
  CHECK_NOTHROW(check_mc_args({1, 1}, 0.1, opts(10, 1, McMode::Network)));
  CHECK_THROWS_AS(parse_mc_mode("matrix"), InputError);
  // network mode with width 1 runs
  auto r = run_mc({1, 1}, 1.0, opts(100, 1, McMode::Network));
  CHECK(r.layers[0].count + r.layers[0].dead + r.layers[0].degenerate == 100);
}

TEST_CASE("a stop request interrupts the simulation") {
  request_stop();
  CHECK_THROWS_AS(simulate_mc({256}, 0.1, opts(1000, 1), 0, 1000), Interrupted);
  stop_flag().store(false);
  CHECK_NOTHROW(simulate_mc({256}, 0.1, opts(10, 1), 0, 10));
}
