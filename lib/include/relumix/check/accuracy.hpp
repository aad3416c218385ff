#pragma once
// How good is each order of the 1/n expansion? One layer of width n from an angle theta is
// simulated (chain Monte Carlo, mc.hpp) and the mean and variance of X = ln sin^2 theta' are
// compared with the paper's O(1/n) form (SPEC section 4) and with the cumulant series through
// n^-K (cumulant.hpp), as z-scores: (prediction - simulation) / standard error.
#include <cstdint>
#include <vector>

#include "relumix/mc/mc.hpp"

namespace relumix {

struct AccuracyPrediction {
  int order = 0;  // 0: the paper's O(1/n) form; K >= 1: the cumulant series through n^-K
  double mean = 0, var = 0, z_mean = 0, z_var = 0;  // z: NaN (undefined) when the stderr is 0
};

struct AccuracyPoint {
  long width = 0;
  double theta = 0;
  std::uint64_t count = 0, excluded = 0;  // samples used; dead or degenerate ones
  double mean = 0, var = 0;               // simulated mean and (sample) variance of X
  double stderr_mean = 0, stderr_var = 0; // sqrt(var/count), sqrt((m4 - var^2)/count) (McSummary)
  std::vector<AccuracyPrediction> predictions;  // paper form, then orders 1..max_order
};

// opt.samples samples (opt.seed, opt.threads as for run_mc); max_order in 1..kMaxCumulantOrder. For
// opt.activation other than ReLU the simulation and the series are those of phi_alpha, and there is
// no order 0 (the paper's form is ReLU's).
AccuracyPoint accuracy_point(long width, double theta, unsigned max_order, const McOptions& opt);

}  // namespace relumix
