// relumix demo: a short tour, run by the README's quick start (scripts/run.sh). Each step is an ordinary relumix
// command line, printed before its output, so the tour also shows what to type.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/core/error.hpp"

namespace relumix::cli {
namespace {

struct Step {
  std::string what, args;
};

// Runs `relumix <args>` in this process (a fresh parser with every command).
void run_line(const std::string& args) {
  CLI::App app;
  setup_app(app);
  std::vector<std::string> argv;  // CLI11 wants them in reverse order
  std::string tok;
  for (char c : args + " ") {
    if (c == ' ') {
      if (!tok.empty()) argv.insert(argv.begin(), tok);
      tok.clear();
    } else {
      tok += c;
    }
  }
  if (globals().json) argv.push_back("--json");  // (reversed: this is the first word)
  app.parse(argv);
}

RELUMIX_COMMAND(1, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "demo",
      "a short tour: an exact moment, a 50-digit value, a coefficient table, one layer beyond O(1/n),\n"
      "and the paper's figure 1 (n = 256, 32 layers, theta0 = 0.1, 5000 samples): predictions vs Monte Carlo");
  auto plot = add_output_file(sub, "--plot", "also draw figure 1 into FILE.svg (gnuplot)");
  sub->callback([plot] {
    const std::string svg = plot->given() ? plot->value() : "";  // fail before the tour, not at its last step
    std::vector<Step> steps = {
        {"The exact closed form of J_{3,1}(theta) = E[relu(G)^3 relu(G')], corr = cos theta (docs/theory.md §2):", "moment 3 1"},
        {"J_{1,1}(pi/3) to 50 certified digits:", "moment 1 1 --theta pi/3 --digits 50"},
        {"Exact angle-decay coefficients at width n = 256: mu(theta,n) - ln sin^2 theta and sigma^2(theta,n) "
         "as series in theta (docs/theory.md §4.3):",
         "decay-series --width 256 --degree 3 --digits 12"},
        {"One layer at n = 64, theta = 0.1: the paper's O(1/n) form, then the cumulant series through n^-3 "
         "(docs/theory.md §5; a Monte Carlo gives E = -4.663 +- 0.001):",
         "angle --width 64 --theta 0.1 --digits 12"},
        {"", "angle --width 64 --theta 0.1 --digits 12 --order 3"},
        {"The paper's figure 1: n = 256, 32 layers, theta0 = 0.1, 5000 simulated networks against the "
         "predictions (full and density at order 3; KS = density vs simulation):",
         "compare --order 3" + (svg.empty() ? std::string() : " --plot " + svg)},
    };
    if (globals().json) {  // the steps' own JSON, in order
      Json list = Json::array();
      for (auto& s : steps) {
        Json out;
        globals().json_sink = [&](const Json& j) { out = j; };
        run_line(s.args);
        globals().json_sink = nullptr;
        list.push_back({{"what", s.what}, {"command", "relumix " + s.args}, {"output", out}});
      }
      globals().command = "demo";
      emit({{"steps", list}});
      return;
    }
    for (auto& s : steps) {
      if (!s.what.empty()) std::cout << "\n# " << s.what << "\n";
      std::cout << "$ relumix " << s.args << "\n" << std::flush;
      run_line(s.args);
      std::cout << std::flush;
    }
    std::cout << "\nMore: relumix --help, relumix <command> --help, and docs/cli.md.\n";
  });
});

}  // namespace
}  // namespace relumix::cli
