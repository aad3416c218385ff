#pragma once
// The infinite-width angle map of a positively homogeneous activation phi_alpha (SPEC section 8;
// derivations in docs/theory.md section 9):
//   cos f(theta) = M^alpha_{1,1}(theta) / M^alpha_{2,0} = cos theta + w (sin theta - theta cos theta) / pi,
//   w = (1 - alpha)^2 / (1 + alpha^2) in [0, 2]   (w = 1 ReLU, 2 |x|, 0 linear).
// Facts: theta = 0 is the only fixed point for alpha < 1 (cos f - cos theta = w (sin - theta cos)/pi > 0
// on (0, pi]); f(pi) = arccos(w - 1) (pi/2 for ReLU, 0 for |x|: the antipodal angle is not fixed);
// f increases on [0, pi] for w <= 1 (alpha >= 0), and for w > 1 (alpha < 0) it increases up to
// theta* = pi / w and decreases after it; for alpha = 1, f is the identity.
#include <string>

#include "relumix/exact/series.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// f(theta) in double precision for theta in [0, pi], accurate also for tiny theta and near pi
// (no cancellation: 1 - cos f is formed from sin^2(theta/2) and sin t - t cos t, about pi - theta past pi/2).
double activation_map(const Activation& act, double theta);

// cos f(theta) = 2 Mbar_{1,1}(theta): an enclosure, and certified to `digits` digits (for alpha = 0,
// what cos_infinite_enclosure gives). theta in [0, pi].
Interval activation_cos_map_enclosure(const Activation& act, const Theta& theta, mpfr_prec_t bits);
std::string activation_cos_map_value(const Activation& act, const Theta& theta, int digits);

// Exact Taylor series of f at 0 up to theta^order (coefficients in Q[1/pi]); order <= 200.
//   f = theta - (w/(3 pi)) theta^2 - (w^2/(18 pi^2)) theta^3 - (w/(45 pi) + w^3/(54 pi^3)) theta^4 - ...
Series activation_map_series(const Activation& act, unsigned order);

// Large depth (w > 0): with a = w/(3 pi), the iterates theta^l = f^l(theta0) satisfy
//   1/theta^l = a l + B ln l + C(theta0) + (D1 ln l + D0) / l + O(ln^2 l / l^2),
//   B = w/(2 pi), D1 = 3w/(4 pi), D0 = 3C/2 - w/(3 pi) - pi/(5 w),
// so theta^l ~ C_alpha / l with C_alpha = 1/a = 3 pi (1 + alpha^2)/(1 - alpha)^2 (3 pi for ReLU).
struct ActivationDepthAsymptotics {
  Rational w;
  Rational leading_over_pi;  // C_alpha / pi = 3 / w
  QPi a, B, D1;              // exact
  double C = 0;              // fitted: the iterates to depth fit_depth, the 1/l term solved for
  double C_error = 0;        // |C(fit_depth) - C(fit_depth / 2)|, an estimate of the fit's error (larger)
  double D0() const;
  double reciprocal(double l) const;  // a l + B ln l + C + (D1 ln l + D0)/l
  double theta(double l) const { return 1 / reciprocal(l); }
};
// InputError for alpha = 1 (nothing decays), theta0 outside (0, pi], or |x| from theta0 = pi
// (f(pi) = 0: the two inputs become identical after one layer); fit_depth in 100..10^8.
ActivationDepthAsymptotics activation_depth_asymptotics(const Activation& act, double theta0, long fit_depth = 100000);

}  // namespace relumix
