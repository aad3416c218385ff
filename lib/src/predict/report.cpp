// Prediction settings as JSON (predict/report.hpp).
#include "relumix/predict/report.hpp"

#include <algorithm>

namespace relumix {

using Json = nlohmann::ordered_json;

Json predict_order_json(const PredictOptions& o) {
  if (o.model == PredictModel::Accurate && o.order == 0) return "K(n)";
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

}  // namespace relumix
