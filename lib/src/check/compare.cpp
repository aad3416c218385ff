// Predictions against the Monte Carlo (check/compare.hpp).
#include "relumix/check/compare.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/predict/report.hpp"

namespace relumix {

using Json = nlohmann::ordered_json;

namespace {
Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
}  // namespace

std::vector<PredictMethod> parse_predict_methods(const std::string& text) {
  std::vector<PredictMethod> out;
  std::string_view list = text;
  std::size_t start = 0, p;
  do {
    p = list.find(',', start);
    std::string t(list.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    out.push_back(parse_predict_method(t));
    start = p + 1;
  } while (p != std::string_view::npos);
  return out;
}

std::vector<int> default_density_layers(int L) {
  std::vector<int> dl = {std::max(1, L / 4), L};
  if (dl[0] == dl[1]) dl.pop_back();
  return dl;
}

CompareResult run_compare(const std::vector<long>& widths, const Theta& theta, const std::vector<PredictMethod>& methods,
                          const PredictOptions& base, const McOptions& opt) {
  const double theta0 = theta.to_double();
  check_mc_args(widths, theta0, opt);
  CompareResult r;
  for (PredictMethod pm : methods) {
    throw_if_stopped();
    CompareMethod m;
    m.method = pm;
    m.name = method_name(pm);
    PredictOptions po = base;
    po.method = pm;
    try {
      m.pred = predict(widths, theta, po);
    } catch (const InputError& e) {
      m.error = e.what();
    }
    r.methods.push_back(std::move(m));
  }
  r.mc = run_mc(widths, theta0, opt);
  const CompareMethod* dens = nullptr;
  for (const auto& m : r.methods)
    if (m.method == PredictMethod::Density && m.pred) dens = &m;
  const int L = int(widths.size());
  r.ks.assign(std::size_t(L), CompareKs{});
  if (dens) {
    for (int l = 1; l <= L; ++l) {
      throw_if_stopped();
      if (r.mc.layers[std::size_t(l - 1)].count == 0) continue;
      // from the Monte Carlo's fine binning: the exact distance of the samples lies in [d, d_upper]
      const McKs k = mc_ks(r.mc, l, [&](double x) { return dens->pred->cdf(l, x); });
      r.ks[std::size_t(l - 1)] = {k.d, k.p, k.d_upper};
    }
  }
  return r;
}

Json compare_json(const CompareResult& r, const Theta& theta, const PredictOptions& po, const std::vector<int>& dl,
                  const std::string& plot_note, const std::vector<std::string>& files) {
  const McResult& mc = r.mc;
  Json layers = Json::array();
  for (const auto& Lr : mc.layers) {
    Json preds = Json::object();
    for (const auto& m : r.methods) {
      if (!m.pred || std::size_t(Lr.layer) > m.pred->layers.size()) continue;
      const auto& P = m.pred->layers[std::size_t(Lr.layer - 1)];
      Json pj = {{"mean", num(P.mean)}, {"sd", nullptr}, {"theta", num(P.theta_mean)}};  // sd null for the mean methods
      add_layer_statistics_json(pj, P);
      preds[m.name] = std::move(pj);
    }
    const auto& K = r.ks[std::size_t(Lr.layer - 1)];
    layers.push_back({{"layer", Lr.layer},
                      {"width", Lr.width},
                      {"mc",
                       {{"count", Lr.count},
                        {"degenerate", Lr.degenerate},
                        {"dead", Lr.dead},
                        {"p_excluded", num(double(Lr.degenerate + Lr.dead) / double(mc.samples))},
                        {"mean", num(Lr.x.mean)},
                        {"sd", num(Lr.x.sd)},
                        {"stderr_mean", num(Lr.x.stderr_mean)},
                        {"q05", num(Lr.x.q05)},
                        {"q50", num(Lr.x.q50)},
                        {"q95", num(Lr.x.q95)},
                        {"theta", num(Lr.theta.mean)},
                        {"stderr_theta", num(Lr.theta.stderr_mean)}}},
                      {"predictions", std::move(preds)},
                      {"ks", {{"d", num(K.d)}, {"d_upper", num(K.d_upper)}, {"p", num(K.p)}}}});
  }
  Json missing = Json::object();
  Json names = Json::array();
  for (const auto& m : r.methods) {
    if (!m.pred) missing[m.name] = m.error;
    else names.push_back(m.name);
  }
  Json j = {{"widths", mc.widths}, {"theta0", theta.text}};
  if (!po.activation.is_relu()) j["activation"] = po.activation.name();
  j.update(Json{
          {"samples", mc.samples},
          {"seed", mc.seed},
          {"model", model_name(po.model)},
          {"order", predict_order_json(po)},
          {"mc_seconds", mc.seconds},
          {"methods", names},
          {"unavailable", missing},
          {"density_layers", dl},
          {"plot", plot_note.empty() ? Json(nullptr) : Json(plot_note)},
          {"files", files},
          {"layers", std::move(layers)}});
  return j;
}

}  // namespace relumix
