// Gaussian (and cosh-law) mixtures: the law of a layer's X (predict/predict.hpp).
#include "relumix/predict/predict.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/numeric/interval.hpp"
#include "predict/detail.hpp"

namespace relumix {

using namespace predict_detail;

// ---------------------------------------------------------------- mixtures

double GaussianMixture::cdf(double x) const {
  // normalized by the total weight: with excluded mass the law of the survivors
  double c = 0, tw = 0;
  const bool ab = b.size() == w.size(), gam = gk.size() == w.size();
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (gam && gk[k] > 0) c += w[k] * gamma_law_cdf(x, gk[k], s[k] * s[k] / std::fabs(m[k]));
    else if (ab && b[k] > 0) c += w[k] * (x >= 0 ? 1.0 : 1 - abs_cdf(w_of_x(x), a[k], b[k]));
    else c += w[k] * (s[k] > 0 ? phi_cdf((x - m[k]) / s[k]) : (x >= m[k] ? 1.0 : 0.0));
    tw += w[k];
  }
  return tw > 0 ? std::clamp(c / tw, 0.0, 1.0) : 0.0;
}

double GaussianMixture::pdf(double x) const {
  double p = 0, tw = 0;
  const bool ab = b.size() == w.size(), gam = gk.size() == w.size();
  for (std::size_t k = 0; k < w.size(); ++k) {
    tw += w[k];
    if (gam && gk[k] > 0) {
      p += w[k] * gamma_law_pdf(x, gk[k], s[k] * s[k] / std::fabs(m[k]));
      continue;
    }
    if (ab && b[k] > 0) {
      // d/dx P(|W| >= r(x)), r = acosh(e^{-x/2}), dr/dx = -e^{-x/2} / (2 sqrt(e^{-x} - 1))
      if (!(x < 0)) continue;
      double r = w_of_x(x), e = std::exp(-x / 2), drdx = e / (2 * std::sqrt(std::max(e * e - 1, 1e-300)));
      double za = (r - a[k]) / b[k], zb = (-r - a[k]) / b[k];
      p += w[k] * (std::exp(-0.5 * za * za) + std::exp(-0.5 * zb * zb)) / (b[k] * std::sqrt(2 * M_PI)) * drdx;
      continue;
    }
    if (!(s[k] > 0)) continue;
    double z = (x - m[k]) / s[k];
    p += w[k] * std::exp(-0.5 * z * z) / (s[k] * std::sqrt(2 * M_PI));
  }
  return tw > 0 ? p / tw : 0.0;
}

double GaussianMixture::mean() const {
  double a = 0, tw = 0;
  for (std::size_t k = 0; k < w.size(); ++k) a += w[k] * m[k], tw += w[k];
  return a / tw;
}

double GaussianMixture::sd() const {
  double mu = mean(), v = 0, tw = 0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    double d = m[k] - mu;
    v += w[k] * (s[k] * s[k] + d * d);
    tw += w[k];
  }
  return std::sqrt(std::max(v / tw, 0.0));
}

double GaussianMixture::quantile(double q) const {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (std::size_t k = 0; k < w.size(); ++k) {
    lo = std::min(lo, m[k] - 40 * s[k]);
    hi = std::max(hi, std::min(m[k] + 40 * s[k], gk.size() == w.size() && gk[k] > 0 ? 0.0 : HUGE_VAL));
  }
  if (!(lo < hi)) return lo;  // a single point mass
  // safeguarded Newton from the normal approximation
  double mu = mean(), sig = sd();
  double x = mu;
  if (q == 0.05) x = mu - 1.6448536269514722 * sig;
  if (q == 0.95) x = mu + 1.6448536269514722 * sig;
  x = std::clamp(x, lo, hi);
  for (int it = 0; it < 200; ++it) {
    double F = cdf(x) - q;
    if (F == 0) return x;
    if (F < 0) lo = x; else hi = x;
    double p = pdf(x), nx = p > 0 ? x - F / p : 0.5 * (lo + hi);
    if (!(nx > lo && nx < hi)) nx = 0.5 * (lo + hi);
    if (std::fabs(nx - x) <= 1e-13 * (1 + std::fabs(x)) || hi - lo <= 1e-13 * (1 + std::fabs(x))) return nx;
    x = nx;
  }
  return x;
}

double Prediction::cdf(int layer, double x) const {
  require(method == PredictMethod::Density, "cdf: only the density method has a distribution");
  require(layer >= 1 && layer <= int(layers.size()), "cdf: layer " + std::to_string(layer) + " out of range");
  require(std::size_t(layer) <= mixtures.size(), "cdf: the densities were not kept (too many layers x grid points)");
  return mixtures[std::size_t(layer - 1)].cdf(x);
}

}  // namespace relumix
