#pragma once
// The relumix command line: each subcommand lives in its own cmd_<name>.cpp and registers
// itself with RELUMIX_COMMAND; main.cpp only parses and reports errors.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "relumix/exact/poly.hpp"

namespace relumix::cli {

using Json = nlohmann::ordered_json;  // keeps keys in the order written

struct Globals {
  bool json = false;  // --json: machine-readable output on stdout
};
Globals& globals();

// Registers a function that adds one subcommand to the app. `order` sorts --help.
bool register_command(int order, std::function<void(CLI::App&)> add);
// The whole command line: name, the global --json flag and every registered command.
void setup_app(CLI::App& app);

// Parses a non-negative integer argument; InputError naming `what` if malformed or > max.
unsigned long parse_uint(const std::string& text, const std::string& what, unsigned long max);

// An integer in [lo, hi] given as "12", "1e18" or "1000000"; InputError naming `what`.
long long parse_int_range(const std::string& text, const std::string& what, long long lo, long long hi);
// "5000", "1e6", "2.5e3": a whole number of Monte Carlo samples in [1, 10^12]; InputError otherwise.
std::uint64_t parse_samples(const std::string& text);
// A random seed 0..2^64-1 (decimal digits only: "-1" is refused, not wrapped); InputError otherwise.
std::uint64_t parse_seed(const std::string& text);

// Shared by commands: JSON of a polynomial (index k = coefficient of x^k, rational strings).
Json poly_json(const Poly& p);
// `moment A B --theta T`: certified values (cmd_moment_values.cpp).
void print_moment_values(unsigned a, unsigned b, const std::string& theta, int digits);

// Prints JSON (pretty, 2-space indent) to stdout.
void emit(const Json& j);

// Adds --digits D (1..max) with default `def`.
CLI::Option* add_digits(CLI::App* sub, int& digits, int def = 30, int max = 100000);

// Writes a line "<what>: <done>/<total> (percent, elapsed, rate, ETA)" to stderr, at most a few
// times a second after the first second, and only when stderr is a terminal or RELUMIX_PROGRESS=1.
class Progress {
 public:
  Progress(std::string what, long long total);
  ~Progress();
  void update(long long done);
  void update(long long done, long long total);  // the total may change (e.g. resumed runs)
 private:
  std::string what_;
  long long total_;
  bool enabled_;
  double start_, last_;
  long long first_ = -1;  // done at the first update (a resumed run starts there)
  bool printed_ = false;
};

}  // namespace relumix::cli

#define RELUMIX_CAT2(a, b) a##b
#define RELUMIX_CAT(a, b) RELUMIX_CAT2(a, b)
// RELUMIX_COMMAND(order, [](CLI::App& app) { auto* sub = app.add_subcommand(...); ... });
#define RELUMIX_COMMAND(order, ...) \
  static const bool RELUMIX_CAT(relumix_registered_, __LINE__) = ::relumix::cli::register_command(order, __VA_ARGS__)
