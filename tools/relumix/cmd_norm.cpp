// relumix norm: exact law of the squared norm through a deep ReLU network (SPEC section 7).
#include <cmath>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/core/error.hpp"
#include "relumix/collapse/norm.hpp"
#include "relumix/collapse/report.hpp"
#include "relumix/exact/rational.hpp"

namespace relumix::cli {

namespace {

struct NormArgs {
  std::shared_ptr<IntOpt> width, depth, digits, samples, seed;
  std::shared_ptr<FlagOpt> mc;
};

void run_norm(const NormArgs& a) {
  const long width = a.width->as<long>();
  const long long depth = a.depth->as<long long>();
  const bool monte_carlo = a.mc->value();
  a.samples->only_if(monte_carlo, "with --mc");
  a.seed->only_if(monte_carlo, "with --mc");
  const std::uint64_t samples = monte_carlo ? a.samples->value() : 0;
  const std::uint64_t seed = a.seed->value();
  const int d = a.digits->as<int>();
  Json j;
  {
    std::unique_ptr<Progress> prog;
    if (samples > 0) prog = std::make_unique<Progress>("norm Monte Carlo", samples);
    j = norm_report(width, depth, d, samples, seed, prog ? prog->fn() : ProgressFn{});
  }
  if (globals().json) {
    emit(j);
    return;
  }
  auto text = [&](const char* key) { return j[key].get<std::string>(); };
  std::cout << "X = ln(|relu(z^L)|^2 / |x|^2), bias-free He network, width " << width << ", depth " << depth
            << ", conditioned on no collapse (probability " << text("no_collapse_probability") << ")\n";
  std::cout << "E[X]   = " << text("mean") << "\n";
  std::cout << "Var[X] = " << text("var") << "\n";
  std::cout << "per layer: mean " << text("mean_per_layer") << ", var " << text("var_per_layer") << "\n";
  if (j.contains("mean_per_layer_closed_form")) {
    std::cout << "mean per layer = " << text("mean_per_layer_closed_form") << "\n";
    std::cout << "var per layer  = " << text("var_per_layer_closed_form") << "\n";
  }
  if (samples > 0) {
    const Json& mc = j["mc"];
    auto dbl = [&](const char* key) { return mc[key].is_null() ? std::nan("") : mc[key].get<double>(); };
    const auto used = mc["used"].get<std::uint64_t>();
    std::cout.precision(8);
    std::cout << "Monte Carlo (" << mc["samples"].get<std::uint64_t>() << " samples, seed " << seed << ", "
              << mc["collapsed"].get<std::uint64_t>() << " collapsed and excluded): ";
    if (used == 0) std::cout << "no samples left";
    else if (used == 1) std::cout << "E[X] = " << dbl("mean") << " from one sample (no standard error, no variance)";
    else {
      std::cout << "E[X] = " << dbl("mean") << " +- " << dbl("stderr_mean") << ", Var[X] = " << dbl("var");
      if (used < 4) std::cout << " (its standard error needs at least 4 samples)";
      else std::cout << " +- " << dbl("stderr_var");
    }
    std::cout << "\n";
  }
}

void add_norm(CLI::App& app) {
  auto a = std::make_shared<NormArgs>();
  auto* sub = app.add_subcommand(
      "norm", "exact mean and variance of ln(|relu(z^L)|^2/|x|^2) at constant width (the L/n law), optional Monte Carlo");
  sub->footer(
      "Product law (Hanin 2022): |relu(z^{l+1})|^2 = (2/n) |relu(z^l)|^2 chi^2_K, K ~ Binomial(n, 1/2) independent\n"
      "across layers; conditioned on no collapse (K >= 1) the log ratio is a sum of L i.i.d. terms with mean\n"
      "E[psi(K/2)] + ln(4/n) and variance E[psi'(K/2)] + Var[psi(K/2)] per layer, computed exactly (rational binomial\n"
      "sums, closed forms of psi and psi' at half-integers) and printed with --digits certified digits; about -5/(2n)\n"
      "and 5/n per layer. Input dimension = width. Limits: width <= 20000 (the exact sums cost O(n^2) big-number\n"
      "work: width 20000 takes a few seconds), depth <= 1e18; --mc simulates --samples S samples (S >= 2,\n"
      "samples*depth*width <= 2e10).\n"
      "JSON: {width, depth, digits, mean, var, mean_per_layer, var_per_layer, no_collapse_probability,\n"
      "mean_per_layer_closed_form, var_per_layer_closed_form (width <= 32),\n"
      "mc {samples, seed, collapsed, used, mean, stderr_mean, var, stderr_var} (with --mc; null when no sample,\n"
      "or only one, is left; stderr_var null below 4 samples)} (docs/json.md).");
  a->width = add_width(sub, "width n of every layer and of the input", Need::Required, 1, kNormMaxWidth);
  a->depth = add_depth(sub, "number of layers L", Need::Required, kNormMaxDepth);
  a->digits = add_digits(sub);
  a->mc = add_mc(sub, "also simulate --samples samples (Monte Carlo, with standard errors)");
  a->samples = add_samples(sub, 100000, 2, kMaxSamples);
  a->seed = add_seed(sub);
  auto activation = add_activation(sub);
  sub->callback([a, activation] {
    activation->relu_only("norm's exact law (a Binomial number of chi-squares) is ReLU's; it is not derived for other activations");
    run_norm(*a);
  });
}

RELUMIX_COMMAND(61, add_norm);

}  // namespace

}  // namespace relumix::cli
