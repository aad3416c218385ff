#pragma once
// Positively homogeneous activations (SPEC section 8)
//   phi_alpha(x) = max(x, 0) + alpha min(x, 0),  alpha in [-1, 1] exact rational
// (0 ReLU, -1 |x|, 0 < alpha < 1 leaky ReLU, 1 linear), with weights N(0, c_alpha / n),
// c_alpha = 2 / (1 + alpha^2), and their plain moments
//   M^alpha_{a,b}(theta) = E[phi(G)^a phi(G')^b],  phi^0 = 1,  corr(G, G') = rho = cos theta.
//
// The reduction to the ReLU moments J_{a,b} (moments.hpp; derivation in docs/theory.md section 9):
// since relu(x) relu(-x) = 0, phi^a(x) = relu(x)^a + (-alpha)^a relu(-x)^a (with the convention
// relu^0 = 1{x > 0} of J and (-alpha)^0 = 1), and (G, -G') has correlation -rho, so
//   M^alpha_{a,b}(theta) = same * J_{a,b}(theta) + opposite * J_{a,b}(pi - theta),
//   same = 1 + (-alpha)^(a+b),  opposite = (-alpha)^a + (-alpha)^b   ((-alpha)^0 = 1, also for alpha = 0).
// Closed forms in the basis (pi - theta) rho^k, sin(theta) rho^k, pi rho^k (a+b even; the pi rho^k
// part is new: it comes from J(pi - theta), which carries theta = pi - (pi - theta)):
//   a+b even:  2 pi M = (pi - theta) P(rho) + sin(theta) Q(rho) + pi U(rho)
//   a+b odd :  sqrt(2 pi) M = R(rho)
// with rational polynomials P = lambda P_J, Q = lambda Q_J, U = nu P_J, R = lambda R_J + nu P^Bessel_{a,b},
// lambda = same - (-1)^b opposite, nu = (-1)^b opposite (the reflection identity of J).
#include <string>
#include <string_view>
#include <vector>

#include "relumix/core/limits.hpp"
#include "relumix/core/progress.hpp"
#include "relumix/exact/poly.hpp"
#include "relumix/exact/series.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/moments/verify.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {


class Activation {
 public:
  Activation() = default;                 // ReLU
  // InputError unless -1 <= alpha <= 1 with numerator and denominator below kMaxActivationSlopeBits bits
  explicit Activation(const Rational& alpha);
  static Activation relu() { return Activation(); }
  static Activation abs() { return Activation(Rational(-1)); }

  const Rational& alpha() const { return alpha_; }
  bool is_relu() const { return alpha_ == 0; }
  bool is_abs() const { return alpha_ == -1; }
  bool is_linear() const { return alpha_ == 1; }
  // Canonical name: "relu" (alpha = 0), "abs" (alpha = -1), otherwise "leaky:ALPHA" with ALPHA the
  // exact decimal when it terminates ("leaky:0.01"), else the reduced fraction ("leaky:1/3").
  // parse_activation(name()) gives back the same activation.
  std::string name() const;

  // phi_alpha(x) in double precision.
  double operator()(double x) const { return x > 0 ? x : alpha_d_ * x; }
  double alpha_double() const { return alpha_d_; }
  // E[phi(G)^2] = (1 + alpha^2) / 2, and the weight variance c_alpha = 2 / (1 + alpha^2) that preserves it.
  Rational second_moment() const { return (1 + alpha_ * alpha_) / 2; }
  Rational weight_variance() const { return 2 / (1 + alpha_ * alpha_); }
  // w = (1 - alpha)^2 / (1 + alpha^2) in [0, 2]: the infinite-width map depends on alpha only through w,
  //   cos f(theta) = cos theta + w (sin theta - theta cos theta) / pi   (w = 1 for ReLU).
  Rational map_weight() const { return (1 - alpha_) * (1 - alpha_) / (1 + alpha_ * alpha_); }
  // w and 2 - w = (1 + alpha)^2 / (1 + alpha^2) as the nearest doubles.
  double map_weight_double() const { return w_d_; }
  double two_minus_map_weight_double() const { return two_minus_w_d_; }

  friend bool operator==(const Activation& x, const Activation& y) { return x.alpha_ == y.alpha_; }

 private:
  Rational alpha_ = 0;
  double alpha_d_ = 0, w_d_ = 1, two_minus_w_d_ = 1;
};

// "relu", "abs" or "leaky:ALPHA", ALPHA an exact decimal ("0.01", "-0.5", "1e-3") or a fraction
// ("1/10", "-1/2") in [-1, 1]. Anything else is an InputError with a one-line message. Linear in
// the length of the text (which is bounded by kMaxActivationTextLength) and safe on any bytes.
Activation parse_activation(std::string_view text);

// ---- closed forms ---------------------------------------------------------------------------

// A moment in the basis above: 2 pi M = (pi - theta) P + sin(theta) Q + pi U (a+b even),
// sqrt(2 pi) M = R (a+b odd), polynomials in rho = cos theta with rational coefficients.
struct MomentForm {
  unsigned a = 0, b = 0;
  bool even() const { return (a + b) % 2 == 0; }
  Poly P, Q, U;  // a+b even
  Poly R;        // a+b odd
  bool is_zero() const { return P.is_zero() && Q.is_zero() && U.is_zero() && R.is_zero(); }
  friend bool operator==(const MomentForm&, const MomentForm&) = default;
};

struct ActivationClosedForm {
  Activation activation;
  unsigned a = 0, b = 0;
  // M = same J_{a,b}(theta) + opposite J_{a,b}(pi - theta)
  Rational same, opposite;
  MomentForm form;
};

// Primary route: the reduction to J_{a,b} (closed_form(a, b) and the Bessel sum). InputError when
// a + b > kMaxMomentOrder or (bits of alpha's numerator + denominator) (a + b) > kMaxActivationPowerBits
// (alpha^(a+b) enters every coefficient); the same limits hold for every function below.
ActivationClosedForm activation_closed_form(const Activation& act, unsigned a, unsigned b);

// Independent route (no use of J): the polar integral over the whole circle,
//   M = E[R^(a+b)] / (2 pi) * int_0^{2 pi} g_a(cos psi) g_b(cos(psi - theta)) dpsi,
// g_k(x) = x^k for x > 0 and weight_k x^k for x < 0, split at the four sign changes and integrated
// exactly mode by mode. With weight_a = alpha^a, weight_b = alpha^b it is M^alpha_{a,b}; with weights 0
// (and a, b >= 1) the ReLU J_{a,b}; with weights (alpha^a, alpha^b) on (a - 1, b - 1) it is the
// rho-derivative of M^alpha_{a,b} divided by a b (Price's theorem: d/dx phi^a = a phi^(a-1) phi').
MomentForm piecewise_moment_form_fourier(unsigned a, unsigned b, const Rational& weight_a, const Rational& weight_b);

// ---- values ---------------------------------------------------------------------------------

// A rigorous enclosure of M^alpha_{a,b}(theta), theta in [0, pi] (InputError otherwise), with relative
// width about 2^-bits (the working precision is raised where the two parts cancel). Exactly known
// values (a rational value at theta in {0, pi/3, pi/2, 2pi/3, pi}, an identically zero moment) are
// point enclosures when dyadic, and enclosures of the exact rational otherwise.
Interval activation_moment_enclosure(const Activation& act, unsigned a, unsigned b, const Theta& theta, mpfr_prec_t bits);

// M^alpha_{a,b}(theta) to `digits` correct significant digits (correctly rounded, ties to even, also
// for exact rational values; "0" for an exact zero), formatted as format_decimal() in certify.hpp.
// InputError for digits outside 1..100000, theta outside [0, pi] or a + b > kMaxMomentOrder.
std::string activation_moment_value(const Activation& act, unsigned a, unsigned b, const Theta& theta, int digits);

// The same for many angles, on up to `threads` threads (0: all cores); results in input order.
std::vector<std::string> activation_moment_values(const Activation& act, unsigned a, unsigned b,
                                                  const std::vector<Theta>& thetas, int digits, unsigned threads = 0);

// The exact value when it is rational (see activation_moment_enclosure), else false.
bool activation_moment_exact(const ActivationClosedForm& cf, const Theta& theta, Rational& value);

// A rational to `digits` significant digits, rounded half to even exactly ("0" for 0), formatted as
// format_decimal() in certify.hpp.
std::string rational_value(const Rational& q, int digits);

// ---- Taylor series at theta = 0 ----------------------------------------------------------------

// Coefficients of theta^k, k = 0..order: a+b even, elements r0 + r1/pi of Q[1/pi]; a+b odd,
// (rational) / sqrt(2 pi) with the rational stored (as for taylor_series of J).
MomentSeries activation_taylor_series(const Activation& act, unsigned a, unsigned b, unsigned order);
// As a Series over Q[1/pi] (a+b even only; precision order + 1).
Series activation_moment_series(const Activation& act, unsigned a, unsigned b, unsigned order);

// ---- the shapes the angle law takes (SPEC sections 4-5 with M^alpha) ----------------------------------
// The angle law is invariant under scaling phi, so the cumulant expansion may use the moments of
// phi / sqrt(1 + alpha^2), whose second moment is 1/2 as for ReLU:
//   Mbar_{a,b} = M^alpha_{a,b} / (1 + alpha^2)^((a+b)/2),  a + b even,
// Mbar_{2,0} = 1/2, 2 Mbar_{1,1} = cos f_alpha(theta), and at alpha = 0 they are exactly the ReLU plain
// moments (plain_moment_series, single_moment_coeff, J_{a,b}). InputError for a + b odd.
Series normalized_moment_series(const Activation& act, unsigned a, unsigned b, unsigned order);
Interval normalized_moment_enclosure(const Activation& act, unsigned a, unsigned b, const Theta& theta, mpfr_prec_t bits);

// ---- exact identities -------------------------------------------------------------------------------
// For all a, b <= max: "two-routes" (reduction = whole-circle Fourier route, coefficient by coefficient),
// "symmetry" (the Fourier route for (b, a)), "price" (the rho-derivative of the reduction's form equals
// a b times the Fourier route of the Price-weighted (a-1, b-1) moment), "value-0" (E phi^(a+b)),
// "value-pi/2" (E phi^a E phi^b), "value-pi" (E[phi(G)^a phi(-G)^b]), "series" (the Taylor series equals
// series arithmetic on the Fourier form, through theta^8), "relu" (alpha = 0: the ReLU plain moments),
// "abs-reflection" (alpha = -1: M(pi - theta) = M(theta)), "linear" (alpha = 1: E[G^a G'^b], a polynomial).
VerifyReport verify_activation_identities(const Activation& act, unsigned max, const ProgressFn& progress = {});

}  // namespace relumix
