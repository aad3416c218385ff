#pragma once
// Layer-by-layer predictions of the angle decay (SPEC section 4) for any width sequence.
// X = ln sin^2 theta; layer l is the state after l layers (l = 1..L).
//
// Methods (n = width of the new layer):
//   infinite  theta_{l+1} = f(theta_l), cos f = (sin t + (pi - t) cos t)/pi; mean = ln sin^2 theta_l.
//   linear    X_{l+1} = X_l - (2/(3 pi)) theta_l - rho(n), theta_l = arcsin(min(1, e^{X_l/2})) for l >= 1
//             and theta_0 = the given angle; for theta0 > pi/2 (where this small-angle step, which
//             sees only sin^2 theta0, does not apply) X_1 = the paper's mu(theta0, n_1).
//   full      X_{l+1} = m(theta_l, n), the model's one-layer mean (PredictModel); theta_0 = the given
//             angle, theta_l = arcsin(min(1, e^{X_l/2})) afterwards. A mean-field recursion:
//             E m(theta) != m(E theta); density accounts for the spread.
//   density   X_1 from the one-layer law at theta0 itself; X_{l+1} | X_l = y from the law at theta(y),
//             the density propagated on a grid (the model's mean and sd; the accurate model with the
//             cosh or gamma law near X = 0 and the excluded mass, see PredictModel, on a grid uniform
//             in W = ln cot(theta/2), which resolves X = -2 ln cosh W near 0; the paper models uniform in X).
// Mapping X back to an angle: sin^2 is symmetric about pi/2, so theta = arcsin(e^{X/2}) lies in
// [0, pi/2]. That is the right branch after one layer: for ReLU the post-activations are >= 0, so
// cos theta_l >= 0 for l >= 1 (only theta0 may be obtuse; layer 1 is computed from theta0 itself).
// Where a Gaussian model puts X > 0 (impossible, sin^2 <= 1) the arcsin argument is clamped to 1,
// i.e. theta = pi/2; the accurate model avoids that mass with the cosh law.
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

#include "relumix/numeric/sin2.hpp"
#include "relumix/numeric/theta.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/io/architectures.hpp"
#include "relumix/moments/activation.hpp"

namespace relumix {

enum class PredictMethod { Infinite, Linear, Full, Density };

// The one-layer law used by full and density (docs/theory.md 6.5):
//   Accurate     (default) mu, sigma^2 of the cumulant series of order K(n) = clamp(floor((n - 2.5)/1.35), 1, 8)
//                per layer (the optimal truncation of docs/theory.md 5.4; `order` > 0 fixes K), anchored at
//                theta -> 0 to the exact small-angle law (4.4), and the excluded mass: each layer's
//                probability of a dead input or a parallel pair given theta, 2^(1-n) + (n-1) q^n with
//                q = (pi - theta)/(2 pi); the statistics are those of the surviving networks.
//   PaperLinear  Jakub & Nica's linearized mean and baseline variance 8n/(n+5)^2 (full_mean /
//                full_variance switch either to the paper's mu, sigma^2 of `order`).
//   PaperFull    the paper's full O(1/n) mu(theta, n), sigma^2(theta, n) (or the plain series of `order`).
// With both paper models the mass is 1 (no excluded events).
enum class PredictModel { Accurate, PaperLinear, PaperFull };

struct PredictOptions {
  // The activation phi_alpha (docs/theory.md 9.7). For alpha != 0 the methods are infinite (the map
  // f_alpha), full and density with the accurate model (the cumulant series of phi's normalized
  // moments, order activation_order(n), no small-angle anchor, no excluded mass: a unit with
  // alpha != 0 never dies and a parallel pair has probability 0); linear and the paper models are
  // ReLU formulas (InputError).
  Activation activation;
  PredictMethod method = PredictMethod::Density;
  PredictModel model = PredictModel::Accurate;
  bool full_mean = false;      // paper-linear density: use the full mu(theta, n) instead of the linearized mean
  bool full_variance = false;  // paper-linear density: use sigma^2(theta, n) instead of 8n/(n+5)^2
  int order = 0;               // 1/n order of mu, sigma^2 for full/density; 0 = by model (accurate: K(n)
                               // per layer; paper models: 1 = the paper's O(1/n))
  bool last_layer_only = false;  // density: statistics (mean, sd, quantiles) of the last layer only
  unsigned threads = 0;        // screening: architectures in parallel (0: all cores)
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
  double theta_mean = 0;     // infinite/linear/full: the angle itself; density: E[theta^l] = E[arcsin e^{X/2}]
                             // of the surviving networks (the angle folded into [0, pi/2])
  // accurate model (density): the predicted probability that the pair is degenerate (parallel) or
  // one input dead by this layer; mean, sd, quantiles are those of the surviving networks. < 0: none.
  double p_excluded = -1;
  // accurate model: the prediction's own estimate of its model error, the last term of the 1/n series
  // (the change from order K-1 to K) accumulated over the layers; sd_error = var error / (2 sd). < 0: none.
  double mean_error = -1, sd_error = -1;
};

// A Gaussian mixture sum_k w[k] N(m[k], s[k]^2) (s = 0: a point mass).
// Components with b[k] > 0 (when a, b are set) are instead the law of X = -2 ln cosh W, W ~ N(a[k], b[k]^2)
// (sin theta = sech W, W = ln cot(theta/2)), of mean m[k] and sd s[k]: the accurate model's transition
// near the bound X <= 0, where the law of X is skewed and a Gaussian in X would spill past 0.
// Components with gk[k] > 0 (when gk is set) are the law -X ~ Gamma(gk[k], s^2/|m|) (mean m < 0, sd s).
struct GaussianMixture {
  std::vector<double> w, m, s;
  std::vector<double> a, b;  // empty, or one per component (b = 0: Gaussian in X)
  std::vector<double> gk;    // empty, or one per component (0: not a gamma law; DensityModel::Step::gk)
  double cdf(double x) const;
  double pdf(double x) const;
  double mean() const;
  double sd() const;
  double quantile(double q) const;  // inverse cdf, absolute accuracy ~1e-12
};

struct Prediction {
  PredictMethod method;
  std::vector<LayerPrediction> layers;
  // density method: grid of X (ascending) and the density in X at each layer (density[l-1][i]); the
  // grid point i stands for a cell of width cell[i] in X (density * cell = its mass): uniform for the
  // paper models, uniform in W = ln cot(theta/2) for the accurate model (finer in X near X = 0)
  std::vector<double> grid, cell;
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
PredictModel parse_predict_model(const std::string& name);  // accurate | paper-linear | paper-full
std::string model_name(PredictModel m);
// The accurate model's order for width n: clamp(floor((n - 2.5)/1.35), 1, 8).
int accurate_order(double n);
// The order of the accurate model for another activation: min(K(n), kMaxActivationPredictOrder) (its
// coefficients are interpolated from certified evaluations made on first use, whose cost grows
// about 5x per order; at n >= 32 the terms past order 4 are below 1e-6 of the variance).
int activation_order(double n);
// Per-layer probability of the excluded events given theta for a ReLU layer of width n:
// dead input (all n pre-activations of one input <= 0) or parallel pair (exactly one neuron active
// for both, none for one only): 2^(1-n) + (n-1) q^n, q = (pi - theta)/(2 pi).
double excluded_probability(double theta, double n);
// The exact small-angle law (docs/theory.md 4.4): limits as theta -> 0 of E[X' - X | survive] and
// Var[X' | survive] for width n, k ~ Bin(n, 1/2) conditioned on k >= 2.
struct SmallAngleLaw { double mean = 0, var = 0; };
SmallAngleLaw small_angle_law(long n);  // n in 2..4096

// The options predict() runs with: the paper models take order 1 when none is given, paper-full
// sets full_mean and full_variance, and the paper-linear density at order K > 1 with neither full_mean nor full_variance set takes both from the
// order-K series (the one rule of every face: the order would otherwise change nothing).
PredictOptions effective_options(PredictOptions opt);

// widths[k] = width of layer k+1 (each >= 2); theta0 in (0, pi].
Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& opt);

// ---- the density engine with a given transition (used by predict; exposed for tests/benchmarks)
// X_1 ~ N(mean1, sd1^2); X_{l+1} | X_l = y ~ N(mean(y, n_{l+1}), sd(y, n_{l+1})^2).
struct DensityModel {
  double mean1 = 0, sd1 = 0;
  std::function<double(double y, long n)> mean, sd;
  // optional: everything of one transition at once (used instead of mean, sd when set): survive =
  // probability of no excluded event in this layer, dmean/dvar = error estimates (< 0: none)
  // wa, wb > 0: the transition is X' = -2 ln cosh W, W ~ N(wa, wb^2) (of mean `mean` and sd `sd`)
  // gk > 0 (instead of wa, wb): the transition is -X' ~ Gamma(gk, sd^2/|mean|), for laws more
  // dispersed near 0 than a cosh law can be (sd/|mean| > sqrt(2): mostly one neuron active for both)
  // obtuse (signed_angles only): the law is on the obtuse side (cos theta' < 0 in its bulk); the cosh
  // law's wa is then negative (W = ln cot(theta/2) < 0)
  struct Step { double mean = 0, sd = 0, survive = 1, dmean = -1, dvar = -1, wa = 0, wb = 0, gk = 0; bool obtuse = false; };
  std::function<Step(double y, long n)> step;
  double survive1 = 1, dmean1 = -1, dvar1 = -1, wa1 = 0, wb1 = 0, gk1 = 0;  // layer 1
  bool obtuse1 = false;
  // angles on both sides of pi/2 (an activation with alpha > 0): the W grid covers W < 0 too, and the
  // step reads the state of an obtuse angle as -X (accurate_step's reflected angle)
  bool signed_angles = false;
  // the grid: uniform in W = ln cot(theta/2) >= 0 (X = -2 ln cosh W; only X <= 0, resolved near X = 0
  // where the law of X is singular) instead of uniform in X
  bool w_grid = false;
};
// Grid range: from the mean path (y -> mean(y)) and the accumulated sd, with margins of 12 sd.
Prediction predict_density(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt);

// The model's transition pieces for a width n (double precision):
double linear_mean(double x, double n);        // x - (2/(3 pi)) arcsin(min(1, e^{x/2})) - rho(n)
double baseline_sd(double n);                  // sqrt(8n/(n+5)^2)
double full_mean(double x, double n, int order = 1);  // mu(theta_of_x(x), n)
double full_sd(double x, double n, int order = 1);    // sqrt(sigma^2(theta_of_x(x), n))
// The accurate model's transition at X = x (theta = theta_of_x(x)) for width n and order K
// (0: accurate_order(n)): anchored mean and sd, survival probability, error estimates.
DensityModel::Step accurate_step(double x, double n, int order = 0);
// The same for an activation (for alpha = 0 the above): X = x > 0 is read as the reflected angle as
// above; order 0: activation_order(n); survive = 1.
DensityModel::Step accurate_step(double x, double n, int order, const Activation& act);
// Moment matching: W ~ N(a, b^2) with E[-2 ln cosh W] = mean, sd[-2 ln cosh W] = sd (a >= 0). Returns
// false (a, b untouched) when no such law is found to 1e-9 relative.
bool match_cosh_law(double mean, double sd, double& a, double& b);

// ---- architecture screening: predicted X at the output of each architecture, ranked by mean
// (largest first: the least degenerate output first).
struct ScreenResult {
  int rank = 0;
  Architecture arch;
  long layers = 0;
  double mean = 0, sd = -1;
  double p_excluded = -1;  // accurate density model: predicted excluded probability at the output
};
std::vector<ScreenResult> screen_architectures(const std::vector<Architecture>& archs, const Theta& theta0,
                                               const PredictOptions& opt);

}  // namespace relumix
