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

// Every method at `order` (order > 1: the density method with the order-K mean and variance), then the
// Monte Carlo with `mc` (check_mc_args first: InputError before any work), then the KS distances.
// A method that cannot predict (InputError) is kept with its message. Polls stop_requested().
CompareResult run_compare(const std::vector<long>& widths, const Theta& theta0, const std::vector<PredictMethod>& methods,
                          int order, const McOptions& mc);

// The JSON body of `compare` (docs/json.md): widths, theta0, samples, seed, order, mc_seconds, methods,
// unavailable, density_layers, plot (plot_note, or null when empty), files, layers.
nlohmann::ordered_json compare_json(const CompareResult& r, const Theta& theta0, int order,
                                    const std::vector<int>& density_layers, const std::string& plot_note,
                                    const std::vector<std::string>& files);

}  // namespace relumix
