// The density engine: a layer's law propagated on a grid by banded quadrature (predict/predict.hpp).
#include "relumix/predict/predict.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <tuple>

#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "core/parallel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/numeric/interval.hpp"
#include "predict/detail.hpp"

namespace relumix {

using namespace predict_detail;

// ---------------------------------------------------------------- density engine

namespace {

// The grid: uniform in X = ln sin^2 theta (the paper models and given DensityModels), or uniform in
// W = ln cot(theta/2) >= 0 with W_0 = 0 at theta = pi/2 (the accurate model): X = -2 ln cosh W is
// linear in W far from 0 (X ~ 2 ln 2 - 2W) and quadratic near it (X ~ -W^2, W ~ cos theta), where a
// grid in X cannot resolve the law (its density in X has a 1/sqrt(-X) singularity at 0).
struct Grid {
  bool in_w = false;
  double lo = 0, h = 1;  // X grid: x_i = lo + i h; W grid: W_i = (i - i0) h
  long n = 0;
  // the signed W grid (i0 > 0, n = 2 i0 + 1): W = ln cot(theta/2) on both sides of 0, W < 0 the obtuse
  // angles (cos theta = tanh W), for activations whose angles can be obtuse; `half` is its W >= 0 part
  // as an unsigned grid (the one-sided laws are built there, and the densities folded onto it)
  long i0 = 0;
  std::shared_ptr<const Grid> half;
  std::vector<double> xs, jac;  // X at the points; |dX/dW| = 2 |tanh W_i| (W grid; 1 on the X grid)
  bool signed_w() const { return i0 > 0; }
  double w(long i) const { return double(i - i0) * h; }
  void fill() {
    xs.resize(std::size_t(n));
    jac.assign(std::size_t(n), 1.0);
    for (long i = 0; i < n; ++i) {
      if (in_w) xs[std::size_t(i)] = neg2_log_cosh(w(i)), jac[std::size_t(i)] = 2 * std::fabs(std::tanh(w(i)));
      else xs[std::size_t(i)] = lo + double(i) * h;
    }
    if (signed_w()) {
      auto g = std::make_shared<Grid>();
      g->in_w = true, g->h = h, g->n = n - i0;
      g->xs.assign(xs.begin() + i0, xs.end());
      g->jac.assign(jac.begin() + i0, jac.end());
      half = std::move(g);
    }
  }
  // the state the model's step reads at point i: X, or on the obtuse side of the signed grid -X > 0
  // (accurate_step's reflected angle)
  double state(long i) const { return signed_w() && i < i0 ? -xs[std::size_t(i)] : xs[std::size_t(i)]; }
  // the angle at point i
  double theta(long i) const {
    return in_w ? 2 * std::atan(std::exp(-w(i))) : std::asin(std::min(1.0, std::exp(xs[std::size_t(i)] / 2)));
  }
  double x(long i) const { return xs[std::size_t(i)]; }
  // the point nearest to X = x
  long nearest(double x) const {
    double u = in_w ? w_of_x(std::min(x, 0.0)) / h : (x - lo) / h;
    return std::clamp(long(std::lround(std::min(u, 1e18))) + i0, 0L, n - 1);  // (the acute side)
  }
  // width in X of the cell of point i (the density in X is the cell's mass over this)
  double cell_x(long i) const {
    if (!in_w) return h;
    const double wi = std::fabs(w(i));
    double a = std::max(wi - h / 2, 0.0), b = wi + h / 2;
    return neg2_log_cosh(a) - neg2_log_cosh(b);
  }
};

// One kernel column: normalized weights at grid points first..first+vals.size()-1.
struct Column {
  long first = -1;  // -1: not built
  std::vector<double> vals;
};

void normalize_or_nearest(const Grid& g, double x_nearest, Column& c) {
  double sum = 0;
  for (double v : c.vals) sum += v;
  if (!(sum > 0)) {
    c.first = g.nearest(x_nearest);
    c.vals.assign(1, 1.0);
    return;
  }
  const double r = 1 / sum;
  for (auto& v : c.vals) v *= r;
}

// The Gaussian column N(m, s^2) in X: the density sampled at the points within band sd (times
// |dX/dW| on the W grid), normalized to sum 1.
void build_column(const Grid& g, double m, double s, double band, Column& c) {
  c.vals.clear();
  if (!std::isfinite(m)) throw std::runtime_error("density: non-finite conditional mean");
  if (!(s > 0)) {
    c.first = g.nearest(m);
    c.vals.assign(1, 1.0);
    return;
  }
  double a, b;  // index range
  if (g.in_w) {
    const double top = m + band * s, bottom = m - band * s;
    a = top >= 0 ? 0.0 : std::ceil(w_of_x(top) / g.h);
    b = std::floor(std::min(w_of_x(bottom) / g.h, 1e18));
  } else {
    a = std::ceil((m - band * s - g.lo) / g.h), b = std::floor((m + band * s - g.lo) / g.h);
  }
  a = std::max(a, 0.0);
  b = std::min(b, double(g.n - 1));
  if (a > b) {  // kernel entirely off the grid: keep the mass at the edge
    c.first = g.nearest(m);
    c.vals.assign(1, 1.0);
    return;
  }
  c.first = long(a);
  const long len = long(b) - long(a) + 1;
  c.vals.resize(std::size_t(len));
  const double inv = 1 / s;
  const double* x = g.xs.data() + c.first;
  const double* J = g.jac.data() + c.first;
  for (long t = 0; t < len; ++t) {
    double z = (x[t] - m) * inv;
    c.vals[std::size_t(t)] = std::exp(-0.5 * z * z) * J[t];
  }
  normalize_or_nearest(g, m, c);
}

// The cosh-law column: X = -2 ln cosh W, W ~ N(a, b^2), normalized to sum 1 over the grid. On the W
// grid the density of |W| sampled at the points (at W = 0 half of it: the trapezoid rule of W on the
// whole line, folded); on the X grid the cell masses P(X in [x_i - h/2, x_i + h/2]) from the exact
// CDF of |W|.
void build_column_cosh(const Grid& g, double a, double b, double band, Column& c) {
  c.vals.clear();
  a = std::fabs(a);
  if (g.in_w) {
    long i0 = std::clamp(long(std::ceil(std::max(a - band * b, 0.0) / g.h)), 0L, g.n - 1);
    long i1 = std::clamp(long(std::floor(std::min((a + band * b) / g.h, 1e18))), 0L, g.n - 1);
    c.first = i0;
    c.vals.resize(std::size_t(i1 - i0 + 1));
    const double inv = 1 / b;
    for (long i = i0; i <= i1; ++i) {
      double w = double(i) * g.h, zp = (w - a) * inv, zm = (w + a) * inv;
      c.vals[std::size_t(i - i0)] = i == 0 ? std::exp(-0.5 * zp * zp) : std::exp(-0.5 * zp * zp) + std::exp(-0.5 * zm * zm);
    }
    normalize_or_nearest(g, neg2_log_cosh(a), c);
    return;
  }
  const double xlo = neg2_log_cosh(a + band * b), xhi = neg2_log_cosh(std::max(0.0, a - band * b));
  long i0 = std::clamp(long(std::floor((xlo - g.lo) / g.h)), 0L, g.n - 1);
  long i1 = std::clamp(long(std::ceil((std::min(xhi, 0.0) - g.lo) / g.h)), 0L, g.n - 1);
  if (i1 < i0) std::swap(i0, i1);
  c.first = i0;
  c.vals.resize(std::size_t(i1 - i0 + 1));
  // P(|W| <= r(edge)) at the lower edge of cell i (r decreasing in x; the cell's mass is the drop)
  auto edge_cdf = [&](long i) {
    if (i == 0) return 1.0;  // the lowest cell takes the tail below it
    double e = std::min(g.x(i) - g.h / 2, 0.0);
    return abs_cdf(w_of_x(e), a, b);
  };
  double lower = edge_cdf(i0);
  for (long i = i0; i <= i1; ++i) {
    double upper = i == g.n - 1 ? 0.0 : edge_cdf(i + 1);
    c.vals[std::size_t(i - i0)] = std::max(lower - upper, 0.0);
    lower = upper;
  }
  normalize_or_nearest(g, std::min(xhi, 0.0), c);
}

using Step = DensityModel::Step;

// The gamma-law column: -X ~ Gamma(k, scale), cell masses from its CDF, normalized to sum 1.
void build_column_gamma(const Grid& g, double k, double scale, Column& c) {
  c.vals.clear();
  const double umax = scale * boost::math::gamma_q_inv(k, 1e-17);  // the law's reach in -X
  auto P = [&](double u) { return u <= 0 ? 0.0 : boost::math::gamma_p(k, u / scale); };  // P(-X < u)
  // cells: [e_i, e_{i+1}] in -X, from X = 0 down
  std::vector<double> edges;
  long i0, i1;
  if (g.in_w) {
    i0 = 0, i1 = std::clamp(long(std::ceil(w_of_x(-umax) / g.h)), 0L, g.n - 1);
    for (long i = i0; i <= i1 + 1; ++i) edges.push_back(i == 0 ? 0.0 : -neg2_log_cosh((double(i) - 0.5) * g.h));
  } else {
    i0 = std::clamp(long(std::floor((-umax - g.lo) / g.h)), 0L, g.n - 1), i1 = g.nearest(0.0);
    for (long i = i1 + 1; i >= i0; --i) edges.push_back(i == i1 + 1 ? 0.0 : std::max(-(g.x(i) - g.h / 2), 0.0));
  }
  c.first = i0;
  c.vals.assign(std::size_t(i1 - i0 + 1), 0.0);
  for (std::size_t e = 0; e + 1 < edges.size(); ++e) {
    const double last = e + 2 == edges.size() ? 1.0 : P(edges[e + 1]);  // the far cell takes the tail
    const double v = std::max(last - P(edges[e]), 0.0);
    c.vals[g.in_w ? e : std::size_t(i1 - i0) - e] = v;
  }
  normalize_or_nearest(g, -k * scale, c);
}

// The column of one transition: the gamma law (gk > 0), the cosh law (wb > 0) or the Gaussian.
// (a gamma law of shape k > 1e8, skewness 2/sqrt(k) < 2e-4, is drawn as its Gaussian: boost's
// incomplete gamma gives up on such shapes)
void build_unsigned_column(const Grid& g, const Step& st, double band, Column& c) {
  if (st.gk > 0 && st.gk < 1e8) build_column_gamma(g, st.gk, st.sd * st.sd / std::fabs(st.mean), c);
  else if (st.wb > 0) build_column_cosh(g, st.wa, st.wb, band, c);
  else build_column(g, st.mean, st.sd, band, c);
}

// The cosh law W ~ N(a, b^2) on the signed grid: the density of W at the points (no folding).
void build_column_cosh_signed(const Grid& g, double a, double b, double band, Column& c) {
  c.vals.clear();
  const long i0 = std::clamp(long(std::ceil(std::max((a - band * b) / g.h, -1e18))) + g.i0, 0L, g.n - 1);
  const long i1 = std::clamp(long(std::floor(std::min((a + band * b) / g.h, 1e18))) + g.i0, 0L, g.n - 1);
  c.first = i0;
  c.vals.resize(std::size_t(i1 - i0 + 1));
  const double inv = 1 / b;
  for (long i = i0; i <= i1; ++i) {
    const double z = (g.w(i) - a) * inv;
    c.vals[std::size_t(i - i0)] = std::exp(-0.5 * z * z);
  }
  double sum = 0;
  for (double v : c.vals) sum += v;
  if (!(sum > 0)) {  // off the grid: the nearest end
    c.first = a < 0 ? 0 : g.n - 1;
    c.vals.assign(1, 1.0);
    return;
  }
  for (auto& v : c.vals) v /= sum;
}

// The column of one transition: the gamma law (gk > 0), the cosh law (wb > 0) or the Gaussian. On the
// signed grid the cosh law is that of the signed W (wa < 0: mostly obtuse), the others are one-sided
// laws put on the side st.obtuse says.
void build_step_column(const Grid& g, const Step& st, double band, Column& c) {
  if (!g.signed_w()) return build_unsigned_column(g, st, band, c);
  if (st.wb > 0 && !(st.gk > 0)) return build_column_cosh_signed(g, st.wa, st.wb, band, c);
  build_unsigned_column(*g.half, st, band, c);
  if (!st.obtuse) {
    c.first += g.i0;
  } else {  // W -> -W: point k of the half grid is point i0 - k
    c.first = g.i0 - (c.first + long(c.vals.size()) - 1);
    std::reverse(c.vals.begin(), c.vals.end());
  }
}

// The mixture component of one transition of weight w.
void add_components(GaussianMixture& mix, double w, const Step& st) {
  mix.w.push_back(w), mix.m.push_back(st.mean), mix.s.push_back(st.sd);
  mix.a.push_back(st.wa), mix.b.push_back(st.wb), mix.gk.push_back(st.gk);
}

// Transition of one width on the grid: the steps at the grid points (lazy) and the kernel columns.
struct WidthKernel {
  std::vector<Step> st;
  std::vector<char> done;  // st[j] evaluated
  std::vector<Column> cols;
  std::vector<double> dense;  // row-major N x N (dense reference)
};

class Engine {
 public:
  Engine(const Grid& g, const DensityModel& model, const PredictOptions& opt) : g_(g), model_(model), opt_(opt) {}
  const Grid& grid() const { return g_; }

  // the transition from X = y for width n (the model's step, or its mean and sd)
  Step step_at(double y, long n) const {
    if (model_.step) return model_.step(y, n);
    Step st;
    st.mean = model_.mean(y, n), st.sd = model_.sd(y, n);
    return st;
  }

  WidthKernel& kernel(long n) {
    auto it = cache_.find(n);
    if (it != cache_.end()) return it->second;
    if (used_ > kCacheDoubles) {
      cache_.clear();
      used_ = 0;
    }
    WidthKernel& k = cache_[n];
    k.st.resize(std::size_t(g_.n));
    k.done.assign(std::size_t(g_.n), 0);
    if (!opt_.dense_reference) k.cols.resize(std::size_t(g_.n));
    used_ += 12 * g_.n;
    return k;
  }

  const Step& eval(WidthKernel& k, long n, long j) {
    const std::size_t u = std::size_t(j);
    if (!k.done[u]) k.st[u] = step_at(g_.state(j), n), k.done[u] = 1;
    return k.st[u];
  }

  const Column& column(WidthKernel& k, long n, long j) {
    Column& c = k.cols[std::size_t(j)];
    if (c.first < 0) {
      build_step_column(g_, eval(k, n, j), opt_.band_sd, c);
      used_ += long(c.vals.size());
    }
    return c;
  }

  void build_dense(WidthKernel& k, long n) {
    if (!k.dense.empty()) return;
    const long N = g_.n;
    k.dense.assign(std::size_t(N) * std::size_t(N), 0.0);
    used_ += N * N;
    Column c;
    for (long j = 0; j < N; ++j) {
      if ((j & 255) == 0) throw_if_stopped();
      build_step_column(g_, eval(k, n, j), std::numeric_limits<double>::infinity(), c);
      for (std::size_t t = 0; t < c.vals.size(); ++t) k.dense[std::size_t(c.first + long(t)) * std::size_t(N) + std::size_t(j)] = c.vals[t];
    }
  }

  // Layer statistics of the excluded mass and the error estimates, filled by the steps.
  struct Extra {
    double excluded = 0;        // mass removed by this layer's excluded events
    double dmean = 0, dvar = 0; // survivor-weighted mean error terms of this layer (< 0: none)
  };

  // Propagates the masses w at the grid points through width n. out: the new masses at the grid
  // points; mix: the mixture of the new layer.
  void step_grid(long n, const std::vector<double>& w_in, std::vector<double>& out, GaussianMixture& mix, Extra& ex) {
    WidthKernel& k = kernel(n);
    const long N = g_.n;
    out.assign(std::size_t(N), 0.0);
    mix = {};
    ex = {};
    std::vector<double> w = w_in;
    double tw = 0;
    for (long j = 0; j < N; ++j) {
      double& wj = w[std::size_t(j)];
      if (!(wj > kMinWeight)) continue;
      const Step& st = eval(k, n, j);
      ex.excluded += wj * (1 - st.survive);
      wj *= st.survive;
      tw += wj, ex.dmean += wj * st.dmean, ex.dvar += wj * st.dvar;
    }
    if (!model_.step) ex.dmean = ex.dvar = -1;
    else if (tw > 0) ex.dmean /= tw, ex.dvar /= tw;
    if (opt_.dense_reference) {
      build_dense(k, n);
      const double* A = k.dense.data();
      for (long i = 0; i < N; ++i) {
        const double* row = A + std::size_t(i) * std::size_t(N);
        double acc = 0;
        for (long j = 0; j < N; ++j) acc += row[j] * w[std::size_t(j)];
        out[std::size_t(i)] = acc;
      }
      for (long j = 0; j < N; ++j)
        if (w[std::size_t(j)] > 0) add_components(mix, w[std::size_t(j)], eval(k, n, j));
      return;
    }
    for (long j = 0; j < N; ++j) {
      const double wj = w[std::size_t(j)];
      if (!(wj > kMinWeight)) continue;
      if ((j & 1023) == 0) throw_if_stopped();
      const Column& c = column(k, n, j);
      double* o = out.data() + c.first;
      const double* v = c.vals.data();
      const std::size_t len = c.vals.size();
      for (std::size_t t = 0; t < len; ++t) o[t] += wj * v[t];
      add_components(mix, wj, k.st[std::size_t(j)]);
    }
  }

  // The same from explicit sources (points y with masses w: layer 1's law, for layer 2).
  void step_points(long n, const std::vector<double>& y, const std::vector<double>& w, std::vector<double>& out,
                   GaussianMixture& mix, Extra& ex) {
    out.assign(std::size_t(g_.n), 0.0);
    mix = {};
    ex = {};
    double tw = 0;
    Column c;
    const double band = opt_.dense_reference ? std::numeric_limits<double>::infinity() : opt_.band_sd;
    for (std::size_t k = 0; k < y.size(); ++k) {
      const Step st = step_at(y[k], n);
      ex.excluded += w[k] * (1 - st.survive);
      const double wk = w[k] * st.survive;
      tw += wk, ex.dmean += wk * st.dmean, ex.dvar += wk * st.dvar;
      build_step_column(g_, st, st.wb > 0 ? std::min(band, 40.0) : band, c);
      for (std::size_t t = 0; t < c.vals.size(); ++t) out[std::size_t(c.first) + t] += wk * c.vals[t];
      add_components(mix, wk, st);
    }
    if (!model_.step) ex.dmean = ex.dvar = -1;
    else if (tw > 0) ex.dmean /= tw, ex.dvar /= tw;
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

}  // namespace

void predict_detail::check_widths(const std::vector<long>& widths) {
  require(!widths.empty(), "empty width list");
  require(long(widths.size()) <= kMaxLayers, "more than " + std::to_string(kMaxLayers) + " layers");
  for (long n : widths) require(n >= 2, "width " + std::to_string(n) + " is below the minimum 2");
}

namespace {

// What the grid must cover and resolve for one width sequence: the mean path and the accumulated sd
// (slope of the mean map <= 1, so sqrt(sum s^2) bounds the spread), with margins of 12 sd.
struct GridNeed {
  double lo = 0, hi = 0, s_max = 0;  // X range, largest transition sd
  double span = 0, hmax = 0;         // grid length and largest step (in W on the W grid)
};

GridNeed grid_need(const std::vector<long>& widths, const DensityModel& model) {
  bool side = false;  // the side the last step's law is on (signed grid)
  auto mean_sd = [&](double y, long n) {  // mean, sd and the cosh law's b (0: none)
    if (model.step) {
      DensityModel::Step st = model.step(y, n);
      side = st.obtuse;
      return std::tuple<double, double, double>(st.mean, st.sd, st.wb);
    }
    return std::tuple<double, double, double>(model.mean(y, n), model.sd(y, n), 0.0);
  };
  const long L = long(widths.size());
  double y = model.mean1, v = model.sd1 * model.sd1;
  bool obtuse = model.signed_angles && model.obtuse1;  // the path's side (signed grid)
  double lo = y - kMargin * model.sd1, hi = y + kMargin * model.sd1;
  double s_min = std::numeric_limits<double>::infinity(), s_max = model.sd1;
  double b_min = model.wb1 > 0 ? model.wb1 : std::numeric_limits<double>::infinity();  // W grid: cosh laws' b
  for (long l = 1; l < L; ++l) {
    if ((l & 1023) == 0) throw_if_stopped();
    long n = widths[std::size_t(l)];
    auto [ny, s, wb] = mean_sd(obtuse ? -y : y, n);  // the step reads an obtuse state as -X (accurate_step)
    y = ny;
    obtuse = model.signed_angles && side;
    if (wb > 0) b_min = std::min(b_min, wb);
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
  GridNeed r;
  r.lo = lo, r.hi = hi, r.s_max = s_max;
  // resolution: h <= s_min / 4 in X; on the W grid (|dX/dW| <= 2: sd >= s_min / 2 in W) h <= s_min / 4
  // and <= b / 2 (the trapezoid rule of a Gaussian at h = sd/2 is exact to exp(-2 pi^2 4) ~ 1e-34)
  r.span = model.w_grid ? w_of_x(std::min(lo, -1e-300)) : hi - lo;
  r.hmax = model.w_grid ? std::min(s_min / 4, b_min / 2) : s_min / 4;
  return r;
}

Grid make_grid(bool in_w, const GridNeed& need, const PredictOptions& opt, bool signed_w = false) {
  // the signed grid: the same points on both sides of W = 0
  const double points = (signed_w ? 2 : 1) * std::ceil(std::min(need.span / need.hmax, 1e18)) + 1;
  require(points <= double(kMaxGridPoints),
          "the density grid would need " + std::to_string(long(std::min(points, 1e18))) + " points (more than " +
              std::to_string(kMaxGridPoints) + ") for this many layers; the mean methods linear and full need none");
  Grid g;
  g.in_w = in_w;
  g.n = std::max(long(opt.grid_points), long(points));
  if (signed_w) {
    g.n |= 1;  // odd: W = 0 in the middle
    g.i0 = (g.n - 1) / 2;
    g.h = need.span / double(g.i0);
  } else {
    g.h = need.span / double(g.n - 1);
  }
  g.lo = need.lo;
  {  // the kernel's memory and time grow as points x support (grid^2 for a fine --grid): refuse up front
    const double reach = in_w ? need.s_max / 2 : need.s_max;  // |dX/dW| ~ 2 away from X = 0
    const double support = opt.dense_reference ? double(g.n) : std::min(double(g.n), 2 * opt.band_sd * reach / g.h + 1);
    const double values = double(g.n) * support;
    require(values <= kMaxKernelValues, "the density kernel on ", g.n, " grid points would hold about ", std::lround(values / 1e6),
            "e6 values (", std::lround(values * 8 / 1e9), " GB; at most ", kMaxKernelValues / 1e6,
            "e6, about 1.3 GB): use fewer grid points");
  }
  g.fill();
  return g;
}

// Layer 1: exactly the model's law of layer 1 (mass survive1).
Step first_step(const DensityModel& model) {
  Step first;
  first.mean = model.mean1, first.sd = model.sd1, first.wa = model.wa1, first.wb = model.wb1, first.gk = model.gk1;
  first.survive = model.survive1, first.dmean = model.dmean1, first.dvar = model.dvar1;
  first.obtuse = model.obtuse1;
  return first;
}

// Layer 2 from layer 1's law: a fine local grid of it (step sd/4, +-12 sd) as sources.
struct LayerTwo {
  std::vector<double> out;
  GaussianMixture mix;
  Engine::Extra ex;
};
LayerTwo layer_two(Engine& eng, const Step& first, long n) {
  std::vector<double> ys, ws;
  // on the signed grid the sources are states (obtuse: -X, as Grid::state)
  const bool sg = eng.grid().signed_w();
  const double side = sg && first.obtuse ? -1.0 : 1.0;
  if (first.gk > 0) {
    // the gamma law: 128 points of equal probability (midpoints in probability)
    const double scale = first.sd * first.sd / std::fabs(first.mean);
    for (int k = 0; k < 128; ++k) {
      ys.push_back(-side * scale * boost::math::gamma_p_inv(first.gk, (k + 0.5) / 128));
      ws.push_back(1.0 / 128);
    }
  } else if (first.wb > 0 || first.sd > 0) {
    // the cosh law: a fine grid of W folded to |W| (step b/4, +-12 b); the Gaussian: of X
    double tw = 0;
    for (int k = -48; k <= 48; ++k) {
      double z = k * 0.25;
      const double W = first.wa + first.wb * z;
      ys.push_back(first.wb > 0 ? (sg && W < 0 ? -1.0 : 1.0) * neg2_log_cosh(W) : side * (first.mean + first.sd * z));
      ws.push_back(std::exp(-0.5 * z * z));
      tw += ws.back();
    }
    for (auto& x : ws) x /= tw;
  } else {
    ys = {side * first.mean}, ws = {1.0};
  }
  for (auto& x : ws) x *= first.survive;
  LayerTwo r;
  eng.step_points(n, ys, ws, r.out, r.mix, r.ex);
  return r;
}

// The layers of one width sequence on the grid g (two: layer 2, when already known).
Prediction propagate(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt, const Grid& g,
                     Engine& eng, const LayerTwo* two, bool quantiles) {
  const long L = long(widths.size());
  Prediction P;
  P.method = PredictMethod::Density;
  P.grid_points = g.n;
  // the exported grid ascends in X (the W grid descends); density = cell mass / cell width in X. The
  // signed grid exports the density of X: both sides folded onto its W >= 0 half
  const Grid& eg = g.signed_w() ? *g.half : g;
  P.grid_lo = eg.in_w ? eg.x(eg.n - 1) : eg.x(0);
  P.grid_hi = eg.in_w ? 0.0 : eg.x(eg.n - 1);
  auto order = [&](long i) { return eg.in_w ? eg.n - 1 - i : i; };
  const bool keep = opt.keep_densities && double(L) * double(eg.n) <= double(kMaxKeptValues);
  if (keep) {
    P.grid.resize(std::size_t(eg.n)), P.cell.resize(std::size_t(eg.n));
    for (long i = 0; i < eg.n; ++i) P.grid[std::size_t(i)] = eg.x(order(i)), P.cell[std::size_t(i)] = eg.cell_x(order(i));
  }
  auto density_of = [&](const std::vector<double>& mass) {
    std::vector<double> d(std::size_t(eg.n));
    for (long i = 0; i < eg.n; ++i) {
      const long k = order(i);
      const double m = g.signed_w() ? mass[std::size_t(g.i0 + k)] + (k > 0 ? mass[std::size_t(g.i0 - k)] : 0.0) : mass[std::size_t(k)];
      d[std::size_t(i)] = m / eg.cell_x(k);
    }
    return d;
  };

  const Step first = first_step(model);
  GaussianMixture mix;
  add_components(mix, model.survive1, first);
  const bool extra = bool(model.step);
  double excluded = 1 - model.survive1, err_mean = std::max(model.dmean1, 0.0), err_var = std::max(model.dvar1, 0.0);
  std::vector<double> dens, next;
  LayerPrediction L1;
  L1.layer = 1;
  L1.mean = model.mean1;
  L1.sd = model.sd1;
  L1.q05 = model.mean1 - 1.6448536269514722 * model.sd1;
  L1.q50 = model.mean1;
  L1.q95 = model.mean1 + 1.6448536269514722 * model.sd1;
  if (quantiles && (model.wb1 > 0 || model.gk1 > 0))
    L1.q05 = mix.quantile(0.05), L1.q50 = mix.quantile(0.5), L1.q95 = mix.quantile(0.95);
  // E[theta] from the grid masses (of the surviving networks; folded into [0, pi/2] except on the signed grid)
  auto theta_mean_of = [&](const std::vector<double>& mass) {
    double a = 0, tw = 0;
    for (long i = 0; i < g.n; ++i) {
      const double m = mass[std::size_t(i)];
      if (m > 0) a += m * g.theta(i), tw += m;
    }
    return tw > 0 ? a / tw : kNaN;
  };
  {
    Column c;
    build_step_column(g, first, 40, c);
    dens.assign(std::size_t(g.n), 0.0);
    for (std::size_t t = 0; t < c.vals.size(); ++t) dens[std::size_t(c.first) + t] = model.survive1 * c.vals[t];
    L1.theta_mean = theta_mean_of(dens);
  }
  if (extra) {
    L1.p_excluded = excluded;
    L1.mean_error = err_mean;
    L1.sd_error = model.sd1 > 0 ? err_var / (2 * model.sd1) : std::sqrt(err_var);
  }
  P.layers.push_back(L1);
  if (keep) P.density.push_back(density_of(dens)), P.mixtures.push_back(mix);
  if (opt.progress) opt.progress(1, L);

  Engine::Extra ex;
  for (long l = 1; l < L; ++l) {
    throw_if_stopped();
    long n = widths[std::size_t(l)];
    if (l == 1) {
      LayerTwo own;
      if (!two) own = layer_two(eng, first, n);
      const LayerTwo& t = two ? *two : own;
      next = t.out, mix = t.mix, ex = t.ex;
    } else {
      eng.step_grid(n, dens, next, mix, ex);
    }
    dens.swap(next);
    const bool stats = !opt.last_layer_only || l + 1 == L;
    LayerPrediction lp;
    if (stats && quantiles) lp = stats_of(int(l + 1), mix);
    else lp.layer = int(l + 1), lp.mean = mix.mean(), lp.sd = mix.sd();
    lp.theta_mean = stats ? theta_mean_of(dens) : kNaN;
    if (extra) {
      excluded += ex.excluded;
      err_mean += ex.dmean;
      err_var += ex.dvar;
      lp.p_excluded = std::min(1.0, excluded);
      lp.mean_error = err_mean;
      lp.sd_error = lp.sd > 0 ? err_var / (2 * lp.sd) : std::sqrt(err_var);
    }
    P.layers.push_back(lp);
    if (keep) P.density.push_back(density_of(dens)), P.mixtures.push_back(mix);
    if (opt.progress) opt.progress(l + 1, L);
  }
  return P;
}

void check_density_inputs(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt) {
  check_widths(widths);
  require(bool(model.step) || (bool(model.mean) && bool(model.sd)), "density: model functions missing");
  require(std::isfinite(model.mean1) && std::isfinite(model.sd1) && model.sd1 >= 0, "density: bad layer-1 law");
  require(opt.grid_points >= 3 && opt.grid_points <= kMaxGridPoints,
          "the density grid must have 3.." + std::to_string(kMaxGridPoints) + " points");
  require(opt.band_sd >= 1, "band must be at least 1 sd");
}

}  // namespace

Prediction predict_density(const std::vector<long>& widths, const DensityModel& model, const PredictOptions& opt) {
  check_density_inputs(widths, model, opt);
  require(!model.signed_angles || model.w_grid, "density: signed angles need the W grid");
  const Grid g = make_grid(model.w_grid, grid_need(widths, model), opt, model.signed_angles);
  Engine eng(g, model, opt);
  return propagate(widths, model, opt, g, eng, nullptr, true);
}

// Screening on one grid for every architecture: the layer-2 laws of each (first width, second width)
// are computed once, and each worker's kernels (built lazily, per width) serve every architecture it
// screens.
bool predict_detail::screen_density(const std::vector<Architecture>& archs, const std::function<DensityModel(long)>& model_of,
                                    const PredictOptions& opt, std::vector<ScreenResult>& out) {
  std::map<long, DensityModel> models;
  for (const auto& a : archs) {
    check_widths(a.widths);
    if (!models.count(a.widths[0])) models.emplace(a.widths[0], model_of(a.widths[0]));
  }
  for (const auto& [n, m] : models)
    if (m.signed_angles) return false;  // the shared grids are unsigned: each architecture on its own
  for (const auto& [n, m] : models) check_density_inputs({n}, m, opt);
  // one grid: the longest span at the finest step any architecture needs
  std::vector<GridNeed> needs(archs.size());
  parallel_for(archs.size(), opt.threads, [&](std::size_t k) {
    throw_if_stopped();
    needs[k] = grid_need(archs[k].widths, models.at(archs[k].widths[0]));
  });
  if (archs.empty()) return false;
  // grids by level: architecture k on the coarsest step h_min 2^level within its own need, here
  // h <= sd in W (not sd/2: the trapezoid rule of a Gaussian at h = sd is exact to e^{-2 pi^2} ~ 3e-9
  // of h per layer, below the Monte Carlo's resolution at any sample count screening is checked with)
  double h_min = std::numeric_limits<double>::infinity();
  for (auto& n : needs) n.hmax *= 2, h_min = std::min(h_min, n.hmax);
  if (!(h_min > 0)) return false;
  std::vector<int> level(archs.size());
  std::map<int, GridNeed> all;
  for (std::size_t k = 0; k < archs.size(); ++k) {
    level[k] = int(std::clamp(std::floor(std::log2(needs[k].hmax / h_min)), 0.0, 30.0));
    auto [it, fresh] = all.emplace(level[k], needs[k]);
    GridNeed& a = it->second;
    if (fresh) a.hmax = h_min * std::exp2(level[k]);
    a.lo = std::min(a.lo, needs[k].lo), a.hi = std::max(a.hi, needs[k].hi), a.s_max = std::max(a.s_max, needs[k].s_max);
    a.span = std::max(a.span, needs[k].span);
  }
  struct Level {
    Grid g;
    std::map<std::pair<long, long>, LayerTwo> twos;  // layer 2 by (first width, second width)
    std::vector<std::unique_ptr<Engine>> pool;       // engines (their lazily built kernels), reused
    std::mutex mu;
  };
  std::map<int, Level> levels;
  PredictOptions fine = opt;
  fine.grid_points = 3;  // each level's own resolution
  for (const auto& [lv, need] : all) {
    if (std::ceil(need.span / need.hmax) + 1 > double(kMaxGridPoints)) return false;
    try {
      levels[lv].g = make_grid(true, need, fine);
    } catch (const InputError&) {
      return false;  // too large for one grid: each architecture on its own (which may say why)
    }
  }
  const DensityModel& any = models.begin()->second;  // every model has the same transitions
  std::vector<std::tuple<int, long, long>> pairs;
  for (std::size_t k = 0; k < archs.size(); ++k) {
    const auto& w = archs[k].widths;
    if (w.size() >= 2 && levels[level[k]].twos.emplace(std::pair<long, long>(w[0], w[1]), LayerTwo{}).second)
      pairs.emplace_back(level[k], w[0], w[1]);
  }
  parallel_for(pairs.size(), opt.threads, [&](std::size_t k) {
    throw_if_stopped();
    auto [lv, n1, n2] = pairs[k];
    Level& L = levels.at(lv);
    Engine eng(L.g, models.at(n1), opt);
    L.twos.at({n1, n2}) = layer_two(eng, first_step(models.at(n1)), n2);
  });
  const PredictOptions o = screen_options(opt);
  ScreenProgress progress;
  out.assign(archs.size(), {});
  parallel_for(archs.size(), opt.threads, [&](std::size_t k) {
    throw_if_stopped();
    const auto& widths = archs[k].widths;
    const DensityModel& model = models.at(widths[0]);
    Level& L = levels.at(level[k]);
    std::unique_ptr<Engine> eng;
    {
      std::lock_guard<std::mutex> lock(L.mu);
      if (!L.pool.empty()) eng = std::move(L.pool.back()), L.pool.pop_back();
    }
    if (!eng) eng = std::make_unique<Engine>(L.g, any, o);
    const LayerTwo* two = widths.size() >= 2 ? &L.twos.at({widths[0], widths[1]}) : nullptr;
    Prediction p = propagate(widths, model, o, L.g, *eng, two, false);
    {
      std::lock_guard<std::mutex> lock(L.mu);
      L.pool.push_back(std::move(eng));
    }
    out[k] = screen_result(archs[k], p);
    progress.tick(opt, long(archs.size()));
  });
  return true;
}

}  // namespace relumix
