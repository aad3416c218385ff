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
#include "relumix/io/widths.hpp"

namespace relumix::cli {
namespace {

std::string fmt(double v, const char* f = "%.6f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Args {
  std::shared_ptr<WidthsOpt> widths;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<Opt> method, architectures;
  std::shared_ptr<IntOpt> order, grid;
  std::shared_ptr<FlagOpt> full_mean, full_variance;
};

PredictOptions options_of(const Args& a) {
  PredictOptions o;
  o.method = a.method->parse([](const std::string& t) { return parse_predict_method(t); });
  o.order = a.order->as<int>();
  o.grid_points = a.grid->as<int>();
  bool dens = o.method == PredictMethod::Density;
  a.full_mean->only_if(dens, "to --method density");
  a.full_variance->only_if(dens, "to --method density");
  a.grid->only_if(dens, "to --method density");
  a.order->only_if(o.method == PredictMethod::Full || dens, "to --method full and density");
  // density with --order K > 1 and neither --full-* flag: both the mean and the variance of order K
  bool both = dens && o.order > 1 && !a.full_mean->value() && !a.full_variance->value();
  o.full_mean = a.full_mean->value() || both;
  o.full_variance = a.full_variance->value() || both;
  return o;
}

Json settings_json(const PredictOptions& o) {
  Json j = Json::object();
  if (o.method == PredictMethod::Full || o.method == PredictMethod::Density) j["order"] = o.order;
  if (o.method == PredictMethod::Density) {
    j["mean_model"] = o.full_mean ? "full" : "linear";
    j["variance_model"] = o.full_variance ? "full" : "baseline";
  }
  return j;
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
      list.push_back(e);
    }
    Json j = {{"theta0", t0.text}, {"method", method_name(o.method)}};
    j.update(settings_json(o));
    j["architectures"] = list;
    emit(j);
    return;
  }
  std::cout << "predicted X = ln sin^2 theta at the output, theta0 = " << t0.text << ", method " << method_name(o.method)
            << " (ranked: largest X = least degenerate first)\n";
  std::printf("%5s  %-24s %7s %12s %10s  %s\n", "rank", "name", "layers", "mean", "sd", "widths");
  for (const auto& r : res)
    std::printf("%5d  %-24s %7ld %12s %10s  %s\n", r.rank, r.arch.name.c_str(), r.layers, fmt(r.mean).c_str(),
                r.sd >= 0 ? fmt(r.sd).c_str() : "-", format_widths(r.arch.widths).c_str());
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
    Json j = {{"widths", widths}, {"depth", widths.size()}, {"theta0", t0.text},
              {"method", method_name(o.method)}};
    j.update(settings_json(o));
    if (dist) j["grid"] = {{"points", p.grid_points}, {"lo", p.grid_lo}, {"hi", p.grid_hi}};
    Json layers = Json::array();
    for (const auto& L : p.layers) {
      Json e = {{"layer", L.layer}};
      if (!dist) e["theta"] = num(L.theta_mean);
      e["mean"] = num(L.mean);
      if (L.sd >= 0) {
        e["sd"] = num(L.sd);
        e["q05"] = num(L.q05);
        e["q50"] = num(L.q50);
        e["q95"] = num(L.q95);
      }
      layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    emit(j);
    return;
  }
  std::cout << "X = ln sin^2 theta^l after l layers; widths " << format_widths(widths) << ", theta0 = " << t0.text
            << ", method " << method_name(o.method);
  if (dist)
    std::cout << " (mean " << (o.full_mean ? "full mu" : "linearized") << ", variance "
              << (o.full_variance ? "full sigma^2" : "8n/(n+5)^2") << ", grid " << p.grid_points << " points on ["
              << fmt(p.grid_lo, "%.4g") << ", " << fmt(p.grid_hi, "%.4g") << "])";
  std::cout << "\n";
  if (dist) {
    std::printf("%7s %12s %10s %12s %12s %12s\n", "layer", "mean", "sd", "q05", "q50", "q95");
    for (const auto& L : p.layers)
      std::printf("%7d %12s %10s %12s %12s %12s\n", L.layer, fmt(L.mean).c_str(), fmt(L.sd).c_str(), fmt(L.q05).c_str(),
                  fmt(L.q50).c_str(), fmt(L.q95).c_str());
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
  a->method = add_text(sub, "--method,-m", "infinite | linear | full | density", Need::Optional, "density", "METHOD");
  a->order = add_order(sub, "order in 1/n of mu, sigma^2 for full and density: 1 = the paper's O(1/n)\n"
                            "form (default), K >= 2 = the cumulant series through n^-K; on density, K >= 2 implies\n"
                            "--full-mean --full-variance unless one of them is given");
  a->full_mean = add_flag(sub, "--full-mean", "density: the full mu(theta, n) instead of the linearized mean");
  a->full_variance = add_flag(sub, "--full-variance", "density: sigma^2(theta, n) instead of 8n/(n+5)^2");
  a->grid = add_integer(sub, "--grid", "density: at least this many grid points (more if needed to resolve the kernel)", 3,
                        std::uint64_t(kMaxGridPoints), Need::Optional, 2001);
  a->architectures = add_text(sub, "--architectures", "file with one architecture per line ('name: widths' or 'widths', # comments): ranked output X",
                              Need::Optional, "", "FILE");
  sub->callback([a] {
    if (a->architectures->given()) run_screen(*a);
    else run_predict(*a);
  });
});

}  // namespace
}  // namespace relumix::cli
