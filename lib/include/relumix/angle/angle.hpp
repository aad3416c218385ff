#pragma once
// The angle decay (SPEC section 4): the infinite-width map f, the finite-width one-layer law
// of X = ln sin^2 theta' (mu, sigma^2), and their exact series at theta = 0.
#include "relumix/moments/activation.hpp"
#include <span>
#include <string>
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/exact/series.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// ---- infinite width: cos f(theta) = 2 J_{1,1}(theta) = (sin theta + (pi - theta) cos theta) / pi
// f in double precision, accurate also for tiny theta (no cancellation).
double infinite_map(double theta);
// Exact Taylor series of f at 0 up to theta^order (coefficients in Q[1/pi]).
Series infinite_map_series(unsigned order);
// Large-depth expansion of the iterates theta^l = f^l(theta0):
//   1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + o(1), hence
//   theta^l = 3 pi/l - (9 pi/2) ln(l)/l^2 - 9 pi^2 C/l^2 + O(ln^2 l / l^3).
struct DepthAsymptotics {
  double C = 0;  // the constant, estimated by iterating to depth `fit_depth`
  double theta(double l) const;  // three-term expansion
  // 1/(l/(3 pi) + ln(l)/(2 pi) + C): the same three terms before expanding, error O(ln l / l^3)
  double theta_reciprocal(double l) const;
};
DepthAsymptotics depth_asymptotics(double theta0, long fit_depth = 1000000);

// ---- finite width, one layer (n = width of the new layer, n >= 2)
// Enclosures of mu(theta, n), sigma^2(theta, n) (the paper's O(1/n) forms, SPEC section 4)
// and cos f(theta) = 2 J_{1,1}(theta) at working precision `bits`.
Interval mu_enclosure(const Theta& theta, const Rational& n, mpfr_prec_t bits);
Interval sigma2_enclosure(const Theta& theta, const Rational& n, mpfr_prec_t bits);
Interval cos_infinite_enclosure(const Theta& theta, mpfr_prec_t bits);

struct AngleValues {
  std::string mu, sigma2, cos_infinite_width;  // certified decimals
};
// order 1: the paper's O(1/n) formulas; order K = 2..8: the cumulant series through n^-K
// (cumulant.hpp): ln D + sum_k mean_k/n^k and sum_k var_k/n^k.
AngleValues angle_values(const Theta& theta, const Rational& n, int digits, int order = 1);
// The same for an activation phi_alpha (cumulant.hpp): order K = 1..8 is the cumulant series through n^-K
// with phi's moments (the paper's O(1/n) form is ReLU's: for another activation order 1 is the series
// through n^-1), cos_infinite_width = cos f_alpha(theta). At alpha = 0 it is angle_values above.
AngleValues angle_values(const Theta& theta, const Rational& n, int digits, int order, const Activation& act);

// Double-precision mu, sigma^2, for predictions and arrays. theta in (0, pi], n >= 2 (any real
// width), order as for angle_values. Order 1 (the paper's forms): within 1 ulp of the exact values
// (tests check it on random and hard angles, theta -> 0, near pi/2 and pi, against the certified
// enclosures), by a vectorized double-double kernel (angle/angle_kernel.hpp; the certified route
// for the few angles it cannot do). Orders 2..8: ln D + sum_k mean_k/n^k from cumulant_double
// (each coefficient to about 1e-15 relative; certified evaluations, milliseconds per angle).
double mu_double(double theta, double n, int order = 1);
double sigma2_double(double theta, double n, int order = 1);
// Arrays of angles: mu[i] = mu(theta[i], n), sigma2[i] = sigma^2(theta[i], n), the same bits as the
// one-angle calls. Order 1 on up to `threads` threads (0: all cores) from kParallelDoubleMin angles
// on; orders 2..8 always in parallel. The arrays must have the same length. InputError naming the
// first angle outside (0, pi]; Interrupted when a stop is requested (Ctrl-C).
void mu_sigma2_double(std::span<const double> theta, double n, int order, std::span<double> mu,
                      std::span<double> sigma2, unsigned threads = 0);
// rho(n) = ln((n+5)/(n-1)) - 10n/(n+5)^2 + 6n/(n-1)^2 (the decay offset per layer)
double rho_n(double n);

// ---- exact series at theta = 0 for a given width n
// mu(theta, n) - ln sin^2 theta = log((n-1)/(n+5)) [constant term] + sum_j mu_j theta^j,
// sigma^2(theta, n) = sum_j s_j theta^j, with mu_j, s_j in Q[1/pi].
struct DecaySeries {
  Rational n;
  unsigned order = 0;
  std::vector<QPi> mu;      // mu[j]; the log term is separate
  std::vector<QPi> sigma2;
};
DecaySeries decay_series(const Rational& n, unsigned order);
// The 1/n parts: mu - ln sin^2 = c0(theta) + c1(theta)/n + ..., sigma^2 = s1(theta)/n + ...
// coefficients [k][j] of theta^j n^-k for k = 0..n_order (n_order <= 4; k >= 2 from the cumulant
// expansion, theta order at most 30 then).
struct DecayDoubleSeries {
  unsigned order = 0, n_order = 0;
  std::vector<std::vector<QPi>> mu;      // mu[k][j]
  std::vector<std::vector<QPi>> sigma2;  // sigma2[k][j]
};
DecayDoubleSeries decay_double_series(unsigned order, unsigned n_order);
// The same for a positively homogeneous activation phi_alpha: k = 0 is ln(D / sin^2 theta) with
// D = sin^2 f_alpha, k >= 1 the cumulant expansion with phi's normalized moments (docs/theory.md 9.7);
// alpha = 0 is the above.
DecayDoubleSeries decay_double_series(unsigned order, unsigned n_order, const Activation& act);

}  // namespace relumix
