// relumix collapse: probability that a deep narrow ReLU network kills an input (SPEC section 7).
#include <cmath>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/collapse/report.hpp"
#include "relumix/core/error.hpp"
#include "relumix/exact/rational.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix::cli {

namespace {

struct CollapseArgs {
  std::shared_ptr<IntOpt> width, depth, digits, inputs, samples, seed;
  std::shared_ptr<Opt> bias;
  std::shared_ptr<AngleOpt> theta0;
  std::shared_ptr<FlagOpt> mc;
};

void run_collapse(const CollapseArgs& a) {
  const long width = a.width->as<long>();
  const long long depth = a.depth->as<long long>();
  const int digits = a.digits->as<int>();
  const double bias = a.bias->parse([](const std::string& t) { return parse_real(t, 0, 1000000); }).convert_to<double>();
  const int inputs = a.inputs->as<int>();
  const bool monte_carlo = a.mc->value() || bias > 0 || inputs == 2;
  a.theta0->only_if(inputs == 2, "with --inputs 2 (the angle between the two inputs)");
  const std::string mc_only = "to the Monte Carlo (--mc, --bias-std s > 0 or --inputs 2)";
  a.samples->only_if(monte_carlo, mc_only);
  a.seed->only_if(monte_carlo, mc_only);
  CollapseRequest req;
  req.width = width;
  req.depth = depth;
  req.digits = digits;
  req.bias_std = bias;
  req.inputs = inputs;
  req.mc = a.mc->value();
  if (!monte_carlo) {
    const Json j = collapse_report(req);
    if (globals().json) {
      emit(j);
    } else {
      std::cout << "bias-free He network, width " << width << ", depth " << depth << " (exact: 1 - (1 - 2^-" << width
                << ")^" << depth << ")\n";
      std::cout << "P(input dead by depth " << depth << ") = " << j["probability"].get<std::string>() << "\n";
      std::cout << "survival probability    = " << j["survival"].get<std::string>() << "\n";
    }
    return;
  }
  Theta th = a.theta0->value();
  require(th.compare_pi_multiple(Rational(1, 2)) <= 0, "--theta0: angle ", th.text,
          " is outside [0, pi/2] (the inputs have non-negative coordinates)");
  req.theta0 = th;
  req.samples = a.samples->value();
  req.seed = a.seed->value();
  require(depth <= kCollapseMcMaxDepth, "--depth: ", depth, " is above the Monte Carlo's maximum ",
          format_count(kCollapseMcMaxDepth));
  Json j;
  {
    Progress prog("collapse Monte Carlo", req.samples);
    j = collapse_report(req, prog.fn());
  }
  if (globals().json) {
    emit(j);
    return;
  }
  auto dbl = [](const Json& v) { return v.is_null() ? std::nan("") : v.get<double>(); };
  std::cout << "Monte Carlo: width " << width << ", depth " << depth << ", " << inputs << " input"
            << (inputs == 2 ? "s" : "") << ", bias std " << bias;
  if (inputs == 2) std::cout << ", theta0 " << th.text;
  std::cout << ", " << j["samples"].get<std::uint64_t>() << " samples, seed " << req.seed << "\n";
  std::cout.precision(6);
  std::cout << "P(" << (inputs == 2 ? "either input dead or the pair parallel" : "input dead") << " by depth " << depth
            << ") = " << dbl(j["probability"]) << " +- " << dbl(j["stderr_probability"]) << " ("
            << j["collapsed"].get<std::uint64_t>() << " of " << j["samples"].get<std::uint64_t>() << ")\n";
  if (inputs == 2)
    std::cout << "first events: one input dead " << j["events"]["one_dead"].get<std::uint64_t>() << ", both dead "
              << j["events"]["both_dead"].get<std::uint64_t>() << ", parallel "
              << j["events"]["parallel"].get<std::uint64_t>() << "\n";
  else
    std::cout << "exact law 1 - (1 - 2^-N)^L (also with Gaussian biases, one input) = "
              << j["exact_probability"].get<std::string>() << "\n";
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
      "or {width, depth, method: \"monte carlo\", inputs, bias_std, theta0 (two inputs), samples, seed, probability,\n"
      "stderr_probability, collapsed, digits and exact_probability (one input) | events {one_dead, both_dead, parallel}\n"
      "(two inputs)} (docs/json.md).");
  a->width = add_width(sub, "width N of every layer", Need::Required, 1, kCollapseMaxWidth);
  a->depth = add_depth(sub, "number of layers L", Need::Required, kCollapseMaxDepth);
  a->digits = add_digits(sub);
  a->bias = add_text(sub, "--bias-std", "standard deviation s of the biases N(0, s^2), 0..1e6 (Monte Carlo if s > 0)",
                     Need::Optional, "0", "S");
  a->inputs = add_integer(sub, "--inputs", "1 (one input dies) or 2 (either dies or the pair becomes parallel)", 1, 2,
                          Need::Optional, 1);
  a->theta0 = add_theta0(sub, "angle between the two inputs, in [0, pi/2] (--inputs 2)", Need::Optional, "pi/2");
  a->theta0->lo_open = false;
  a->mc = add_mc(sub, "Monte Carlo even where the exact law applies (validation)");
  a->samples = add_samples(sub, 100000, 1, kMaxSamples);
  a->seed = add_seed(sub);
  auto activation = add_activation(sub);
  sub->callback([a, activation] {
    activation->relu_only("collapse is ReLU's question: a unit of phi with ALPHA != 0 is zero only at 0, so no input collapses");
    run_collapse(*a);
  });
}

RELUMIX_COMMAND(60, add_collapse);

}  // namespace

}  // namespace relumix::cli
