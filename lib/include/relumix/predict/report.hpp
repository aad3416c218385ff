#pragma once
// The settings of a prediction as JSON (docs/json.md: the fields of `predict` and `compare` that
// say which model ran), shared by the command line and the Python module.
#include <nlohmann/json.hpp>

#include "relumix/predict/predict.hpp"

namespace relumix {

// "K(n)" for the accurate model's width-dependent order (order 0), else the order (at least 1).
nlohmann::ordered_json predict_order_json(const PredictOptions& opt);
// For full and density: {model, order}; for density also {mean_model, variance_model} of
// effective_options(opt) ("accurate", or "full"/"linear" and "full"/"baseline"); empty otherwise.
nlohmann::ordered_json predict_settings_json(const PredictOptions& opt);
// Adds a layer's statistics to j (docs/json.md; null for non-finite values): sd, q05, q50, q95
// when the method has a spread, and p_excluded, mean_error, sd_error where the model gives them.
// A key j already holds (e.g. "sd": null) keeps its place.
void add_layer_statistics_json(nlohmann::ordered_json& j, const LayerPrediction& layer);

}  // namespace relumix
