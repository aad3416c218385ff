// relumix compare: the predictions of the angle decay (infinite, linear, full, density) against
// the Monte Carlo, layer by layer, with the Kolmogorov-Smirnov distance between the simulated
// layer and the predicted density, and a gnuplot figure (SVG) when gnuplot is installed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <unistd.h>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/check/compare.hpp"
#include "relumix/predict/report.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/mc/stats.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/widths.hpp"

namespace relumix::cli {

namespace {

struct CompareArgs {
  std::shared_ptr<WidthsOpt> widths;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<IntOpt> samples, seed, order, threads, bins;
  std::shared_ptr<Opt> methods, density_layers, model;
  std::shared_ptr<OutputFileOpt> plot;
  std::shared_ptr<ActivationOpt> activation;
};

using MethodResult = CompareMethod;

std::string fmt(double v, const char* f = "%.5f") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string dat(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool on_path(const std::string& prog) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::stringstream ss(path);
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    std::error_code ec;
    auto p = std::filesystem::path(dir) / prog;
    if (std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Writes the data files and the gnuplot script next to `svg`; runs gnuplot when available.
// Returns the list of files written and a note.
std::pair<std::vector<std::string>, std::string> write_figure(const std::string& svg, const McResult& mc,
                                                              const std::vector<MethodResult>& ms,
                                                              const std::vector<int>& dl, int bins,
                                                              const std::string& title) {
  std::filesystem::path out(svg);
  std::filesystem::path stem = out.parent_path() / out.stem();
  std::vector<std::string> files;
  auto open = [&](const std::string& name) {
    std::ofstream f(name);
    require(bool(f), "cannot write " + name);
    files.push_back(name);
    return f;
  };
  // per-layer means and sds
  std::string layers_file = stem.string() + "_layers.dat";
  {
    auto f = open(layers_file);
    f << "# layer mc_mean mc_sd mc_stderr";
    for (const auto& m : ms) f << ' ' << m.name << "_mean " << m.name << "_sd";
    f << "\n";
    for (const auto& L : mc.layers) {
      f << L.layer << ' ' << dat(L.x.mean) << ' ' << dat(L.x.sd) << ' ' << dat(L.x.stderr_mean);
      for (const auto& m : ms) {
        if (m.pred && std::size_t(L.layer) <= m.pred->layers.size()) {
          const auto& P = m.pred->layers[std::size_t(L.layer - 1)];
          f << ' ' << dat(P.mean) << ' ' << dat(P.sd >= 0 ? P.sd : std::nan(""));
        } else {
          f << " NaN NaN";
        }
      }
      f << "\n";
    }
  }
  // densities at the chosen layers: MC histogram (normalized) and the predicted density
  const MethodResult* dens = nullptr;
  for (const auto& m : ms)
    if (m.method == PredictMethod::Density && m.pred && !m.pred->grid.empty()) dens = &m;
  std::vector<std::string> hist_files, dens_files;
  std::vector<std::pair<double, double>> ranges;  // x range of each density panel (MC range + 15%)
  for (int l : dl) {
    std::string hf = stem.string() + "_hist_L" + std::to_string(l) + ".dat";
    const McLayer& ml = mc.layers[std::size_t(l - 1)];
    auto f = open(hf);
    f << "# layer " << l << ": x density (MC histogram, " << ml.count << " samples)\n";
    if (ml.count > 0) {
      const bool spread = ml.x.min < ml.x.max;
      Histogram h = mc_histogram(mc, l, bins, spread ? ml.x.min : ml.x.min - 0.5, spread ? ml.x.max : ml.x.max + 0.5);
      double w = h.width(), n = double(ml.count);
      for (std::size_t k = 0; k < h.counts.size(); ++k)
        f << dat(h.lo + (double(k) + 0.5) * w) << ' ' << dat(double(h.counts[k]) / (n * w)) << "\n";
      ranges.emplace_back(h.lo - 0.15 * (h.hi - h.lo), h.hi + 0.15 * (h.hi - h.lo));
    } else {
      ranges.emplace_back(std::nan(""), std::nan(""));
    }
    hist_files.push_back(hf);
    std::string df = stem.string() + "_density_L" + std::to_string(l) + ".dat";
    auto g = open(df);
    g << "# layer " << l << ": x predicted density (density method)\n";
    if (dens && std::size_t(l) <= dens->pred->density.size()) {
      const auto& d = dens->pred->density[std::size_t(l - 1)];
      for (std::size_t i = 0; i < dens->pred->grid.size() && i < d.size(); ++i)
        g << dat(dens->pred->grid[i]) << ' ' << dat(d[i]) << "\n";
    }
    dens_files.push_back(df);
  }
  // gnuplot script
  std::string gp = stem.string() + ".gp";
  {
    auto f = open(gp);
    f << "# relumix compare: " << title << "\n";
    f << "set encoding utf8\n";  // theta as the character itself: SVG viewers rarely have the Symbol font
    f << "set terminal svg size 1500,500 dynamic enhanced font 'Helvetica,12' background rgb 'white'\n";
    f << "set output '" << out.string() << "'\n";
    f << "set multiplot layout 1,3 title '" << title << "'\n";
    f << "set key left bottom\nset xlabel 'layer l'\nset ylabel 'ln sin^2 \u03b8^l'\nset grid\n";
    f << "set style fill transparent solid 0.15 noborder\n";
    f << "plot ";
    int col = 5, k = 0;
    const char* colors[] = {"#1f77b4", "#2ca02c", "#9467bd", "#d62728"};
    bool first = true;
    for (const auto& m : ms) {
      std::string c = colors[k++ % 4];
      if (m.pred) {
        if (m.method != PredictMethod::Infinite) {
          f << (first ? "" : ", ") << "'" << layers_file << "' using 1:($" << col << "-$" << col + 1 << "):($" << col
            << "+$" << col + 1 << ") with filledcurves lc rgb '" << c << "' notitle";
          first = false;
        }
        f << (first ? "" : ", ") << "'" << layers_file << "' using 1:" << col << " with lines lw 2 lc rgb '" << c
          << "' title '" << m.name << "'";
        first = false;
      }
      col += 2;
    }
    f << (first ? "" : ", ") << "'" << layers_file
      << "' using 1:2:3 with yerrorbars pt 7 ps 0.5 lc rgb 'black' title 'Monte Carlo (mean, sd)'\n";
    for (std::size_t i = 0; i < dl.size(); ++i) {
      f << "set xlabel 'ln sin^2 \u03b8^{" << dl[i] << "}'\nset ylabel 'density'\nset key below horizontal\n";
      if (std::isfinite(ranges[i].first)) f << "set xrange [" << dat(ranges[i].first) << ":" << dat(ranges[i].second) << "]\n";
      else f << "set autoscale x\n";
      f << "plot '" << hist_files[i] << "' using 1:2 with histeps lw 2 lc rgb 'black' title 'Monte Carlo, layer "
        << dl[i] << "'";
      if (dens) f << ", '" << dens_files[i] << "' using 1:2 with lines lw 2 lc rgb '#d62728' title 'predicted density'";
      f << "\n";
    }
    f << "unset multiplot\n";
  }
  if (!on_path("gnuplot"))
    return {files, "gnuplot not found on PATH: no figure drawn; data files and the gnuplot script " + gp +
                       " are written (run `gnuplot " + gp + "` to draw " + out.string() + ")"};
  std::string cmd = "gnuplot '" + gp + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string log;
  if (p) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) log += buf;
  }
  int rc = p ? pclose(p) : -1;
  if (rc != 0 || !std::filesystem::exists(out)) {
    for (auto& ch : log)
      if (ch == '\n') ch = ' ';
    throw InputError("gnuplot failed on " + gp + ": " + log);
  }
  files.push_back(out.string());
  return {files, "figure written to " + out.string()};
}

void run(const CompareArgs& a) {
  auto widths = a.widths->value();
  Theta theta = a.theta0->value();
  double theta0 = theta.to_double();
  require(theta0 >= kMcMinTheta0, "--theta0: ", theta.text,
          " is below 1e-290, where the Monte Carlo reaches subnormal doubles");
  const std::uint64_t samples = a.samples->value(), seed = a.seed->value();
  const int order = a.order->given() ? a.order->as<int>() : 0;  // 0: by model (accurate K(n), paper 1)
  const PredictModel model = a.model->parse([](const std::string& t) { return parse_predict_model(t); });
  const int threads = int(a.threads->value_or(0));
  const int bins = a.bins->as<int>();
  const int L = int(widths.size());
  // density layers: default L/4 (at least 1) and L
  std::vector<int> dl;
  if (!a.density_layers->given()) {
    dl = default_density_layers(L);
  } else {
    // 1 or 2 layers: the figure has two density panels
    for (auto l : a.density_layers->parse([&](const std::string& t) { return parse_integer_list(t, 1, std::uint64_t(L), 2); }))
      dl.push_back(int(l));
  }
  const std::vector<PredictMethod> methods = a.methods->parse([](const std::string& t) { return parse_predict_methods(t); });
  const std::string plot = a.plot->given() ? a.plot->value() : "";

  McOptions opt;
  opt.samples = samples;
  opt.seed = seed;
  opt.threads = threads;
  PredictOptions po;
  po.model = model;
  po.order = order;
  po.activation = opt.activation = a.activation->value();
  CompareResult r;
  {
    Progress progress("mc", samples);
    opt.progress = progress.fn();
    r = run_compare(widths, theta, methods, po, opt);
  }
  const std::vector<MethodResult>& ms = r.methods;
  const McResult& mc = r.mc;
  const std::vector<CompareKs>& ks = r.ks;
  const MethodResult* dens = nullptr;
  for (const auto& m : ms)
    if (m.method == PredictMethod::Density && m.pred) dens = &m;

  std::vector<std::string> files;
  std::string plot_note;
  std::ostringstream title;
  title << "widths " << format_widths(widths) << ", theta0 = " << theta.text << ", " << samples << " samples";
  if (!po.activation.is_relu()) title << ", " << po.activation.name();
  if (!plot.empty()) std::tie(files, plot_note) = write_figure(plot, mc, ms, dl, bins, title.str());

  if (globals().json) {
    emit(compare_json(r, theta, po, dl, plot.empty() ? "" : plot_note, files));
    if (!plot.empty()) std::cerr << "relumix compare: " << plot_note << "\n";
    return;
  }
  const Json order_json = predict_order_json(po);
  const std::string order_text = order_json.is_string() ? order_json.get<std::string>() : std::to_string(order_json.get<int>());
  std::printf("relumix compare: widths %s (%d layers), theta0 = %s, %llu samples, seed %llu, model %s, order %s%s\n",
              format_widths(widths).c_str(), L, theta.text.c_str(), (unsigned long long)samples, (unsigned long long)seed,
              model_name(model).c_str(), order_text.c_str(),
              po.activation.is_relu() ? "" : (", activation " + po.activation.name()).c_str());
  std::printf("X = ln sin^2 theta^l: Monte Carlo (mean +- stderr, sd) vs predicted mean [sd]; KS: simulated layer vs predicted density\n");
  const bool excl = dens && !dens->pred->layers.empty() && dens->pred->layers.front().p_excluded >= 0;
  if (excl) std::printf("excluded: fraction of simulated networks dead or degenerate by the layer, and the density's p_excluded\n");
  for (const auto& m : ms)
    if (!m.pred) std::printf("  %s: not available (%s)\n", m.name.c_str(), m.error.c_str());
  std::printf("%5s %7s %18s %8s", "layer", "count", "mc mean", "mc sd");
  for (const auto& m : ms)
    if (m.pred) std::printf(" %19s", m.name.c_str());
  if (dens) std::printf(" %8s %9s", "KS d", "KS p");
  if (excl) std::printf(" %10s %10s", "mc excl", "p_excl");
  std::printf("\n");
  for (const auto& Lr : mc.layers) {
    std::string mcm = fmt(Lr.x.mean) + "+-" + fmt(Lr.x.stderr_mean, "%.4f");
    std::printf("%5d %7llu %18s %8s", Lr.layer, (unsigned long long)Lr.count, mcm.c_str(), fmt(Lr.x.sd, "%.4f").c_str());
    for (const auto& m : ms) {
      if (!m.pred) continue;
      std::string cell = "-";
      if (std::size_t(Lr.layer) <= m.pred->layers.size()) {
        const auto& P = m.pred->layers[std::size_t(Lr.layer - 1)];
        cell = fmt(P.mean) + (P.sd >= 0 ? " [" + fmt(P.sd, "%.4f") + "]" : "");
      }
      std::printf(" %19s", cell.c_str());
    }
    if (dens) {
      const auto& K = ks[std::size_t(Lr.layer - 1)];
      std::printf(" %8s %9s", fmt(K.d, "%.4f").c_str(), fmt(K.p, "%.3g").c_str());
    }
    if (excl && std::size_t(Lr.layer) <= dens->pred->layers.size())
      std::printf(" %10s %10s", fmt(double(Lr.degenerate + Lr.dead) / double(samples), "%.3e").c_str(),
                  fmt(dens->pred->layers[std::size_t(Lr.layer - 1)].p_excluded, "%.3e").c_str());
    std::printf("\n");
  }
  std::printf("Monte Carlo time: %.3f s\n", mc.seconds);
  if (!plot.empty()) std::printf("%s\n", plot_note.c_str());
}

RELUMIX_COMMAND(55, [](CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  auto* sub = app.add_subcommand(
      "compare", "predictions of the angle decay vs Monte Carlo, layer by layer, with KS tests and a figure "
                 "(default: the paper's figure 1)");
  a->widths = add_widths(sub, "layer widths (>= 2), e.g. 256x32", Need::Optional, "256x32");
  a->theta0 = add_theta0(sub, "angle between the inputs, in (0, pi]", Need::Optional, "0.1");
  a->samples = add_samples(sub, 5000);
  a->seed = add_seed(sub);
  a->model = add_text(sub, "--model",
                      "accurate (default: order K(n) = clamp(floor((n - 2.5)/1.35), 1, 8), anchored, with p_excluded and\n"
                      "survivor statistics), paper-linear or paper-full (Jakub & Nica's O(1/n) models); see predict --help",
                      Need::Optional, "accurate", "MODEL");
  a->order = add_integer(sub, "--order", "order in 1/n of the full and density predictions (1..8; default K(n) for the\n"
                         "accurate model, 1 for the paper models; paper-linear with K >= 2: density with the order-K mean and variance)",
                         1, kMaxCumulantOrder, Need::Optional);
  a->threads = add_threads(sub);
  a->methods = add_text(sub, "--methods", "comma list of prediction methods", Need::Optional,
                        "infinite,linear,full,density", "LIST");
  a->plot = add_output_file(sub, "--plot", "draw the figure into FILE.svg with gnuplot (data files written next to it)");
  a->density_layers = add_text(sub, "--density-layers", "layers of the density panels (default: L/4 and L)",
                               Need::Optional, "", "L1,L2");
  a->bins = add_integer(sub, "--bins", "histogram bins of the density panels", 2, kMaxHistogramBins, Need::Optional, 40);
  a->activation = add_activation(sub);
  sub->callback([a] { run(*a); });
});

}  // namespace

}  // namespace relumix::cli
