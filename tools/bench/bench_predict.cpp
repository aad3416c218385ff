// Density propagation: banded engine vs the dense N x N quadrature matrix a notebook would use.
// Case: the figure-1 setting (n = 256, 32 layers, theta0 = 0.1, linearized mean, sd^2 = 8n/(n+5)^2).
//   BM_DensityDense/10000     dense 10,000-point matrix (built once: one width), 32 mat-vecs
//   BM_DensityBanded/N        banded engine on N points (2001 = the CLI default), same answer to 1e-6
// Each benchmark reports the layer-30 mean/sd/q95 as counters, and BM_DensityAgreement reports the
// largest difference between the banded default grid and the dense 10,000-point result.
#include <benchmark/benchmark.h>

#include <cmath>

#include "relumix/predict/predict.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/angles.hpp"

using namespace relumix;

namespace {
const std::vector<long> kWidths(32, 256);

Prediction run(long points, bool dense) {
  PredictOptions o;
  o.grid_points = int(points);
  o.dense_reference = dense;
  o.keep_densities = false;
  return predict(kWidths, parse_theta("0.1"), o);
}

void report(benchmark::State& st, const Prediction& p) {
  const auto& L = p.layers[29];
  st.counters["grid"] = double(p.grid_points);
  st.counters["mean30"] = L.mean;
  st.counters["sd30"] = L.sd;
  st.counters["q95_30"] = L.q95;
}

void BM_DensityDense(benchmark::State& st) {
  Prediction p;
  for (auto _ : st) p = run(st.range(0), true);
  report(st, p);
}
BENCHMARK(BM_DensityDense)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_DensityBanded(benchmark::State& st) {
  Prediction p;
  for (auto _ : st) p = run(st.range(0), false);
  report(st, p);
}
BENCHMARK(BM_DensityBanded)->Arg(2001)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_DensityAgreement(benchmark::State& st) {
  double d = 0;
  for (auto _ : st) {
    Prediction a = run(2001, false), b = run(10000, true);
    d = 0;
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
      const auto &x = a.layers[l], &y = b.layers[l];
      d = std::max({d, std::fabs(x.mean - y.mean), std::fabs(x.sd - y.sd), std::fabs(x.q05 - y.q05),
                    std::fabs(x.q50 - y.q50), std::fabs(x.q95 - y.q95)});
    }
  }
  st.counters["max_abs_diff"] = d;
}
BENCHMARK(BM_DensityAgreement)->Unit(benchmark::kMillisecond)->Iterations(1);

// Other methods, for scale
void BM_PredictLinear1M(benchmark::State& st) {
  PredictOptions o;
  o.method = PredictMethod::Linear;
  std::vector<long> w(1000000, 256);
  for (auto _ : st) benchmark::DoNotOptimize(predict(w, parse_theta("0.1"), o));
}
BENCHMARK(BM_PredictLinear1M)->Unit(benchmark::kMillisecond);

void BM_PredictFull32(benchmark::State& st) {
  PredictOptions o;
  o.method = PredictMethod::Full;
  for (auto _ : st) benchmark::DoNotOptimize(predict(kWidths, parse_theta("0.1"), o));
}
BENCHMARK(BM_PredictFull32)->Unit(benchmark::kMillisecond);

void BM_DensityFullMeanVariance(benchmark::State& st) {
  PredictOptions o;
  o.full_mean = o.full_variance = true;
  o.keep_densities = false;
  Prediction p;
  for (auto _ : st) p = predict(kWidths, parse_theta("0.1"), o);
  report(st, p);
}
BENCHMARK(BM_DensityFullMeanVariance)->Unit(benchmark::kMillisecond)->Iterations(1);
}  // namespace
