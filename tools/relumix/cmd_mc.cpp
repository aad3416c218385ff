// relumix mc: Monte Carlo of the angle decay (chain reduction or explicit weight matrices).
// Built twice: into `relumix`, and into the MPI driver `relumix-mpi` (tools/mpi), where each rank
// simulates one shard of the blocks (mc_shard), rank 0 merges the states (McState::merge) and
// prints exactly what a single process prints.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <utility>

#include "cli.hpp"
#include "cluster.hpp"
#include "options.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix::cli {

namespace {

struct McArgs {
  std::shared_ptr<WidthsOpt> widths;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<IntOpt> samples, seed, threads, hist;
  std::shared_ptr<Opt> mode, checkpoint_every;
  std::shared_ptr<ActivationOpt> activation;
  std::shared_ptr<OutputFileOpt> checkpoint;
  std::vector<std::string> dump;
  CLI::Option* dump_option = nullptr;
};

// a statistic for the table: "n/a" when undefined (one sample)
std::string fmt(double v, const char* f = "%.6f") {
  if (!std::isfinite(v)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void print_text(const McResult& r, const std::string& theta0, const std::string& checkpoint) {
  // the activation is named unless it is ReLU (whose header is what it always was)
  const std::string act = r.activation.is_relu() ? "" : ", " + r.activation.name();
  std::printf("relumix mc: %s mode%s, widths %s (%zu layers), theta0 = %s, %llu samples, seed %llu\n",
              mc_mode_name(r.mode).c_str(), act.c_str(), format_widths(r.widths).c_str(), r.widths.size(),
              theta0.c_str(), (unsigned long long)r.samples, (unsigned long long)r.seed);
  if (r.partial)
    std::printf("PARTIAL RESULT: interrupted after %llu of %llu samples%s\n", (unsigned long long)r.samples_done,
                (unsigned long long)r.samples,
                checkpoint.empty() ? "" : ("; rerun the same command to resume from " + checkpoint).c_str());
  std::printf("X = ln sin^2 theta^l over the samples in use (count); excluded: degenerate (parallel), dead (collapsed)\n");
  std::printf("%5s %8s %10s %6s %6s %10s %9s %9s %10s %10s %10s %10s %10s %10s %9s\n", "layer", "width", "count",
              "degen", "dead", "mean", "sd", "stderr", "q05", "q25", "q50", "q75", "q95", "theta", "theta_sd");
  double qerr = 0;
  bool one = false;
  for (const auto& L : r.layers) {
    std::printf("%5d %8ld %10llu %6llu %6llu", L.layer, L.width, (unsigned long long)L.count,
                (unsigned long long)L.degenerate, (unsigned long long)L.dead);
    if (L.count == 0) {
      std::printf(" %10s\n", "no samples");
      continue;
    }
    one = one || L.count == 1;
    qerr = std::max(qerr, L.quantile_error);
    std::printf(" %10s %9s %9s %10s %10s %10s %10s %10s %10s %9s\n", fmt(L.x.mean).c_str(), fmt(L.x.sd, "%.5f").c_str(),
                fmt(L.x.stderr_mean, "%.6f").c_str(), fmt(L.x.q05, "%.4f").c_str(), fmt(L.x.q25, "%.4f").c_str(),
                fmt(L.x.q50, "%.4f").c_str(), fmt(L.x.q75, "%.4f").c_str(), fmt(L.x.q95, "%.4f").c_str(),
                fmt(L.theta.mean, "%.4e").c_str(), fmt(L.theta.sd, "%.3e").c_str());
  }
  std::printf("quantiles from the binning: each within %.2g of the exact sample quantile%s\n", qerr,
              one ? "; n/a: undefined with one sample" : "");
  if (r.activation.alpha() > 0)
    std::printf("%s: the angle can be obtuse, and X = ln sin^2 theta does not tell theta from pi - theta; "
                "theta, theta_sd (and the JSON theta quantiles) are of theta itself\n",
                r.activation.name().c_str());
  bool any_hist = false;
  for (const auto& L : r.layers) any_hist = any_hist || !L.hist.empty();
  if (any_hist) {
    std::printf("histograms of X (equal bins over [min, max]):\n");
    for (const auto& L : r.layers) {
      if (L.hist.empty()) continue;
      std::printf("layer %d [%s, %s]:", L.layer, fmt(L.hist_lo, "%.6g").c_str(), fmt(L.hist_hi, "%.6g").c_str());
      for (auto c : L.hist) std::printf(" %llu", (unsigned long long)c);
      std::printf("\n");
    }
  }
  std::printf("time: %.3f s\n", r.seconds);
}

void write_dump(const McRaw& raw, int layer, const std::string& file) {
  // theta: stored for alpha > 0 (obtuse angles), else theta_of_x(x) (McRaw::theta_at)
  std::ofstream f(file);
  require(bool(f), "--dump-layer: cannot write ", file);
  f << "# relumix mc --dump-layer " << layer << ": per-sample X = ln sin^2 theta and theta at layer " << layer
    << "\nsample,state,x,theta\n";
  f.precision(17);
  for (std::uint64_t i = 0; i < raw.count; ++i) {
    auto st = raw.state(i, layer);
    f << raw.first + i << ',';
    if (st == McRaw::kOk) {
      double x = raw.value_at(i, 0);
      f << "ok," << x << ',' << raw.theta_at(i, 0) << '\n';
    } else {
      f << (st == McRaw::kDead ? "dead" : "degenerate") << ",,\n";
    }
  }
  require(bool(f), "--dump-layer: error writing ", file);
}

// Each process's outcome for process 0: a status byte, then the state or the error message.
enum : char { kDone = 'D', kStopped = 'S', kFailed = 'F' };

void run(const McArgs& a) {
  McOptions opt;
  opt.mode = a.mode->parse([](const std::string& t) { return parse_mc_mode(t); });
  opt.activation = a.activation->value();
  a.widths->min_width = opt.mode == McMode::Chain ? 2 : 1;
  auto widths = a.widths->value();
  Theta theta = a.theta0->value();
  double theta0 = theta.to_double();
  require(theta0 >= kMcMinTheta0, "--theta0: ", theta.text,
          " is below 1e-290, where the Monte Carlo reaches subnormal doubles");
  opt.samples = a.samples->value();
  opt.seed = a.seed->value();
  opt.threads = int(a.threads->value_or(0));
  opt.hist_bins = int(a.hist->value_or(0));
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
    require(!a.checkpoint->given(), "--dump-layer keeps every sample in memory and cannot be combined with --checkpoint");
    opt.keep = true;
    opt.keep_layer = dump_layer;
  }
  a.checkpoint_every->only_if(a.checkpoint->given(), "with --checkpoint");
  const double every = a.checkpoint_every->parse([](const std::string& t) {
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    require(!t.empty() && end == t.c_str() + t.size() && v >= 0 && v <= 1e6, "'", t,
            "' is not a number of seconds in 0..1e6");
    return v;
  });
  const Cluster& cl = cluster();
  std::string ckpt = a.checkpoint->given() ? a.checkpoint->value() : "";
  if (!ckpt.empty() && cl.size > 1) ckpt += "." + std::to_string(cl.rank) + "-of-" + std::to_string(cl.size);
  opt.checkpoint = ckpt;
  opt.checkpoint_seconds = every;
  if (!ckpt.empty()) std::signal(SIGXFSZ, SIG_IGN);  // a file-size limit is a write error, not a crash
  opt.partial_on_stop = true;
  check_mc_args(widths, theta0, opt);

  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Progress> progress;
  if (cl.rank == 0) {
    progress = std::make_unique<Progress>(cl.size > 1 ? "mc (rank 0 of " + std::to_string(cl.size) + ")" : "mc",
                                          opt.samples);
    opt.progress = progress->fn();
  }
  McPlan plan = mc_plan(widths, theta0, opt);
  std::string mine;
  McState state(plan);
  try {
    McState s = mc_simulate(plan, mc_shard(plan, cl.rank, cl.size), opt);
    if (cl.size == 1)
      state = std::move(s);  // one process: no encoding round trip
    else
      mine = std::string(1, s.interrupted() ? kStopped : kDone) + s.serialize();
  } catch (const InputError& e) {
    if (cl.size == 1) throw;
    mine = std::string(1, kFailed) + e.what();
  }
  if (cl.size > 1) {
    auto all = gather_to_root(mine);
    progress.reset();
    if (cl.rank != 0) {
      if (mine[0] == kFailed) throw InputError(mine.substr(1));  // reported by rank 0
      if (mine[0] == kStopped) throw Interrupted();
      return;
    }
    for (const auto& m : all) {
      if (m[0] == kFailed) throw InputError(m.substr(1));
      state.merge(McState::deserialize(plan, std::string_view(m).substr(1)));
    }
  }
  progress.reset();
  McResult r = mc_result(plan, std::move(state), opt);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (dump_layer > 0 && !r.partial) write_dump(*r.kept, dump_layer, dump_file);
  if (globals().json) {
    emit(mc_to_json(r, theta.text));
  } else {
    print_text(r, theta.text, ckpt);
  }
  if (r.partial) throw Interrupted();
}

RELUMIX_COMMAND(50, [](CLI::App& app) {
  auto a = std::make_shared<McArgs>();
  auto* sub = app.add_subcommand(
      "mc", "Monte Carlo of the angle between two inputs, layer by layer (statistics of ln sin^2 theta)");
  sub->footer(
      "Statistics are streamed (memory independent of --samples) and bitwise reproducible for any --threads, any\n"
      "number of MPI ranks (relumix-mpi) and any interruption resumed from --checkpoint. Quantiles and histograms\n"
      "come from a fine binning of X (about sd/1024 wide; the error bound is printed). Ctrl-C prints the partial\n"
      "result (marked PARTIAL, JSON \"partial\": true), writes the checkpoint and exits with 130.\n"
      "--activation: chain mode draws the n pairs (G, G') of each layer and applies phi (ReLU keeps its polar kernel);\n"
      "network mode applies phi with weight variance 2 / (1 + ALPHA^2) per fan-in. A leaky unit never dies (dead = 0);\n"
      "for ALPHA > 0 the angle can be obtuse, so read the theta statistics (X = ln sin^2 theta does not determine it).\n"
      "A checkpoint of another activation is refused.");
  a->widths = add_widths(sub, "layer widths, e.g. 256x32 or 64,128,256 (chain: >= 2, network: >= 1)", Need::Required);
  a->theta0 = add_theta0(sub, "angle between the inputs, in (0, pi], e.g. 0.1 or pi/3", Need::Required);
  a->samples = add_samples(sub, 5000, 1, kMcMaxSamples, "number of simulated networks");
  a->seed = add_seed(sub);
  a->threads = add_threads(sub);
  a->mode = add_text(sub, "--mode", "chain (Markov reduction, O(n) per layer) or network (weight matrices)",
                     Need::Optional, "chain", "MODE");
  a->activation = add_activation(sub,
                                 "relu, abs or leaky:ALPHA (ALPHA exact in [-1, 1], e.g. 0.01 or 1/10): phi(x) = max(x, 0) + "
                                 "ALPHA min(x, 0), weights N(0, 2 / ((1 + ALPHA^2) fan-in))");
  a->hist = add_integer(sub, "--hist", "add a histogram of X with N bins per layer", 1, kMaxHistogramBins,
                        Need::Optional);
  a->dump_option =
      sub->add_option("--dump-layer", a->dump, "write per-sample X and theta at LAYER to FILE (CSV; keeps the samples in memory)")
          ->expected(2)
          ->type_name("LAYER FILE");
  a->checkpoint = add_output_file(sub, "--checkpoint",
                                  "save the run to FILE every few seconds and on Ctrl-C; the same command with the same "
                                  "FILE resumes (under MPI: FILE.<rank>-of-<ranks>)");
  a->checkpoint_every = add_text(sub, "--checkpoint-every", "seconds between checkpoints", Need::Optional, "5", "SECONDS");
  sub->callback([a] { run(*a); });
});

}  // namespace

}  // namespace relumix::cli
