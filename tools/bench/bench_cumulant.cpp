// Benchmarks of the cumulant expansion (issue 6). Targets: order-3 coefficients at one theta with
// 50 digits < 1 s; the exact theta-series to theta^10 at order 3 < 10 s. The order-K plan (the
// theta-independent part) is built once per process; the first iteration includes it.
#include <benchmark/benchmark.h>

#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

// certified mu and sigma^2 through n^-3 at theta = 0.1, n = 64, 50 digits (what `angle --order 3` does)
static void BM_Order3_50digits(benchmark::State& st) {
  Theta t = parse_theta("0.1");
  for (auto _ : st) benchmark::DoNotOptimize(angle_values(t, Rational(64), 50, 3));
}
BENCHMARK(BM_Order3_50digits)->Unit(benchmark::kMillisecond);

// the exact theta-series of the order 1..3 coefficients to theta^10, over Q[1/pi]
static void BM_Series_Order3_Theta10(benchmark::State& st) {
  for (auto _ : st) benchmark::DoNotOptimize(cumulant_series(3, 10));
}
BENCHMARK(BM_Series_Order3_Theta10)->Unit(benchmark::kMillisecond);

// the double path used by predict (new angle each time: no cache hit)
static void BM_Double_OrderK(benchmark::State& st) {
  unsigned K = unsigned(st.range(0));
  double th = 0.1;
  for (auto _ : st) {
    th = th < 3 ? th + 1e-3 : 0.1;
    benchmark::DoNotOptimize(cumulant_double(th, K).mu(64));
  }
}
BENCHMARK(BM_Double_OrderK)->Arg(2)->Arg(3)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);
