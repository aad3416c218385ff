// Layer-by-layer predictions of the angle decay (SPEC section 4); see predict.hpp for the
// methods and the density engine.
#include "relumix/predict/predict.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "relumix/angle/angle.hpp"
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

double theta_of_x(double x) {
  if (!(x < 0)) return M_PI / 2;  // X >= 0: clamp the arcsin argument to 1
  return std::asin(std::exp(x / 2));
}
double linear_mean(double x, double n) { return x - kTwoOver3Pi * theta_of_x(x) - rho_n(n); }
double baseline_sd(double n) { return std::sqrt(8 * n) / (n + 5); }
double full_mean(double x, double n, int order) { return mu_at(theta_of_x(x), x, n, order); }
double full_sd(double x, double n, int order) {
  double t = theta_of_x(x);
  double v = t >= kSmallTheta ? sigma2_double(t, n, order) : order == 1 ? sigma2_zero(n) : sigma2_double(kSmallTheta, n, order);
  return std::sqrt(std::max(v, 0.0));  // the O(1/n) form can dip below 0 at tiny n: clamp
}

// ---------------------------------------------------------------- methods

PredictMethod parse_predict_method(const std::string& name) {
  if (name == "infinite") return PredictMethod::Infinite;
  if (name == "linear") return PredictMethod::Linear;
  if (name == "full") return PredictMethod::Full;
  if (name == "density") return PredictMethod::Density;
  throw InputError("unknown prediction method '" + name + "' (use infinite, linear, full or density)");
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
  double c = 0;
  for (std::size_t k = 0; k < w.size(); ++k) c += w[k] * (s[k] > 0 ? phi_cdf((x - m[k]) / s[k]) : (x >= m[k] ? 1.0 : 0.0));
  return std::clamp(c, 0.0, 1.0);
}

double GaussianMixture::pdf(double x) const {
  double p = 0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    if (!(s[k] > 0)) continue;
    double z = (x - m[k]) / s[k];
    p += w[k] * std::exp(-0.5 * z * z) / (s[k] * std::sqrt(2 * M_PI));
  }
  return p;
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

// Transition of one width on the grid: m, s at the grid points (lazy) and the kernel columns.
struct WidthKernel {
  std::vector<double> m, s;
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
    if (!opt_.dense_reference) k.cols.resize(std::size_t(g_.n));
    used_ += 4 * g_.n;
    return k;
  }

  void eval(WidthKernel& k, long n, long j) {
    if (std::isnan(k.m[std::size_t(j)])) {
      double y = g_.x(j);
      k.m[std::size_t(j)] = model_.mean(y, n);
      k.s[std::size_t(j)] = model_.sd(y, n);
    }
  }

  const Column& column(WidthKernel& k, long n, long j) {
    Column& c = k.cols[std::size_t(j)];
    if (c.first < 0) {
      eval(k, n, j);
      build_column(g_, k.m[std::size_t(j)], k.s[std::size_t(j)], opt_.band_sd, c);
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
  void step_grid(long n, const std::vector<double>& w, std::vector<double>& out, GaussianMixture& mix) {
    WidthKernel& k = kernel(n);
    const long N = g_.n;
    out.assign(std::size_t(N), 0.0);
    mix.w.clear(), mix.m.clear(), mix.s.clear();
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
      }
      const double r = 1 / g_.h;
      for (auto& v : out) v *= r;
    }
  }

  void step_points(long n, const std::vector<double>& y, const std::vector<double>& w, std::vector<double>& out,
                   GaussianMixture& mix) {
    out.assign(std::size_t(g_.n), 0.0);
    mix = {};
    Column c;
    double band = opt_.dense_reference ? std::numeric_limits<double>::infinity() : opt_.band_sd;
    for (std::size_t k = 0; k < y.size(); ++k) {
      double m = model_.mean(y[k], n), s = model_.sd(y[k], n);
      build_column(g_, m, s, band, c);
      for (std::size_t t = 0; t < c.vals.size(); ++t) out[std::size_t(c.first) + t] += w[k] * c.vals[t];
      mix.w.push_back(w[k]), mix.m.push_back(m), mix.s.push_back(s);
    }
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
  require(bool(model.mean) && bool(model.sd), "density: model functions missing");
  require(std::isfinite(model.mean1) && std::isfinite(model.sd1) && model.sd1 >= 0, "density: bad layer-1 law");
  require(opt.grid_points >= 3 && opt.grid_points <= kMaxGridPoints,
          "--grid must lie in 3.." + std::to_string(kMaxGridPoints));
  require(opt.band_sd >= 1, "band must be at least 1 sd");
  const long L = long(widths.size());

  // mean path and accumulated sd (slope of the mean map <= 1, so sqrt(sum s^2) bounds the spread)
  double y = model.mean1, v = model.sd1 * model.sd1;
  double lo = y - kMargin * model.sd1, hi = y + kMargin * model.sd1;
  double s_min = std::numeric_limits<double>::infinity(), s_max = model.sd1;
  for (long l = 1; l < L; ++l) {
    if ((l & 1023) == 0) throw_if_stopped();
    long n = widths[std::size_t(l)];
    double s = model.sd(y, n);
    y = model.mean(y, n);
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
              std::to_string(kMaxGridPoints) + ") for this many layers; use --method linear or full");
  Grid g;
  g.n = std::max(long(opt.grid_points), long(need));
  g.lo = lo;
  g.h = (hi - lo) / double(g.n - 1);
  {  // the kernel's memory and time grow as points x support (grid^2 for a fine --grid): refuse up front
    const double support = opt.dense_reference ? double(g.n) : std::min(double(g.n), 2 * opt.band_sd * s_max / g.h + 1);
    const double values = double(g.n) * support;
    require(values <= kMaxKernelValues, "the density kernel on ", g.n, " grid points would hold about ", std::lround(values / 1e6),
            "e6 values (", std::lround(values * 8 / 1e9), " GB; at most ", kMaxKernelValues / 1e6,
            "e6, about 1.3 GB): use a smaller --grid");
  }

  Prediction P;
  P.method = PredictMethod::Density;
  P.grid_points = g.n;
  P.grid_lo = lo;
  P.grid_hi = lo + double(g.n - 1) * g.h;
  P.grid.resize(std::size_t(g.n));
  for (long i = 0; i < g.n; ++i) P.grid[std::size_t(i)] = g.x(i);
  const bool keep = opt.keep_densities && double(L) * double(g.n) <= double(kMaxKeptValues);

  // layer 1: exactly N(mean1, sd1^2)
  GaussianMixture mix;
  mix.w = {1.0}, mix.m = {model.mean1}, mix.s = {model.sd1};
  std::vector<double> dens(std::size_t(g.n), 0.0), next;
  {
    Column c;
    build_column(g, model.mean1, model.sd1, 40, c);
    for (std::size_t t = 0; t < c.vals.size(); ++t) dens[std::size_t(c.first) + t] = c.vals[t] / g.h;
  }
  LayerPrediction L1;
  L1.layer = 1;
  L1.mean = model.mean1;
  L1.sd = model.sd1;
  L1.q05 = model.mean1 - 1.6448536269514722 * model.sd1;
  L1.q50 = model.mean1;
  L1.q95 = model.mean1 + 1.6448536269514722 * model.sd1;
  L1.theta_mean = kNaN;
  P.layers.push_back(L1);
  if (keep) P.density.push_back(dens), P.mixtures.push_back(mix);
  if (opt.progress) opt.progress(1, L);

  Engine eng(g, model, opt);
  std::vector<double> w(std::size_t(g.n));
  for (long l = 1; l < L; ++l) {
    throw_if_stopped();
    long n = widths[std::size_t(l)];
    if (l == 1) {
      // sources of layer 2: a fine local grid of the exact layer-1 Gaussian (step sd/4, +-12 sd)
      std::vector<double> ys, ws;
      if (model.sd1 > 0) {
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
      eng.step_points(n, ys, ws, next, mix);
    } else {
      for (long i = 0; i < g.n; ++i) w[std::size_t(i)] = dens[std::size_t(i)] * g.h;
      eng.step_grid(n, w, next, mix);
    }
    dens.swap(next);
    P.layers.push_back(stats_of(int(l + 1), mix));
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


Prediction predict(const std::vector<long>& widths, const Theta& theta0, const PredictOptions& opt) {
  check_widths(widths);
  require(!theta0.is_zero() && theta0.compare_pi_multiple(Rational(0)) > 0 && theta0.compare_pi_multiple(Rational(1)) <= 0,
          "theta0 must lie in (0, pi]");
  require(opt.order >= 1 && opt.order <= 8, "--order must lie in 1..8");
  const double t0 = std::min(theta0.to_double(), M_PI);
  const int order = opt.order;
  auto need_x0 = [&] {
    require(!theta0.is_pi(), "the linearized recursion starts from ln sin^2 theta0 = -inf at theta0 = pi; "
                             "use --method infinite or full (or --full-mean)");
    return x_of_theta(theta0);
  };
  // mu(theta0, n): directly, or from x0 = ln sin^2 theta0 below kSmallTheta
  auto mu_first = [&](double n) { return t0 < kSmallTheta ? mu_at(t0, x_of_theta(theta0), n, order) : mu_double(t0, n, order); };

  {  // the series of order >= 2 are evaluated certified, at a measured cost per evaluation: refuse up front
    double evals = 0;
    if (opt.method == PredictMethod::Full) evals = double(widths.size());
    if (opt.method == PredictMethod::Density) {
      std::vector<long> distinct(widths.begin() + (widths.size() > 1 ? 1 : 0), widths.end());
      std::sort(distinct.begin(), distinct.end());
      const double kinds = double(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
      evals = double(opt.grid_points) * kinds * ((opt.full_mean ? 1 : 0) + (opt.full_variance ? 1 : 0));
    }
    const double secs = evals * kPredictEvalSeconds[order];
    require(secs <= kMaxPredictSeconds, "--order ", order, " would take about ", std::lround(secs), " s (", std::lround(evals),
            " evaluations of the order-", order, " series at about ", kPredictEvalSeconds[order] * 1e3,
            " ms each; at most ", kMaxPredictSeconds, " s): use a lower --order, fewer layers or grid points, or --method linear");
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
      const double x0 = need_x0();
      mean_path(P, widths, opt, 4096, [&](long l, double n, double& x, double& t) {
        x = (l == 0 ? x0 : x) - kTwoOver3Pi * (l == 0 ? t0 : t) - rho_n(n);
        t = theta_of_x(x);
      });
      break;
    }
    case PredictMethod::Full:
      mean_path(P, widths, opt, 1, [&](long l, double n, double& x, double& t) {
        x = l == 0 ? mu_first(n) : mu_at(t, x, n, order);
        t = theta_of_x(x);
      });
      break;
    case PredictMethod::Density: {
      DensityModel dm;
      double n1 = double(widths[0]);
      dm.mean1 = opt.full_mean ? mu_first(n1) : need_x0() - kTwoOver3Pi * t0 - rho_n(n1);
      dm.sd1 = opt.full_variance ? std::sqrt(std::max(sigma2_double(std::max(t0, kSmallTheta), n1, order), 0.0)) : baseline_sd(n1);
      if (opt.full_mean) dm.mean = [order](double y, long n) { return full_mean(y, double(n), order); };
      else dm.mean = [](double y, long n) { return linear_mean(y, double(n)); };
      if (opt.full_variance) dm.sd = [order](double y, long n) { return full_sd(y, double(n), order); };
      else dm.sd = [](double, long n) { return baseline_sd(double(n)); };
      P = predict_density(widths, dm, opt);
      break;
    }
  }
  return P;
}

// ---------------------------------------------------------------- architecture screening

std::vector<ScreenResult> screen_architectures(const std::vector<Architecture>& archs, const Theta& theta0,
                                               const PredictOptions& opt) {
  std::vector<ScreenResult> out;
  PredictOptions o = opt;
  o.keep_densities = false;
  o.progress = nullptr;
  for (std::size_t k = 0; k < archs.size(); ++k) {
    throw_if_stopped();
    const auto& widths = archs[k].widths;
    Prediction p = predict(widths, theta0, o);
    ScreenResult r;
    r.arch = archs[k];
    r.layers = long(widths.size());
    r.mean = p.layers.back().mean;
    r.sd = p.layers.back().sd;
    out.push_back(r);
    if (opt.progress) opt.progress(long(k + 1), long(archs.size()));
  }
  std::stable_sort(out.begin(), out.end(), [](const ScreenResult& a, const ScreenResult& b) { return a.mean > b.mean; });
  for (std::size_t k = 0; k < out.size(); ++k) out[k].rank = int(k + 1);
  return out;
}

}  // namespace relumix
