#pragma once
// Small statistics toolbox for the Monte Carlo: moments, quantiles, histograms and the
// Kolmogorov-Smirnov test.
#include <cstdint>
#include <functional>
#include <vector>

namespace relumix {

struct Moments {
  std::uint64_t count = 0;
  double mean = 0;         // NaN when count == 0
  double sd = 0;           // sample sd (divisor count - 1); NaN when count < 2
  double stderr_mean = 0;  // sd / sqrt(count); NaN when count < 2
};
// Two-pass mean and sd, summed in the order given (deterministic).
Moments moments(const std::vector<double>& v);

// (value - reference) / stderr, or NaN ("undefined") unless stderr is finite and > 0: a Monte
// Carlo whose samples are all equal (or too few) has no standard error to measure against.
double z_score(double value, double reference, double stderr);

// Quantile of type 7 (linear interpolation between order statistics, numpy's default) for
// p in [0, 1]. v is reordered. NaN for an empty v.
double quantile(std::vector<double>& v, double p);
// Several quantiles at once (ps in any order); v is reordered.
std::vector<double> quantiles(std::vector<double>& v, const std::vector<double>& ps);
// The type-7 quantile at p is lo + frac (hi - lo) for the order statistics lo <= hi around it;
// for an increasing f, f(lo) + frac (f(hi) - f(lo)) is then the quantile of f(v). One
// selection per order statistic, each on what is left above the previous one; v is reordered.
// Empty v: NaNs.
struct QuantilePoint {
  double lo, hi, frac;
  double value() const { return lo + frac * (hi - lo); }
};
std::vector<QuantilePoint> quantile_points(std::vector<double>& v, const std::vector<double>& ps);
// Same on sorted data (no reordering).
double quantile_sorted(const std::vector<double>& sorted, double p);

struct Histogram {
  double lo = 0, hi = 0;  // bin k covers [lo + k w, lo + (k+1) w), the last one includes hi
  std::vector<std::uint64_t> counts;
  // bins >= 1 empty equal bins over [lo, hi] (lo < hi, both finite; InputError otherwise)
  Histogram() = default;
  Histogram(int bins, double lo, double hi);
  double width() const { return counts.empty() ? 0.0 : (hi - lo) / double(counts.size()); }
  void add(double x, std::uint64_t n = 1);  // n counts at x (nothing outside [lo, hi])
};
// bins >= 1 equal bins over [lo, hi] (lo < hi; values outside are not counted).
Histogram histogram(const std::vector<double>& v, int bins, double lo, double hi);
// bins over [min, max] of v (a unit interval around the value when all are equal).
Histogram histogram(const std::vector<double>& v, int bins);

// One-sample Kolmogorov-Smirnov distance sup |F_n - F| of sorted data against a CDF.
double ks_statistic(const std::vector<double>& sorted, const std::function<double(double)>& cdf);
// Two-sample distance sup |F_n - G_m| of two sorted samples.
double ks_statistic_2(const std::vector<double>& a_sorted, const std::vector<double>& b_sorted);
// Kolmogorov's limiting survival function Q(lambda) = 2 sum_{j>=1} (-1)^{j-1} exp(-2 j^2 lambda^2).
double kolmogorov_q(double lambda);
// p-value of distance d for effective sample size n (one sample: n; two samples: n m / (n + m)),
// with Stephens' small-sample correction lambda = (sqrt(n) + 0.12 + 0.11 / sqrt(n)) d.
double ks_pvalue(double d, double n);

}  // namespace relumix
