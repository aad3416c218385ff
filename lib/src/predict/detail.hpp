#pragma once
// Private to lib/src/predict: the constants and small pieces that the model, the mixtures, the
// density engine and the dispatch share (one definition each).
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>
#include <vector>

#include <boost/math/special_functions/gamma.hpp>

#include "relumix/angle/angle.hpp"
#include "relumix/predict/predict.hpp"

namespace relumix::predict_detail {

inline constexpr double kTwoOver3Pi = 2.0 / (3.0 * M_PI);
inline constexpr double kMinWeight = 1e-30;   // banded engine: sources lighter than this are skipped
inline constexpr double kSmallTheta = 1e-10;  // below: mu, sigma^2 from their theta -> 0 expansion
inline constexpr double kMargin = 12;         // grid margin in accumulated sd
inline constexpr long kCacheDoubles = 1L << 25;  // kernel cache budget (256 MB)
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// the accurate model anchors the series to the exact small-angle law up to this width; beyond, the
// order-8 series' own error at theta = 0 (~ 8! (1.4/n)^9) is below 1e-20 and the anchor is skipped
inline constexpr long kMaxAnchorWidth = 4096;
// transitions with mean + 6 sd > -6 use the cosh law (GaussianMixture): elsewhere it is a Gaussian in X
// to within e^X ~ e^-6 of the skew
inline constexpr double kCoshLawSd = 6;

inline double phi_cdf(double z) { return 0.5 * std::erfc(-z * M_SQRT1_2); }

// c1(n) = 2/(3 pi) + 8n/(15 pi (n-1)^2)
inline double c1_n(double n) { return kTwoOver3Pi + 8 * n / (15 * M_PI * (n - 1) * (n - 1)); }
// sigma^2(0, n) = 8n(n^2 - 2n + 55)/((n-1)^2 (n+5)^2)
inline double sigma2_zero(double n) { return 8 * n * (n * n - 2 * n + 55) / ((n - 1) * (n - 1) * (n + 5) * (n + 5)); }

// mu(theta, n) given x = ln sin^2 theta. Below kSmallTheta: order 1 from its expansion at 0 (error
// O(theta^2)); higher orders as x + (mu - ln sin^2) at kSmallTheta (error O(kSmallTheta)).
inline double mu_at(double theta, double x, double n, int order) {
  if (theta >= kSmallTheta) return mu_double(theta, n, order);
  if (order == 1) return x - rho_n(n) - c1_n(n) * theta;
  return x + mu_double(kSmallTheta, n, order) - 2 * std::log(std::sin(kSmallTheta));
}

// ---- the cosh law X = -2 ln cosh W near the bound X <= 0
// -2 ln cosh w without overflow
inline double neg2_log_cosh(double w) {
  w = std::fabs(w);
  return -2 * (w + std::log1p(std::exp(-2 * w)) - M_LN2);
}
// P(|W| <= r), W ~ N(a, b^2)
inline double abs_cdf(double r, double a, double b) {
  if (!(r > 0)) return 0;
  return 0.5 * (std::erfc((-r - a) / (b * M_SQRT2)) - std::erfc((r - a) / (b * M_SQRT2)));
}
// |W| of X = -2 ln cosh W: acosh(e^{-x/2}) for x <= 0
inline double w_of_x(double x) {
  if (!(x < 0)) return 0;
  double e = std::exp(-x / 2);
  return std::log(e + std::sqrt(std::max(e * e - 1, 0.0)));
}

// ---- the gamma law -X ~ Gamma(k, scale) on X <= 0
// P(X <= x)
inline double gamma_law_cdf(double x, double k, double scale) {
  return x >= 0 ? 1.0 : boost::math::gamma_q(k, -x / scale);
}
inline double gamma_law_pdf(double x, double k, double scale) {
  return x >= 0 ? 0.0 : boost::math::gamma_p_derivative(k, -x / scale) / scale;
}

// The accurate model's transition at theta = t with ln D(theta) = lnD for width n at order K
// (model.cpp).
DensityModel::Step accurate_at(double t, double lnD, double n, int K);
// The same for an activation with alpha != 0 (no anchor, survive = 1).
DensityModel::Step activation_at(const Activation& act, double t, double lnD, double n, int K);
// InputError unless 1..kMaxLayers widths, each >= 2 (density.cpp).
void check_widths(const std::vector<long>& widths);
// Screening: the options of each architecture's prediction (statistics of the last layer, no
// densities, no per-layer progress), its result, and the progress over architectures.
inline PredictOptions screen_options(PredictOptions o) {
  o.keep_densities = false;
  o.last_layer_only = true;
  o.progress = nullptr;
  return o;
}
inline ScreenResult screen_result(const Architecture& a, const Prediction& p) {
  ScreenResult r;
  r.arch = a;
  r.layers = long(a.widths.size());
  r.mean = p.layers.back().mean;
  r.sd = p.layers.back().sd;
  r.p_excluded = p.layers.back().p_excluded;
  return r;
}
struct ScreenProgress {
  std::mutex m;
  long done = 0;
  void tick(const PredictOptions& opt, long total) {
    if (!opt.progress) return;
    std::lock_guard<std::mutex> lock(m);
    opt.progress(++done, total);
  }
};

// Screening with the density method on one shared grid (density.cpp): model_of(n1) is the model of
// the architectures whose first width is n1. false (out untouched) when the shared grid or kernels
// would not fit: then screen one architecture at a time.
bool screen_density(const std::vector<Architecture>& archs, const std::function<DensityModel(long)>& model_of,
                    const PredictOptions& opt, std::vector<ScreenResult>& out);

}  // namespace relumix::predict_detail
