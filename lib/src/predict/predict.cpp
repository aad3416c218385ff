// Layer-by-layer predictions of the angle decay (SPEC section 4); see predict.hpp for the
// methods and the density engine.
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

namespace relumix {

namespace {
constexpr double kTwoOver3Pi = 2.0 / (3.0 * M_PI);
constexpr double kMinWeight = 1e-30;   // banded engine: sources lighter than this are skipped
constexpr double kSmallTheta = 1e-10;  // below: mu, sigma^2 from their theta -> 0 expansion
constexpr double kMargin = 12;         // grid margin in accumulated sd
constexpr long kCacheDoubles = 1L << 25;  // kernel cache budget (256 MB)
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// the accurate model anchors the series to the exact small-angle law up to this width; beyond, the
// order-8 series' own error at theta = 0 (~ 8! (1.4/n)^9) is below 1e-20 and the anchor is skipped
constexpr long kMaxAnchorWidth = 4096;
// transitions with mean + 6 sd > -6 use the cosh law (GaussianMixture): elsewhere it is a Gaussian in X
// to within e^X ~ e^-6 of the skew
constexpr double kCoshLawSd = 6;

double phi_cdf(double z) { return 0.5 * std::erfc(-z * M_SQRT1_2); }

// c1(n) = 2/(3 pi) + 8n/(15 pi (n-1)^2)
double c1_n(double n) { return kTwoOver3Pi + 8 * n / (15 * M_PI * (n - 1) * (n - 1)); }
// sigma^2(0, n) = 8n(n^2 - 2n + 55)/((n-1)^2 (n+5)^2)
double sigma2_zero(double n) { return 8 * n * (n * n - 2 * n + 55) / ((n - 1) * (n - 1) * (n + 5) * (n + 5)); }

// mu(theta, n) given x = ln sin^2 theta. Below kSmallTheta: order 1 from its expansion at 0 (error
// O(theta^2)); higher orders as x + (mu - ln sin^2) at kSmallTheta (error O(kSmallTheta)).
double mu_at(double theta, double x, double n, int order) {
  if (theta >= kSmallTheta) return mu_double(theta, n, order);
  if (order == 1) return x - rho_n(n) - c1_n(n) * theta;
  return x + mu_double(kSmallTheta, n, order) - 2 * std::log(std::sin(kSmallTheta));
}
}  // namespace

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

namespace {
// -2 ln cosh w without overflow
double neg2_log_cosh(double w) {
  w = std::fabs(w);
  return -2 * (w + std::log1p(std::exp(-2 * w)) - M_LN2);
}
// P(|W| <= r), W ~ N(a, b^2)
double abs_cdf(double r, double a, double b) {
  if (!(r > 0)) return 0;
  return 0.5 * (std::erfc((-r - a) / (b * M_SQRT2)) - std::erfc((r - a) / (b * M_SQRT2)));
}
// |W| of X = -2 ln cosh W: acosh(e^{-x/2}) for x <= 0
double w_of_x(double x) {
  if (!(x < 0)) return 0;
  double e = std::exp(-x / 2);
  return std::log(e + std::sqrt(std::max(e * e - 1, 0.0)));
}
}  // namespace

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

// The accurate transition at angle t (lnD = ln(1 - 4 J11(t)^2) given by the caller).
DensityModel::Step accurate_at(double t, double lnD, double n, int K) {
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
  // near the bound X <= 0 the law of X' is skewed: the cosh law of the same mean and variance
  if (s.mean + kCoshLawSd * s.sd > -kCoshLawSd && !match_cosh_law(s.mean, s.sd, s.wa, s.wb)) s.wa = s.wb = 0;
  return s;
}
}  // namespace

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

// ---------------------------------------------------------------- mixtures

double GaussianMixture::cdf(double x) const {
  // normalized by the total weight: with excluded mass the law of the survivors
  double c = 0, tw = 0;
  const bool ab = b.size() == w.size();
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (ab && b[k] > 0) c += w[k] * (x >= 0 ? 1.0 : 1 - abs_cdf(w_of_x(x), a[k], b[k]));
    else c += w[k] * (s[k] > 0 ? phi_cdf((x - m[k]) / s[k]) : (x >= m[k] ? 1.0 : 0.0));
    tw += w[k];
  }
  return tw > 0 ? std::clamp(c / tw, 0.0, 1.0) : 0.0;
}

double GaussianMixture::pdf(double x) const {
  double p = 0, tw = 0;
  const bool ab = b.size() == w.size();
  for (std::size_t k = 0; k < w.size(); ++k) {
    tw += w[k];
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
    hi = std::max(hi, m[k] + 40 * s[k]);
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

// ---------------------------------------------------------------- density engine

namespace {

struct Grid {
  double lo = 0, h = 1;
  long n = 0;
  double x(long i) const { return lo + double(i) * h; }
};

// One kernel column: normalized weights at grid points first..first+vals.size()-1.
struct Column {
  long first = -1;  // -1: not built
  std::vector<double> vals;
};

void build_column(const Grid& g, double m, double s, double band, Column& c) {
  c.vals.clear();
  auto nearest = [&] {
    c.first = std::clamp(long(std::lround((m - g.lo) / g.h)), 0L, g.n - 1);
    c.vals.assign(1, 1.0);
  };
  if (!std::isfinite(m)) throw std::runtime_error("density: non-finite conditional mean");
  if (!(s > 0)) return nearest();
  double a = std::ceil((m - band * s - g.lo) / g.h), b = std::floor((m + band * s - g.lo) / g.h);
  a = std::max(a, 0.0);
  b = std::min(b, double(g.n - 1));
  if (a > b) return nearest();  // kernel entirely off the grid: keep the mass at the edge
  c.first = long(a);
  long len = long(b) - long(a) + 1;
  c.vals.resize(std::size_t(len));
  double sum = 0, inv = 1 / s;
  for (long t = 0; t < len; ++t) {
    double z = (g.x(c.first + t) - m) * inv;
    double v = std::exp(-0.5 * z * z);
    c.vals[std::size_t(t)] = v;
    sum += v;
  }
  if (!(sum > 0)) return nearest();
  double r = 1 / sum;
  for (auto& v : c.vals) v *= r;
}

// The cosh-law column: cell masses P(X in [x_i - h/2, x_i + h/2]) for X = -2 ln cosh W, W ~ N(a, b^2),
// from the exact CDF of |W|, normalized to sum 1 over the grid.
void build_column_cosh(const Grid& g, double a, double b, double band, Column& c) {
  c.vals.clear();
  const double xlo = neg2_log_cosh(std::fabs(a) + band * b), xhi = neg2_log_cosh(std::max(0.0, std::fabs(a) - band * b));
  long i0 = std::clamp(long(std::floor((xlo - g.lo) / g.h)), 0L, g.n - 1);
  long i1 = std::clamp(long(std::ceil((std::min(xhi, 0.0) - g.lo) / g.h)), 0L, g.n - 1);
  if (i1 < i0) std::swap(i0, i1);
  c.first = i0;
  c.vals.resize(std::size_t(i1 - i0 + 1));
  double sum = 0;
  // P(|W| <= r(edge)) at the lower edge of cell i (r decreasing in x; the cell's mass is the drop)
  auto edge_cdf = [&](long i) {
    if (i == 0) return 1.0;  // the lowest cell takes the tail below it
    double e = std::min(g.x(i) - g.h / 2, 0.0);
    return abs_cdf(w_of_x(e), a, b);
  };
  double lower = edge_cdf(i0);
  for (long i = i0; i <= i1; ++i) {
    double upper = i == g.n - 1 ? 0.0 : edge_cdf(i + 1);
    double v = std::max(lower - upper, 0.0);
    c.vals[std::size_t(i - i0)] = v;
    sum += v;
    lower = upper;
  }
  if (!(sum > 0)) {
    c.first = std::clamp(long(std::lround((std::min(xhi, 0.0) - g.lo) / g.h)), 0L, g.n - 1);
    c.vals.assign(1, 1.0);
    return;
  }
  for (auto& v : c.vals) v /= sum;
}

// Transition of one width on the grid: m, s at the grid points (lazy) and the kernel columns.
struct WidthKernel {
  std::vector<double> m, s, surv, dm, dv, wa, wb;  // surv, dm, dv, wa, wb: from DensityModel::step (else 1, -1, -1, 0, 0)
  std::vector<Column> cols;
  std::vector<double> dense;  // row-major N x N (dense reference)
  long doubles = 0;
};

class Engine {
 public:
  Engine(const Grid& g, const DensityModel& model, const PredictOptions& opt) : g_(g), model_(model), opt_(opt) {}

  WidthKernel& kernel(long n) {
    auto it = cache_.find(n);
    if (it != cache_.end()) return it->second;
    if (used_ > kCacheDoubles) {
      cache_.clear();
      used_ = 0;
    }
    WidthKernel& k = cache_[n];
    k.m.assign(std::size_t(g_.n), kNaN);
    k.s.assign(std::size_t(g_.n), kNaN);
    k.surv.assign(std::size_t(g_.n), 1.0);
    k.dm.assign(std::size_t(g_.n), -1.0);
    k.dv.assign(std::size_t(g_.n), -1.0);
    k.wa.assign(std::size_t(g_.n), 0.0);
    k.wb.assign(std::size_t(g_.n), 0.0);
    if (!opt_.dense_reference) k.cols.resize(std::size_t(g_.n));
    used_ += 7 * g_.n;
    return k;
  }

  void eval(WidthKernel& k, long n, long j) {
    const std::size_t u = std::size_t(j);
    if (std::isnan(k.m[u])) {
      double y = g_.x(j);
      if (model_.step) {
        DensityModel::Step st = model_.step(y, n);
        k.m[u] = st.mean, k.s[u] = st.sd, k.surv[u] = st.survive, k.dm[u] = st.dmean, k.dv[u] = st.dvar;
        k.wa[u] = st.wa, k.wb[u] = st.wb;
      } else {
        k.m[u] = model_.mean(y, n);
        k.s[u] = model_.sd(y, n);
      }
    }
  }

  const Column& column(WidthKernel& k, long n, long j) {
    Column& c = k.cols[std::size_t(j)];
    if (c.first < 0) {
      eval(k, n, j);
      if (k.wb[std::size_t(j)] > 0) build_column_cosh(g_, k.wa[std::size_t(j)], k.wb[std::size_t(j)], opt_.band_sd, c);
      else build_column(g_, k.m[std::size_t(j)], k.s[std::size_t(j)], opt_.band_sd, c);
      k.doubles += long(c.vals.size());
      used_ += long(c.vals.size());
    }
    return c;
  }

  void build_dense(WidthKernel& k, long n) {
    if (!k.dense.empty()) return;
    const long N = g_.n;
    for (long j = 0; j < N; ++j) eval(k, n, j);
    k.dense.assign(std::size_t(N) * std::size_t(N), 0.0);
    used_ += N * N;
    Column c;
    for (long j = 0; j < N; ++j) {
      if ((j & 255) == 0) throw_if_stopped();
      build_column(g_, k.m[std::size_t(j)], k.s[std::size_t(j)], std::numeric_limits<double>::infinity(), c);
      for (std::size_t t = 0; t < c.vals.size(); ++t) k.dense[std::size_t(c.first + long(t)) * std::size_t(N) + std::size_t(j)] = c.vals[t];
    }
  }

  // Propagates sources (grid masses w, or explicit points for layer 2) through width n.
  // out: new density on the grid; mix: the mixture of the new layer.
  // Layer statistics of the excluded mass and the error estimates, filled by the steps.
  struct Extra {
    double excluded = 0;        // mass removed by this layer's excluded events
    double dmean = 0, dvar = 0; // survivor-weighted mean error terms of this layer (< 0: none)
  };

  void step_grid(long n, const std::vector<double>& w_in, std::vector<double>& out, GaussianMixture& mix, Extra& ex) {
    WidthKernel& k = kernel(n);
    const long N = g_.n;
    out.assign(std::size_t(N), 0.0);
    mix.w.clear(), mix.m.clear(), mix.s.clear(), mix.a.clear(), mix.b.clear();
    ex = {};
    std::vector<double> w = w_in;
    if (model_.step) {
      double tw = 0, em = 0, ev = 0;
      for (long j = 0; j < N; ++j) {
        double& wj = w[std::size_t(j)];
        if (!(wj > kMinWeight)) continue;
        eval(k, n, j);
        const std::size_t u = std::size_t(j);
        ex.excluded += wj * (1 - k.surv[u]);
        wj *= k.surv[u];
        tw += wj, em += wj * k.dm[u], ev += wj * k.dv[u];
      }
      ex.dmean = tw > 0 ? em / tw : 0;
      ex.dvar = tw > 0 ? ev / tw : 0;
    } else {
      ex.dmean = ex.dvar = -1;
    }
    if (opt_.dense_reference) {
      build_dense(k, n);
      const double* A = k.dense.data();
      for (long i = 0; i < N; ++i) {
        const double* row = A + std::size_t(i) * std::size_t(N);
        double acc = 0;
        for (long j = 0; j < N; ++j) acc += row[j] * w[std::size_t(j)];
        out[std::size_t(i)] = acc / g_.h;
      }
      for (long j = 0; j < N; ++j) {
        if (w[std::size_t(j)] <= 0) continue;
        mix.w.push_back(w[std::size_t(j)]), mix.m.push_back(k.m[std::size_t(j)]), mix.s.push_back(k.s[std::size_t(j)]);
        mix.a.push_back(k.wa[std::size_t(j)]), mix.b.push_back(k.wb[std::size_t(j)]);
      }
    } else {
      for (long j = 0; j < N; ++j) {
        double wj = w[std::size_t(j)];
        if (!(wj > kMinWeight)) continue;
        if ((j & 1023) == 0) throw_if_stopped();
        const Column& c = column(k, n, j);
        double* o = out.data() + c.first;
        const double* v = c.vals.data();
        const std::size_t len = c.vals.size();
        for (std::size_t t = 0; t < len; ++t) o[t] += wj * v[t];
        mix.w.push_back(wj), mix.m.push_back(k.m[std::size_t(j)]), mix.s.push_back(k.s[std::size_t(j)]);
        mix.a.push_back(k.wa[std::size_t(j)]), mix.b.push_back(k.wb[std::size_t(j)]);
      }
      const double r = 1 / g_.h;
      for (auto& v : out) v *= r;
    }
  }

  void step_points(long n, const std::vector<double>& y, const std::vector<double>& w, std::vector<double>& out,
                   GaussianMixture& mix, Extra& ex) {
    out.assign(std::size_t(g_.n), 0.0);
    mix = {};
    ex = {};
    if (!model_.step) ex.dmean = ex.dvar = -1;
    double tw = 0;
    Column c;
    double band = opt_.dense_reference ? std::numeric_limits<double>::infinity() : opt_.band_sd;
    for (std::size_t k = 0; k < y.size(); ++k) {
      double m, s, wk = w[k], wa = 0, wb = 0;
      if (model_.step) {
        DensityModel::Step st = model_.step(y[k], n);
        m = st.mean, s = st.sd, wa = st.wa, wb = st.wb;
        ex.excluded += wk * (1 - st.survive);
        wk *= st.survive;
        tw += wk, ex.dmean += wk * st.dmean, ex.dvar += wk * st.dvar;
      } else {
        m = model_.mean(y[k], n), s = model_.sd(y[k], n);
      }
      if (wb > 0) build_column_cosh(g_, wa, wb, std::min(band, 40.0), c);
      else build_column(g_, m, s, band, c);
      for (std::size_t t = 0; t < c.vals.size(); ++t) out[std::size_t(c.first) + t] += wk * c.vals[t];
      mix.w.push_back(wk), mix.m.push_back(m), mix.s.push_back(s), mix.a.push_back(wa), mix.b.push_back(wb);
    }
    if (model_.step && tw > 0) ex.dmean /= tw, ex.dvar /= tw;
    for (auto& v : out) v /= g_.h;
  }

 private:
  Grid g_;
  const DensityModel& model_;
  const PredictOptions& opt_;
  std::map<long, WidthKernel> cache_;
  long used_ = 0;
};

LayerPrediction stats_of(int layer, const GaussianMixture& mix) {
  LayerPrediction L;
  L.layer = layer;
  L.mean = mix.mean();
  L.sd = mix.sd();
  L.q05 = mix.quantile(0.05);
  L.q50 = mix.quantile(0.5);
  L.q95 = mix.quantile(0.95);
  L.theta_mean = kNaN;
  return L;
}

void check_widths(const std::vector<long>& widths) {
  require(!widths.empty(), "empty width list");
  require(long(widths.size()) <= kMaxLayers, "more than " + std::to_string(kMaxLayers) + " layers");
  for (long n : widths) require(n >= 2, "width " + std::to_string(n) + " is below the minimum 2");
}

}  // namespace

Prediction predict_density(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt) {
  check_widths(widths);
  require(bool(model.step) || (bool(model.mean) && bool(model.sd)), "density: model functions missing");
  auto mean_sd = [&](double y, long n) {
    if (model.step) {
      DensityModel::Step st = model.step(y, n);
      return std::pair<double, double>(st.mean, st.sd);
    }
    return std::pair<double, double>(model.mean(y, n), model.sd(y, n));
  };
  require(std::isfinite(model.mean1) && std::isfinite(model.sd1) && model.sd1 >= 0, "density: bad layer-1 law");
  require(opt.grid_points >= 3 && opt.grid_points <= kMaxGridPoints,
          "the density grid must have 3.." + std::to_string(kMaxGridPoints) + " points");
  require(opt.band_sd >= 1, "band must be at least 1 sd");
  const long L = long(widths.size());

  // mean path and accumulated sd (slope of the mean map <= 1, so sqrt(sum s^2) bounds the spread)
  double y = model.mean1, v = model.sd1 * model.sd1;
  double lo = y - kMargin * model.sd1, hi = y + kMargin * model.sd1;
  double s_min = std::numeric_limits<double>::infinity(), s_max = model.sd1;
  for (long l = 1; l < L; ++l) {
    if ((l & 1023) == 0) throw_if_stopped();
    long n = widths[std::size_t(l)];
    auto [ny, s] = mean_sd(y, n);
    y = ny;
    require(std::isfinite(y) && std::isfinite(s), "density: the model left the finite range at layer " + std::to_string(l + 1));
    v += s * s;
    if (s > 0) s_min = std::min(s_min, s);
    s_max = std::max(s_max, s);
    lo = std::min(lo, y - kMargin * std::sqrt(v));
    hi = std::max(hi, y + kMargin * std::sqrt(v));
  }
  if (!std::isfinite(s_min)) s_min = model.sd1 > 0 ? model.sd1 : 1.0;  // one layer, or all kernels degenerate
  lo -= 2 * s_max;
  hi += 2 * s_max;
  if (!(hi > lo)) lo -= 1, hi += 1;
  double need = std::ceil((hi - lo) / (s_min / 4)) + 1;  // resolution: h <= s_min / 4
  require(need <= double(kMaxGridPoints),
          "the density grid would need " + std::to_string(long(std::min(need, 1e18))) + " points (more than " +
              std::to_string(kMaxGridPoints) + ") for this many layers; the mean methods linear and full need none");
  Grid g;
  g.n = std::max(long(opt.grid_points), long(need));
  g.lo = lo;
  g.h = (hi - lo) / double(g.n - 1);
  {  // the kernel's memory and time grow as points x support (grid^2 for a fine --grid): refuse up front
    const double support = opt.dense_reference ? double(g.n) : std::min(double(g.n), 2 * opt.band_sd * s_max / g.h + 1);
    const double values = double(g.n) * support;
    require(values <= kMaxKernelValues, "the density kernel on ", g.n, " grid points would hold about ", std::lround(values / 1e6),
            "e6 values (", std::lround(values * 8 / 1e9), " GB; at most ", kMaxKernelValues / 1e6,
            "e6, about 1.3 GB): use fewer grid points");
  }

  Prediction P;
  P.method = PredictMethod::Density;
  P.grid_points = g.n;
  P.grid_lo = lo;
  P.grid_hi = lo + double(g.n - 1) * g.h;
  P.grid.resize(std::size_t(g.n));
  for (long i = 0; i < g.n; ++i) P.grid[std::size_t(i)] = g.x(i);
  const bool keep = opt.keep_densities && double(L) * double(g.n) <= double(kMaxKeptValues);

  // layer 1: exactly N(mean1, sd1^2) (mass survive1)
  GaussianMixture mix;
  mix.w = {model.survive1}, mix.m = {model.mean1}, mix.s = {model.sd1}, mix.a = {model.wa1}, mix.b = {model.wb1};
  const bool extra = bool(model.step);
  double excluded = 1 - model.survive1, err_mean = std::max(model.dmean1, 0.0), err_var = std::max(model.dvar1, 0.0);
  std::vector<double> dens(std::size_t(g.n), 0.0), next;
  {
    Column c;
    if (model.wb1 > 0) build_column_cosh(g, model.wa1, model.wb1, 40, c);
    else build_column(g, model.mean1, model.sd1, 40, c);
    for (std::size_t t = 0; t < c.vals.size(); ++t) dens[std::size_t(c.first) + t] = model.survive1 * c.vals[t] / g.h;
  }
  LayerPrediction L1;
  L1.layer = 1;
  L1.mean = model.mean1;
  L1.sd = model.sd1;
  L1.q05 = model.mean1 - 1.6448536269514722 * model.sd1;
  L1.q50 = model.mean1;
  L1.q95 = model.mean1 + 1.6448536269514722 * model.sd1;
  if (model.wb1 > 0) L1.q05 = mix.quantile(0.05), L1.q50 = mix.quantile(0.5), L1.q95 = mix.quantile(0.95);
  L1.theta_mean = kNaN;
  if (extra) {
    L1.p_excluded = excluded;
    L1.mean_error = err_mean;
    L1.sd_error = model.sd1 > 0 ? err_var / (2 * model.sd1) : std::sqrt(err_var);
  }
  P.layers.push_back(L1);
  if (keep) P.density.push_back(dens), P.mixtures.push_back(mix);
  if (opt.progress) opt.progress(1, L);

  Engine eng(g, model, opt);
  Engine::Extra ex;
  std::vector<double> w(std::size_t(g.n));
  for (long l = 1; l < L; ++l) {
    throw_if_stopped();
    long n = widths[std::size_t(l)];
    if (l == 1) {
      // sources of layer 2: a fine local grid of the exact layer-1 Gaussian (step sd/4, +-12 sd)
      std::vector<double> ys, ws;
      if (model.wb1 > 0) {
        // the cosh law of layer 1: sources on a fine grid of W folded to |W| (step b/4, +-12 b)
        double tw = 0;
        for (int k = -48; k <= 48; ++k) {
          double z = k * 0.25, wv = model.wa1 + model.wb1 * z;
          ys.push_back(neg2_log_cosh(wv));
          ws.push_back(std::exp(-0.5 * z * z));
          tw += ws.back();
        }
        for (auto& x : ws) x /= tw;
      } else if (model.sd1 > 0) {
        double tw = 0;
        for (int k = -48; k <= 48; ++k) {
          double z = k * 0.25;
          ys.push_back(model.mean1 + model.sd1 * z);
          ws.push_back(std::exp(-0.5 * z * z));
          tw += ws.back();
        }
        for (auto& x : ws) x /= tw;
      } else {
        ys = {model.mean1}, ws = {1.0};
      }
      for (auto& x : ws) x *= model.survive1;
      eng.step_points(n, ys, ws, next, mix, ex);
    } else {
      for (long i = 0; i < g.n; ++i) w[std::size_t(i)] = dens[std::size_t(i)] * g.h;
      eng.step_grid(n, w, next, mix, ex);
    }
    dens.swap(next);
    const bool stats = !opt.last_layer_only || l + 1 == L;
    LayerPrediction lp;
    if (stats) lp = stats_of(int(l + 1), mix);
    else lp.layer = int(l + 1), lp.mean = mix.mean(), lp.sd = mix.sd(), lp.theta_mean = kNaN;
    if (extra) {
      excluded += ex.excluded;
      err_mean += ex.dmean;
      err_var += ex.dvar;
      lp.p_excluded = std::min(1.0, excluded);
      lp.mean_error = err_mean;
      lp.sd_error = lp.sd > 0 ? err_var / (2 * lp.sd) : std::sqrt(err_var);
    }
    P.layers.push_back(lp);
    if (keep) P.density.push_back(dens), P.mixtures.push_back(mix);
    if (opt.progress) opt.progress(l + 1, L);
  }
  if (!keep) P.density.clear(), P.mixtures.clear();
  return P;
}

// ---------------------------------------------------------------- predict

namespace {
// ln sin^2 theta0 from the exact angle (MPFR), finite for theta0 in (0, pi)
double x_of_theta(const Theta& t) {
  Interval s = sin(t.enclose(160 + mpfr_prec_t(theta_edge_bits(t))));  // pi - 1e-300: sin is 1e-300, not 0
  return log(sqr(s)).mid_double();
}
// infinite, linear, full: one deterministic state per layer. step(l, n, x, t) turns the state
// after l layers into the state after l + 1 (x = ln sin^2 theta, t = theta; both unset at l = 0).
// Ctrl-C and progress are checked every `every` layers.
template <class Step>
void mean_path(Prediction& P, const std::vector<long>& widths, const PredictOptions& opt, long every, Step&& step) {
  const long L = long(widths.size());
  double x = 0, t = 0;
  P.layers.reserve(std::size_t(L));
  for (long l = 0, check = 0; l < L; ++l) {
    bool poll = --check <= 0;
    if (poll) check = every, throw_if_stopped();
    step(l, double(widths[std::size_t(l)]), x, t);
    LayerPrediction lp;
    lp.layer = int(l + 1);
    lp.mean = x;
    lp.theta_mean = t;
    P.layers.push_back(lp);
    if (opt.progress && (poll || l + 1 == L)) opt.progress(l + 1, L);
  }
}
}  // namespace


PredictOptions effective_options(PredictOptions o) {
  if (o.model != PredictModel::Accurate) o.order = std::max(o.order, 1);
  if (o.model == PredictModel::PaperFull) o.full_mean = o.full_variance = true;
  if (o.method == PredictMethod::Density && o.model == PredictModel::PaperLinear && o.order > 1 && !o.full_mean &&
      !o.full_variance)
    o.full_mean = o.full_variance = true;
  return o;
}

Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& options) {
  check_widths(widths);
  require(options.order >= 0 && options.order <= int(kMaxCumulantOrder),
          "the 1/n order " + std::to_string(options.order) + " is outside 1.." + std::to_string(kMaxCumulantOrder));
  const PredictOptions opt = effective_options(options);
  require(!theta0.is_zero() && theta0.compare_pi_multiple(Rational(0)) > 0 && theta0.compare_pi_multiple(Rational(1)) <= 0,
          "theta0 must lie in (0, pi]");
  const double t0 = std::min(theta0.to_double(), M_PI);
  const bool accurate = opt.model == PredictModel::Accurate;
  // paper models: order 1 unless given; accurate: K(n) per layer unless given (0)
  const int order = opt.order;
  // theta0 > pi/2: the linearized step (a small-angle expansion that sees only sin^2 theta0) does
  // not apply; layer 1 is the one-layer law at theta0 itself (the paper's mu, sigma^2 of the order)
  const bool obtuse = theta0.compare_pi_multiple(Rational(1, 2)) > 0;
  auto x0 = [&] {
    require(!theta0.is_pi() || obtuse, "theta0 = pi");
    return x_of_theta(theta0);
  };
  // mu(theta0, n): directly, or from x0 = ln sin^2 theta0 below kSmallTheta
  auto mu_first = [&](double n) { return t0 < kSmallTheta ? mu_at(t0, x_of_theta(theta0), n, order) : mu_double(t0, n, order); };
  // the accurate law of layer 1 given theta0 (ln D from x0 where theta0 is small: no cancellation)
  auto accurate_first = [&](double n) {
    const int K = opt.order > 0 ? opt.order : accurate_order(n);
    double lnD = t0 < 0.5 ? x_of_theta(theta0) + log_d_over_sin2(t0) : 2 * std::log(std::sin(infinite_map(t0)));
    return accurate_at(t0, lnD, n, K);
  };

  if (!accurate) {  // the paper models' series of order >= 2 are evaluated certified, at a measured cost
                    // per evaluation: refuse up front (the accurate model reads the tabulated coefficients)
    double evals = 0;
    if (opt.method == PredictMethod::Full) evals = double(widths.size());
    if (opt.method == PredictMethod::Density) {
      std::vector<long> distinct(widths.begin() + (widths.size() > 1 ? 1 : 0), widths.end());
      std::sort(distinct.begin(), distinct.end());
      const double kinds = double(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
      evals = double(opt.grid_points) * kinds * ((opt.full_mean ? 1 : 0) + (opt.full_variance ? 1 : 0));
    }
    const double secs = evals * kPredictEvalSeconds[order];
    require(secs <= kMaxPredictSeconds, "the paper model at order ", order, " would take about ", std::lround(secs), " s (",
            std::lround(evals), " evaluations of the order-", order, " series at about ", kPredictEvalSeconds[order] * 1e3,
            " ms each; at most ", kMaxPredictSeconds, " s): use a lower order, fewer layers or grid points, the accurate model ",
            "(tabulated) or the method linear");
  }
  Prediction P;
  P.method = opt.method;
  switch (opt.method) {
    case PredictMethod::Infinite:
      mean_path(P, widths, opt, 4096, [&](long l, double, double& x, double& t) {
        t = infinite_map(l == 0 ? t0 : t);
        x = 2 * std::log(std::sin(t));
      });
      break;
    case PredictMethod::Linear: {
      double x00 = 0;
      if (!obtuse) {
        require(!theta0.is_pi(), "the linearized recursion starts from ln sin^2 theta0 = -inf at theta0 = pi; "
                                 "the methods infinite and full start from theta0 itself");
        x00 = x0();
      }
      mean_path(P, widths, opt, 4096, [&](long l, double n, double& x, double& t) {
        if (l == 0 && obtuse) x = mu_double(t0, n, 1);
        else x = (l == 0 ? x00 : x) - kTwoOver3Pi * (l == 0 ? t0 : t) - rho_n(n);
        t = theta_of_x(x);
      });
      break;
    }
    case PredictMethod::Full:
      if (accurate) {
        mean_path(P, widths, opt, 64, [&](long l, double n, double& x, double& t) {
          x = l == 0 ? accurate_first(n).mean : accurate_step(x, n, opt.order).mean;
          t = theta_of_x(x);
        });
      } else {
        mean_path(P, widths, opt, 1, [&](long l, double n, double& x, double& t) {
          x = l == 0 ? mu_first(n) : mu_at(t, x, n, order);
          t = theta_of_x(x);
        });
      }
      break;
    case PredictMethod::Density: {
      DensityModel dm;
      double n1 = double(widths[0]);
      if (accurate) {
        DensityModel::Step s1 = accurate_first(n1);
        dm.mean1 = s1.mean, dm.sd1 = s1.sd, dm.survive1 = s1.survive, dm.dmean1 = s1.dmean, dm.dvar1 = s1.dvar;
        dm.wa1 = s1.wa, dm.wb1 = s1.wb;
        const int K = opt.order;
        dm.step = [K](double y, long n) { return accurate_step(y, double(n), K); };
      } else {
        const bool fm = opt.model == PredictModel::PaperFull || opt.full_mean;
        const bool fv = opt.model == PredictModel::PaperFull || opt.full_variance;
        const double s1 = std::sqrt(std::max(sigma2_double(std::max(t0, kSmallTheta), n1, order), 0.0));
        dm.mean1 = fm || obtuse ? mu_first(n1) : x0() - kTwoOver3Pi * t0 - rho_n(n1);
        dm.sd1 = fv || obtuse ? s1 : baseline_sd(n1);
        if (fm) dm.mean = [order](double y, long n) { return full_mean(y, double(n), order); };
        else dm.mean = [](double y, long n) { return linear_mean(y, double(n)); };
        if (fv) dm.sd = [order](double y, long n) { return full_sd(y, double(n), order); };
        else dm.sd = [](double, long n) { return baseline_sd(double(n)); };
      }
      P = predict_density(widths, dm, opt);
      break;
    }
  }
  return P;
}

// ---------------------------------------------------------------- architecture screening

std::vector<ScreenResult> screen_architectures(const std::vector<Architecture>& archs, const Theta& theta0,
                                               const PredictOptions& opt) {
  std::vector<ScreenResult> out(archs.size());
  PredictOptions o = opt;
  o.keep_densities = false;
  o.last_layer_only = true;
  o.progress = nullptr;
  std::mutex m;
  long done = 0;
  parallel_for(archs.size(), opt.threads, [&](std::size_t k) {
    throw_if_stopped();
    const auto& widths = archs[k].widths;
    Prediction p = predict(widths, theta0, o);
    ScreenResult& r = out[k];
    r.arch = archs[k];
    r.layers = long(widths.size());
    r.mean = p.layers.back().mean;
    r.sd = p.layers.back().sd;
    r.p_excluded = p.layers.back().p_excluded;
    if (opt.progress) {
      std::lock_guard<std::mutex> lock(m);
      opt.progress(++done, long(archs.size()));
    }
  });
  std::stable_sort(out.begin(), out.end(), [](const ScreenResult& a, const ScreenResult& b) { return a.mean > b.mean; });
  for (std::size_t k = 0; k < out.size(); ++k) out[k].rank = int(k + 1);
  return out;
}

}  // namespace relumix
