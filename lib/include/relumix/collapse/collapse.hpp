#pragma once
// Collapse of deep narrow ReLU networks (SPEC section 7; Lu, Shin, Su, Karniadakis 2018).
//
// Bias-free He network of constant width N: given a live input, the N pre-activations of the
// next layer are i.i.d. symmetric, so the layer kills the input (all N <= 0) with probability
// exactly 2^-N, independently of the past. Hence
//     P(dead by depth L) = 1 - (1 - 2^-N)^L = -expm1(L * log1p(-2^-N)).
// The same law holds with i.i.d. N(0, s^2) biases for one input (the pre-activations given
// the previous layer are still i.i.d. symmetric), which the Monte Carlo confirms. With two
// inputs (either input dead, or the pair parallel) there is no closed form: Monte Carlo.
#include <cstdint>
#include <functional>

#include "relumix/core/progress.hpp"
#include <string>
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/rational.hpp"
#include "relumix/core/limits.hpp"

namespace relumix {

// Enclosures of P(dead by depth L) and of the survival probability (1 - 2^-N)^L.
// InputError unless 1 <= width <= kCollapseMaxWidth and 1 <= depth <= kCollapseMaxDepth.
Interval collapse_probability(long width, long long depth, mpfr_prec_t bits);

// Certified decimal text (digits significant digits, correctly rounded) of the collapse and
// survival probabilities. Exact (dyadic) arithmetic where the decimal expansion is short
// enough to end in a rounding tie; the survival probability is printed with its decimal
// exponent tracked separately, so it never underflows (e.g. width 1, depth 1e18).
std::string collapse_probability_text(long width, long long depth, int digits);
std::string survival_probability_text(long width, long long depth, int digits);

// The largest depth L >= 0 with 1 - (1 - 2^-width)^L < eps (bias-free, exact); 0 if even
// one layer is unsafe. eps must lie in (0, 1).
Integer collapse_safe_depth(long width, const Rational& eps);

// ---- Monte Carlo (biases and/or two inputs) ----
struct CollapseMcOptions {
  long width = 2;
  long long depth = 1;
  int inputs = 1;              // 1 or 2
  double bias_std = 0;         // biases i.i.d. N(0, bias_std^2), shared by both inputs
  double angle = 1.5707963267948966;  // angle between the two inputs, in [0, pi/2]
  std::uint64_t samples = 100000;
  std::uint64_t seed = 1;
};

struct CollapseMcResult {
  std::uint64_t samples = 0;
  std::uint64_t collapsed = 0;      // samples with an event at some layer <= depth
  double probability = 0;           // collapsed / samples
  double stderr_ = 0;               // sqrt(p (1 - p) / samples)
  // first event by kind (two inputs: exactly one dead, both dead, parallel but alive)
  std::uint64_t dead_one = 0, dead_both = 0, parallel = 0;
  // first_event[l] = number of samples whose first event is at layer l+1 (l = 0..depth-1)
  std::vector<std::uint64_t> first_event;
  // P-hat of an event by depth l (1 <= l <= depth) and its standard error
  double probability_by(long long l) const;
  double stderr_by(long long l) const;
};

// Simulates the reduced chain: given the previous post-activations (Gram matrix of the one or
// two inputs), the pre-activations are i.i.d. (bivariate) normal with covariance
// (2/n_prev) Gram + bias_std^2 * ones. Inputs have squared norm `width` (unit second moment per
// coordinate, input dimension = width). Random numbers: Philox4x64 keyed by the seed, counter
// (sample, layer, block): identical results for any run. `progress(done, samples)` is called now and
// then; polls throw_if_stopped().
// InputError for out-of-range options or more than kCollapseMcMaxWork work.
CollapseMcResult collapse_monte_carlo(const CollapseMcOptions& opt,
                                      const ProgressFn& progress = {});

}  // namespace relumix
