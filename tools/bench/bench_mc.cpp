// Monte Carlo speed (issues 5, 16): the figure-1 case on one and two threads, the generator's raw
// rates, one chain layer in neuron-pairs per second per kernel, network mode, and the long case.
//
//   build/.../tools/bench_mc (Google Benchmark flags, e.g. --benchmark_filter=Figure1)
//
// Figure1/threads:1 is the yardstick of issue 16 against tools/bench/numpy_baseline.py (one
// thread: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1), and Figure1/threads:2 against it;
// `tools/bench/mc_speed.sh` runs both side by side. Chain/<kernel>/<n> compares the kernel
// builds (portable, avx2, avx512) on one layer.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "mc/mc_kernel.hpp"
#include "relumix/mc/mc.hpp"

using namespace relumix;

namespace {
McOptions options(std::uint64_t samples, McMode mode, int threads) {
  McOptions o;
  o.samples = samples;
  o.seed = 1;
  o.mode = mode;
  o.threads = threads;
  return o;
}
}  // namespace

// The paper's figure 1: 5000 chains of 32 layers of width 256, simulation and statistics.
static void Figure1(benchmark::State& state) {
  std::vector<long> w(32, 256);
  auto o = options(5000, McMode::Chain, int(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(run_mc(w, 0.1, o));
  state.counters["pairs_per_s"] = benchmark::Counter(5000.0 * 32 * 256, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(Figure1)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime()->MinTime(1.0);

// The generator alone, one thread: ARS-7 words, for each implementation the CPU runs.
static void RawWords(benchmark::State& state, mc_detail::ArsImpl impl) {
  if (!mc_detail::ars_available(impl)) {
    state.SkipWithError("implementation not available on this CPU");
    return;
  }
  const auto f = mc_detail::ars_function(impl);
  auto key = mc_detail::key_of_seed(1);
  alignas(64) std::uint32_t o[4][mc_detail::kBatch];
  std::uint32_t s = 0;
  for (auto _ : state) {
    f(key, 0, 1u << 12, s++, 0, mc_detail::kBatch, o[0], o[1], o[2], o[3]);
    benchmark::DoNotOptimize(o);
  }
  state.counters["words_per_s"] = benchmark::Counter(4.0 * mc_detail::kBatch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(RawWords, software, mc_detail::ArsImpl::Software);
BENCHMARK_CAPTURE(RawWords, aesni, mc_detail::ArsImpl::AesNi);
BENCHMARK_CAPTURE(RawWords, vaes, mc_detail::ArsImpl::Vaes);
BENCHMARK_CAPTURE(RawWords, vaes512, mc_detail::ArsImpl::Vaes512);

// The generator alone, one thread: standard normal pairs (ARS + Box-Muller), the raw rate.
static void RawNormalPairs(benchmark::State& state) {
  const auto& k = mc_detail::kernel();
  auto key = mc_detail::key_of_seed(1);
  alignas(64) double g[2 * mc_detail::kBatch], z[2 * mc_detail::kBatch];
  std::uint64_t s = 0;
  for (auto _ : state) {
    k.normal_pairs(key, 1, s++, 0, mc_detail::kBatch, g, z);
    benchmark::DoNotOptimize(g);
    benchmark::DoNotOptimize(z);
  }
  state.counters["pairs_per_s"] = benchmark::Counter(2.0 * mc_detail::kBatch, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(RawNormalPairs);

// One chain layer of width n, one thread, for each kernel build the CPU runs: neuron pairs per second.
static void Chain(benchmark::State& state, mc_detail::Kernel kern) {
  if (!mc_detail::kernel_available(kern)) {
    state.SkipWithError("kernel not available on this CPU");
    return;
  }
  const auto& k = mc_detail::kernel_table(kern);
  const long n = state.range(0);
  auto key = mc_detail::key_of_seed(1);
  std::uint64_t s = 0;
  const auto start = mc_detail::chain_start(0.1);
  for (auto _ : state) benchmark::DoNotOptimize(k.chain_step(key, 1, s++, n, start));
  state.counters["pairs_per_s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(Chain, portable, mc_detail::Kernel::Portable)->Arg(256)->Arg(65536);
BENCHMARK_CAPTURE(Chain, avx2, mc_detail::Kernel::Avx2)->Arg(256)->Arg(65536);
BENCHMARK_CAPTURE(Chain, avx512, mc_detail::Kernel::Avx512)->Arg(256)->Arg(65536);

// Network mode (dense Gaussian matrices), figure-1 widths, fewer samples; all cores.
static void Network(benchmark::State& state) {
  std::vector<long> w(32, 256);
  const std::uint64_t S = std::uint64_t(state.range(0));
  auto o = options(S, McMode::Network, 0);
  for (auto _ : state) benchmark::DoNotOptimize(run_mc(w, 0.1, o));
  state.counters["samples_per_s"] = benchmark::Counter(double(S), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weights_per_s"] =
      benchmark::Counter(double(S) * (256.0 * 2 + 31 * 256.0 * 256), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(Network)->Arg(50)->Unit(benchmark::kMillisecond)->UseRealTime();

// The long case of issue 16 scaled down (n = 64, 20 layers): networks per second per core.
static void Long(benchmark::State& state) {
  std::vector<long> w(20, 64);
  const std::uint64_t S = 200000;
  auto o = options(S, McMode::Chain, int(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(run_mc(w, 0.1, o));
  state.counters["networks_per_s_per_core"] =
      benchmark::Counter(double(S) / double(state.range(0)), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(Long)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// The parts of one figure-1 layer (n = 256, theta = 0.1, one thread; compare Chain/<kernel>/256): the
// category counts (32 generator calls and the 16-bit compares), the pair sums of the ~132 active
// neurons (three per call: 48 calls, R^2 and sin/cos in single precision, the sums in double), and
// those 48 calls alone.
static void PartCounts(benchmark::State& state) {
  const auto& k = mc_detail::kernel();
  auto key = mc_detail::key_of_seed(1);
  std::uint64_t s = 0;
  for (auto _ : state) benchmark::DoNotOptimize(k.neuron_counts(key, 1, s++, 256, 0.1));
}
BENCHMARK(PartCounts);
static void PartSums(benchmark::State& state) {
  const auto& k = mc_detail::kernel();
  auto key = mc_detail::key_of_seed(1);
  std::uint64_t s = 0;
  mc_detail::Counts c{4, 4, 124};
  for (auto _ : state) benchmark::DoNotOptimize(k.pair_sums(key, 1, s++, c, 0.1));
}
BENCHMARK(PartSums);
static void PartWords48(benchmark::State& state) {
  auto key = mc_detail::key_of_seed(1);
  alignas(64) std::uint32_t o[4][mc_detail::kBatch];
  std::uint64_t s = 0;
  for (auto _ : state) {
    mc_detail::random_batch(key, 1, s++, 0, 48, o[0], o[1], o[2], o[3]);
    benchmark::DoNotOptimize(o);
  }
}
BENCHMARK(PartWords48);
