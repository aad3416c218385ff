// The density engine: a layer's law propagated on a grid by banded quadrature (predict/predict.hpp).
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

}  // namespace

void predict_detail::check_widths(const std::vector<long>& widths) {
  require(!widths.empty(), "empty width list");
  require(long(widths.size()) <= kMaxLayers, "more than " + std::to_string(kMaxLayers) + " layers");
  for (long n : widths) require(n >= 2, "width " + std::to_string(n) + " is below the minimum 2");
}

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

}  // namespace relumix
