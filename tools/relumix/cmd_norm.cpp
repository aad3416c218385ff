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
  if (samples > 0) {  // refuse an oversized Monte Carlo before the exact part
    double work = double(samples) * double(depth) * double(width);
    require(work <= kNormMcMaxWork, "Monte Carlo too large: samples x depth x width = ", work, " exceeds ",
            kNormMcMaxWork, " (about 10 minutes)");
  }
  NormLaw law = norm_law(width);
  const int d = a.digits->as<int>();
  std::string mean = certify([&](mpfr_prec_t b) { return norm_mean(law, depth, b); }, d);
  std::string var = certify([&](mpfr_prec_t b) { return norm_var(law, depth, b); }, d);
  std::string mean1 = certify([&](mpfr_prec_t b) { return norm_mean(law, 1, b); }, d);
  std::string var1 = certify([&](mpfr_prec_t b) { return norm_var(law, 1, b); }, d);
  std::string survive = survival_probability_text(width, depth, d);
  const bool closed = width <= 32;
  NormMcResult mc;
  if (samples > 0) {
    Progress prog("norm Monte Carlo", samples);
    mc = norm_monte_carlo(width, depth, samples, seed, prog.fn());
  }
  if (globals().json) {
    Json j = {{"width", width}, {"depth", depth}, {"digits", d}, {"mean", mean}, {"var", var},
                        {"mean_per_layer", mean1}, {"var_per_layer", var1}, {"no_collapse_probability", survive}};
    if (closed) {
      j["mean_per_layer_closed_form"] = law.mean_formula();
      j["var_per_layer_closed_form"] = law.var_formula();
    }
    if (samples > 0)
      j["mc"] = {{"samples", mc.samples}, {"seed", seed}, {"collapsed", mc.collapsed}, {"used", mc.used},
                 {"mean", num(mc.mean)}, {"stderr_mean", num(mc.stderr_mean)}, {"var", num(mc.var)},
                 {"stderr_var", num(mc.stderr_var)}};
    emit(j);
    return;
  }
  std::cout << "X = ln(|relu(z^L)|^2 / |x|^2), bias-free He network, width " << width << ", depth " << depth
            << ", conditioned on no collapse (probability " << survive << ")\n";
  std::cout << "E[X]   = " << mean << "\n";
  std::cout << "Var[X] = " << var << "\n";
  std::cout << "per layer: mean " << mean1 << ", var " << var1 << "\n";
  if (closed) {
    std::cout << "mean per layer = " << law.mean_formula() << "\n";
    std::cout << "var per layer  = " << law.var_formula() << "\n";
  }
  if (samples > 0) {
    std::cout.precision(8);
    std::cout << "Monte Carlo (" << mc.samples << " samples, seed " << seed << ", " << mc.collapsed
              << " collapsed and excluded): ";
    if (mc.used == 0) std::cout << "no samples left";
    else if (mc.used == 1) std::cout << "E[X] = " << mc.mean << " from one sample (no standard error, no variance)";
    else
      std::cout << "E[X] = " << mc.mean << " +- " << mc.stderr_mean << ", Var[X] = " << mc.var << " +- "
                << mc.stderr_var;
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
      "or only one, is left)} (docs/json.md).");
  a->width = add_width(sub, "width n of every layer and of the input", Need::Required, 1, kNormMaxWidth);
  a->depth = add_depth(sub, "number of layers L", Need::Required, kNormMaxDepth);
  a->digits = add_digits(sub);
  a->mc = add_mc(sub, "also simulate --samples samples (Monte Carlo, with standard errors)");
  a->samples = add_samples(sub, 100000, 2, kMaxSamples);
  a->seed = add_seed(sub);
  sub->callback([a] { run_norm(*a); });
}

RELUMIX_COMMAND(61, add_norm);

}  // namespace

}  // namespace relumix::cli
