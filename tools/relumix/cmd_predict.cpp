// relumix predict: layer-by-layer predictions of X = ln sin^2 theta^l for a width sequence
// (methods infinite, linear, full, density), and architecture screening (--architectures FILE).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/architectures.hpp"
#include "relumix/core/error.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/predict/report.hpp"
#include "relumix/io/widths.hpp"

namespace relumix::cli {
namespace {

// a model value in its column; "n/a" where it is undefined (no surviving network)
std::string fmt(double v, const char* f = "%.6f") {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Args {
  std::shared_ptr<WidthsOpt> widths;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<Opt> method, model, architectures;
  std::shared_ptr<IntOpt> order, grid, threads;
  std::shared_ptr<FlagOpt> full_mean, full_variance;
  std::shared_ptr<ActivationOpt> activation;
};

PredictOptions options_of(const Args& a) {
  PredictOptions o;
  o.method = a.method->parse([](const std::string& t) { return parse_predict_method(t); });
  o.model = a.model->parse([](const std::string& t) { return parse_predict_model(t); });
  o.order = a.order->given() ? a.order->as<int>() : 0;
  o.grid_points = a.grid->as<int>();
  o.threads = unsigned(a.threads->value_or(0));
  o.activation = a.activation->value();
  bool dens = o.method == PredictMethod::Density;
  bool paper_linear = o.model == PredictModel::PaperLinear;
  a.full_mean->only_if(dens && paper_linear, "to --method density --model paper-linear");
  a.full_variance->only_if(dens && paper_linear, "to --method density --model paper-linear");
  a.grid->only_if(dens, "to --method density");
  a.order->only_if(o.method == PredictMethod::Full || dens, "to --method full and density");
  a.model->only_if(o.method == PredictMethod::Full || dens, "to --method full and density");
  o.full_mean = a.full_mean->value();
  o.full_variance = a.full_variance->value();
  return effective_options(o);  // paper-linear density at --order K > 1 without --full-*: both
}

std::string order_text(const PredictOptions& o) {
  if (o.model == PredictModel::Accurate && o.order == 0)
    return o.activation.is_relu() ? "K(n) = clamp(floor((n - 2.5)/1.35), 1, 8)"
                                  : "min(K(n), " + std::to_string(kMaxActivationPredictOrder) + ")";
  return std::to_string(std::max(o.order, 1));
}

void run_screen(const Args& a) {
  require(!a.widths->given(), "--architectures and --widths are exclusive");
  auto archs = a.architectures->parse([](const std::string& path) { return parse_architectures(read_text_file(path)); });
  Theta t0 = a.theta0->given() ? a.theta0->value() : parse_theta_checked("pi/2", true);
  PredictOptions o = options_of(a);
  Progress progress("predict", archs.size());
  o.progress = [&](long d, long t) { progress.update(std::uint64_t(d), std::uint64_t(t)); };
  auto res = screen_architectures(archs, t0, o);
  if (globals().json) {
    Json list = Json::array();
    for (const auto& r : res) {
      Json e = {{"rank", r.rank}, {"name", r.arch.name}, {"widths", r.arch.widths}, {"layers", r.layers}, {"mean", num(r.mean)}};
      if (r.sd >= 0) e["sd"] = num(r.sd);
      if (r.p_excluded >= 0) e["p_excluded"] = num(r.p_excluded);
      list.push_back(e);
    }
    Json j = {{"theta0", t0.text}};
    if (!o.activation.is_relu()) j["activation"] = o.activation.name();
    j["method"] = method_name(o.method);
    j.update(predict_settings_json(o));
    j["architectures"] = list;
    emit(j);
    return;
  }
  std::cout << "predicted X = ln sin^2 theta at the output, theta0 = " << t0.text << ", method " << method_name(o.method);
  if (o.method == PredictMethod::Full || o.method == PredictMethod::Density)
    std::cout << ", model " << model_name(o.model) << " (order " << order_text(o) << ")";
  std::cout << " (ranked: largest X = least degenerate first)\n";
  const bool excl = !res.empty() && res.front().p_excluded >= 0;
  std::printf("%5s  %-24s %7s %12s %10s", "rank", "name", "layers", "mean", "sd");
  if (excl) std::printf(" %11s", "p_excluded");
  std::printf("  %s\n", "widths");
  for (const auto& r : res) {
    std::printf("%5d  %-24s %7ld %12s %10s", r.rank, r.arch.name.c_str(), r.layers, fmt(r.mean).c_str(),
                r.sd >= 0 ? fmt(r.sd).c_str() : "-");
    if (excl) std::printf(" %11s", fmt(r.p_excluded, "%.3e").c_str());
    std::printf("  %s\n", format_widths(r.arch.widths).c_str());
  }
}

void run_predict(const Args& a) {
  require(a.widths->given(), "--widths is required (or --architectures FILE)");
  require(a.theta0->given(), "--theta0 is required");
  auto widths = a.widths->value();
  Theta t0 = a.theta0->value();
  PredictOptions o = options_of(a);
  o.keep_densities = false;
  Prediction p;
  {
    Progress progress("predict", widths.size());
    o.progress = [&](long d, long t) { progress.update(std::uint64_t(d), std::uint64_t(t)); };
    p = predict(widths, t0, o);
  }
  const bool dist = o.method == PredictMethod::Density;
  if (globals().json) {
    Json j = {{"widths", widths}, {"depth", widths.size()}, {"theta0", t0.text}};
    if (!o.activation.is_relu()) j["activation"] = o.activation.name();
    j["method"] = method_name(o.method);
    j.update(predict_settings_json(o));
    if (dist) j["grid"] = {{"points", p.grid_points}, {"lo", p.grid_lo}, {"hi", p.grid_hi}};
    Json layers = Json::array();
    for (const auto& L : p.layers) {
      Json e = {{"layer", L.layer}};
      e["theta"] = num(L.theta_mean);
      e["mean"] = num(L.mean);
      add_layer_statistics_json(e, L);
      layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    emit(j);
    return;
  }
  std::cout << "X = ln sin^2 theta^l after l layers; widths " << format_widths(widths) << ", theta0 = " << t0.text;
  if (!o.activation.is_relu()) std::cout << ", activation " << o.activation.name();
  std::cout << ", method " << method_name(o.method);
  if (o.method == PredictMethod::Full) std::cout << ", model " << model_name(o.model) << " (order " << order_text(o) << ")";
  if (dist) {
    std::cout << ", model " << model_name(o.model) << " (";
    if (o.model == PredictModel::Accurate && !o.activation.is_relu())
      std::cout << "cumulant series of order " << order_text(o) << " with the moments of " << o.activation.name()
                << ", no excluded events";
    else if (o.model == PredictModel::Accurate)
      std::cout << "cumulant series of order " << order_text(o) << " anchored to the exact small-angle law, "
                << "statistics of the surviving networks";
    else
      std::cout << "mean " << (o.model == PredictModel::PaperFull || o.full_mean ? "full mu" : "linearized") << ", variance "
                << (o.model == PredictModel::PaperFull || o.full_variance ? "full sigma^2" : "8n/(n+5)^2") << ", order "
                << order_text(o);
    std::cout << "), grid " << p.grid_points << " points on [" << fmt(p.grid_lo, "%.4g") << ", " << fmt(p.grid_hi, "%.4g")
              << "]";
  }
  std::cout << "\n";
  if (dist) {
    const bool acc = !p.layers.empty() && p.layers.front().p_excluded >= 0;
    std::printf("%7s %12s %10s %12s %12s %12s %12s", "layer", "mean", "sd", "q05", "q50", "q95", "E theta");
    if (acc) std::printf(" %11s %10s %10s", "p_excluded", "mean_err", "sd_err");
    std::printf("\n");
    for (const auto& L : p.layers) {
      std::printf("%7d %12s %10s %12s %12s %12s %12s", L.layer, fmt(L.mean).c_str(), fmt(L.sd).c_str(), fmt(L.q05).c_str(),
                  fmt(L.q50).c_str(), fmt(L.q95).c_str(), fmt(L.theta_mean, "%.6g").c_str());
      if (acc)
        std::printf(" %11s %10s %10s", fmt(L.p_excluded, "%.3e").c_str(), fmt(L.mean_error, "%.1e").c_str(),
                    fmt(L.sd_error, "%.1e").c_str());
      std::printf("\n");
    }
    for (const auto& L : p.layers)
      if (!std::isfinite(L.mean)) {
        std::printf("n/a: no surviving network (the predicted p_excluded is 1 to double precision)\n");
        break;
      }
  } else {
    std::printf("%7s %16s %14s\n", "layer", "theta", "mean X");
    for (const auto& L : p.layers)
      std::printf("%7d %16s %14s\n", L.layer, fmt(L.theta_mean, "%.9g").c_str(), fmt(L.mean, "%.9g").c_str());
  }
}

RELUMIX_COMMAND(45, [](CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("predict",
      "layer-by-layer prediction of X = ln sin^2 theta^l for a width sequence (methods infinite, linear,\n"
      "full, density), or a ranked screen of architectures (--architectures FILE)");
  a->widths = add_widths(sub, "widths of layers 1..L: 256x32, 64,128,256, 256x16,128x16", Need::Optional);
  a->theta0 = add_theta0(sub, "input angle in (0, pi]: 0.1, pi/3, 2pi/5 (screening default pi/2)", Need::Optional);
  a->method = add_text(sub, "--method,-m",
                       "density (default): the law of X propagated on a grid; full: the mean-field recursion\n"
                       "X -> mu(theta(X)); linear: the paper's linearized mean; infinite: iterate the infinite-width map",
                       Need::Optional, "density", "METHOD");
  a->model = add_text(sub, "--model",
                      "accurate (default): the cumulant series of order K(n) = clamp(floor((n - 2.5)/1.35), 1, 8) per\n"
                      "layer, anchored to the exact small-angle law, with the excluded mass (p_excluded: dead or\n"
                      "parallel pairs) and survivor statistics; paper-linear: Jakub & Nica's linearized mean and\n"
                      "variance 8n/(n+5)^2; paper-full: their full O(1/n) mu, sigma^2. With --method full the mean\n"
                      "recursion X -> mu(theta(X)) is mean-field (E mu(theta) != mu(E theta)); density accounts for it",
                      Need::Optional, "accurate", "MODEL");
  a->order = add_integer(sub, "--order", "order in 1/n of mu, sigma^2 for full and density (1..8): default K(n) for the\n"
                         "accurate model and 1 (the paper's O(1/n) form) for the paper models; on paper-linear density,\n"
                         "K >= 2 implies --full-mean --full-variance unless one of them is given",
                         1, kMaxCumulantOrder, Need::Optional);
  a->full_mean = add_flag(sub, "--full-mean", "paper-linear density: the full mu(theta, n) instead of the linearized mean");
  a->full_variance = add_flag(sub, "--full-variance", "paper-linear density: sigma^2(theta, n) instead of 8n/(n+5)^2");
  a->grid = add_integer(sub, "--grid", "density: at least this many grid points (more if needed to resolve the kernel)", 3,
                        std::uint64_t(kMaxGridPoints), Need::Optional, 2001);
  a->threads = add_threads(sub);
  a->architectures = add_text(sub, "--architectures", "file with one architecture per line ('name: widths' or 'widths', # comments): ranked output X",
                              Need::Optional, "", "FILE");
  auto activation = add_activation(sub);
  a->activation = activation;
  sub->callback([a] {
    if (a->architectures->given()) run_screen(*a);
    else run_predict(*a);
  });
});

}  // namespace
}  // namespace relumix::cli
