// The command-line framework: registration, the JSON envelope, progress lines.
#include "cli.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <mutex>
#include <unistd.h>

#ifndef RELUMIX_VERSION
#define RELUMIX_VERSION "unknown"
#endif

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
std::string seconds_text(double s) {
  char buf[32];
  if (s < 60) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 3600) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}
}  // namespace

bool register_command(int order, std::function<void(CLI::App&)> add) {
  registry().emplace(order, std::move(add));
  return true;
}

void setup_app(CLI::App& app) {
  app.description(
      "relumix: exact moments, certified values and finite-width angle-decay predictions\n"
      "for ReLU networks at initialization (docs/cli.md).");
  app.name("relumix");
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", globals().json, "machine-readable JSON on stdout (docs/json.md)");
  for (auto& [order, add] : registry()) add(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    sub->preparse_callback([sub](std::size_t) { globals().command = sub->get_name(); });
}

void emit(const Json& body) {
  Json j = {{"relumix", {{"version", RELUMIX_VERSION}, {"command", globals().command}}}};
  for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
  if (globals().json_sink) globals().json_sink(j);
  else std::cout << j.dump(2) << "\n";
}

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Progress::Progress(std::string what, std::uint64_t total)
    : what_(std::move(what)), total_(total), start_(now()), last_(start_) {
  const char* env = std::getenv("RELUMIX_PROGRESS");
  enabled_ = env ? std::string(env) == "1" : isatty(2);
}

void Progress::update(std::uint64_t done, std::uint64_t total) {
  total_ = total;
  update(done);
}

void Progress::update(std::uint64_t done) {
  if (!enabled_) return;
  std::unique_lock lock(mutex_, std::try_to_lock);  // callbacks may come from several threads
  if (!lock.owns_lock()) return;
  if (!started_) {  // a resumed run starts with work done: the rate counts from here
    started_ = true;
    first_ = done;
  }
  double t = now();
  if (t - start_ < 1.0 || t - last_ < 0.25) return;
  last_ = t;
  printed_ = true;
  const double el = t - start_, rate = double(done - std::min(first_, done)) / el;
  std::string eta = rate > 0 && done < total_ ? ", ETA " + seconds_text(double(total_ - done) / rate) : "";
  std::fprintf(stderr, "\r%s: %llu/%llu (%.0f%%, %s, %.3g/s%s)\033[K", what_.c_str(), (unsigned long long)done,
               (unsigned long long)total_, total_ ? 100.0 * double(done) / double(total_) : 0.0,
               seconds_text(el).c_str(), rate, eta.c_str());
  std::fflush(stderr);
}

ProgressFn Progress::fn() {
  return [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
}

Progress::~Progress() {
  if (!printed_) return;
  if (std::uncaught_exceptions() > 0)  // stopped (Ctrl-C or an error): end the line, claim nothing
    std::fprintf(stderr, "\n");
  else
    std::fprintf(stderr, "\r%s: done in %s\033[K\n", what_.c_str(), seconds_text(now() - start_).c_str());
}

}  // namespace relumix::cli
