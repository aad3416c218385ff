#pragma once
// Layer-by-layer predictions of the angle decay (SPEC section 4) for any width sequence.
// X = ln sin^2 theta; layer l is the state after l layers (l = 1..L).
//
// Methods (n = width of the new layer):
//   infinite  theta_{l+1} = f(theta_l), cos f = (sin t + (pi - t) cos t)/pi; mean = ln sin^2 theta_l.
//   linear    X_{l+1} = X_l - (2/(3 pi)) theta_l - rho(n), theta_l = arcsin(min(1, e^{X_l/2})) for l >= 1
//             and theta_0 = the given angle itself (so theta0 > pi/2 enters the first step as given;
//             theta0 = pi is rejected: ln sin^2 pi = -inf).
//   full      X_{l+1} = mu(theta_l, n) (the full O(1/n) mean of SPEC section 4, or order K),
//             theta_0 = the given angle, theta_l = arcsin(min(1, e^{X_l/2})) afterwards.
//   density   X_1 ~ N(m(theta0), s(theta0)^2) exactly; X_{l+1} | X_l = y ~ N(m(y), s(y)^2),
//             m = the linearized mean (or mu with full_mean), s^2 = 8n/(n+5)^2 (or sigma^2 with
//             full_variance), the density propagated on a uniform grid.
// Mapping X back to an angle: sin^2 is symmetric about pi/2, so theta = arcsin(e^{X/2}) lies in
// [0, pi/2]. That is the right branch after one layer: the infinite-width map has cos f >= 0, and
// the finite-width chain leaves [0, pi/2] only by O(1/sqrt n) fluctuations around pi/2. Where the
// models put X > 0 (physically impossible, sin^2 <= 1) the arcsin argument is clamped to 1,
// i.e. theta = pi/2.
//
// Density engine: the layer-l law is represented exactly as the Gaussian mixture
//   sum_j w_j N(m(y_j), s(y_j)^2)
// whose sources (y_j, w_j) are the grid points with w_j = h p_{l-1}(y_j) (layer 2: a fine local
// grid of the exact layer-1 Gaussian). Mean, sd, quantiles and cdf() are those of this mixture
// (trapezoidal quadrature of the recursion integral: spectrally accurate for h << s). Each kernel
// column exp(-(x_i - m_j)^2 / (2 s_j^2)) is normalized to sum 1 over the grid, so mass is conserved
// exactly (up to rounding); the banded engine keeps only |x_i - m_j| <= band_sd * s_j and skips
// sources of weight below 1e-30; the dense reference keeps the full N x N matrix.
#include <functional>
#include <string>
#include <vector>

#include "relumix/numeric/theta.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/io/architectures.hpp"

namespace relumix {

enum class PredictMethod { Infinite, Linear, Full, Density };

struct PredictOptions {
  PredictMethod method = PredictMethod::Density;
  bool full_mean = false;      // density: use the full mu(theta, n) instead of the linearized mean
  bool full_variance = false;  // density: use sigma^2(theta, n) instead of 8n/(n+5)^2
  int order = 1;               // 1/n order of mu, sigma^2 for full/density (1 = paper's O(1/n))
  int grid_points = 2001;      // density grid: at least this many points (more if needed to resolve
                               // the kernel: h <= s_min/4; at most kMaxGridPoints)
  // density engine details
  bool dense_reference = false;  // full N x N quadrature matrix (reference; O(N^2) memory and time)
  double band_sd = 10;           // banded engine: kernel support |x - m| <= band_sd * s
  bool keep_densities = true;    // keep grid densities and mixtures (for cdf()); dropped anyway
                                 // when layers x grid points > kMaxKeptValues
  std::function<void(long done, long total)> progress;  // called once per layer (may be empty)
};

struct LayerPrediction {
  int layer = 0;
  double mean = 0;           // of X = ln sin^2 theta^l
  double sd = -1;            // < 0 when the method has none
  double q05 = 0, q50 = 0, q95 = 0;  // only when sd >= 0
  double theta_mean = 0;     // infinite/linear/full: the angle itself
};

// A Gaussian mixture sum_k w[k] N(m[k], s[k]^2) (s = 0: a point mass).
struct GaussianMixture {
  std::vector<double> w, m, s;
  double cdf(double x) const;
  double pdf(double x) const;
  double mean() const;
  double sd() const;
  double quantile(double q) const;  // inverse cdf, absolute accuracy ~1e-12
};

struct Prediction {
  PredictMethod method;
  std::vector<LayerPrediction> layers;
  // density method: grid of X and the density at each layer (density[l-1][i])
  std::vector<double> grid;
  std::vector<std::vector<double>> density;
  // density method: the mixture that is layer l's law (mixtures[l-1]); cdf() uses it
  std::vector<GaussianMixture> mixtures;
  long grid_points = 0;       // density method: grid size used (0 otherwise)
  double grid_lo = 0, grid_hi = 0;
  // CDF of X at layer l (1-based): the CDF of mixtures[l-1] (density method only; InputError when
  // the densities were not kept)
  double cdf(int layer, double x) const;
};

PredictMethod parse_predict_method(const std::string& name);  // InputError if unknown
std::string method_name(PredictMethod m);

// widths[k] = width of layer k+1 (each >= 2); theta0 in (0, pi].
Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& opt);

// ---- the density engine with a given transition (used by predict; exposed for tests/benchmarks)
// X_1 ~ N(mean1, sd1^2); X_{l+1} | X_l = y ~ N(mean(y, n_{l+1}), sd(y, n_{l+1})^2).
struct DensityModel {
  double mean1 = 0, sd1 = 0;
  std::function<double(double y, long n)> mean, sd;
};
// Grid range: from the mean path (y -> mean(y)) and the accumulated sd, with margins of 12 sd.
Prediction predict_density(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt);

// The model's transition pieces for a width n (double precision):
double linear_mean(double x, double n);        // x - (2/(3 pi)) arcsin(min(1, e^{x/2})) - rho(n)
double baseline_sd(double n);                  // sqrt(8n/(n+5)^2)
double theta_of_x(double x);                   // arcsin(min(1, e^{x/2}))
double full_mean(double x, double n, int order = 1);  // mu(theta_of_x(x), n)
double full_sd(double x, double n, int order = 1);    // sqrt(sigma^2(theta_of_x(x), n))

// ---- architecture screening: predicted X at the output of each architecture, ranked by mean
// (largest first: the least degenerate output first).
struct ScreenResult {
  int rank = 0;
  Architecture arch;
  long layers = 0;
  double mean = 0, sd = -1;
};
std::vector<ScreenResult> screen_architectures(const std::vector<Architecture>& archs, const Theta& theta0,
                                               const PredictOptions& opt);

}  // namespace relumix
