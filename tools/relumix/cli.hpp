#pragma once
// The relumix command line: each subcommand lives in its own cmd_<name>.cpp and registers itself
// with RELUMIX_COMMAND; its options come from the shared builders of options.hpp (one per concept:
// a flag means the same in every command), its JSON goes out through emit() (the common envelope),
// its progress through Progress. main.cpp only parses and reports errors.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "relumix/core/progress.hpp"
#include "relumix/exact/poly.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {
class Activation;
}

namespace relumix::cli {

using Json = nlohmann::ordered_json;  // keeps keys in the order written (the documented order)

struct Globals {
  bool json = false;     // --json: machine-readable output on stdout
  std::string command;   // the running subcommand (for the JSON envelope)
  // where emit() sends JSON (default: stdout); demo collects its steps' JSON here
  std::function<void(const Json&)> json_sink;
};
Globals& globals();

// Registers a function that adds one subcommand to the app. `order` sorts --help.
bool register_command(int order, std::function<void(CLI::App&)> add);
// The whole command line: name, the global --json flag and every registered command.
void setup_app(CLI::App& app);

// The JSON output of a command: {"relumix": {"version", "command"}, ...body} (docs/json.md),
// pretty-printed to stdout (2-space indent).
void emit(const Json& body);
// A double for JSON: null when not finite (JSON has no NaN or infinity).
Json num(double v);

// `moment A B --theta T`: certified values (cmd_moment_values.cpp).
void print_moment_values(const Activation& act, unsigned a, unsigned b, const std::vector<Theta>& thetas, bool single,
                         int digits);

// A progress line on stderr for long runs: "<what>: <done>/<total> (p%, t s, rate/s, ETA t s)",
// rewritten in place at most 4 times a second after the first second, only when stderr is a
// terminal or RELUMIX_PROGRESS=1 (RELUMIX_PROGRESS=0 silences it). Ends with "done in t s", or a
// bare newline when stopped by an exception (Ctrl-C, an error).
class Progress {
 public:
  Progress(std::string what, std::uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void update(std::uint64_t done);
  void update(std::uint64_t done, std::uint64_t total);
  // The library's progress callback (core/progress.hpp), feeding this line.
  ProgressFn fn();

 private:
  std::string what_;
  std::uint64_t total_;
  bool enabled_;
  double start_, last_;
  bool printed_ = false, started_ = false;
  std::uint64_t first_ = 0;  // done at the first update (a resumed run)
  std::mutex mutex_;
};

}  // namespace relumix::cli

#define RELUMIX_CAT2(a, b) a##b
#define RELUMIX_CAT(a, b) RELUMIX_CAT2(a, b)
// RELUMIX_COMMAND(order, [](CLI::App& app) { auto* sub = app.add_subcommand(...); ... });
#define RELUMIX_COMMAND(order, ...) \
  static const bool RELUMIX_CAT(relumix_registered_, __LINE__) = ::relumix::cli::register_command(order, __VA_ARGS__)
