#include "relumix/mc/stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "relumix/core/error.hpp"

namespace relumix {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

Moments moments(const std::vector<double>& v) {
  Moments m;
  m.count = v.size();
  if (v.empty()) {
    m.mean = m.sd = m.stderr_mean = kNaN;
    return m;
  }
  double sum = 0;
  for (double x : v) sum += x;
  m.mean = sum / double(v.size());
  if (v.size() < 2) {
    m.sd = m.stderr_mean = kNaN;
    return m;
  }
  double ss = 0, corr = 0;
  for (double x : v) {
    double d = x - m.mean;
    ss += d * d;
    corr += d;
  }
  double n = double(v.size());
  double var = (ss - corr * corr / n) / (n - 1);
  m.sd = std::sqrt(std::max(var, 0.0));
  m.stderr_mean = m.sd / std::sqrt(n);
  return m;
}

double z_score(double value, double reference, double se) {
  if (!(std::isfinite(se) && se > 0) || !std::isfinite(value) || !std::isfinite(reference)) return kNaN;
  return (value - reference) / se;
}

double quantile_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return kNaN;
  double h = (double(sorted.size()) - 1) * p;
  std::size_t lo = std::size_t(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  double f = h - double(lo);
  return sorted[lo] + f * (sorted[lo + 1] - sorted[lo]);
}

double quantile(std::vector<double>& v, double p) { return quantile_points(v, {p})[0].value(); }

std::vector<double> quantiles(std::vector<double>& v, const std::vector<double>& ps) {
  std::vector<double> out;
  for (const auto& q : quantile_points(v, ps)) out.push_back(q.value());
  return out;
}

std::vector<QuantilePoint> quantile_points(std::vector<double>& v, const std::vector<double>& ps) {
  if (v.empty()) return std::vector<QuantilePoint>(ps.size(), QuantilePoint{kNaN, kNaN, 0.0});
  const std::size_t n = v.size();
  std::vector<std::size_t> lo(ps.size()), ranks;
  std::vector<double> frac(ps.size());
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const double h = (double(n) - 1) * ps[k];
    lo[k] = std::min(std::size_t(std::floor(h)), n - 1);
    frac[k] = h - double(lo[k]);
    ranks.push_back(lo[k]);
    ranks.push_back(std::min(lo[k] + 1, n - 1));
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  // after selecting rank r in [start, n), everything from r + 1 on is >= v[r]
  std::size_t start = 0;
  for (std::size_t r : ranks) {
    std::nth_element(v.begin() + long(start), v.begin() + long(r), v.end());
    start = r + 1;
  }
  std::vector<QuantilePoint> out;
  for (std::size_t k = 0; k < ps.size(); ++k)
    out.push_back(QuantilePoint{v[lo[k]], v[std::min(lo[k] + 1, n - 1)], frac[k]});
  return out;
}

Histogram::Histogram(int bins, double lo_, double hi_) : lo(lo_), hi(hi_) {
  require(bins >= 1, "histogram: bins must be at least 1");
  require(lo < hi && std::isfinite(lo) && std::isfinite(hi), "histogram: empty range");
  counts.assign(std::size_t(bins), 0);
}

void Histogram::add(double x, std::uint64_t n) {
  if (!(x >= lo && x <= hi)) return;
  const long bins = long(counts.size());
  const long k = std::clamp(long((x - lo) * (double(bins) / (hi - lo))), 0L, bins - 1);
  counts[std::size_t(k)] += n;
}

Histogram histogram(const std::vector<double>& v, int bins, double lo, double hi) {
  Histogram h(bins, lo, hi);
  for (double x : v) h.add(x);
  return h;
}

Histogram histogram(const std::vector<double>& v, int bins) {
  require(bins >= 1, "histogram: bins must be at least 1");
  if (v.empty()) return histogram(v, bins, 0.0, 1.0);
  auto [mn, mx] = std::minmax_element(v.begin(), v.end());
  double lo = *mn, hi = *mx;
  if (!(lo < hi)) {
    lo -= 0.5;
    hi += 0.5;
  }
  return histogram(v, bins, lo, hi);
}

double ks_statistic(const std::vector<double>& sorted, const std::function<double(double)>& cdf) {
  double n = double(sorted.size()), d = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    double f = cdf(sorted[i]);
    d = std::max({d, double(i + 1) / n - f, f - double(i) / n});
  }
  return d;
}

double ks_statistic_2(const std::vector<double>& a, const std::vector<double>& b) {
  std::size_t i = 0, j = 0;
  double na = double(a.size()), nb = double(b.size()), d = 0;
  while (i < a.size() && j < b.size()) {
    double x = std::min(a[i], b[j]);
    while (i < a.size() && a[i] <= x) ++i;
    while (j < b.size() && b[j] <= x) ++j;
    d = std::max(d, std::fabs(double(i) / na - double(j) / nb));
  }
  return d;
}

double kolmogorov_q(double lambda) {
  if (!(lambda > 0)) return 1.0;
  if (lambda < 1.18) {
    // 1 - Q = sqrt(2 pi) / lambda * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2))
    const double pi = 3.141592653589793;
    double a = -pi * pi / (8.0 * lambda * lambda), sum = 0;
    for (int j = 1; j <= 20; ++j) {
      double k = double(2 * j - 1);
      sum += std::exp(a * k * k);
    }
    return std::clamp(1.0 - std::sqrt(2.0 * pi) / lambda * sum, 0.0, 1.0);
  }
  double sum = 0, sign = 1;
  for (int j = 1; j <= 100; ++j) {
    double term = std::exp(-2.0 * double(j) * double(j) * lambda * lambda);
    sum += sign * term;
    if (term < 1e-18 * sum) break;
    sign = -sign;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

double ks_pvalue(double d, double n) {
  if (!(n > 0)) return 1.0;
  double sn = std::sqrt(n);
  return kolmogorov_q((sn + 0.12 + 0.11 / sn) * d);
}

}  // namespace relumix
