#include "relumix/angle/activation_map.hpp"

#include <cmath>
#include <stdexcept>

#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

namespace {

// sin t - t cos t = sum_{k>=1} (-1)^(k+1) 2k t^(2k+1)/(2k+1)!, summed as a series below t = 1/2
// (where the direct difference cancels); t in [0, pi].
double sin_minus_t_cos_series(double t) {
  if (t > 0.5) return std::sin(t) - t * std::cos(t);
  const double t2 = t * t;
  double term = t * t2 / 6, sum = 0;  // t^(2k+1)/(2k+1)! at k = 1
  for (int k = 1; k < 20 && term > 1e-19 * sum; ++k) {
    sum += (k % 2 ? 2.0 : -2.0) * k * term;
    term *= t2 / double((2 * k + 2) * (2 * k + 3));
  }
  return sum;
}

constexpr double kPiLow = 1.2246467991473532e-16;  // pi - M_PI

}  // namespace

double activation_map(const Activation& act, double theta) {
  require(theta >= 0 && theta <= M_PI, "angle " + std::to_string(theta) + " is outside [0, pi]");
  const double w = act.map_weight_double();
  // u = 1 - cos f = 1 - cos theta - (w/pi)(sin theta - theta cos theta)
  if (theta <= M_PI / 2) {  // then f <= theta <= pi/2
    double h = std::sin(theta / 2);
    double u = 2 * h * h - w / M_PI * sin_minus_t_cos_series(theta);
    return 2 * std::asin(std::sqrt(std::min(1.0, std::max(0.0, u / 2))));
  }
  // with phi = pi - theta:
  //   u = (2 - w) + (w - 1) 2 sin^2(phi/2) - (w/pi)(sin phi - phi cos phi),  2 - w = (1 + alpha)^2/(1 + alpha^2)
  //   v = 1 + cos f = 2 sin^2(phi/2) + w (cos phi + (sin phi - phi cos phi)/pi)
  // (u small for |x| near pi, where f(pi) = 0; v small for alpha near 1, where f(pi) = arccos(w - 1) ~ pi)
  const double two_minus_w = act.two_minus_map_weight_double();
  const double phi = theta == M_PI ? 0.0 : (M_PI - theta) + kPiLow;  // the double nearest pi stands for pi
  const double h = std::sin(phi / 2), smtc = sin_minus_t_cos_series(phi);
  const double u = two_minus_w + (w - 1) * 2 * h * h - w / M_PI * smtc;
  if (u <= 1) return 2 * std::asin(std::sqrt(std::max(0.0, u / 2)));
  const double v = 2 * h * h + w * (std::cos(phi) + smtc / M_PI);
  return M_PI - 2 * std::asin(std::sqrt(std::min(1.0, std::max(0.0, v / 2))));
}

Interval activation_cos_map_enclosure(const Activation& act, const Theta& theta, mpfr_prec_t bits) {
  return ldexp(normalized_moment_enclosure(act, 1, 1, theta, bits), 1);
}

std::string activation_cos_map_value(const Activation& act, const Theta& theta, int digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
  Rational m11;
  if (activation_moment_exact(activation_closed_form(act, 1, 1), theta, m11))
    return rational_value(2 * m11 / (1 + act.alpha() * act.alpha()), digits);
  return certify([&](mpfr_prec_t bits) { return activation_cos_map_enclosure(act, theta, bits); }, digits);
}

Series activation_map_series(const Activation& act, unsigned order) {
  require(order <= 200, "map-series order " + std::to_string(order) + " is too large (at most 200)");
  const int N = int(order) + 4;
  // f = 2 arcsin(sqrt(v)), v = (1 - cos f)/2 = theta^2/4 (1 + O(theta))
  Series c = normalized_moment_series(act, 1, 1, unsigned(N)) * QPi(2);
  Series v = (Series::constant(QPi(1), N + 1) - c) * QPi(Rational(1, 2));
  Rational lead;
  int val;
  Series rest = v.split_leading(lead, val);
  if (lead != Rational(1, 4) || val != 2) throw std::logic_error("map series: 1 - cos f is not theta^2/2 + ...");
  Series root = Series::pow1p(rest, Rational(1, 2)).shift(1) * QPi(Rational(1, 2));  // sqrt(v)
  // arcsin x = sum_k C(2k, k) / (4^k (2k + 1)) x^(2k+1)
  std::vector<Rational> arcsin(std::size_t(N) + 2);
  Rational ck = 1;
  for (int k = 0; 2 * k + 1 < int(arcsin.size()); ++k) {
    if (k) ck *= Rational((2 * k - 1) * (2 * k), 4 * k * k);
    arcsin[std::size_t(2 * k + 1)] = ck / (2 * k + 1);
  }
  Series f = Series::compose(arcsin, root) * QPi(2);
  if (f.precision() < int(order) + 1) throw std::logic_error("map series: precision lost");
  return f.truncate(int(order) + 1);
}

double ActivationDepthAsymptotics::D0() const {
  const double wd = w.convert_to<double>();
  return 1.5 * C - wd / (3 * M_PI) - M_PI / (5 * wd);
}

double ActivationDepthAsymptotics::reciprocal(double l) const {
  const double wd = w.convert_to<double>(), L = std::log(l);
  return wd / (3 * M_PI) * l + wd / (2 * M_PI) * L + C + (3 * wd / (4 * M_PI) * L + D0()) / l;
}

ActivationDepthAsymptotics activation_depth_asymptotics(const Activation& act, double theta0, long fit_depth) {
  require(!act.is_linear(), "the linear activation (alpha = 1) does not decay: its infinite-width map is the identity");
  require(std::isfinite(theta0) && theta0 > 0 && theta0 <= M_PI, "theta0 must lie in (0, pi]");
  require(fit_depth >= 100 && fit_depth <= 100000000, "fit depth " + std::to_string(fit_depth) + " is outside 100..10^8");
  ActivationDepthAsymptotics d;
  d.w = act.map_weight();
  d.leading_over_pi = 3 / d.w;
  d.a = QPi::inv_pi_power(1, d.w / 3);
  d.B = QPi::inv_pi_power(1, d.w / 2);
  d.D1 = QPi::inv_pi_power(1, 3 * d.w / 4);
  double t = theta0, t_half = 0;
  for (long l = 1; l <= fit_depth; ++l) {
    if ((l & 4095) == 0) throw_if_stopped();
    t = activation_map(act, t);
    if (l == 1 && t == 0)
      throw InputError("abs maps antipodal inputs (theta0 = pi) to identical ones: theta^1 = 0, nothing to fit");
    if (l == fit_depth / 2) t_half = t;
  }
  const double wd = d.w.convert_to<double>();
  // 1/theta^L = a L + B ln L + C + (D1 ln L + 3C/2 - w/(3 pi) - pi/(5 w)) / L, solved for C
  auto fit = [&](double theta_l, double L) {
    double lnL = std::log(L);
    double rest = 1 / theta_l - wd / (3 * M_PI) * L - wd / (2 * M_PI) * lnL -
                  (3 * wd / (4 * M_PI) * lnL - wd / (3 * M_PI) - M_PI / (5 * wd)) / L;
    return rest / (1 + 1.5 / L);
  };
  d.C = fit(t, double(fit_depth));
  d.C_error = std::fabs(d.C - fit(t_half, double(fit_depth / 2)));
  return d;
}

}  // namespace relumix
