// relumix collapse: probability that a deep narrow ReLU network kills an input (SPEC section 7).
#include <cmath>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/core/error.hpp"
#include "relumix/exact/rational.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix::cli {

namespace {

double parse_nonneg(const std::string& text, const std::string& what, double hi) {
  Rational q;
  try {
    q = parse_rational(text);
  } catch (const InputError&) {
    throw InputError(what + " must be a number, got '" + text + "'");
  }
  require(q >= 0 && q <= Rational(hi), what + " must be a number in [0, " + std::to_string(long(hi)) + "], got '" + text + "'");
  return q.convert_to<double>();
}

struct CollapseArgs {
  std::string width, depth, bias = "0", angle = "pi/2", samples = "100000", seed = "1";
  int inputs = 1;
  int digits = 30;
  bool mc = false;
};

void run_collapse(const CollapseArgs& a) {
  long width = long(parse_int_range(a.width, "--width", 1, kCollapseMaxWidth));
  long long depth = parse_int_range(a.depth, "--depth", 1, kCollapseMaxDepth);
  double bias = parse_nonneg(a.bias, "--bias-std", 1e6);
  require(a.inputs == 1 || a.inputs == 2, "--inputs must be 1 or 2, got " + std::to_string(a.inputs));
  bool monte_carlo = a.mc || bias > 0 || a.inputs == 2;
  if (!monte_carlo) {
    std::string p = collapse_probability_text(width, depth, a.digits);
    std::string s = survival_probability_text(width, depth, a.digits);
    if (globals().json) {
      emit({{"width", width}, {"depth", depth}, {"digits", a.digits}, {"method", "exact"},
            {"probability", p}, {"survival", s}});
    } else {
      std::cout << "bias-free He network, width " << width << ", depth " << depth << " (exact: 1 - (1 - 2^-" << width
                << ")^" << depth << ")\n";
      std::cout << "P(input dead by depth " << depth << ") = " << p << "\n";
      std::cout << "survival probability    = " << s << "\n";
    }
    return;
  }
  CollapseMcOptions o;
  o.width = width;
  o.depth = depth;
  o.inputs = a.inputs;
  o.bias_std = bias;
  Theta th = parse_theta_checked(a.angle);
  require(th.compare_pi_multiple(Rational(1, 2)) <= 0,
          "--angle must lie in [0, pi/2] (the inputs have non-negative coordinates), got '" + a.angle + "'");
  o.angle = th.to_double();
  o.samples = std::uint64_t(parse_int_range(a.samples, "--samples", 1, 1000000000000LL));
  o.seed = parse_seed(a.seed);
  require(depth <= 100000000, "--depth must be at most 1e8 for the Monte Carlo, got '" + a.depth + "'");
  Progress prog("collapse Monte Carlo", (long long)o.samples);
  CollapseMcResult r = collapse_monte_carlo(o, [&](std::uint64_t done, std::uint64_t) { prog.update((long long)done); });
  std::string exact;
  if (a.inputs == 1) exact = collapse_probability_text(width, depth, a.digits);
  if (globals().json) {
    nlohmann::json j = {{"width", width}, {"depth", depth}, {"method", "monte carlo"}, {"inputs", a.inputs},
                        {"bias_std", bias}, {"samples", r.samples}, {"seed", o.seed},
                        {"probability", r.probability}, {"stderr", r.stderr_}, {"collapsed", r.collapsed}};
    if (a.inputs == 2) {
      j["angle"] = o.angle;
      j["events"] = {{"one_dead", r.dead_one}, {"both_dead", r.dead_both}, {"parallel", r.parallel}};
    } else {
      j["exact_probability"] = exact;
    }
    emit(j);
    return;
  }
  std::cout << "Monte Carlo: width " << width << ", depth " << depth << ", " << a.inputs << " input"
            << (a.inputs == 2 ? "s" : "") << ", bias std " << bias;
  if (a.inputs == 2) std::cout << ", angle " << o.angle;
  std::cout << ", " << r.samples << " samples, seed " << o.seed << "\n";
  std::cout.precision(6);
  std::cout << "P(" << (a.inputs == 2 ? "either input dead or the pair parallel" : "input dead") << " by depth " << depth
            << ") = " << r.probability << " +- " << r.stderr_ << " (" << r.collapsed << " of " << r.samples << ")\n";
  if (a.inputs == 2)
    std::cout << "first events: one input dead " << r.dead_one << ", both dead " << r.dead_both << ", parallel "
              << r.parallel << "\n";
  else
    std::cout << "exact law 1 - (1 - 2^-N)^L (also with Gaussian biases, one input) = " << exact << "\n";
}

void add_collapse(CLI::App& app) {
  auto a = std::make_shared<CollapseArgs>();
  auto* sub = app.add_subcommand(
      "collapse",
      "probability that a deep narrow ReLU network kills an input by depth L (exact, or Monte Carlo with biases / two inputs)");
  sub->footer(
      "Bias-free He network of constant width N (input dimension N): every layer kills a live input with probability\n"
      "exactly 2^-N, so P(dead by depth L) = 1 - (1 - 2^-N)^L, printed with --digits correct significant digits\n"
      "(certified, also when tiny or close to 1), together with the survival probability (1 - 2^-N)^L.\n"
      "With --bias-std s > 0 (biases N(0, s^2)), --inputs 2 (event: either input dead or the two post-activation\n"
      "vectors parallel, at some layer <= L) or --mc, a Monte Carlo estimate with its standard error is printed.\n"
      "For one input the exact law also holds with Gaussian biases (given the previous layer the pre-activations are\n"
      "i.i.d. symmetric), so the Monte Carlo reproduces it. Limits: width <= 1e6 and depth <= 1e18 for the exact law;\n"
      "Monte Carlo width <= 1e5, depth <= 1e8 and samples*depth*width*inputs <= 2e10 (about 10 minutes at worst;\n"
      "samples stop at their first event). JSON: {width, depth, digits, method: \"exact\", probability, survival}\n"
      "or {width, depth, method: \"monte carlo\", inputs, bias_std, samples, seed, probability, stderr, collapsed,\n"
      "exact_probability (one input) | angle, events {one_dead, both_dead, parallel} (two inputs)}.");
  sub->add_option("--width,-n", a->width, "width N of every layer (1..1e6)")->required();
  sub->add_option("--depth,-L", a->depth, "number of layers L (1..1e18)")->required();
  add_digits(sub, a->digits);
  sub->add_option("--bias-std", a->bias, "standard deviation s of the biases N(0, s^2) (Monte Carlo if s > 0)")
      ->default_val("0");
  sub->add_option("--inputs", a->inputs, "1 (one input dies) or 2 (either dies or the pair becomes parallel)")
      ->default_val(1);
  sub->add_option("--angle", a->angle, "angle between the two inputs, in [0, pi/2] (--inputs 2)")->default_val("pi/2");
  sub->add_flag("--mc", a->mc, "Monte Carlo even where the exact law applies (validation)");
  sub->add_option("--samples", a->samples, "Monte Carlo samples")->default_val("100000");
  sub->add_option("--seed", a->seed, "Monte Carlo seed (Philox key; same seed, same numbers)")->default_val("1");
  sub->callback([a] { run_collapse(*a); });
}

RELUMIX_COMMAND(60, add_collapse);

}  // namespace

}  // namespace relumix::cli
