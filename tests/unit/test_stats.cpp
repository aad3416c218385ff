// Statistics helpers: moments, type-7 quantiles, histograms, Kolmogorov-Smirnov.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "relumix/core/error.hpp"
#include "relumix/mc/stats.hpp"

using namespace relumix;

TEST_CASE("moments: mean, sample sd, standard error") {
  Moments m = moments({1, 2, 3, 4});
  CHECK(m.count == 4);
  CHECK(m.mean == doctest::Approx(2.5).epsilon(1e-15));
  CHECK(m.sd == doctest::Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));
  CHECK(m.stderr_mean == doctest::Approx(std::sqrt(5.0 / 3.0) / 2).epsilon(1e-15));
  // large offset: the two-pass formula keeps the variance
  Moments big = moments({1e9 + 1, 1e9 + 2, 1e9 + 3});
  CHECK(big.sd == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(std::isnan(moments({}).mean));
  Moments one = moments({7});
  CHECK(one.mean == 7);
  CHECK(std::isnan(one.sd));
}

TEST_CASE("quantiles follow numpy's default (type 7)") {
  // numpy.quantile([3,1,4,1,5,9,2,6], [0.3, 0.05, 0.95]) = [2.1, 1.0, 7.95]
  std::vector<double> v{3, 1, 4, 1, 5, 9, 2, 6};
  auto q = quantiles(v, {0.3, 0.05, 0.95, 0.0, 1.0, 0.5});
  CHECK(q[0] == doctest::Approx(2.1).epsilon(1e-14));
  CHECK(q[1] == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(q[2] == doctest::Approx(7.95).epsilon(1e-14));
  CHECK(q[3] == 1);
  CHECK(q[4] == 9);
  CHECK(q[5] == doctest::Approx(3.5).epsilon(1e-14));
  std::vector<double> sorted{1, 1, 2, 3, 4, 5, 6, 9};
  CHECK(quantile_sorted(sorted, 0.3) == doctest::Approx(2.1).epsilon(1e-14));
  std::vector<double> empty;
  CHECK(std::isnan(quantile(empty, 0.5)));
}

TEST_CASE("histogram bins") {
  Histogram h = histogram({0.0, 0.1, 0.5, 0.99, 1.0, 1.5, -0.1}, 2, 0.0, 1.0);
  REQUIRE(h.counts.size() == 2);
  CHECK(h.counts[0] == 2);  // 0, 0.1
  CHECK(h.counts[1] == 3);  // 0.5, 0.99, 1.0 (the last bin includes hi); 1.5 and -0.1 outside
  CHECK(h.width() == 0.5);
  Histogram a = histogram({2.0, 2.0}, 3);  // degenerate range gets a unit interval
  CHECK(a.lo == 1.5);
  CHECK(a.hi == 2.5);
  CHECK(a.counts[1] == 2);
  CHECK_THROWS_AS(histogram({1.0}, 0), InputError);
}

TEST_CASE("Kolmogorov distribution at tabulated points") {
  // classical critical values of the limiting distribution
  CHECK(kolmogorov_q(1.2238) == doctest::Approx(0.10).epsilon(2e-3));
  CHECK(kolmogorov_q(1.3581) == doctest::Approx(0.05).epsilon(2e-3));
  CHECK(kolmogorov_q(1.6276) == doctest::Approx(0.01).epsilon(3e-3));
  // K(0.5) = 1 - Q(0.5) = 0.0360547563...
  CHECK(kolmogorov_q(0.5) == doctest::Approx(1 - 0.03605475633512).epsilon(1e-10));
  // the two series agree where they switch
  CHECK(kolmogorov_q(1.18 - 1e-12) == doctest::Approx(kolmogorov_q(1.18)).epsilon(1e-12));
  CHECK(kolmogorov_q(0) == 1);
  CHECK(kolmogorov_q(10) == doctest::Approx(0).epsilon(1e-30));
}

TEST_CASE("KS statistics by hand") {
  auto uniform = [](double x) { return std::clamp(x, 0.0, 1.0); };
  CHECK(ks_statistic({0.1, 0.4, 0.7}, uniform) == doctest::Approx(0.3).epsilon(1e-14));
  // two samples: at x = 3, F_a = 1 and F_b = 1/2
  CHECK(ks_statistic_2({1, 2, 3}, {1.5, 2.5, 3.5, 4.5}) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(ks_statistic_2({1, 2, 3}, {1, 2, 3}) == 0);
}

TEST_CASE("KS test accepts uniform data and rejects shifted data") {
  std::mt19937_64 rng(12345);
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<double> v(4000);
  for (auto& x : v) x = U(rng);
  std::sort(v.begin(), v.end());
  auto uniform = [](double x) { return std::clamp(x, 0.0, 1.0); };
  double d = ks_statistic(v, uniform);
  CHECK(ks_pvalue(d, double(v.size())) > 1e-3);
  auto shifted = [](double x) { return std::clamp(x - 0.05, 0.0, 1.0); };
  double d2 = ks_statistic(v, shifted);
  CHECK(d2 > 0.04);
  CHECK(ks_pvalue(d2, double(v.size())) < 1e-6);
}
