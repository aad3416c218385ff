// Prediction settings as JSON (predict/report.hpp).
#include "relumix/predict/report.hpp"

#include <algorithm>
#include <cmath>

namespace relumix {

using Json = nlohmann::ordered_json;

Json predict_order_json(const PredictOptions& o) {
  if (o.model == PredictModel::Accurate && o.order == 0) return o.activation.is_relu() ? "K(n)" : "min(K(n), " + std::to_string(kMaxActivationPredictOrder) + ")";
  return std::max(o.order, 1);
}

Json predict_settings_json(const PredictOptions& opt) {
  const PredictOptions o = effective_options(opt);
  Json j = Json::object();
  if (o.method == PredictMethod::Full || o.method == PredictMethod::Density) {
    j["model"] = model_name(o.model);
    j["order"] = predict_order_json(o);
  }
  if (o.method == PredictMethod::Density) {
    const bool acc = o.model == PredictModel::Accurate;
    j["mean_model"] = acc ? "accurate" : o.full_mean ? "full" : "linear";
    j["variance_model"] = acc ? "accurate" : o.full_variance ? "full" : "baseline";
  }
  return j;
}

void add_layer_statistics_json(Json& j, const LayerPrediction& L) {
  auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
  if (L.sd >= 0) {
    j["sd"] = num(L.sd);
    j["q05"] = num(L.q05);
    j["q50"] = num(L.q50);
    j["q95"] = num(L.q95);
  }
  if (L.p_excluded >= 0) j["p_excluded"] = num(L.p_excluded);
  if (L.mean_error >= 0) j["mean_error"] = num(L.mean_error);
  if (L.sd_error >= 0) j["sd_error"] = num(L.sd_error);
}

}  // namespace relumix
