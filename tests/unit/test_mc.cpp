// Monte Carlo backend: generator, kernels, reproducibility across threads, shards and checkpoints,
// exact layer-1 probabilities, chain vs network, the streamed statistics against the exact
// statistics of the kept samples, and the figure-1 cross-validation against an independent numpy
// simulation.
//
// tests/data/mc_figure1.json is a copy of ../shared/reference/mc_figure1.json: a plain numpy
// Monte Carlo of the reduced chain (n = 256 every layer, theta0 = 0.1, 32 layers, 50000 samples)
// written independently of this code.
//
// Statistical checks use fixed seeds and tolerances of 4.5 standard errors (deterministic, but
// able to fail). Under the sanitizers (RELUMIX_SANITIZED=1) sample sizes are smaller; the
// tolerances follow from the standard errors of the sizes used.
#include <doctest/doctest.h>

#include <Random123/ars.h>
#include <Random123/philox.h>
#include <gmp.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "support.hpp"
#include "core/cpu.hpp"
#include "mc/exact_sum.hpp"
#include "mc/mc_kernel.hpp"
#include "mc/mc_state.hpp"
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
McOptions keep(McOptions o) {
  o.keep = true;
  return o;
}

// |a - b| <= 4.5 sqrt(sa^2 + sb^2) (+ rounding)
void check_close(double a, double sa, double b, double sb, const std::string& what) {
  double tol = 4.5 * std::sqrt(sa * sa + sb * sb) + 1e-12 * (1 + std::fabs(b));
  INFO(what << ": " << a << " vs " << b << " (tolerance " << tol << ")");
  CHECK(std::fabs(a - b) <= tol);
}

std::vector<mc_detail::Kernel> kernels() {
  std::vector<mc_detail::Kernel> ks;
  for (auto k : {mc_detail::Kernel::Portable, mc_detail::Kernel::Avx2, mc_detail::Kernel::Avx512})
    if (mc_detail::kernel_available(k)) ks.push_back(k);
  return ks;
}

// the X values of layer l of the kept samples (excluded ones dropped), in sample order
std::vector<double> kept_layer(const McResult& r, int l) {
  std::vector<double> v;
  const McRaw& k = *r.kept;
  const auto j = std::size_t(std::find(k.layers.begin(), k.layers.end(), l) - k.layers.begin());
  for (std::uint64_t i = 0; i < k.count; ++i)
    if (k.state(i, l) == McRaw::kOk) v.push_back(k.value_at(i, j));
  return v;
}

// every statistic of two results is bitwise the same
void check_same(const McResult& a, const McResult& b) {
  REQUIRE(a.layers.size() == b.layers.size());
  auto same = [](double x, double y) { return (std::isnan(x) && std::isnan(y)) || x == y; };
  for (std::size_t l = 0; l < a.layers.size(); ++l) {
    const auto &A = a.layers[l], &B = b.layers[l];
    INFO("layer " << l + 1);
    CHECK(A.count == B.count);
    CHECK(A.dead == B.dead);
    CHECK(A.degenerate == B.degenerate);
    for (auto [x, y] : {std::pair{&A.x, &B.x}, std::pair{&A.theta, &B.theta}}) {
      for (auto f : {&McSummary::mean, &McSummary::stderr_mean, &McSummary::sd, &McSummary::stderr_sd, &McSummary::var,
                     &McSummary::stderr_var, &McSummary::q05, &McSummary::q25, &McSummary::q50, &McSummary::q75,
                     &McSummary::q95, &McSummary::min, &McSummary::max})
        CHECK(same(x->*f, y->*f));
    }
    CHECK(same(A.quantile_error, B.quantile_error));
    CHECK(A.hist == B.hist);
  }
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("relumix_test_mc_" + std::to_string(getpid()) + "_" + name)).string();
}
}  // namespace

TEST_CASE("ARS batches equal Random123's ARS4x32 (7 rounds), in every implementation") {
  // Reference: Random123's r123::ARS4x32 (AES-NI; this file is compiled with -maes and the
  // comparison runs where the CPU has AES-NI), on counters (j mod 2^32, j / 2^32 + layer 2^12,
  // sample lo, hi) and key (seed lo, seed hi, 0, 0); batches that carry into the high word
  // inside a batch, at its start and at its end, and lengths that are not multiples of 8.
  // Every implementation the CPU can run must give the same bits.
  std::vector<mc_detail::ArsImpl> impls;
  for (auto i : {mc_detail::ArsImpl::Software, mc_detail::ArsImpl::AesNi, mc_detail::ArsImpl::Vaes,
                 mc_detail::ArsImpl::Vaes512})
    if (mc_detail::ars_available(i)) impls.push_back(i);
  if (!relumix::cpu_has_aes()) {
    MESSAGE("no AES-NI: Random123's ARS cannot run here (the known answers below still check the software AES)");
    impls.clear();
  }
  long checked = 0;
  for (auto impl : impls) {
    const auto f = mc_detail::ars_function(impl);
    for (std::uint64_t seed : {0ULL, 1ULL, 0x123456789abcdefULL}) {
      auto key = mc_detail::key_of_seed(seed);
      for (std::uint64_t sample : {0ULL, 5ULL, 0xE8D4A50FFFULL}) {  // up to 10^12 - 1: high word used
        for (std::uint32_t layer : {1u, 7u, 1000000u}) {
          for (std::uint64_t j0 : {0ULL, 1000ULL, (1ULL << 32) - 3, (1ULL << 32) - 128, (1ULL << 32) - 129, 5ULL << 32}) {
            for (int m : {1, 7, 37, mc_detail::kBatch}) {
              std::uint32_t o[4][mc_detail::kBatch];
              f(key, j0, layer << 12, std::uint32_t(sample), std::uint32_t(sample >> 32), m, o[0], o[1], o[2], o[3]);
              for (int k = 0; k < m; ++k) {
                std::uint64_t j = j0 + std::uint64_t(k);
                r123::ARS4x32 gen;
                r123::ARS4x32::ctr_type c = {{std::uint32_t(j), std::uint32_t(j >> 32) + (layer << 12),
                                              std::uint32_t(sample), std::uint32_t(sample >> 32)}};
                r123::ARS4x32::key_type kk = {{std::uint32_t(seed), std::uint32_t(seed >> 32), 0, 0}};
                auto r = gen(c, kk);
                INFO("implementation " << mc_detail::ars_name(impl) << ", j0 = " << j0 << ", m = " << m);
                for (int w = 0; w < 4; ++w) CHECK(o[w][k] == r[w]);
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  CHECK((checked > 0 || !relumix::cpu_has_aes()));
  // known answers (Random123's ARS4x32 on this machine), so that the software AES is checked on a
  // CPU without AES-NI too: counter (c1_base carries the second word; j0 the first)
  {
    const auto soft = mc_detail::ars_function(mc_detail::ArsImpl::Software);
    std::uint32_t w[4];
    soft(mc_detail::Key{0, 0}, 0, 0, 0, 0, 1, w, w + 1, w + 2, w + 3);
    CHECK(w[0] == 0xdacf61ffu);
    CHECK(w[1] == 0xc45798f3u);
    CHECK(w[2] == 0x113c7eebu);
    CHECK(w[3] == 0x101e27f3u);
    soft(mc_detail::Key{0xa4093822u, 0x299f31d0u}, 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 1, w, w + 1,
         w + 2, w + 3);
    CHECK(w[0] == 0xb330966au);
    CHECK(w[1] == 0xd599daa5u);
    CHECK(w[2] == 0xca557885u);
    CHECK(w[3] == 0xb5de9cffu);
  }
  // the kernels' wrapper: stream (layer, sample) of the implementation in use
  std::uint32_t o[4][3];
  mc_detail::random_batch(mc_detail::key_of_seed(9), 3, 11, 40, 3, o[0], o[1], o[2], o[3]);
  if (relumix::cpu_has_aes()) {
    r123::ARS4x32 gen;
    auto r = gen({{42, 3u << 12, 11, 0}}, {{9, 0, 0, 0}});
    for (int w = 0; w < 4; ++w) CHECK(o[w][2] == r[w]);
  }
}

TEST_CASE("Box-Muller transform matches the libm formula") {
  r123::Philox4x32 gen;
  for (auto kern : kernels()) {
    const auto& K = mc_detail::kernel_table(kern);
    double worst = 0;
    for (std::uint32_t i = 0; i < 20000; ++i) {
      auto r = gen({{i, 0, 0, 0}}, {{99, 0}});
      double g, z;
      K.box_muller(r[0], r[1], g, z);
      double u = (double(r[0]) + 0.5) / 4294967296.0, phi = 2 * kPi * (double(r[1]) + 0.5) / 4294967296.0;
      double rad = std::sqrt(-2 * std::log(u));
      worst = std::max({worst, std::fabs(g - rad * std::cos(phi)), std::fabs(z - rad * std::sin(phi))});
    }
    CHECK(worst < 1e-12);
    // extreme words: u at both ends of (0, 1)
    for (std::uint32_t a : {0u, 1u, 0xFFFFFFFFu}) {
      double g, z;
      K.box_muller(a, 12345u, g, z);
      double u = (double(a) + 0.5) / 4294967296.0, phi = 2 * kPi * (12345 + 0.5) / 4294967296.0;
      CHECK(g == doctest::Approx(std::sqrt(-2 * std::log(u)) * std::cos(phi)).epsilon(1e-12));
    }
  }
}

TEST_CASE("normal pairs (the vectorized block) equal box_muller of the generator words") {
  // normal_pairs uses call j's words (0, 1) for pair j and words (2, 3) for pair m + j
  for (auto kern : kernels()) {
    const auto& K = mc_detail::kernel_table(kern);
    for (int m : {1, 7, 8, 9, 37, mc_detail::kBatch}) {
      auto key = mc_detail::key_of_seed(77);
      std::vector<double> g(2 * std::size_t(m)), z(2 * std::size_t(m));
      K.normal_pairs(key, 5, 123, 1000, m, g.data(), z.data());
      std::vector<std::uint32_t> w0(std::size_t(m) + 16), w1(w0.size()), w2(w0.size()), w3(w0.size());
      mc_detail::random_batch(key, 5, 123, 1000, m, w0.data(), w1.data(), w2.data(), w3.data());
      double worst = 0;
      for (int k = 0; k < m; ++k) {
        double ga, za, gb, zb;
        K.box_muller(w0[std::size_t(k)], w1[std::size_t(k)], ga, za);
        K.box_muller(w2[std::size_t(k)], w3[std::size_t(k)], gb, zb);
        worst = std::max({worst, std::fabs(g[std::size_t(k)] - ga), std::fabs(z[std::size_t(k)] - za),
                          std::fabs(g[std::size_t(m + k)] - gb), std::fabs(z[std::size_t(m + k)] - zb)});
      }
      INFO("kernel " << K.name << ", m = " << m);
      CHECK(worst < 1e-14);
    }
  }
}

TEST_CASE("normal pairs: moments, independence and KS against the normal CDF") {
  const auto& K = mc_detail::kernel();
  auto key = mc_detail::key_of_seed(2024);
  const int calls = mc_detail::kBatch;
  std::vector<double> g(2 * calls), z(2 * calls), all;
  double sg = 0, sgg = 0, sgz = 0, tail = 0;
  const long batches = long(scaled(400));
  for (long b = 0; b < batches; ++b) {
    K.normal_pairs(key, 3, std::uint64_t(b), 0, calls, g.data(), z.data());
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
      auto c = mc_detail::kernel().neuron_counts(key, 1, std::uint64_t(i), n, theta);
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
  auto c = mc_detail::kernel().neuron_counts(mc_detail::key_of_seed(1), 1, 0, 1000, kPi);
  CHECK(c.both == 0);
  CHECK(c.x + c.y == 1000);
  // every kernel build counts the same (integer work)
  for (auto kern : kernels())
    for (double th : {0.1, 2.0}) {
      auto a = mc_detail::kernel_table(kern).neuron_counts(mc_detail::key_of_seed(5), 3, 17, 5000, th);
      auto b = mc_detail::kernel_table(mc_detail::Kernel::Portable).neuron_counts(mc_detail::key_of_seed(5), 3, 17, 5000, th);
      CHECK(a.x == b.x);
      CHECK(a.y == b.y);
      CHECK(a.both == b.both);
    }
}

namespace {
// The documented use of the words by pair_sums (mc_kernel.hpp), written out again: for the pairs
// p0 .. p0 + np - 1 of a block (p0 a multiple of 3 kBatch), m = ceil(np / 3) rounded up to a
// multiple of 8 calls from p0 / 3, pair k of segment j = k / m (call k mod m) the R^2 word
// a = w_j >> 8 and the angle word b (w3 low, w3 high, the low bytes of w0 and w1); R^2 = -2 ln U, U = float(2a + 1) 2^-25, or for a = 0 U = float(t / 2 | 1) 2^-55
// with t word 0 of call p of stream 0x100.
struct PairWords {
  std::vector<std::uint32_t> a, b;
};
PairWords pair_words_ref(const mc_detail::Key& key, std::uint32_t layer, std::uint64_t sample,
                         long p0, int np) {
  const int m = ((np + 2) / 3 + 7) / 8 * 8;
  std::vector<std::uint32_t> w0(static_cast<std::size_t>(m)), w1 = w0, w2 = w0, w3 = w0;
  mc_detail::random_batch(key, layer, sample, std::uint64_t(p0 / 3), m, w0.data(), w1.data(), w2.data(), w3.data());
  PairWords pw;
  for (int k = 0; k < np; ++k) {
    const int j = k / m;
    const auto i = std::size_t(k % m);
    pw.a.push_back((j == 0 ? w0[i] : j == 1 ? w1[i] : w2[i]) >> 8);
    pw.b.push_back(j == 0 ? w3[i] & 0xFFFFu : j == 1 ? w3[i] >> 16 : (w0[i] & 0xFFu) | (w1[i] & 0xFFu) << 8);
  }
  return pw;
}
long double r2_ref(const mc_detail::Key& key, std::uint32_t layer, std::uint64_t sample, long p,
                   std::uint32_t a) {
  if (a != 0) return -2.0L * std::log((long double)(float(std::int32_t(2 * a + 1))) / 33554432.0L);
  std::uint32_t t[4];
  mc_detail::random_batch(key, layer, sample | (std::uint64_t(0x100) << 48), std::uint64_t(p), 1, t, t + 1, t + 2, t + 3);
  return -2.0L * std::log((long double)(float(std::int32_t((t[0] >> 1) | 1u))) * 0x1p-55L);
}
long double psi_ref(double theta, std::uint32_t b) { return (kPi - theta) / 2 * (2.0L * (long double)(std::int32_t(b) - 32768) + 1) / 65536.0L; }
}  // namespace

TEST_CASE("chain pair sums: every kernel build equals the formulas with libm, to single precision") {
  // Reference: the documented use of the words (pair_words_ref, r2_ref, psi_ref) evaluated with
  // std::log, std::sin, std::cos in long double. The kernels' single-precision transforms are
  // within 1.1e-7 max(1, R^2) of R^2 and 2.5e-7 of cos psi, sin psi (measured over every 4099th
  // word and every 65537th angle word): each term within 6e-7 (R^2 + 1), so each sum within 1e-6
  // of (the sum of R^2 + the number of terms). Includes a block with an R^2 word 0 (the tail).
  auto key = mc_detail::key_of_seed(4242);
  // a sample whose full first block has an R^2 word 0 (2^-24 per pair: ~44000 samples of 384)
  std::uint64_t tail_sample = 0;
  int tail_pair = -1;
  {
    std::vector<std::uint32_t> w(4 * mc_detail::kBatch);
    for (std::uint64_t s = 1; tail_pair < 0; ++s) {
      mc_detail::random_batch(key, 7, s, 0, mc_detail::kBatch, w.data(), w.data() + 128, w.data() + 256, w.data() + 384);
      for (int k = 0; k < 3 * mc_detail::kBatch; ++k)
        if ((w[std::size_t(k)] >> 8) == 0) {
          tail_sample = s;
          tail_pair = k;  // segment k / 128, call k % 128: pair k of the block
        }
    }
    REQUIRE(tail_pair >= 0);
  }
  int tails_seen = 0;
  for (double theta : {0.1, 1.0, 3.0, 1e-8, kPi}) {
    for (auto [cnt, sample] : {std::pair{mc_detail::Counts{3, 2, 11}, std::uint64_t(31)}, std::pair{mc_detail::Counts{30, 5, 700}, std::uint64_t(31)},
                               std::pair{mc_detail::Counts{1, 0, 0}, std::uint64_t(31)}, std::pair{mc_detail::Counts{0, 4, 1}, std::uint64_t(31)},
                               std::pair{mc_detail::Counts{10, 20, 354}, tail_sample}, std::pair{mc_detail::Counts{200, 184, 0}, tail_sample}}) {
      if (theta == kPi) cnt.both = 0;
      const long active = cnt.both + cnt.x + cnt.y;
      long double cc = 0, ss = 0, cs = 0, sx = 0, sy = 0, wsum = 0, ax = 0, ay = 0;
      for (long p0 = 0; p0 < active; p0 += 3 * mc_detail::kBatch) {
        const int np = int(std::min<long>(3 * mc_detail::kBatch, active - p0));
        const PairWords pw = pair_words_ref(key, 7, sample, p0, np);
        for (int k = 0; k < np; ++k) {
          const long p = p0 + k;
          if (pw.a[std::size_t(k)] == 0) ++tails_seen;
          const long double w = r2_ref(key, 7, sample, p, pw.a[std::size_t(k)]);
          const std::uint32_t b = pw.b[std::size_t(k)];
          if (p < cnt.both) {
            const long double psi = psi_ref(theta, b);
            cc += w * std::cos(psi) * std::cos(psi);
            ss += w * std::sin(psi) * std::sin(psi);
            cs += w * std::cos(psi) * std::sin(psi);
            wsum += w + 1;
          } else {
            const long double sa = std::sin(theta * (b + 0.5L) / 65536.0L);
            (p < cnt.both + cnt.x ? sx : sy) += w * sa * sa;
            (p < cnt.both + cnt.x ? ax : ay) += (w + 1) * sa * sa;
          }
        }
      }
      for (auto kern : kernels()) {
        auto got = mc_detail::kernel_table(kern).pair_sums(key, 7, sample, cnt, theta);
        INFO("theta " << theta << " counts " << cnt.x << "," << cnt.y << "," << cnt.both << " sample " << sample
                      << " kernel " << mc_detail::kernel_table(kern).name);
        const double tol = 1e-6 * double(wsum);
        CHECK(std::fabs(got.cc - double(cc)) <= tol);
        CHECK(std::fabs(got.ss - double(ss)) <= tol);
        CHECK(std::fabs(got.cs - double(cs)) <= tol);
        // the one-input sums are O(theta^2): relative accuracy (sin a in double)
        CHECK(std::fabs(got.sx - double(sx)) <= 1e-6 * double(ax));
        CHECK(std::fabs(got.sy - double(sy)) <= 1e-6 * double(ay));
      }
    }
  }
  CHECK(tails_seen >= 5);  // the tail pair in the full block at each of the five angles
}

TEST_CASE("chain pair sums: the single-precision sums agree with the double ones (every count layout)") {
  // pair_sums of the AVX-512 build multiplies and sums the "both" terms in float (16 lanes, a
  // vector may straddle two or, for m = 8, three segments of the words); pair_sums_exact does it
  // in double from the same float factors. Both read the same words, so they agree to float
  // rounding: within 2e-6 of cc + ss (each of ~700 terms off by ~1e-7 of its size), and the
  // one-input sums (double in both) within 1e-12. Counts around every multiple of 8 and 16, one
  // and several blocks; R^2 tail words included (then pair_sums is pair_sums_exact).
  auto key = mc_detail::key_of_seed(5);
  for (auto kern : kernels()) {
    const auto& K = mc_detail::kernel_table(kern);
    for (long both : {1L, 7L, 8L, 15L, 16L, 17L, 24L, 31L, 124L, 128L, 383L, 384L, 385L, 700L})
      for (long x : {0L, 1L, 4L, 9L})
        for (long y : {0L, 2L, 13L})
          for (double th : {1e-9, 0.1, 0.7, 2.0}) {
            for (std::uint64_t s = 0; s < (sanitized() ? 2u : 6u); ++s) {
              const mc_detail::Counts c{x, y, both};
              const auto a = K.pair_sums(key, 3, s, c, th), b = K.pair_sums_exact(key, 3, s, c, th);
              INFO(K.name << " counts " << x << "," << y << "," << both << " theta " << th << " sample " << s);
              const double tol = 2e-6 * (b.cc + b.ss);
              CHECK(std::fabs(a.cc - b.cc) <= tol);
              CHECK(std::fabs(a.ss - b.ss) <= tol);
              CHECK(std::fabs(a.cs - b.cs) <= tol);
              CHECK(std::fabs(a.sx - b.sx) <= 1e-12 * b.sx);
              CHECK(std::fabs(a.sy - b.sy) <= 1e-12 * b.sy);
            }
          }
  }
}

TEST_CASE("chain pair sums: single-precision transforms within their stated error, one pair at a time") {
  // One "both" pair per call (Counts{0, 0, 1}: call 0's words w0 >> 8 and w3 & 0xFFFF): cc, ss, cs
  // against long double, and the mean error of cc + ss = R^2 (cos^2 + sin^2 of the float angle);
  // the worst error over 2^16 draws at several angles.
  auto key = mc_detail::key_of_seed(99);
  const auto& P = mc_detail::kernel_table(mc_detail::Kernel::Portable);
  double worst = 0, bias = 0;
  long count = 0;
  for (double theta : {1e-300, 0.1, 1.5, 3.1}) {
    for (std::uint64_t sample = 0; sample < (sanitized() ? 4096u : 16384u); ++sample) {
      const PairWords pw = pair_words_ref(key, 3, sample, 0, 1);
      const long double r2 = r2_ref(key, 3, sample, 0, pw.a[0]);
      const long double psi = psi_ref(theta, pw.b[0]);
      const auto got = P.pair_sums(key, 3, sample, mc_detail::Counts{0, 0, 1}, theta);
      const double scale = std::max(1.0, double(r2));
      for (auto [g, e] : {std::pair{got.cc, r2 * std::cos(psi) * std::cos(psi)}, std::pair{got.ss, r2 * std::sin(psi) * std::sin(psi)},
                          std::pair{got.cs, r2 * std::cos(psi) * std::sin(psi)}})
        worst = std::max(worst, std::fabs(g - double(e)) / scale);
      bias += double((got.cc + got.ss) - r2);
      ++count;
    }
  }
  INFO("worst error " << worst << " mean error of R^2 " << bias / double(count));
  CHECK(worst <= 6e-7);
  CHECK(std::fabs(bias / double(count)) <= 5e-8);
}

TEST_CASE("kernel builds: avx512 gives the portable numbers to single precision") {
  // The AVX-512 build runs the single-precision pair sums with contraction allowed (family
  // "avx512"): per layer its X differs from the portable one by float rounding (~1e-7), and the
  // difference is carried along the chain (the map contracts it). A neuron whose uniform lies
  // within that distance of a category threshold would split the chains (probability ~1e-4 per
  // layer here); with these seeds it does not.
  const auto& P = mc_detail::kernel_table(mc_detail::Kernel::Portable);
  auto key = mc_detail::key_of_seed(31);
  for (auto kern : kernels()) {
    const auto& K = mc_detail::kernel_table(kern);
    // widths 4 and 8: layers of few active neurons, where the AVX-512 build's single-precision
    // sums are often ill-conditioned and its chain_step takes the double ones
    for (auto [n, s0] : {std::pair{300L, 3u}, std::pair{8L, 0u}, std::pair{4L, 0u}})
    for (std::uint64_t sample = s0; sample < (n == 300 ? 4u : 60u); ++sample)
    for (double th0 : {1e-9, 0.1, 1.5, 3.1}) {
      mc_detail::Step a = mc_detail::chain_start(th0), b = a;
      for (std::uint32_t l = 1; l <= 20; ++l) {
        a = P.chain_step(key, l, sample, n, a);
        b = K.chain_step(key, l, sample, n, b);
        REQUIRE(a.kind == b.kind);
        if (a.kind) break;
        INFO("kernel " << K.name << " width " << n << " sample " << sample << " theta0 " << th0 << " layer " << l);
        if (std::string(K.family) == P.family) {
          CHECK(a.x == b.x);
          CHECK(a.theta == b.theta);
        } else {
          CHECK(std::fabs(a.x - b.x) <= 2e-5 * (1 + std::fabs(a.x)));
        }
      }
    }
  }
}

TEST_CASE("kernel builds: avx2 makes the portable bits (pair sums, counts, chain steps)") {
  // The AVX2 build claims family "portable": the same floating-point operations in the same order.
  if (!mc_detail::kernel_available(mc_detail::Kernel::Avx2)) return;
  const auto& P = mc_detail::kernel_table(mc_detail::Kernel::Portable);
  const auto& A = mc_detail::kernel_table(mc_detail::Kernel::Avx2);
  CHECK(std::string(A.family) == P.family);
  auto key = mc_detail::key_of_seed(2718);
  // pair sums: one block and several, widths that are not multiples of the lanes, every category
  // boundary inside a vector, and the extreme angles
  for (double theta : {1e-12, 0.1, 1.0, 2.5, kPi})
    for (auto cnt : {mc_detail::Counts{1, 1, 1}, mc_detail::Counts{2, 3, 5}, mc_detail::Counts{0, 7, 130},
                     mc_detail::Counts{9, 0, 255}, mc_detail::Counts{100, 101, 400}, mc_detail::Counts{3, 2, 0}})
      for (std::uint64_t sample = 0; sample < 20; ++sample) {
        if (theta == kPi) cnt.both = 0;
        const auto a = P.pair_sums(key, 4, sample, cnt, theta), b = A.pair_sums(key, 4, sample, cnt, theta);
        INFO("theta " << theta << " counts " << cnt.x << "," << cnt.y << "," << cnt.both << " sample " << sample);
        CHECK(a.cc == b.cc);
        CHECK(a.ss == b.ss);
        CHECK(a.cs == b.cs);
        CHECK(a.sx == b.sx);
        CHECK(a.sy == b.sy);
      }
  // category counts: widths with a tail after the last full vector, and the tie path (theta = 2 pi 2^-20)
  for (long n : {2L, 15L, 17L, 256L, 1000L, 4099L})
    for (double th : {0.1, 1.0, 3.1, kPi, 2 * kPi * std::ldexp(1.0, -20)})
      for (std::uint64_t sample = 0; sample < 20; ++sample) {
        const auto a = P.neuron_counts(key, 2, sample, n, th), b = A.neuron_counts(key, 2, sample, n, th);
        CHECK(a.x == b.x);
        CHECK(a.y == b.y);
        CHECK(a.both == b.both);
      }
  // whole chains of the figure-1 width and an odd one
  for (long n : {256L, 37L})
    for (std::uint64_t sample = 0; sample < 40; ++sample) {
      mc_detail::Step a = mc_detail::chain_start(0.1), b = a;
      for (std::uint32_t l = 1; l <= 32; ++l) {
        a = P.chain_step(key, l, sample, n, a);
        b = A.chain_step(key, l, sample, n, b);
        REQUIRE(a.kind == b.kind);
        if (a.kind) break;
        CHECK(a.x == b.x);
        CHECK(a.theta == b.theta);
      }
    }
}

TEST_CASE("histogram counts: 32 bits until a count reaches 2^32, then 64, the same counts") {
  // Against a std::map of the same additions: growth at both ends, a count driven past 2^32 (the
  // switch to 64-bit counts), growth and merges after it, and a merge of a narrow histogram into
  // a wide one and of a wide one into a narrow one.
  std::mt19937_64 rng(11);
  std::map<std::int32_t, std::uint64_t> ref;
  mc_detail::Hist h;
  h.start(-4, 4);
  const auto add = [&](mc_detail::Hist& x, std::map<std::int32_t, std::uint64_t>& m, std::int32_t j, std::uint64_t n) {
    x.add(j, n);
    m[j] += n;
  };
  const auto same = [&](const mc_detail::Hist& x, const std::map<std::int32_t, std::uint64_t>& m) {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const auto j = std::int32_t(x.lo + std::int64_t(i));
      const auto it = m.find(j);
      CHECK(x.at(i) == (it == m.end() ? 0u : it->second));
      total += x.at(i);
    }
    std::uint64_t want = 0;
    for (auto [j, c] : m) want += c;
    CHECK(total == want);  // every count inside the array
  };
  for (int k = 0; k < 2000; ++k) add(h, ref, std::int32_t(rng() % 300) - 150, 1 + rng() % 3);
  CHECK(h.wide.empty());
  same(h, ref);
  add(h, ref, 7, 0xFFFFFFFFull - ref[7]);  // count 2^32 - 1: still 32 bits
  CHECK(h.wide.empty());
  add(h, ref, 7, 1);  // 2^32
  CHECK(!h.wide.empty());
  CHECK(h.counts.empty());
  for (int k = 0; k < 2000; ++k) add(h, ref, std::int32_t(rng() % 1000) - 500, 1 + rng() % 3);
  same(h, ref);
  mc_detail::Hist n;  // narrow, merged into the wide one and the wide one into it
  std::map<std::int32_t, std::uint64_t> nref;
  for (int k = 0; k < 500; ++k) add(n, nref, std::int32_t(rng() % 2000) - 1000, 1);
  mc_detail::Hist both = h;
  both.merge(n);
  std::map<std::int32_t, std::uint64_t> bref = ref;
  for (auto [j, c] : nref) bref[j] += c;
  same(both, bref);
  n.merge(h);
  CHECK(!n.wide.empty());
  same(n, bref);
  // two histograms over the same bins (a run's workers): the dense add, and past 2^32 the switch
  mc_detail::Hist a, b;
  a.start(-64, 64);
  b.start(-64, 64);
  std::map<std::int32_t, std::uint64_t> aref, abref;
  for (int k = 0; k < 3000; ++k) {
    add(a, aref, std::int32_t(rng() % 128) - 64, 1);
    add(b, abref, std::int32_t(rng() % 128) - 64, 1 + rng() % 5);
  }
  for (auto [j, c] : aref) abref[j] += c;
  mc_detail::Hist ab = a;
  ab.merge(b);
  CHECK(ab.wide.empty());
  same(ab, abref);
  add(b, abref, 5, 0xFFFFFFFEull - b.at(std::size_t(5 - b.lo)));  // 2^32 - 2: b stays 32-bit
  CHECK(b.wide.empty());
  REQUIRE(a.at(std::size_t(5 - a.lo)) >= 2);  // with a's count the bin passes 2^32
  ab = a;
  ab.merge(b);
  CHECK(!ab.wide.empty());
  same(ab, abref);
}

TEST_CASE("exact sums: any order, any grouping, the same exact value") {
  std::mt19937_64 rng(7);
  std::vector<double> v;
  std::uniform_real_distribution<double> u(-1, 1);
  for (int i = 0; i < 5000; ++i) v.push_back(std::ldexp(u(rng), int(rng() % 200) - 100));
  v.push_back(1e300);
  v.push_back(-1e300);
  v.push_back(4.9e-324);  // denormal
  v.push_back(-2.2e-308);
  mpq_t exact, q;
  mpq_init(exact);
  mpq_init(q);
  for (double x : v) {
    mpq_set_d(q, x);
    mpq_add(exact, exact, q);
  }
  auto value = [&](const mc_detail::ExactSum& s) {
    mpz_t m;
    mpz_init(m);
    long e;
    s.get(m, e);
    mpq_set_z(q, m);
    if (e >= 0) mpq_mul_2exp(q, q, (mp_bitcnt_t)e);
    else mpq_div_2exp(q, q, (mp_bitcnt_t)-e);
    mpz_clear(m);
    return mpq_equal(q, exact) != 0;
  };
  mc_detail::ExactSum a;
  for (double x : v) a.add(x);
  CHECK(value(a));
  std::shuffle(v.begin(), v.end(), rng);
  mc_detail::ExactSum parts[3];
  for (std::size_t i = 0; i < v.size(); ++i) parts[i % 3].add(v[i]);
  parts[2].merge(parts[0]);
  parts[2].merge(parts[1]);
  CHECK(value(parts[2]));
  // the encoding round-trips
  std::string bytes;
  parts[2].write(bytes);
  mc_detail::ExactSum back;
  std::string_view in = bytes;
  REQUIRE(back.read(in));
  CHECK(in.empty());
  CHECK(value(back));
  std::string bytes2;
  a.write(bytes2);
  CHECK(bytes == bytes2);  // canonical
  mpq_clear(exact);
  mpq_clear(q);
}

TEST_CASE("results do not depend on the thread count, on shards or on the merge order") {
  std::vector<long> w{64, 3, 17, 200};
  for (McMode mode : {McMode::Chain, McMode::Network}) {
    INFO("mode " << mc_mode_name(mode));
    auto o1 = opts(700, 77, mode, 1), o3 = opts(700, 77, mode, 3);
    o1.hist_bins = o3.hist_bins = 9;
    McResult a = run_mc(w, 0.8, o1), b = run_mc(w, 0.8, o3);
    check_same(a, b);
    // three shards as three processes would simulate them, merged in two orders and after a
    // round trip through bytes
    McPlan plan = mc_plan(w, 0.8, o3);
    REQUIRE(plan.blocks() >= 3);
    McState s[3];
    for (int i = 0; i < 3; ++i) s[i] = mc_simulate(plan, mc_shard(plan, i, 3), i == 1 ? o1 : o3);
    McState m1(plan), m2(plan);
    for (int i : {0, 1, 2}) m1.merge(McState::deserialize(plan, s[i].serialize()));
    for (int i : {2, 0, 1}) m2.merge(s[i]);
    CHECK(m1.samples_done() == 700);
    check_same(a, mc_result(plan, m1, o1));
    check_same(a, mc_result(plan, m2, o1));
    // kept samples: the same values whatever the threads, excluded ones NaN
    McResult ka = run_mc(w, 0.8, keep(o1)), kb = run_mc(w, 0.8, keep(o3));
    REQUIRE(ka.kept);
    CHECK(ka.kept->count == 700);
    for (std::size_t i = 0; i < ka.kept->x.size(); ++i)
      CHECK((ka.kept->x[i] == kb.kept->x[i] || (std::isnan(ka.kept->x[i]) && std::isnan(kb.kept->x[i]))));
    check_same(a, ka);
  }
  // and on the seed
  CHECK(run_mc({32}, 0.5, opts(10, 1)).layers[0].x.mean != run_mc({32}, 0.5, opts(10, 2)).layers[0].x.mean);
}

TEST_CASE("streamed statistics equal the exact statistics of the samples") {
  // kept samples give the exact two-pass moments, type-7 quantiles and KS distances; the streamed
  // statistics must agree (moments to rounding, quantiles within quantile_error, KS in [d, d_upper])
  for (auto [widths, th] : {std::pair<std::vector<long>, double>{{256, 256, 256}, 0.1},
                            std::pair<std::vector<long>, double>{{4, 6, 5}, 1.0},
                            std::pair<std::vector<long>, double>{{30, 30}, 1e-200}}) {
    McResult r = run_mc(widths, th, keep(opts(scaled(3000), 12)));
    for (int l = 1; l <= int(widths.size()); ++l) {
      const McLayer& L = r.layers[std::size_t(l - 1)];
      auto v = kept_layer(r, l);
      INFO("widths[0] " << widths[0] << " layer " << l);
      REQUIRE(v.size() == L.count);
      REQUIRE(v.size() > 10);
      Moments m = moments(v);
      CHECK(L.x.mean == doctest::Approx(m.mean).epsilon(1e-13));
      CHECK(L.x.sd == doctest::Approx(m.sd).epsilon(1e-10));
      CHECK(L.x.stderr_mean == doctest::Approx(m.stderr_mean).epsilon(1e-10));
      double m4 = 0;
      for (double x : v) m4 += std::pow(x - m.mean, 4);
      m4 /= double(v.size());
      CHECK(L.x.stderr_var == doctest::Approx(std::sqrt((m4 - m.sd * m.sd * m.sd * m.sd) / double(v.size()))).epsilon(1e-8));
      std::vector<double> th_v;
      for (double x : v) th_v.push_back(theta_of_x(x));
      Moments mt = moments(th_v);
      CHECK(L.theta.mean == doctest::Approx(mt.mean).epsilon(1e-12));
      CHECK(L.theta.sd == doctest::Approx(mt.sd).epsilon(1e-6));
      auto q = quantiles(v, {0.05, 0.25, 0.5, 0.75, 0.95, 0.0, 1.0});
      CHECK(L.quantile_error <= 1e-3 * L.x.sd * 2.5);  // about sd / 1024 in the centre
      CHECK(L.quantile_error > 0);
      int k = 0;
      for (double got : {L.x.q05, L.x.q25, L.x.q50, L.x.q75, L.x.q95}) CHECK(std::fabs(got - q[std::size_t(k++)]) <= L.quantile_error);
      CHECK(L.x.min == q[5]);
      CHECK(L.x.max == q[6]);
      // KS against a Gaussian with the sample's mean and sd: the exact distance lies in [d, d_upper]
      std::sort(v.begin(), v.end());
      auto cdf = [&](double x) { return 0.5 * std::erfc(-(x - m.mean) / (m.sd * std::sqrt(2.0))); };
      const double exact = ks_statistic(v, cdf);
      for (double res : {1e-3, 1e-2}) {
        McKs ks = mc_ks(r, l, cdf, res);
        CHECK(ks.d <= exact + 1e-12);
        CHECK(exact <= ks.d_upper + 1e-12);
        CHECK(ks.d_upper - ks.d <= 3 * res + 2.0 / double(v.size()));
      }
      // histogram: all samples counted, each bin within the samples of the straddling fine bins
      Histogram h = mc_histogram(r, l, 10, L.x.min, L.x.max);
      std::uint64_t total = 0;
      for (auto c : h.counts) total += c;
      CHECK(total == L.count);
      Histogram e = histogram(v, 10, L.x.min, L.x.max);
      for (std::size_t b = 0; b < 10; ++b)
        CHECK(std::fabs(double(h.counts[b]) - double(e.counts[b])) <= 0.01 * double(L.count) + 2);
    }
  }
}

TEST_CASE("statistics of nothing: no sample no mean, one sample no spread") {
  // width 2, many layers: every sample dies or degenerates early
  McResult r = run_mc(std::vector<long>(60, 2), 1.0, opts(40, 3));
  const McLayer& last = r.layers.back();
  REQUIRE(last.count == 0);
  CHECK(last.dead + last.degenerate == 40);
  CHECK(std::isnan(last.x.mean));
  CHECK(std::isnan(last.x.sd));
  CHECK(std::isnan(last.x.q50));
  CHECK(std::isnan(last.x.min));
  CHECK(std::isnan(last.quantile_error));
  auto j = mc_to_json(r, "1");
  CHECK(j["layers"][59]["mean"].is_null());
  CHECK(j["layers"][59]["theta"]["sd"].is_null());
  // one sample: a mean, no sd, no standard errors
  McResult one = run_mc({64, 64}, 0.3, opts(1, 3));
  const McLayer& L = one.layers[1];
  REQUIRE(L.count == 1);
  CHECK(std::isfinite(L.x.mean));
  CHECK(L.x.min == L.x.mean);
  CHECK(L.x.q50 == L.x.mean);
  CHECK(std::isnan(L.x.sd));
  CHECK(std::isnan(L.x.stderr_mean));
  CHECK(std::isnan(L.x.var));
  CHECK(std::isnan(L.x.stderr_var));
  CHECK(L.quantile_error == 0);
  CHECK(std::isnan(z_score(1.0, 0.0, 0.0)));  // a zero stderr measures nothing
  CHECK(z_score(1.0, 0.5, 0.25) == 2.0);
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
    auto r = run_mc({n}, th, keep(opts(scaled(300), 11)));
    // cos theta = sqrt(1 - e^X) for theta in [0, pi/2]
    std::vector<double> c;
    for (double x : kept_layer(r, 1)) c.push_back(std::sqrt(-std::expm1(x)));
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
      check_close(A.x.var, A.x.stderr_var, B.x.var, B.x.stderr_var, "variance of X");
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
  auto step = [](double th) { return run_mc({256, 64}, th, keep(opts(50, 3))); };
  McResult a = step(1e-6), b = step(1e-9), c = step(1e-150);
  for (std::uint64_t i = 0; i < 50; ++i) {
    for (std::size_t l = 0; l < 2; ++l) {
      double da = a.kept->value_at(i, l) - 2 * std::log(1e-6), db = b.kept->value_at(i, l) - 2 * std::log(1e-9),
             dc = c.kept->value_at(i, l) - 2 * std::log(1e-150);
      CHECK(std::fabs(da - db) < 1e-4);
      CHECK(std::fabs(db - dc) < 1e-7);
    }
  }
  // theta's statistics keep their scale (no underflow to a fake zero)
  CHECK(c.layers[1].theta.mean > 1e-151);
  CHECK(c.layers[1].theta.sd > 1e-153);
}

TEST_CASE("single-precision pair sums: the law of X = ln sin^2 theta per layer is a plain double simulation's") {
  // The chain kernel's transforms are single precision (R^2, cos psi, sin psi to ~2e-7). Reference:
  // the chain written out in double with std::mt19937_64 and std::normal_distribution (G, Z
  // standard normal, G' = G cos theta + Z sin theta, ReLU, the Gram determinant for sin^2), no
  // code of relumix. Mean and variance of X per layer within 4.5 standard errors, at the
  // reference cases' widths (16, 64, 256) and angles.
  struct Case {
    long n;
    double theta0;
    int layers;
    std::uint64_t samples;
  };
  const int div = sanitized() ? 8 : 1;
  for (const Case& cs : {Case{16, 0.5, 6, 40000u / div}, Case{64, 0.1, 8, 20000u / div}, Case{256, 0.1, 6, 10000u / div},
                         Case{64, 2.5, 4, 20000u / div}}) {
    std::vector<long> widths(std::size_t(cs.layers), cs.n);
    const McResult r = run_mc(widths, cs.theta0, opts(cs.samples, 777));
    // reference: sums of X, X^2, X^3, X^4 per layer over the samples still alive
    std::vector<long double> s1(std::size_t(cs.layers)), s2 = s1, s3 = s1, s4 = s1;
    std::vector<double> cnt(std::size_t(cs.layers));
    std::mt19937_64 gen(4242 + std::uint64_t(cs.n));
    std::normal_distribution<double> normal;
    std::vector<double> x(std::size_t(cs.n)), y(std::size_t(cs.n));
    for (std::uint64_t i = 0; i < cs.samples; ++i) {
      double c = std::cos(cs.theta0), sn = std::sin(cs.theta0);
      for (int l = 0; l < cs.layers; ++l) {
        double xx = 0, yy = 0, xy = 0;
        for (long k = 0; k < cs.n; ++k) {
          const double g = normal(gen), z = normal(gen);
          const double a = std::max(g, 0.0), b = std::max(c * g + sn * z, 0.0);
          xx += a * a;
          yy += b * b;
          xy += a * b;
        }
        if (!(xx > 0) || !(yy > 0)) break;  // dead: the sample ends
        const double sin2 = (xx * yy - xy * xy) / (xx * yy);
        if (!(sin2 > 0)) break;  // parallel
        const long double X = std::log(sin2);
        s1[std::size_t(l)] += X;
        s2[std::size_t(l)] += X * X;
        s3[std::size_t(l)] += X * X * X;
        s4[std::size_t(l)] += X * X * X * X;
        cnt[std::size_t(l)] += 1;
        c = xy / std::sqrt(xx * yy);
        sn = std::sqrt(sin2);
      }
    }
    double zmax = 0;
    for (int l = 0; l < cs.layers; ++l) {
      const auto L = std::size_t(l);
      const double N = cnt[L];
      const double m = double(s1[L] / N);
      const double v = double(s2[L] / N) - m * m;
      // fourth central moment for the standard error of the variance
      const double m4 = double(s4[L] / N) - 4 * m * double(s3[L] / N) + 6 * m * m * double(s2[L] / N) - 3 * m * m * m * m;
      const McLayer& M = r.layers[L];
      INFO("n " << cs.n << " theta0 " << cs.theta0 << " layer " << l + 1);
      check_close(M.x.mean, M.x.stderr_mean, m, std::sqrt(v / N), "mean of X");
      const double sv = std::sqrt(std::max(m4 - v * v, 0.0) / N);
      check_close(M.x.var, M.x.stderr_var, v, sv, "variance of X");
      zmax = std::max({zmax, std::fabs(M.x.mean - m) / std::hypot(M.x.stderr_mean, std::sqrt(v / N)),
                       std::fabs(M.x.var - v) / std::hypot(M.x.stderr_var, sv)});
    }
    MESSAGE("single precision vs plain double: n = " << cs.n << ", theta0 = " << cs.theta0 << ", " << cs.layers
                                                      << " layers, " << cs.samples << " samples: largest |z| " << zmax);
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
  McResult r = run_mc(widths, double(ref["theta0"]), opts(S, 20240601));
  for (int l = 1; l <= L; ++l) {
    const auto& R = ref["layers"][std::size_t(l - 1)];
    const McLayer& M = r.layers[std::size_t(l - 1)];
    REQUIRE(M.count == S);
    INFO("layer " << l);
    check_close(M.x.mean, M.x.stderr_mean, R["mean"], R["stderr_mean"], "mean");
    // sd within 4% (the criterion); with fewer samples (sanitizers) the tolerance is
    // widened to 4.5 standard errors of the sd
    double tol = std::max(0.04 * double(R["sd"]), sanitized() ? 4.5 * M.x.stderr_sd : 0.0);
    CHECK(std::fabs(M.x.sd - double(R["sd"])) <= tol);
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
    CHECK(theta_of_x(x) == doctest::Approx(th).epsilon(th > 1.5 ? 1e-7 : 1e-12));
  }
  CHECK(theta_of_x(0.0) == kPi / 2);
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
  bad({1000000000000L}, 0.1, opts(1, 1));                     // one layer too wide
  bad({100000, 100000}, 0.1, opts(100000, 1, McMode::Network));  // network mode: far too much work
  bad({1000000000, 1000000000, 1000000000, 1000000000, 1000000000, 1000000000, 1000000000, 1000000000, 1000000000,
       1000000000, 1000000000},
      0.1, opts(1, 1));  // one network too expensive
  bad(std::vector<long>(32, 256), 0.1, keep(opts(kMcMaxSamples, 1)));  // kept storage above the limit
  McOptions kc = keep(opts(10, 1));
  kc.checkpoint = temp_path("never");
  bad({8}, 0.1, kc);  // kept samples and a checkpoint
  CHECK_NOTHROW(check_mc_args({1, 1}, 0.1, opts(10, 1, McMode::Network)));
  CHECK_NOTHROW(check_mc_args(std::vector<long>(32, 256), 0.1, opts(kMcMaxSamples, 1)));  // streamed: any count
  CHECK_THROWS_AS(parse_mc_mode("matrix"), InputError);
  // network mode with width 1 runs
  auto r = run_mc({1, 1}, 1.0, opts(100, 1, McMode::Network));
  CHECK(r.layers[0].count + r.layers[0].dead + r.layers[0].degenerate == 100);
}

TEST_CASE("a stop request interrupts the simulation, or returns the partial result") {
  McPlan plan = mc_plan({256}, 0.1, opts(100000, 1));
  request_stop();
  CHECK_THROWS_AS(mc_simulate(plan, McShard{0, plan.blocks()}, opts(100000, 1)), Interrupted);
  McOptions p = opts(100000, 1);
  p.partial_on_stop = true;
  McState s = mc_simulate(plan, McShard{0, plan.blocks()}, p);
  CHECK(s.interrupted());
  CHECK(s.samples_done() < 100000);
  McResult r = mc_result(plan, s, p);
  CHECK(r.partial);
  CHECK(r.samples_done == s.samples_done());
  stop_flag().store(false);
  CHECK_NOTHROW(run_mc({256}, 0.1, opts(10, 1)));
}

TEST_CASE("checkpoints: resume gives the same bits; other runs, truncated and corrupt files are refused") {
  const std::string file = temp_path("ckpt");
  std::filesystem::remove(file);
  std::vector<long> w{200, 200, 200};  // about 0.5 s on two threads
  const std::uint64_t S = scaled(1000000);
  McOptions o = opts(S, 9, McMode::Chain, 2);
  o.hist_bins = 7;
  const McResult whole = run_mc(w, 0.4, o);
  McOptions c = o;
  c.checkpoint = file;
  c.partial_on_stop = true;
  McPlan plan = mc_plan(w, 0.4, c);
  // a run stopped part-way (the stop comes from the progress callback, as Ctrl-C would), resumed
  int calls = 0;
  c.checkpoint_seconds = 0;  // a checkpoint at every coordinator tick
  c.progress = [&](std::uint64_t done, std::uint64_t) {
    if (++calls == 1 || done > S / 2) request_stop();
  };
  McState first = mc_simulate(plan, McShard{0, plan.blocks()}, c);
  stop_flag().store(false);
  REQUIRE(first.interrupted());
  REQUIRE(std::filesystem::exists(file));
  c.progress = nullptr;
  McState rest = mc_simulate(plan, McShard{0, plan.blocks()}, c);
  CHECK_FALSE(rest.interrupted());
  CHECK(rest.samples_done() == S);
  CHECK(first.samples_done() > 0);
  check_same(whole, mc_result(plan, rest, o));
  // a finished checkpoint resumes to the same result at once
  check_same(whole, mc_result(plan, mc_simulate(plan, McShard{0, plan.blocks()}, c), o));
  // another run: refused, naming the difference; the file is untouched
  const auto size = std::filesystem::file_size(file);
  McOptions other = c;
  other.samples = S + 1000;
  McPlan other_plan = mc_plan(w, 0.4, other);
  try {
    mc_simulate(other_plan, McShard{0, other_plan.blocks()}, other);
    FAIL("accepted a checkpoint of another run");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("another run") != std::string::npos);
    CHECK(std::string(e.what()).find("samples " + std::to_string(S) + " there, " + std::to_string(S + 1000) + " here") !=
          std::string::npos);
  }
  CHECK(std::filesystem::file_size(file) == size);
  // another shard of the same run
  CHECK_THROWS_AS(mc_simulate(plan, mc_shard(plan, 1, 2), c), InputError);
  // truncated, corrupt, not a checkpoint
  std::string bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto refused = [&](const std::string& content, const char* why) {
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << content;
    }
    try {
      mc_simulate(plan, McShard{0, plan.blocks()}, c);
      FAIL("accepted a bad checkpoint: " << why);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(why) != std::string::npos);
    }
  };
  refused(bytes.substr(0, bytes.size() / 2), "truncated");
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 1;
  refused(flipped, "corrupt");
  refused("hello\n", "not a relumix mc checkpoint");
  std::filesystem::remove(file);
  // a checkpoint in a missing directory: refused before any work
  McOptions missing = c;
  missing.checkpoint = temp_path("no/such/dir/ckpt");
  CHECK_THROWS_AS(mc_simulate(plan, McShard{0, plan.blocks()}, missing), InputError);
}

TEST_CASE("memory does not grow with the number of samples") {
  McOptions o = opts(scaled(200000), 1);
  McPlan plan = mc_plan({16, 16, 16}, 0.5, o);
  McState small = mc_simulate(plan, McShard{0, 4}, o);
  McState big = mc_simulate(plan, McShard{0, plan.blocks()}, o);
  // the summaries of 200000 samples are about as large as those of 128
  CHECK(big.serialize().size() < 4 * small.serialize().size() + 200000);
  CHECK(big.serialize().size() < 2000000);
}
