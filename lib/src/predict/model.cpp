// The one-layer models of the predictions: the paper's pieces, the cosh law near X = 0, the accurate model, the names of methods and models (predict/predict.hpp).
#include "relumix/predict/predict.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

#include "relumix/angle/activation_map.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/numeric/interval.hpp"
#include "predict/detail.hpp"

namespace relumix {

using namespace predict_detail;

// ---------------------------------------------------------------- model pieces

double linear_mean(double x, double n) { return x - kTwoOver3Pi * theta_of_x(x) - rho_n(n); }
double baseline_sd(double n) { return std::sqrt(8 * n) / (n + 5); }
double full_mean(double x, double n, int order) { return mu_at(theta_of_x(x), x, n, order); }
double full_sd(double x, double n, int order) {
  double t = theta_of_x(x);
  double v = t >= kSmallTheta ? sigma2_double(t, n, order) : order == 1 ? sigma2_zero(n) : sigma2_double(kSmallTheta, n, order);
  return std::sqrt(std::max(v, 0.0));  // the O(1/n) form can dip below 0 at tiny n: clamp
}

// ---------------------------------------------------------------- the cosh law near X = 0


bool match_cosh_law(double mean, double sd, double& a_out, double& b_out) {
  if (!(mean < 0) || !(sd > 0) || !std::isfinite(mean) || !std::isfinite(sd)) return false;
  // start: the last solution on this thread when its moments were close (neighbouring grid points),
  // else X ~ -W^2 near 0, X ~ 2 ln 2 - 2|W| far from it
  thread_local double last_mean = NAN, last_sd = NAN, last_a = 0, last_b = 0;
  double a, b;
  const double M = -mean, v = sd * sd;
  if (std::fabs(mean - last_mean) < 0.2 * sd && std::fabs(sd / last_sd - 1) < 0.2) {
    a = last_a, b = last_b;
  } else if (M < 2) {
    double B = M * M >= v / 2 ? M - std::sqrt(M * M - v / 2) : M;
    a = std::sqrt(std::max(M - B, 0.0)), b = std::sqrt(std::max(B, 1e-12));
  } else {
    a = (2 * M_LN2 + M) / 2, b = sd / 2;
  }
  // residuals r = ((E - mean)/sd, ln(V/v)/2) and their Jacobian in (a, ln b), from one quadrature pass:
  // h = -2 ln cosh w, h' = -2 tanh w; dE/da = E h', dE/db = E[z h'], dE2/da = E[2 h h'], dE2/db = E[2 z h h']
  auto eval = [&](double aa, double lb, double r[2], double J[2][2]) {
    const double bb = std::exp(lb);
    double s0 = 0, s1 = 0, s2 = 0, da1 = 0, db1 = 0, da2 = 0, db2 = 0;
    for (int k = -40; k <= 40; ++k) {
      double z = 0.25 * k, g = std::exp(-0.5 * z * z), w = aa + bb * z, h = neg2_log_cosh(w), hp = -2 * std::tanh(w);
      s0 += g, s1 += g * h, s2 += g * h * h;
      da1 += g * hp, db1 += g * z * hp, da2 += g * 2 * h * hp, db2 += g * 2 * z * h * hp;
    }
    const double E = s1 / s0, E2 = s2 / s0, V = E2 - E * E;
    if (!(V > 0)) return false;
    da1 /= s0, db1 /= s0, da2 /= s0, db2 /= s0;
    r[0] = (E - mean) / sd;
    r[1] = 0.5 * std::log(V / v);
    J[0][0] = da1 / sd, J[0][1] = db1 * bb / sd;
    J[1][0] = 0.5 * (da2 - 2 * E * da1) / V, J[1][1] = 0.5 * (db2 - 2 * E * db1) * bb / V;
    return true;
  };
  double lb = std::log(b), r[2], J[2][2];
  if (!eval(a, lb, r, J)) return false;
  for (int it = 0; it < 40 && std::hypot(r[0], r[1]) >= 1e-10; ++it) {
    double det = J[0][0] * J[1][1] - J[0][1] * J[1][0];
    if (!(std::fabs(det) > 1e-300)) return false;
    double da = -(J[1][1] * r[0] - J[0][1] * r[1]) / det, dl = -(-J[1][0] * r[0] + J[0][0] * r[1]) / det;
    double nr = std::hypot(r[0], r[1]), t = 1;
    bool moved = false;
    for (int h = 0; h < 30; ++h, t /= 2) {
      double na = std::fabs(a + t * da), nl = lb + t * dl, q[2], K2[2][2];
      if (eval(na, nl, q, K2) && std::hypot(q[0], q[1]) < nr) {
        a = na, lb = nl, r[0] = q[0], r[1] = q[1];
        J[0][0] = K2[0][0], J[0][1] = K2[0][1], J[1][0] = K2[1][0], J[1][1] = K2[1][1];
        moved = true;
        break;
      }
    }
    if (!moved) break;
  }
  if (!(std::hypot(r[0], r[1]) < 1e-9)) return false;
  a_out = a, b_out = std::exp(lb);
  last_mean = mean, last_sd = sd, last_a = a_out, last_b = b_out;
  return true;
}

// b with E[-2 ln cosh(a + b Z)] = mean, Z ~ N(0, 1) (decreasing in b: -2 ln cosh is concave); false
// when mean lies above -2 ln cosh a (no b >= 0 reaches it)
static bool cosh_law_spread(double a, double mean, double& b_out) {
  auto E = [&](double b) {
    double s0 = 0, s1 = 0;
    for (int k = -40; k <= 40; ++k) {
      const double z = 0.25 * k, g = std::exp(-0.5 * z * z);
      s0 += g, s1 += g * neg2_log_cosh(a + b * z);
    }
    return s1 / s0;
  };
  if (!(mean < E(0.0))) return false;
  double lo = 0, hi = 1;
  while (E(hi) > mean && hi < 1e6) hi *= 2;
  for (int it = 0; it < 200 && hi - lo > 1e-14 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (E(mid) > mean ? lo : hi) = mid;
  }
  b_out = 0.5 * (lo + hi);
  return b_out > 0;
}

// ---------------------------------------------------------------- the accurate model

int accurate_order(double n) { return int(std::clamp(std::floor((n - 2.5) / 1.35), 1.0, 8.0)); }

double excluded_probability(double theta, double n) {
  const double q = std::max(0.0, (M_PI - theta) / (2 * M_PI));
  return std::min(1.0, std::exp2(1 - n) + (n - 1) * std::pow(q, n));
}

SmallAngleLaw small_angle_law(long n) {
  require(n >= 2 && n <= kMaxAnchorWidth, "small-angle law: width outside 2.." + std::to_string(kMaxAnchorWidth));
  // psi[m] = digamma(m/2), tri[m] = trigamma(m/2), m = 1..n
  std::vector<double> psi(std::size_t(n) + 1), tri(std::size_t(n) + 1);
  const double euler = 0.57721566490153286061;
  psi[1] = -euler - 2 * M_LN2, tri[1] = M_PI * M_PI / 2;
  psi[2] = -euler, tri[2] = M_PI * M_PI / 6;
  for (long m = 3; m <= n; ++m) {
    double x = double(m - 2) / 2;
    psi[std::size_t(m)] = psi[std::size_t(m - 2)] + 1 / x;
    tri[std::size_t(m)] = tri[std::size_t(m - 2)] - 1 / (x * x);
  }
  // k ~ Bin(n, 1/2) neurons active for both inputs, conditioned on k >= 2
  double P = 0, m1 = 0, t = 0;
  std::vector<double> p(std::size_t(n) + 1), d(std::size_t(n) + 1);
  const double lgn = std::lgamma(double(n) + 1) - double(n) * M_LN2;
  for (long k = 2; k <= n; ++k) {
    p[std::size_t(k)] = std::exp(lgn - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1));
    d[std::size_t(k)] = psi[std::size_t(k - 1)] - psi[std::size_t(k)];
    P += p[std::size_t(k)];
    m1 += p[std::size_t(k)] * d[std::size_t(k)];
    t += p[std::size_t(k)] * (tri[std::size_t(k - 1)] + tri[std::size_t(k)]);
  }
  SmallAngleLaw r;
  r.mean = m1 / P;
  double v = 0;
  for (long k = 2; k <= n; ++k) v += p[std::size_t(k)] * (d[std::size_t(k)] - r.mean) * (d[std::size_t(k)] - r.mean);
  r.var = (t + v) / P;
  return r;
}

namespace {
// The anchor of the order-K series at theta -> 0: the exact small-angle law minus the series there.
struct Anchor {
  double dmean = 0, dvar = 0;     // exact - series at theta = 0
  double mean0K = 1, var0K = 1;   // mean_K(0), var_K(0): the last term's shape is scaled from here
};
const Anchor& anchor(long n, int K) {
  static std::mutex mu;
  static std::map<std::pair<long, int>, Anchor> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find({n, K});
  if (it != cache.end()) return it->second;
  double mean[9], var[9];
  cumulant_table(0.0, unsigned(K), mean, var);
  SmallAngleLaw law = small_angle_law(n);
  Anchor a;
  double sm = 0, sv = 0, p = 1;
  for (int k = 1; k <= K; ++k) p /= double(n), sm += mean[k] * p, sv += var[k] * p;
  a.dmean = law.mean - sm;
  a.dvar = law.var - sv;
  a.mean0K = mean[K];
  a.var0K = var[K];
  return cache[{n, K}] = a;
}
}  // namespace

namespace {
// Near the bound X <= 0 the law of X' is skewed: the cosh law of the same mean and variance, or,
// more dispersed than any cosh law near X = 0 (sd / |mean| > sqrt(2): mostly one neuron active for
// both, at small n and obtuse theta), the gamma law of -X'.
void skewed_law(DensityModel::Step& s) {
  if (s.mean + kCoshLawSd * s.sd > -kCoshLawSd && !match_cosh_law(s.mean, s.sd, s.wa, s.wb)) {
    s.wa = s.wb = 0;
    if (s.mean < 0 && s.sd > 0) s.gk = s.mean * s.mean / (s.sd * s.sd);
  }
}
}  // namespace

// The accurate transition at angle t (lnD = ln(1 - 4 J11(t)^2) given by the caller).
DensityModel::Step predict_detail::accurate_at(double t, double lnD, double n, int K) {
  double mean[9], var[9];
  cumulant_table(std::clamp(t, 0.0, M_PI), unsigned(K), mean, var);
  double m = 0, v = 0, p = 1;
  for (int k = 1; k <= K; ++k) p /= n, m += mean[k] * p, v += var[k] * p;
  DensityModel::Step s;
  s.dmean = std::fabs(mean[K] * p);
  s.dvar = std::fabs(var[K] * p);
  if (n <= double(kMaxAnchorWidth)) {
    const Anchor& a = anchor(long(n), K);
    m += a.dmean * (mean[K] / a.mean0K);
    v += a.dvar * (var[K] / a.var0K);
  }
  s.mean = lnD + m;
  s.sd = std::sqrt(std::max(v, 0.0));
  s.survive = 1 - excluded_probability(t, n);
  skewed_law(s);
  return s;
}

int activation_order(double n) { return std::min(accurate_order(n), kMaxActivationPredictOrder); }

DensityModel::Step predict_detail::activation_at(const Activation& act, double t, double lnD, double n, int K) {
  double mean[kMaxCumulantOrder + 1], var[kMaxCumulantOrder + 1];
  activation_cumulant_table(act, std::clamp(t, 0.0, M_PI), unsigned(K), mean, var);
  double m = 0, v = 0, p = 1;
  for (int k = 1; k <= K; ++k) p /= n, m += mean[k] * p, v += var[k] * p;
  DensityModel::Step s;
  s.dmean = std::fabs(mean[K] * p);
  s.dvar = std::fabs(var[K] * p);
  s.mean = lnD + m;
  s.sd = std::sqrt(std::max(v, 0.0));
  s.survive = 1;  // no unit of phi_alpha, alpha != 0, dies; parallel outputs have probability 0
  skewed_law(s);
  if (act.is_abs()) return s;  // |x| >= 0: cos theta' >= 0, the unsigned W grid
  // Signed angles (DensityModel::signed_angles). The side of pi/2 the law is on: that of the mean
  // cos theta' ~ cos f_alpha(t). Near pi/2 the moments of X fix the cosh law's |a| badly (X ~ -W^2
  // sees a only at second order, and the matching fails as sd/|mean| nears sqrt 2): there W' = ln cot(theta'/2)
  // ~ N(a, b^2) takes a = atanh(cos f_alpha(t)), the infinite-width mean of W', and b from the mean of X.
  const double c = std::cos(activation_map(act, std::clamp(t, 0.0, M_PI)));
  s.obtuse = c < 0;
  const bool near_zero = s.mean + kCoshLawSd * s.sd > -kCoshLawSd;
  if (near_zero && (!(s.wb > 0) || s.wa < s.wb)) {
    const double a = std::atanh(std::clamp(c, -1 + 1e-15, 1 - 1e-15));
    double b;
    if (cosh_law_spread(a, s.mean, b)) s.wa = a, s.wb = b, s.gk = 0;
  } else if (s.obtuse) {
    s.wa = -s.wa;
  }
  return s;
}

DensityModel::Step accurate_step(double x, double n, int order, const Activation& act) {
  if (act.is_relu()) return accurate_step(x, n, order);
  const int K = order > 0 ? order : activation_order(n);
  if (x > 0) {  // the reflected angle, as for ReLU
    const double t = M_PI - std::asin(std::exp(-x / 2));
    return activation_at(act, t, 2 * std::log(std::sin(activation_map(act, t))), n, K);
  }
  const double t = theta_of_x(x);
  return activation_at(act, t, x + log_d_over_sin2(act, t), n, K);
}

DensityModel::Step accurate_step(double x, double n, int order) {
  const int K = order > 0 ? order : accurate_order(n);
  if (x > 0) {
    // X > 0 (sin^2 > 1) is the Gaussian model's tail past the bound X <= 0. It is continued across
    // theta = pi/2 as the reflected angle, theta = pi - arcsin(e^{-X/2}) (sin^2 theta = e^{-X}), whose
    // one-layer law is exact on the obtuse side: the mean map stays smooth in pi/2 - theta.
    const double t = M_PI - std::asin(std::exp(-x / 2));
    return accurate_at(t, 2 * std::log(std::sin(infinite_map(t))), n, K);
  }
  const double t = theta_of_x(x);
  return accurate_at(t, x + log_d_over_sin2(t), n, K);
}

// ---------------------------------------------------------------- methods

PredictMethod parse_predict_method(const std::string& name) {
  if (name == "infinite") return PredictMethod::Infinite;
  if (name == "linear") return PredictMethod::Linear;
  if (name == "full") return PredictMethod::Full;
  if (name == "density") return PredictMethod::Density;
  throw InputError("unknown prediction method '" + name + "' (use infinite, linear, full or density)");
}

PredictModel parse_predict_model(const std::string& name) {
  if (name == "accurate") return PredictModel::Accurate;
  if (name == "paper-linear") return PredictModel::PaperLinear;
  if (name == "paper-full") return PredictModel::PaperFull;
  throw InputError("unknown model '" + name + "' (use accurate, paper-linear or paper-full)");
}

std::string model_name(PredictModel m) {
  switch (m) {
    case PredictModel::Accurate: return "accurate";
    case PredictModel::PaperLinear: return "paper-linear";
    case PredictModel::PaperFull: return "paper-full";
  }
  return "?";
}

std::string method_name(PredictMethod m) {
  switch (m) {
    case PredictMethod::Infinite: return "infinite";
    case PredictMethod::Linear: return "linear";
    case PredictMethod::Full: return "full";
    case PredictMethod::Density: return "density";
  }
  return "?";
}

}  // namespace relumix
