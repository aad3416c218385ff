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
  std::string widths, theta0, samples = "5000", mode = "chain", seed = "1";
  int threads = 0;
  bool threads_given = false;
  int hist = 0;
  std::vector<std::string> dump;
};

std::string fmt(double v, const char* f = "%.6f") {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void print_text(const McResult& r, const McArgs& a) {
  std::printf("relumix mc: %s mode, widths %s (%zu layers), theta0 = %s, %llu samples, seed %llu\n",
              mc_mode_name(r.mode).c_str(), a.widths.c_str(), r.widths.size(), a.theta0.c_str(),
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
  opt.mode = parse_mc_mode(a.mode);
  auto widths = parse_widths(a.widths, opt.mode == McMode::Chain ? 2 : 1);
  Theta theta = parse_theta_checked(a.theta0, /*lo_open=*/true);
  double theta0 = theta.to_double();
  require(theta0 >= kMcMinTheta0, "theta0 = " + a.theta0 + " is below 1e-300, outside the double range of the Monte Carlo");
  opt.samples = parse_samples(a.samples);
  opt.seed = parse_seed(a.seed);
  require(!a.threads_given || a.threads >= 1, "--threads must be at least 1 (got " + std::to_string(a.threads) + ")");
  opt.threads = a.threads_given ? a.threads : 0;
  require(a.hist >= 0 && a.hist <= 1000000, "--hist must be between 1 and 1000000 bins");
  int dump_layer = 0;
  if (!a.dump.empty()) {
    require(a.dump.size() == 2, "--dump-layer needs a layer and a file name");
    try {
      std::size_t pos = 0;
      dump_layer = std::stoi(a.dump[0], &pos);
      require(pos == a.dump[0].size(), "");
    } catch (...) {
      throw InputError("--dump-layer: layer must be a whole number (got '" + a.dump[0] + "')");
    }
    require(dump_layer >= 1 && dump_layer <= int(widths.size()),
            "--dump-layer: layer must be between 1 and " + std::to_string(widths.size()));
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
  McResult r = summarize_mc(raw, widths, theta0, opt, a.hist);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.reset();
  if (dump_layer > 0) write_dump(raw, dump_layer, a.dump[1]);
  if (globals().json) emit(mc_to_json(r));
  else print_text(r, a);
}

RELUMIX_COMMAND(50, [](CLI::App& app) {
  auto a = std::make_shared<McArgs>();
  auto* sub = app.add_subcommand(
      "mc", "Monte Carlo of the angle between two inputs, layer by layer (statistics of ln sin^2 theta)");
  sub->add_option("--widths,-w", a->widths, "layer widths, e.g. 256x32 or 64,128,256 (chain: >= 2, network: >= 1)")
      ->required();
  sub->add_option("--theta0,-t", a->theta0, "angle between the inputs, in (0, pi], e.g. 0.1 or pi/3")->required();
  sub->add_option("--samples,-s", a->samples, "number of simulated networks, 1..1e10")->default_val("5000");
  sub->add_option("--seed", a->seed, "random seed, 0..2^64-1 (same seed, same output)")->default_val("1");
  sub->add_option("--threads,-j", a->threads, "worker threads (default: all cores; results do not depend on it)")
      ->each([a](const std::string&) { a->threads_given = true; });
  sub->add_option("--mode", a->mode, "chain (Markov reduction, O(n) per layer) or network (weight matrices)")
      ->default_val("chain");
  sub->add_option("--hist", a->hist, "add a histogram of X with BINS bins per layer")
      ->check(CLI::Range(1, 1000000).description(""));
  sub->add_option("--dump-layer", a->dump, "write per-sample X and theta at LAYER to FILE (CSV)")
      ->expected(2)
      ->type_name("LAYER FILE");
  sub->callback([a] { run(*a); });
});

}  // namespace

}  // namespace relumix::cli
