// Benchmarks of the exact moment engine. Targets (issue 2): J_{100,100} closed form < 50 ms;
// all pairs a, b <= 60 < 2 s; Taylor series of J_{10,10} to theta^100 < 100 ms.
#include <benchmark/benchmark.h>

#include "relumix/moments/moments.hpp"

using namespace relumix;

// From scratch (fresh cache): the whole Price chain (0,0) -> (100,100).
static void BM_ClosedForm_100_100(benchmark::State& st) {
  for (auto _ : st) {
    ClosedFormCache cache;
    benchmark::DoNotOptimize(&cache.get(100, 100));
  }
}
BENCHMARK(BM_ClosedForm_100_100)->Unit(benchmark::kMillisecond);

static void BM_AllPairs_60(benchmark::State& st) {
  for (auto _ : st) {
    ClosedFormCache cache;
    for (unsigned a = 0; a <= 60; ++a)
      for (unsigned b = 0; b <= 60; ++b) benchmark::DoNotOptimize(&cache.get(a, b));
  }
}
BENCHMARK(BM_AllPairs_60)->Unit(benchmark::kMillisecond);

static void BM_TaylorSeries_10_10_order100(benchmark::State& st) {
  closed_form(10, 10);
  for (auto _ : st) benchmark::DoNotOptimize(taylor_series(10, 10, 100));
}
BENCHMARK(BM_TaylorSeries_10_10_order100)->Unit(benchmark::kMillisecond);

static void BM_Fourier_30_30(benchmark::State& st) {
  for (auto _ : st) benchmark::DoNotOptimize(closed_form_fourier(30, 30));
}
BENCHMARK(BM_Fourier_30_30)->Unit(benchmark::kMillisecond);
