// Tables of SPEC section 7: the collapse safe region and the depth-to-width (L/n) law.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "cli.hpp"
#include "relumix/numeric/certify.hpp"
#include "relumix/collapse/collapse.hpp"
#include "relumix/collapse/norm.hpp"
#include "tables.hpp"

namespace relumix::cli {

namespace {

std::string fmt(const char* f, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, x);
  return buf;
}

constexpr double kTableBias = 1.0;
constexpr std::uint64_t kTableSamples = 10000;
constexpr std::uint64_t kTableSeed = 20180101;
constexpr long long kTableMcMaxDepth = 50;

void write_safe_region(TableSink& out) {
  const Rational eps[3] = {Rational(1, 100), Rational(1, 1000), Rational(1, 1000000)};
  std::ostringstream b;
  b << "| width N | L(1e-2) | L(1e-3) | L(1e-6) | exact P(dead by L(1e-2)) | MC, bias std 1, one input | "
       "MC, bias std 1, two inputs at pi/2 |\n";
  b << "|---:|---:|---:|---:|---:|---:|---:|\n";
  for (long n = 2; n <= 64; ++n) {
    Integer L[3];
    for (int i = 0; i < 3; ++i) L[i] = collapse_safe_depth(n, eps[i]);
    b << "| " << n << " | " << L[0] << " | " << L[1] << " | " << L[2] << " | ";
    if (L[0] == 0) {
      b << "- | - | - |\n";
      continue;
    }
    long long depth = L[0].convert_to<long long>();
    b << collapse_probability_text(n, depth, 6) << " | ";
    if (depth > kTableMcMaxDepth) {
      b << "- | - |\n";
      continue;
    }
    for (int inputs = 1; inputs <= 2; ++inputs) {
      CollapseMcOptions o;
      o.width = n;
      o.depth = depth;
      o.inputs = inputs;
      o.bias_std = kTableBias;
      o.samples = kTableSamples;
      o.seed = kTableSeed;
      CollapseMcResult r = collapse_monte_carlo(o);
      b << fmt("%.4f", r.probability) << " ± " << fmt("%.4f", r.stderr_) << " |";
      b << (inputs == 1 ? " " : "\n");
    }
  }
  out.write(
      "collapse_safe_region.md",
      "Safe region of deep narrow ReLU networks (SPEC section 7, Lu et al. 2018). For each width N, L(eps) is the\n"
      "largest depth L with P(an input is dead by depth L) = 1 - (1 - 2^-N)^L < eps for a bias-free He network\n"
      "(exact; 0: even one layer is unsafe). The exact column is that probability at L(1e-2) (6 certified digits).\n"
      "Monte Carlo columns, at depth L(1e-2) where 1 <= L(1e-2) <= 50: biases N(0, 1); one input (the exact law\n"
      "holds with Gaussian biases too, so this column checks it), and two inputs at angle pi/2 with squared norm N\n"
      "(event: either input dead or the pair parallel at some layer). 10000 samples each, seed 20180101,\n"
      "value +- standard error. Command: relumix collapse --width N --depth L [--bias-std 1 --inputs 2].",
      b.str());
}

void write_depth_to_width(TableSink& out) {
  const long widths[] = {4, 8, 16, 32, 64, 128, 256};
  const Rational ratios[] = {Rational(1, 4), Rational(1, 2), Rational(1), Rational(2)};
  std::ostringstream b;
  b << "| L/n | n | L | E[X] | -5L/(2n) | Var[X] | 5L/n | Var[X] / (5L/n) | P(collapse by L) |\n";
  b << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const Rational& r : ratios) {
    for (long n : widths) {
      Rational Lq = r * n;
      if (denominator(Lq) != 1) continue;
      long long L = numerator(Lq).convert_to<long long>();
      NormLaw law = norm_law(n);
      std::string mean = certify([&](mpfr_prec_t bits) { return norm_mean(law, L, bits); }, 8);
      std::string var = certify([&](mpfr_prec_t bits) { return norm_var(law, L, bits); }, 8);
      Rational five = 5 * Lq / n;
      std::string ratio = certify(
          [&](mpfr_prec_t bits) { return norm_var(law, L, bits) / Interval(five, bits); }, 6);
      std::string half = certify([&](mpfr_prec_t bits) { return Interval(-five / 2, bits); }, 6);
      b << "| " << to_string(r) << " | " << n << " | " << L << " | " << mean << " | " << half << " | " << var << " | "
        << certify([&](mpfr_prec_t bits) { return Interval(five, bits); }, 6) << " | " << ratio << " | "
        << collapse_probability_text(n, L, 6) << " |\n";
    }
  }
  out.write(
      "norm_depth_to_width.md",
      "The depth-to-width law (SPEC section 7, Hanin 2022). X = ln(|relu(z^L)|^2 / |x|^2) for a bias-free He\n"
      "network of constant width n (input dimension n), conditioned on no collapse: exact mean and variance from\n"
      "the product law (binomial sums of digamma and trigamma at half-integers), 8 certified digits, for several\n"
      "(n, L) with equal L/n, against the large-n approximations -5L/(2n) and 5L/n. Rows with equal L/n have\n"
      "nearly equal variance: L/n is the effective depth. Last column: the probability of the excluded event. Command: relumix norm --width n --depth L.",
      b.str());
}

RELUMIX_TABLE(60, write_safe_region);
RELUMIX_TABLE(61, write_depth_to_width);

}  // namespace

}  // namespace relumix::cli
