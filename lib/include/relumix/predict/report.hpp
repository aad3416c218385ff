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

}  // namespace relumix
