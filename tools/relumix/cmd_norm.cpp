// relumix norm: exact law of the squared norm through a deep ReLU network (SPEC section 7).
#include <cmath>
#include <iostream>
#include <memory>

#include "cli.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/core/error.hpp"
#include "relumix/collapse/norm.hpp"
#include "relumix/exact/rational.hpp"

namespace relumix::cli {

namespace {

// a Monte Carlo statistic: null when undefined (no sample, or one)
nlohmann::json num(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

struct NormArgs {
  std::string width, depth, mc = "0", seed = "1";
  int digits = 30;
};

void run_norm(const NormArgs& a) {
  long width = long(parse_int_range(a.width, "--width", 1, kNormMaxWidth));
  long long depth = parse_int_range(a.depth, "--depth", 1, kNormMaxDepth);
  long long samples = parse_int_range(a.mc, "--mc", 0, 1000000000000LL);
  require(samples != 1, "--mc needs at least 2 samples");
  std::uint64_t seed = parse_seed(a.seed);
  if (samples > 0) {  // refuse an oversized Monte Carlo before the exact part
    double work = double(samples) * double(depth) * double(width);
    require(work <= kNormMcMaxWork, "Monte Carlo too large: samples*depth*width = " + std::to_string(work) +
                                        " exceeds 2e10 (about 10 minutes)");
  }
  NormLaw law = norm_law(width);
  const int d = a.digits;
  std::string mean = certify([&](mpfr_prec_t b) { return norm_mean(law, depth, b); }, d);
  std::string var = certify([&](mpfr_prec_t b) { return norm_var(law, depth, b); }, d);
  std::string mean1 = certify([&](mpfr_prec_t b) { return norm_mean(law, 1, b); }, d);
  std::string var1 = certify([&](mpfr_prec_t b) { return norm_var(law, 1, b); }, d);
  std::string survive = survival_probability_text(width, depth, d);
  const bool closed = width <= 32;
  NormMcResult mc;
  if (samples > 0) {
    Progress prog("norm Monte Carlo", samples);
    mc = norm_monte_carlo(width, depth, std::uint64_t(samples), seed,
                          [&](std::uint64_t done, std::uint64_t) { prog.update((long long)done); });
  }
  if (globals().json) {
    nlohmann::json j = {{"width", width}, {"depth", depth}, {"digits", d}, {"mean", mean}, {"var", var},
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
      "work: width 20000 takes a few seconds), depth <= 1e18; --mc S simulates S samples (samples*depth*width <= 2e10).\n"
      "JSON: {width, depth, digits, mean, var, mean_per_layer, var_per_layer, no_collapse_probability,\n"
      "mean_per_layer_closed_form, var_per_layer_closed_form (width <= 32),\n"
      "mc {samples, seed, collapsed, used, mean, stderr_mean, var, stderr_var} (with --mc; null when no sample, or\n"
      "only one, is left)}.");
  sub->add_option("--width,-n", a->width, "width n of every layer and of the input (1..20000)")->required();
  sub->add_option("--depth,-L", a->depth, "number of layers L (1..1e18)")->required();
  add_digits(sub, a->digits);
  sub->add_option("--mc", a->mc, "also simulate S samples (Monte Carlo, with standard errors)")->default_val("0");
  sub->add_option("--seed", a->seed, "Monte Carlo seed (Philox key)")->default_val("1");
  sub->callback([a] { run_norm(*a); });
}

RELUMIX_COMMAND(61, add_norm);

}  // namespace

}  // namespace relumix::cli
