#pragma once
// The depth-to-width law (SPEC section 7; Hanin 2022). For a bias-free He network of constant
// width n (input dimension n),
//     ||sigma(z^{l+1})||^2 = (2/n) ||sigma(z^l)||^2 chi^2_K,   K ~ Binomial(n, 1/2),
// independently across layers. Conditioned on no collapse (K >= 1 at every layer),
// X = ln(||sigma(z^L)||^2 / ||x||^2) is a sum of L i.i.d. terms with
//     mean per layer  m = E[psi(K/2) | K >= 1] + ln(4/n),
//     var per layer   v = E[psi'(K/2) | K >= 1] + Var[psi(K/2) | K >= 1].
// With psi(j) = -gamma + H_{j-1}, psi(j+1/2) = -gamma - 2 ln 2 + sum_{i<=j} 2/(2i-1),
// psi'(j) = pi^2/6 - sum_{i<j} 1/i^2, psi'(j+1/2) = pi^2/2 - 4 sum_{i<=j} 1/(2i-1)^2,
// m and v are exact combinations of rationals, gamma, ln 2, ln n and pi^2:
//     m = m0 + m1 ln 2 - gamma - ln n
//     v = v0 + v1 ln 2 + v2 (ln 2)^2 + v3 pi^2
// with rationals m0, m1, v0..v3 computed exactly (GMP). The total over L layers is L m, L v.
#include <cstdint>
#include <functional>

#include "relumix/core/progress.hpp"
#include <string>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/rational.hpp"
#include "relumix/core/limits.hpp"

namespace relumix {

struct NormLaw {
  long width = 0;
  Rational m0, m1;          // mean per layer = m0 + m1 ln2 - gamma - ln n
  Rational v0, v1, v2, v3;  // var per layer = v0 + v1 ln2 + v2 ln2^2 + v3 pi^2
  // human-readable closed forms (rationals written out)
  std::string mean_formula() const;
  std::string var_formula() const;
};

// Exact per-layer law. InputError unless 1 <= width <= kNormMaxWidth.
NormLaw norm_law(long width);

// Enclosures of the total mean and variance over `depth` layers (conditioned on no collapse).
Interval norm_mean(const NormLaw& law, long long depth, mpfr_prec_t bits);
Interval norm_var(const NormLaw& law, long long depth, mpfr_prec_t bits);

// Closed forms of psi(k/2) and psi'(k/2) for integers k >= 1 (exact rational sums).
Interval digamma_half(long k, mpfr_prec_t bits);
Interval trigamma_half(long k, mpfr_prec_t bits);

// ---- Monte Carlo of the reduced chain: given the previous layer, the n pre-activations are
// i.i.d. N(0, 2 ||h||^2 / n); X accumulates ln((2/n) sum_i relu(g_i)^2). Samples that collapse
// (all pre-activations <= 0 at some layer) are excluded and counted. Philox4x64 keyed by
// (seed, sample, layer).
struct NormMcResult {
  std::uint64_t samples = 0, collapsed = 0, used = 0;
  // over the `used` samples: NaN when used == 0 (mean) or used < 2 (the others)
  double mean = 0, stderr_mean = 0, var = 0, stderr_var = 0;
};
// InputError if samples*depth*width exceeds kNormMcMaxWork or an argument is out of range.
NormMcResult norm_monte_carlo(long width, long long depth, std::uint64_t samples, std::uint64_t seed,
                              const ProgressFn& progress = {});

}  // namespace relumix
