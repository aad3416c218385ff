// Benchmarks of certified values and of the double path (issues 3, 18). The certified values'
// yardstick is a plain Arb program (bench_arb, which prints the ratios); the double path's is numpy
// (tools/bench/numpy_moments.py runs BM_DoubleBatch next to numpy). Counters report the CPU time
// per value (time_per_value). Single-threaded (threads = 1) unless the name says otherwise.
#include <benchmark/benchmark.h>

#include <map>
#include <random>

#include "relumix/angle/angle.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

namespace {
const std::vector<Theta>& grid(long n) {
  static std::map<long, std::vector<Theta>> cache;
  auto& g = cache[n];
  if (g.empty()) g = parse_thetas("0:pi:" + std::to_string(n));
  return g;
}

void per_value(benchmark::State& st, std::size_t n) {
  // CPU seconds per value (printed with an SI prefix, e.g. 6.1u = 6.1 us)
  st.counters["time_per_value"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
}  // namespace

// 50 digits, grid 0:pi:10000, (a, b) = (A, B)
static void BM_Grid50(benchmark::State& st) {
  unsigned a = unsigned(st.range(0)), b = unsigned(st.range(1));
  const auto& g = grid(10000);
  moment_values(a, b, {g[1]}, 50, 1);  // build the closed form outside the timing
  for (auto _ : st) benchmark::DoNotOptimize(moment_values(a, b, g, 50, 1));
  per_value(st, g.size());
}
BENCHMARK(BM_Grid50)->Args({1, 1})->Args({3, 3})->Args({5, 5})->Args({6, 3})->Args({10, 0})->Unit(benchmark::kMillisecond);

// same with all hardware threads
static void BM_Grid50_Threads(benchmark::State& st) {
  const auto& g = grid(10000);
  moment_values(5, 5, {g[1]}, 50, 1);
  for (auto _ : st) benchmark::DoNotOptimize(moment_values(5, 5, g, 50, 0));
  per_value(st, g.size());
}
BENCHMARK(BM_Grid50_Threads)->Unit(benchmark::kMillisecond)->UseRealTime();

// 1000 digits, grid 0:pi:200
static void BM_Grid1000(benchmark::State& st) {
  unsigned a = unsigned(st.range(0)), b = unsigned(st.range(1));
  const auto& g = grid(200);
  moment_values(a, b, {g[1]}, 1000, 1);
  for (auto _ : st) benchmark::DoNotOptimize(moment_values(a, b, g, 1000, 1));
  per_value(st, g.size());
}
BENCHMARK(BM_Grid1000)->Args({1, 1})->Args({5, 5})->Args({6, 3})->Unit(benchmark::kMillisecond);

// hard cases: one value each
static void BM_Hard(benchmark::State& st) {
  static const char* th[] = {"1e-30", "pi-1e-4", "pi-1e-20"};
  unsigned a = unsigned(st.range(0)), b = unsigned(st.range(1));
  Theta t = parse_theta_checked(th[st.range(2)]);
  int digits = int(st.range(3));
  moment_value(a, b, t, 10);
  for (auto _ : st) benchmark::DoNotOptimize(moment_value(a, b, t, digits));
  st.SetLabel(std::string(th[st.range(2)]) + ", " + std::to_string(digits) + " digits");
}
BENCHMARK(BM_Hard)
    ->Args({20, 20, 0, 30})->Args({20, 20, 1, 30})->Args({20, 20, 2, 30})->Args({21, 20, 2, 30})
    ->Args({3, 3, 2, 300})->Args({3, 3, 1, 10000})
    ->Unit(benchmark::kMicrosecond);

// double path, batch API: 10^6 angles uniform on [0, pi] (seed 1), one thread; CPU time per value.
// tools/bench/numpy_moments.py runs this next to numpy.
namespace {
const std::vector<double>& random_angles(std::size_t n) {
  static std::vector<double> x;
  if (x.size() != n) {
    std::mt19937_64 g(1);
    std::uniform_real_distribution<double> u(0, 3.141592653589793);
    x.resize(n);
    for (auto& v : x) v = u(g);
  }
  return x;
}
}  // namespace

static void BM_DoubleBatch(benchmark::State& st) {
  MomentDouble m(unsigned(st.range(0)), unsigned(st.range(1)));
  const auto& x = random_angles(1000000);
  std::vector<double> y(x.size());
  for (auto _ : st) {
    m(x, y, 1);
    benchmark::DoNotOptimize(y.data());
  }
  per_value(st, x.size());
}
BENCHMARK(BM_DoubleBatch)->Args({1, 1})->Args({2, 1})->Args({2, 2})->Args({3, 1})->Args({5, 5})->Args({6, 3})->Unit(benchmark::kMillisecond);

// the same on all cores (wall time)
static void BM_DoubleBatch_Threads(benchmark::State& st) {
  MomentDouble m(unsigned(st.range(0)), unsigned(st.range(1)));
  const auto& x = random_angles(1000000);
  std::vector<double> y(x.size());
  for (auto _ : st) {
    m(x, y, 0);
    benchmark::DoNotOptimize(y.data());
  }
  per_value(st, x.size());
}
BENCHMARK(BM_DoubleBatch_Threads)->Args({1, 1})->Args({5, 5})->Unit(benchmark::kMillisecond)->UseRealTime();

// hard angles for the double path: theta within 1e-9 of pi, and below 1e-6
static void BM_DoubleHard(benchmark::State& st) {
  MomentDouble m(unsigned(st.range(0)), unsigned(st.range(1)));
  std::vector<double> x(100000), y(x.size());
  std::mt19937_64 g(2);
  std::uniform_real_distribution<double> u(0, 1);
  for (auto& v : x) v = st.range(2) ? 3.141592653589793 - 1e-9 * u(g) : 1e-6 * u(g);
  for (auto _ : st) {
    m(x, y, 1);
    benchmark::DoNotOptimize(y.data());
  }
  per_value(st, x.size());
  st.SetLabel(st.range(2) ? "pi - [0, 1e-9]" : "[0, 1e-6]");
}
BENCHMARK(BM_DoubleHard)->Args({1, 1, 1})->Args({20, 20, 1})->Args({21, 20, 1})->Args({5, 5, 0})->Unit(benchmark::kMillisecond);

// mu(theta, n) and sigma^2(theta, n) of order 1 (both per angle), batch API on the same 10^6
// angles, one thread; CPU time per angle. numpy_moments.py runs this next to numpy. Range: width n.
static void BM_MuSigma2Batch(benchmark::State& st) {
  const auto& x = random_angles(1000000);
  std::vector<double> mu(x.size()), s2(x.size());
  for (auto _ : st) {
    mu_sigma2_double(x, double(st.range(0)), 1, mu, s2, 1);
    benchmark::DoNotOptimize(mu.data());
    benchmark::DoNotOptimize(s2.data());
  }
  per_value(st, x.size());
}
BENCHMARK(BM_MuSigma2Batch)->Arg(256)->Unit(benchmark::kMillisecond);

// the same at hard angles: (0, 1e-6], pi - [0, 1e-9], pi/2 + [-1e-9, 1e-9]
static void BM_MuSigma2Hard(benchmark::State& st) {
  std::vector<double> x(100000), mu(x.size()), s2(x.size());
  std::mt19937_64 g(2);
  std::uniform_real_distribution<double> u(0, 1);
  const long k = st.range(0);
  for (auto& v : x) v = k == 0 ? 1e-6 * u(g) + 1e-300 : k == 1 ? 3.141592653589793 - 1e-9 * u(g) : 1.5707963267948966 + 2e-9 * (u(g) - 0.5);
  for (auto _ : st) {
    mu_sigma2_double(x, 256, 1, mu, s2, 1);
    benchmark::DoNotOptimize(mu.data());
  }
  per_value(st, x.size());
  st.SetLabel(k == 0 ? "(0, 1e-6]" : k == 1 ? "pi - [0, 1e-9]" : "pi/2 +- 1e-9");
}
BENCHMARK(BM_MuSigma2Hard)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// double path, one angle at a time
static void BM_Double(benchmark::State& st) {
  MomentDouble m(unsigned(st.range(0)), unsigned(st.range(1)));
  std::mt19937_64 g(1);
  std::uniform_real_distribution<double> u(0, 3.0);
  std::vector<double> x(4096);
  for (auto& v : x) v = u(g);
  std::size_t i = 0;
  for (auto _ : st) benchmark::DoNotOptimize(m(x[i++ & 4095]));
}
BENCHMARK(BM_Double)->Args({1, 1})->Args({5, 5})->Args({6, 3});
