// relumix predict: layer-by-layer predictions of X = ln sin^2 theta^l for a width sequence
// (methods infinite, linear, full, density), and architecture screening (--architectures FILE).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/io/widths.hpp"

namespace relumix::cli {
namespace {

// Run-length form of a width sequence: "256x32", "256x16,128x16", "64,128,256".
std::string compact_widths(const std::vector<long>& w) {
  std::string s;
  for (std::size_t i = 0; i < w.size();) {
    std::size_t j = i;
    while (j < w.size() && w[j] == w[i]) ++j;
    if (!s.empty()) s += ",";
    s += std::to_string(w[i]);
    if (j - i > 1) s += "x" + std::to_string(j - i);
    i = j;
  }
  return s;
}

std::string fmt(double v, const char* f = "%.6f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

struct Args {
  std::string widths, theta0, method = "density", order = "1", grid = "2001", architectures;
  bool full_mean = false, full_variance = false;
  bool order_given = false, grid_given = false;
};

PredictOptions options_of(const Args& a) {
  PredictOptions o;
  o.method = parse_predict_method(a.method);
  o.order = int(parse_uint(a.order, "--order", 8));
  require(o.order >= 1, "--order must be at least 1");
  o.grid_points = int(parse_uint(a.grid, "--grid", kMaxGridPoints));
  require(o.grid_points >= 3, "--grid must be at least 3");
  bool dens = o.method == PredictMethod::Density;
  require(dens || (!a.full_mean && !a.full_variance), "--full-mean and --full-variance apply to --method density");
  require(dens || !a.grid_given, "--grid applies to --method density");
  require(!a.order_given || o.method == PredictMethod::Full || dens, "--order applies to --method full and density");
  // density with --order K > 1 and neither --full-* flag: both the mean and the variance of order K
  bool both = dens && o.order > 1 && !a.full_mean && !a.full_variance;
  o.full_mean = a.full_mean || both;
  o.full_variance = a.full_variance || both;
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
  require(a.widths.empty(), "--architectures and --widths are exclusive");
  std::ifstream f(a.architectures);
  require(bool(f), "cannot read architectures file '" + a.architectures + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  auto archs = parse_architectures(ss.str());
  Theta t0 = parse_theta_checked(a.theta0.empty() ? "pi/2" : a.theta0, true);
  PredictOptions o = options_of(a);
  Progress progress("predict", long(archs.size()));
  o.progress = [&](long d, long) { progress.update(d); };
  auto res = screen_architectures(archs, t0, o);
  if (globals().json) {
    Json list = Json::array();
    for (const auto& r : res) {
      Json e = {{"rank", r.rank}, {"name", r.arch.name}, {"widths", r.arch.widths}, {"layers", r.layers}, {"mean", r.mean}};
      if (r.sd >= 0) e["sd"] = r.sd;
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
                r.sd >= 0 ? fmt(r.sd).c_str() : "-", r.arch.widths.c_str());
}

void run_predict(const Args& a) {
  require(!a.widths.empty(), "--widths is required (or --architectures FILE)");
  require(!a.theta0.empty(), "--theta0 is required");
  auto widths = parse_widths(a.widths, 2);
  Theta t0 = parse_theta_checked(a.theta0, true);
  PredictOptions o = options_of(a);
  o.keep_densities = false;
  Prediction p;
  {
    Progress progress("predict", long(widths.size()));
    o.progress = [&](long d, long) { progress.update(d); };
    p = predict(widths, t0, o);
  }
  const bool dist = o.method == PredictMethod::Density;
  if (globals().json) {
    Json j = {{"widths", compact_widths(widths)}, {"depth", widths.size()}, {"theta0", t0.text},
              {"method", method_name(o.method)}};
    j.update(settings_json(o));
    if (dist) j["grid"] = {{"points", p.grid_points}, {"lo", p.grid_lo}, {"hi", p.grid_hi}};
    Json layers = Json::array();
    for (const auto& L : p.layers) {
      Json e = {{"layer", L.layer}};
      if (!dist) e["theta"] = L.theta_mean;
      e["mean"] = L.mean;
      if (L.sd >= 0) {
        e["sd"] = L.sd;
        e["q05"] = L.q05;
        e["q50"] = L.q50;
        e["q95"] = L.q95;
      }
      layers.push_back(std::move(e));
    }
    j["layers"] = std::move(layers);
    emit(j);
    return;
  }
  std::cout << "X = ln sin^2 theta^l after l layers; widths " << compact_widths(widths) << ", theta0 = " << t0.text
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
  sub->add_option("--widths,-w", a->widths, "widths of layers 1..L: 256x32, 64,128,256, 256x16,128x16");
  sub->add_option("--theta0,-t", a->theta0, "input angle in (0, pi]: 0.1, pi/3, 2pi/5 (screening default pi/2)");
  sub->add_option("--method,-m", a->method, "infinite | linear | full | density")->default_val("density");
  auto* order = sub->add_option("--order,-k", a->order, "1/n order 1..8 of mu, sigma^2 for full and density: 1 = the paper's O(1/n)\n"
                                "form (default), K >= 2 = the cumulant series through n^-K; on density, K >= 2 implies\n"
                                "--full-mean --full-variance unless one of them is given");
  sub->add_flag("--full-mean", a->full_mean, "density: the full mu(theta, n) instead of the linearized mean");
  sub->add_flag("--full-variance", a->full_variance, "density: sigma^2(theta, n) instead of 8n/(n+5)^2");
  auto* grid = sub->add_option("--grid", a->grid,
                               "density: at least this many grid points, default 2001 (more if needed to resolve the kernel)");
  sub->add_option("--architectures", a->architectures,
                  "file with one architecture per line ('name: widths' or 'widths', # comments): ranked output X");
  sub->callback([a, order, grid] {
    a->order_given = order->count() > 0;
    a->grid_given = grid->count() > 0;
    if (!a->architectures.empty()) run_screen(*a);
    else run_predict(*a);
  });
});

}  // namespace
}  // namespace relumix::cli
