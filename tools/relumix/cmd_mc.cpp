// relumix mc: Monte Carlo of the angle decay (chain reduction or explicit weight matrices).
// Built twice: into `relumix`, and with RELUMIX_WITH_MPI into the MPI driver `relumix-mpi`
// (tools/mpi), where the samples are split across the ranks and rank 0 prints exactly what a
// single process prints.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/io/widths.hpp"

#ifdef RELUMIX_WITH_MPI
#include <mpi.h>
#endif

namespace relumix::cli {

namespace {

struct McArgs {
  std::shared_ptr<WidthsOpt> widths;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<IntOpt> samples, seed, threads, hist;
  std::shared_ptr<Opt> mode;
  std::vector<std::string> dump;
  CLI::Option* dump_option = nullptr;
};

std::string fmt(double v, const char* f = "%.6f") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void print_text(const McResult& r, const std::string& theta0) {
  std::printf("relumix mc: %s mode, widths %s (%zu layers), theta0 = %s, %llu samples, seed %llu\n",
              mc_mode_name(r.mode).c_str(), format_widths(r.widths).c_str(), r.widths.size(), theta0.c_str(),
              (unsigned long long)r.samples, (unsigned long long)r.seed);
  std::printf("X = ln sin^2 theta^l over the samples in use (count); excluded: degenerate (parallel), dead (collapsed)\n");
  std::printf("%5s %8s %10s %6s %6s %10s %9s %9s %10s %10s %10s %10s %10s %10s %9s\n", "layer", "width", "count",
              "degen", "dead", "mean", "sd", "stderr", "q05", "q25", "q50", "q75", "q95", "theta", "theta_sd");
  for (const auto& L : r.layers) {
    std::printf("%5d %8ld %10llu %6llu %6llu %10s %9s %9s %10s %10s %10s %10s %10s %10s %9s\n", L.layer, L.width,
                (unsigned long long)L.count, (unsigned long long)L.degenerate, (unsigned long long)L.dead,
                fmt(L.x.mean).c_str(), fmt(L.x.sd, "%.5f").c_str(), fmt(L.x.stderr_mean, "%.6f").c_str(),
                fmt(L.x.q05, "%.4f").c_str(), fmt(L.x.q25, "%.4f").c_str(), fmt(L.x.q50, "%.4f").c_str(),
                fmt(L.x.q75, "%.4f").c_str(), fmt(L.x.q95, "%.4f").c_str(), fmt(L.theta.mean, "%.4e").c_str(),
                fmt(L.theta.sd, "%.3e").c_str());
  }
  bool any_hist = false;
  for (const auto& L : r.layers) any_hist = any_hist || !L.hist.empty();
  if (any_hist) {
    std::printf("histograms of X (equal bins over [lo, hi]):\n");
    for (const auto& L : r.layers) {
      std::printf("layer %d [%s, %s]:", L.layer, fmt(L.hist_lo, "%.6g").c_str(), fmt(L.hist_hi, "%.6g").c_str());
      for (auto c : L.hist) std::printf(" %llu", (unsigned long long)c);
      std::printf("\n");
    }
  }
  std::printf("time: %.3f s\n", r.seconds);
}

void write_dump(const McRaw& raw, int layer, const std::string& file) {
  std::ofstream f(file);
  require(bool(f), "cannot write " + file);
  f << "# relumix mc --dump-layer " << layer << ": per-sample X = ln sin^2 theta and theta at layer " << layer
    << "\nsample,state,x,theta\n";
  f.precision(17);
  for (std::uint64_t i = 0; i < raw.count; ++i) {
    auto st = raw.state(i, layer);
    f << raw.first + i << ',';
    if (st == McRaw::kOk) {
      double x = raw.value(i, layer);
      f << "ok," << x << ',' << mc_theta_of_x(x) << '\n';
    } else {
      f << (st == McRaw::kDead ? "dead" : "degenerate") << ",,\n";
    }
  }
  require(bool(f), "error writing " + file);
}

#ifdef RELUMIX_WITH_MPI
struct MpiSession {
  MpiSession() {
    int init = 0;
    MPI_Initialized(&init);
    if (!init) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  ~MpiSession() {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
  }
  int rank = 0, size = 1;
};
MpiSession& mpi() {
  static MpiSession s;
  return s;
}

template <class T>
void mpi_send(const std::vector<T>& v, int dest, int tag) {
  constexpr std::size_t chunk = std::size_t(1) << 30;
  const char* p = reinterpret_cast<const char*>(v.data());
  std::size_t bytes = v.size() * sizeof(T);
  for (std::size_t off = 0; off < bytes || off == 0; off += chunk) {
    int n = int(std::min(chunk, bytes - off));
    MPI_Send(p + off, n, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
    if (bytes == 0) break;
  }
}
template <class T>
void mpi_recv(std::vector<T>& v, int src, int tag) {
  constexpr std::size_t chunk = std::size_t(1) << 30;
  char* p = reinterpret_cast<char*>(v.data());
  std::size_t bytes = v.size() * sizeof(T);
  for (std::size_t off = 0; off < bytes || off == 0; off += chunk) {
    int n = int(std::min(chunk, bytes - off));
    MPI_Recv(p + off, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (bytes == 0) break;
  }
}
#endif

// Simulates all samples; under MPI each rank simulates its share and rank 0 gets the whole
// run (other ranks get an empty McRaw and return false).
bool simulate_all(const std::vector<long>& widths, double theta0, const McOptions& opt, McRaw& raw) {
#ifdef RELUMIX_WITH_MPI
  auto& m = mpi();
  if (m.size > 1) {
    check_mc_args(widths, theta0, opt);
    auto range = [&](int r) {
      return std::pair<std::uint64_t, std::uint64_t>{opt.samples * std::uint64_t(r) / std::uint64_t(m.size),
                                                     opt.samples * std::uint64_t(r + 1) / std::uint64_t(m.size)};
    };
    auto [b, e] = range(m.rank);
    McOptions local = opt;
    if (m.rank != 0) local.progress = nullptr;
    McRaw part = simulate_mc(widths, theta0, local, b, e - b);
    if (m.rank != 0) {
      mpi_send(part.x, 0, 1);
      mpi_send(part.end, 0, 2);
      mpi_send(part.kind, 0, 3);
      raw = McRaw{};
      return false;
    }
    const std::size_t L = widths.size();
    raw.layers = int(L);
    raw.first = 0;
    raw.count = opt.samples;
    raw.x.assign(std::size_t(opt.samples) * L, 0.0);
    raw.end.assign(std::size_t(opt.samples), 0);
    raw.kind.assign(std::size_t(opt.samples), 0);
    for (int r = 0; r < m.size; ++r) {
      auto [rb, re] = range(r);
      McRaw p;
      if (r == 0) {
        p = std::move(part);
      } else {
        p.count = re - rb;
        p.x.resize(std::size_t(p.count) * L);
        p.end.resize(std::size_t(p.count));
        p.kind.resize(std::size_t(p.count));
        mpi_recv(p.x, r, 1);
        mpi_recv(p.end, r, 2);
        mpi_recv(p.kind, r, 3);
      }
      for (std::size_t l = 0; l < L; ++l)
        std::copy(p.x.begin() + long(l * p.count), p.x.begin() + long((l + 1) * p.count),
                  raw.x.begin() + long(l * opt.samples + rb));
      std::copy(p.end.begin(), p.end.end(), raw.end.begin() + long(rb));
      std::copy(p.kind.begin(), p.kind.end(), raw.kind.begin() + long(rb));
    }
    return true;
  }
#endif
  raw = simulate_mc(widths, theta0, opt, 0, opt.samples);
  return true;
}

void run(const McArgs& a) {
  McOptions opt;
  opt.mode = a.mode->parse([](const std::string& t) { return parse_mc_mode(t); });
  a.widths->min_width = opt.mode == McMode::Chain ? 2 : 1;
  auto widths = a.widths->value();
  Theta theta = a.theta0->value();
  double theta0 = theta.to_double();
  require(theta0 >= kMcMinTheta0, "--theta0: ", theta.text,
          " is below 1e-300, outside the double range of the Monte Carlo");
  opt.samples = a.samples->value();
  opt.seed = a.seed->value();
  opt.threads = int(a.threads->value_or(0));
  const int hist = int(a.hist->value_or(0));
  int dump_layer = 0;
  std::string dump_file;
  if (!a.dump.empty()) {
    require(a.dump.size() == 2, "--dump-layer needs a layer and a file name");
    try {
      dump_layer = int(parse_integer(a.dump[0], 1, widths.size()));
    } catch (const InputError& e) {
      fail("--dump-layer: layer ", e.what());
    }
    OutputFileOpt file;
    file.text = a.dump[1];
    file.option = a.dump_option;
    dump_file = file.value();
  }
  check_mc_args(widths, theta0, opt);

  auto t0 = std::chrono::steady_clock::now();
  bool root = true;
#ifdef RELUMIX_WITH_MPI
  root = mpi().rank == 0;
#endif
  std::unique_ptr<Progress> progress;
  if (root) {
    progress = std::make_unique<Progress>("mc", (long long)opt.samples);
    opt.progress = [p = progress.get()](std::uint64_t d) { p->update((long long)d); };
  }
  McRaw raw;
  if (!simulate_all(widths, theta0, opt, raw)) return;
  McResult r = summarize_mc(raw, widths, theta0, opt, hist);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.reset();
  if (dump_layer > 0) write_dump(raw, dump_layer, dump_file);
  if (globals().json) {
    Json j = mc_to_json(r);
    j["theta0"] = theta.text;
    emit(j);
  } else {
    print_text(r, theta.text);
  }
}

RELUMIX_COMMAND(50, [](CLI::App& app) {
  auto a = std::make_shared<McArgs>();
  auto* sub = app.add_subcommand(
      "mc", "Monte Carlo of the angle between two inputs, layer by layer (statistics of ln sin^2 theta)");
  a->widths = add_widths(sub, "layer widths, e.g. 256x32 or 64,128,256 (chain: >= 2, network: >= 1)", Need::Required);
  a->theta0 = add_theta0(sub, "angle between the inputs, in (0, pi], e.g. 0.1 or pi/3", Need::Required);
  a->samples = add_samples(sub, 5000, 1, kMcMaxSamples, "number of simulated networks");
  a->seed = add_seed(sub);
  a->threads = add_threads(sub);
  a->mode = add_text(sub, "--mode", "chain (Markov reduction, O(n) per layer) or network (weight matrices)",
                     Need::Optional, "chain", "MODE");
  a->hist = add_integer(sub, "--hist", "add a histogram of X with N bins per layer", 1, kMaxHistogramBins,
                        Need::Optional);
  a->dump_option = sub->add_option("--dump-layer", a->dump, "write per-sample X and theta at LAYER to FILE (CSV)")
                       ->expected(2)
                       ->type_name("LAYER FILE");
  sub->callback([a] { run(*a); });
});

}  // namespace

}  // namespace relumix::cli
