// relumix: arbitrary-precision symbolic and combinatorial calculator for ReLU networks
// at initialization. See README.md.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <exception>
#include <map>
#include <unistd.h>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix::cli {

Globals& globals() {
  static Globals g;
  return g;
}

namespace {
std::multimap<int, std::function<void(CLI::App&)>>& registry() {
  static std::multimap<int, std::function<void(CLI::App&)>> r;
  return r;
}
double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool register_command(int order, std::function<void(CLI::App&)> add) {
  registry().emplace(order, std::move(add));
  return true;
}

void setup_app(CLI::App& app) {
  app.description(
      "relumix: exact moments, certified values and finite-width angle-decay predictions\n"
      "for ReLU networks at initialization (see README.md).");
  app.name("relumix");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", globals().json, "machine-readable JSON on stdout");
  for (auto& [order, add] : registry()) add(app);
}

unsigned long parse_uint(const std::string& text, const std::string& what, unsigned long max) {
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  require(ok, what + " must be a non-negative integer, got '" + text + "'");
  unsigned long v = std::stoul(text);
  require(v <= max, what + " = " + text + " is too large (at most " + std::to_string(max) + ")");
  return v;
}

long long parse_int_range(const std::string& text, const std::string& what, long long lo, long long hi) {
  Rational q;
  try {
    q = parse_rational(text);
  } catch (const InputError&) {
    throw InputError(what + " must be an integer, got '" + text + "'");
  }
  require(denominator(q) == 1, what + " must be an integer, got '" + text + "'");
  require(q >= lo && q <= hi, what + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + text + "'");
  return numerator(q).convert_to<long long>();
}

std::uint64_t parse_samples(const std::string& text) {
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(text, &pos);
  } catch (...) {
    pos = 0;
  }
  require(pos == text.size() && !text.empty() && std::isfinite(v) && v == std::floor(v),
          "--samples must be a whole number (got '" + text + "')");
  require(v >= 1, "--samples must be at least 1 (got " + text + ")");
  require(v <= 1e12, "--samples must be at most 10^12 (got " + text + ")");
  return std::uint64_t(v);
}

std::uint64_t parse_seed(const std::string& text) {
  bool ok = !text.empty() && text.size() <= 20;
  for (char c : text) ok = ok && c >= '0' && c <= '9';
  require(ok, "--seed must be a whole number from 0 to 2^64-1, got '" + text + "'");
  errno = 0;
  unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  require(errno == 0, "--seed " + text + " is larger than 2^64-1");
  return v;
}

void emit(const Json& j) { std::cout << j.dump(2) << "\n"; }

CLI::Option* add_digits(CLI::App* sub, int& digits, int def, int max) {
  digits = def;
  return sub->add_option("--digits,-d", digits, "significant digits, all correct (1.." + std::to_string(max) + ")")
      ->default_val(def)
      ->check(CLI::Range(1, max).description(""));
}

Progress::Progress(std::string what, long long total)
    : what_(std::move(what)), total_(total), start_(now()), last_(start_) {
  const char* env = std::getenv("RELUMIX_PROGRESS");
  enabled_ = env ? std::string(env) == "1" : isatty(2);
}

void Progress::update(long long done, long long total) {
  total_ = total;
  update(done);
}

namespace {
std::string duration_text(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 172800) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.1f days", s / 86400);
  return buf;
}
}  // namespace

void Progress::update(long long done) {
  if (first_ < 0) first_ = done;
  if (!enabled_) return;
  double t = now();
  if (t - start_ < 1.0 || t - last_ < 0.25) return;
  last_ = t;
  printed_ = true;
  const double rate = double(done - first_) / (t - start_);
  std::string extra;
  if (rate > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.4g/s", rate);
    extra = buf;
    if (total_ > done) extra += ", ETA " + duration_text(double(total_ - done) / rate);
  }
  std::fprintf(stderr, "\r%s: %lld/%lld (%.0f%%, %.1f s%s)\033[K", what_.c_str(), done, total_,
               total_ ? 100.0 * double(done) / double(total_) : 0.0, t - start_, extra.c_str());
  std::fflush(stderr);
}

Progress::~Progress() {
  if (!printed_) return;
  if (std::uncaught_exceptions() > 0)  // stopped (Ctrl-C or an error): end the line, claim nothing
    std::fprintf(stderr, "\n");
  else
    std::fprintf(stderr, "\r%s: done in %.1f s\033[K\n", what_.c_str(), now() - start_);
}

}  // namespace relumix::cli

namespace {
void on_sigint(int) { relumix::request_stop(); }

// Under MPI (relumix-mpi) only rank 0 reports, so that R ranks print one line, not R. The rank
// comes from the launcher's environment: errors may come before MPI_Init.
bool reporting_rank() {
#ifdef RELUMIX_WITH_MPI
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMI_RANK"})
    if (const char* r = std::getenv(v)) return std::string(r) == "0";
#endif
  return true;
}

// CLI11 messages may span lines; the contract is one line.
std::string one_line(std::string s) {
  for (auto& ch : s) if (ch == '\n') ch = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app;
  relumix::cli::setup_app(app);
  std::signal(SIGINT, on_sigint);
  std::signal(SIGTERM, on_sigint);  // schedulers (Slurm, mpirun) stop jobs with SIGTERM: end the same way
  try {
    // the first word that is not an option must name a command (CLI11 would only say one is required)
    for (int i = 1; i < argc; ++i) {
      std::string w = argv[i];
      if (w.empty() || w[0] == '-') continue;
      try {
        app.get_subcommand(w);
      } catch (const CLI::OptionNotFound&) {
        throw relumix::InputError("unknown command '" + w + "' (see relumix --help for the list)");
      }
      break;
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a command's own failure status (e.g. verify)
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    if (reporting_rank()) std::cerr << "relumix: error: " << one_line(e.what()) << " (see relumix --help)\n";
    return 2;
  } catch (const relumix::InputError& e) {
    if (reporting_rank()) std::cerr << "relumix: error: " << one_line(e.what()) << "\n";
    return 2;
  } catch (const relumix::Interrupted&) {
    if (reporting_rank()) std::cerr << "relumix: interrupted\n";
    return 130;
  } catch (const std::exception& e) {
    if (reporting_rank()) std::cerr << "relumix: internal error: " << one_line(e.what()) << "\n";
    return 3;
  }
  return 0;
}
