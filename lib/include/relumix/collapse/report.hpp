#pragma once
// The reports of the collapse layer as JSON bodies (docs/json.md: the fields of `collapse` and `norm`
// without the envelope), shared by the command line and the Python module.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "relumix/core/progress.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

struct CollapseRequest {
  long width = 2;
  long long depth = 1;
  int digits = 30;
  double bias_std = 0;      // > 0: Monte Carlo
  int inputs = 1;           // 2: Monte Carlo (either input dead or the pair parallel)
  Theta theta0;             // two inputs: their angle, in [0, pi/2] (InputError otherwise)
  bool mc = false;          // Monte Carlo even where the exact law applies
  std::uint64_t samples = 100000, seed = 1;
  bool monte_carlo() const { return mc || bias_std > 0 || inputs == 2; }
};
// {width, depth, digits, method: "exact", probability, survival} or the Monte Carlo's
// {width, depth, method: "monte carlo", inputs, bias_std, [theta0], samples, seed, probability,
//  stderr_probability, collapsed, events | digits, exact_probability}.
nlohmann::ordered_json collapse_report(const CollapseRequest& req, const ProgressFn& progress = {});

// {width, depth, digits, mean, var, mean_per_layer, var_per_layer, no_collapse_probability,
//  [mean_per_layer_closed_form, var_per_layer_closed_form (width <= 32)], [mc {...} when samples > 0]}.
// InputError for an oversized Monte Carlo (checked before the exact part).
nlohmann::ordered_json norm_report(long width, long long depth, int digits, std::uint64_t samples, std::uint64_t seed,
                                   const ProgressFn& progress = {});

}  // namespace relumix
