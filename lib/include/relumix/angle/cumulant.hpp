#pragma once
// Beyond O(1/n): the asymptotic series in 1/n of the law of X = ln sin^2 theta' (SPEC section 5).
//
// g(S) = ln(S1 S2 - S3^2) - ln S1 - ln S2 at the mean S of n i.i.d. v = (X^2, Y^2, XY):
//   E[g]   = ln D + sum_{k=1}^K mean_k(theta) / n^k + O(n^-K-1),   D = 1 - 4 J11^2
//   Var[g] =        sum_{k=1}^K var_k(theta)  / n^k + O(n^-K-1).
// The Taylor polynomial of g around m = (1/2, 1/2, J11) (degree 2K) is averaged against the
// central moments of S - m, obtained from the joint cumulants of v (plain moments
// M_{a,b}, a + b <= 4K) by the multivariate moment-cumulant recursion; this equals the sum over
// set partitions without singletons of products of cumulants / n^{|B|-1}.
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/qpi.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/moments/activation.hpp"

namespace relumix {

// Enclosures of mean_k, var_k (index k = 1..K; index 0 unused) and ln D at theta in (0, pi].
struct CumulantEnclosure {
  Interval lnD;
  std::vector<Interval> mean, var;
};
CumulantEnclosure cumulant_enclosure(const Theta& theta, unsigned K, mpfr_prec_t bits);
// The same for a positively homogeneous activation phi_alpha (docs/theory.md section 9): the expansion
// is that of ReLU with the normalized plain moments Mbar_{a,b} of phi (activation.hpp) in place of
// M_{a,b}, so m = (1/2, 1/2, Mbar_{1,1}) and D = 1 - 4 Mbar_{1,1}^2 = sin^2 f_alpha(theta). A unit of
// phi with alpha != 0 never dies, so no degenerate event is left out. X = ln sin^2 theta' does not see
// the sign of cos theta' (obtuse angles for alpha > 0). At alpha = 0 this is cumulant_enclosure above.
// InputError where D = 0 (abs at theta = pi: theta' = 0 exactly).
CumulantEnclosure cumulant_enclosure(const Theta& theta, unsigned K, mpfr_prec_t bits, const Activation& act);
Interval mu_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits, const Activation& act);
Interval sigma2_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits,
                                 const Activation& act);

// mu_K(theta, n) = ln D + sum_{k<=K} mean_k / n^k ; sigma2_K(theta, n) = sum_{k<=K} var_k / n^k.
Interval mu_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits);
Interval sigma2_series_enclosure(const Theta& theta, const Rational& n, unsigned K, mpfr_prec_t bits);

// Double-precision coefficients at theta in (0, pi] (each to about 1e-15 relative; from the
// enclosures at a working precision raised until they are that tight). A value, not a reference:
// the last few angles are cached per thread (so mu() and sigma2() of one angle and several widths
// cost one evaluation), and the result stays valid whatever is asked for later.
struct CumulantValues {
  double theta = 0;
  unsigned K = 0;
  double lnD = 0;
  std::vector<double> mean, var;  // index 1..K
  double mu(double n) const;      // ln D + sum_k mean_k / n^k
  double sigma2(double n) const;  // sum_k var_k / n^k
};
CumulantValues cumulant_double(double theta, unsigned K);
// The same for a positively homogeneous activation (abs: theta in (0, pi)).
CumulantValues cumulant_double(double theta, unsigned K, const Activation& act);

// Fast double values of mean_k(theta), var_k(theta), k = 1..K (K <= kMaxCumulantOrder), for theta in
// [0, pi] (0 included: the limits of docs/theory.md 4.4), from the checked-in Chebyshev tables
// lib/src/angle/cumulant_table.inc (tools/gen/gen_cumulant_table.cpp: 6 pieces of [0, pi], 40 terms
// each, from certified values; the test "cumulant table" bounds the error against cumulant_double
// between the nodes). About 1 microsecond; mean[0] = var[0] = 0. Both arrays need K + 1 entries.
void cumulant_table(double theta, unsigned K, double* mean, double* var);
// The same for a positively homogeneous activation: for alpha = 0 the table above; otherwise
// Chebyshev interpolants on pieces of [0, pi] (abs: of [0, pi/2], theta -> min(theta, pi - theta), its
// moments being symmetric about pi/2), built on first use from cumulant_double at the Chebyshev nodes
// and kept per (alpha, K) for the rest of the process: about 100 evaluations, 2-4 s at K = 4 on two
// threads, ~30 s at K = 6, minutes at K = 8 (the cost of one evaluation grows ~5x per order).
// `threads` = 0: all cores. interpolation_error (if set) receives the table's estimated
// relative error (the size of the last Chebyshev coefficients against the largest).
void activation_cumulant_table(const Activation& act, double theta, unsigned K, double* mean, double* var,
                               unsigned threads = 0, double* interpolation_error = nullptr);
// ln D(theta) - ln sin^2 theta = 2 ln(sin f(theta) / sin theta) for an activation (activation_map.hpp),
// theta in [0, pi) (-(2 w/(3 pi)) theta below 1e-8).
double log_d_over_sin2(const Activation& act, double theta);
// ln D(theta) - ln sin^2 theta = 2 ln(sin f(theta) / sin theta) in double precision, for theta in
// [0, pi) (the limit 0 at theta = 0, -(2/(3 pi)) theta below 1e-8), f the infinite-width map.
double log_d_over_sin2(double theta);

// Exact theta-series at 0 (coefficients in Q[1/pi]; the Laurent poles of 1/D cancel — a pole
// left over throws): mean[k][j], var[k][j] = coefficient of theta^j in mean_k, var_k, k = 1..K.
struct CumulantSeries {
  unsigned K = 0, order = 0;
  std::vector<std::vector<QPi>> mean, var;
};
// K <= kMaxCumulantSeriesOrder, order <= kMaxCumulantSeriesTheta.
CumulantSeries cumulant_series(unsigned K, unsigned order);
// The same for a positively homogeneous activation (normalized_moment_series in place of the ReLU
// plain moments; alpha = 0 is the above).
CumulantSeries cumulant_series(unsigned K, unsigned order, const Activation& act);

}  // namespace relumix
