#pragma once
// Predictions against the Monte Carlo, layer by layer (`relumix compare`, Python compare()): each
// prediction method, one Monte Carlo run, and per layer the Kolmogorov-Smirnov distance between the
// samples and the density prediction's CDF.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "relumix/mc/mc.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/predict/predict.hpp"

namespace relumix {

struct CompareMethod {
  PredictMethod method;
  std::string name;
  std::optional<Prediction> pred;
  std::string error;  // why it is missing (the prediction's InputError)
};

struct CompareKs {
  double d = std::nan(""), p = std::nan(""), d_upper = std::nan("");  // NaN: no density prediction or no samples
};

struct CompareResult {
  std::vector<CompareMethod> methods;
  McResult mc;
  std::vector<CompareKs> ks;  // ks[l - 1]
};

// The methods of a comma list ("infinite,linear,full,density"); InputError naming a bad one.
std::vector<PredictMethod> parse_predict_methods(const std::string& list);
// The density panels' layers by default: L/4 (at least 1) and L (one of them when equal).
std::vector<int> default_density_layers(int layers);

// Every method with the model and order of `predict` (its method replaced by each in turn; see
// effective_options), then the Monte Carlo with `mc` (check_mc_args first: InputError before any work),
// then the KS distances. A method that cannot predict (InputError) is kept with its message. Polls
// stop_requested().
CompareResult run_compare(const std::vector<long>& widths, const Theta& theta0, const std::vector<PredictMethod>& methods,
                          const PredictOptions& predict, const McOptions& mc);

// The JSON body of `compare` (docs/json.md): widths, theta0, samples, seed, model, order, mc_seconds,
// methods, unavailable, density_layers, plot (plot_note, or null when empty), files, layers (per layer
// the Monte Carlo's statistics with its excluded fraction p_excluded, each prediction with its
// p_excluded, mean_error, sd_error where it has them, and the KS distance).
nlohmann::ordered_json compare_json(const CompareResult& r, const Theta& theta0, const PredictOptions& predict,
                                    const std::vector<int>& density_layers, const std::string& plot_note,
                                    const std::vector<std::string>& files);

}  // namespace relumix
