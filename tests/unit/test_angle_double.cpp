// The double path of mu(theta, n), sigma^2(theta, n) (issue 18): within 1 ulp on random and hard
// angles (theta -> 0, near pi/2, near pi, the switch to the theta-series) against the certified
// enclosures mu_enclosure / sigma2_enclosure (MPFI interval arithmetic on the closed forms; no
// code of the double-double kernel), the batch equal to the one-angle call bit for bit whatever
// the threads, the SIMD kernels equal to each other, orders 2..8 equal to cumulant_double, and bad
// input refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "angle/angle_kernel.hpp"
#include "core/cpu.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "support.hpp"

using namespace relumix;
using test::sanitized;
using test::ulp_error;

namespace {

const double pi = 3.141592653589793;

// the certified value at the exact double x, narrow enough to resolve an ulp
Interval reference(bool sigma, double x, double n) {
  const Theta t = exact_theta(x);
  const Rational rn(n);
  double edge = std::min(x, pi - x + 1.2246467991473532e-16);
  for (mpfr_prec_t bits = 128 + mpfr_prec_t(10 * std::max(0.0, -std::log2(edge)));; bits *= 2) {
    Interval v = sigma ? sigma2_enclosure(t, rn, bits) : mu_enclosure(t, rn, bits);
    if (v.rel_width() < 1e-25) return v;
  }
}

std::mt19937_64& rng() {
  static std::mt19937_64 g(20261202);
  return g;
}

std::vector<double> hard_angles() {
  std::vector<double> x = {5e-300, 1e-30, 1e-16, 1e-8, 1e-4, 0.01, 0.5, 1, pi / 4, pi / 2, std::nextafter(pi / 2, 0),
                           std::nextafter(pi / 2, 4), pi / 2 + 1e-9, 3 * pi / 4, 2.5, 3, 3.1, pi - 1e-2, pi - 1e-4,
                           pi - 1e-6, pi - 1e-8, pi - 1e-12, std::nextafter(pi, 0), pi};
  for (int k = 1; k <= 60; k += (sanitized() ? 7 : 1)) {
    x.push_back(std::ldexp(1.0, -k));
    x.push_back(pi - std::ldexp(1.0, -k));
  }
  for (int k = 1; k <= 8; ++k) x.push_back(pi - k * 4.440892098500626e-16);  // the last doubles below pi
  // the switch to the theta-series
  for (double t : {std::nextafter(1.0 / 64, 0), 1.0 / 64, std::nextafter(1.0 / 64, 1)}) x.push_back(t);
  return x;
}

}  // namespace

TEST_CASE("mu/sigma^2 double path: within 1 ulp on random and hard angles (the certified route)") {
  std::uniform_real_distribution<double> u(0, pi);
  std::vector<double> x = hard_angles();
  for (int i = 0; i < (sanitized() ? 20 : 150); ++i) x.push_back(u(rng()));
  double worst_mu = 0, worst_s2 = 0;
  long checked = 0;
  for (double n : {2.0, 3.0, 16.0, 256.0, 1e6, 37.5}) {
    std::vector<double> mu(x.size()), s2(x.size());
    mu_sigma2_double(x, n, 1, mu, s2);
    for (std::size_t i = 0; i < x.size(); ++i) {
      INFO("n = " << n << ", theta = " << x[i] << ": mu = " << mu[i] << ", sigma^2 = " << s2[i]);
      double em = ulp_error(mu[i], reference(false, x[i], n)), es = ulp_error(s2[i], reference(true, x[i], n));
      CHECK(em <= 1);
      CHECK(es <= 1);
      worst_mu = std::max(worst_mu, em);
      worst_s2 = std::max(worst_s2, es);
      ++checked;
    }
  }
  MESSAGE("mu/sigma^2 double path: " << checked << " angles, worst error mu " << worst_mu << " ulp, sigma^2 "
                                     << worst_s2 << " ulp");
}

TEST_CASE("mu/sigma^2 double path: the batch equals the one-angle calls, threads change nothing") {
  std::uniform_real_distribution<double> u(1e-12, pi);
  std::size_t N = sanitized() ? 5000 : 140000;  // above kParallelDoubleMin: the threaded path
  std::vector<double> x(N), m1(N), s1(N), m4(N), s4(N);
  for (auto& v : x) v = u(rng());
  x[5] = pi;
  x[6] = 1e-300;
  mu_sigma2_double(x, 64, 1, m1, s1, 1);
  mu_sigma2_double(x, 64, 1, m4, s4, 4);
  CHECK(m1 == m4);
  CHECK(s1 == s4);
  for (std::size_t i = 0; i < N; i += 331) {
    CHECK(mu_double(x[i], 64) == m1[i]);
    CHECK(sigma2_double(x[i], 64) == s1[i]);
  }
}

TEST_CASE("mu/sigma^2 double path: the portable and SIMD kernels return the same bits") {
  std::uniform_real_distribution<double> u(0, pi);
  std::vector<double> x = hard_angles();
  for (int i = 0; i < 500; ++i) x.push_back(u(rng()));
  const std::size_t N = x.size();
  std::vector<double> mp(N), sp(N), m(N), s(N);
  std::vector<std::uint8_t> fp(N), fl(N);
  const AngleForm& f = angle_form(100);
  angle_kernel_portable(f, x.data(), mp.data(), sp.data(), fp.data(), N);
  // the kernel itself does every one of these angles (none left to the certified route)
  CHECK(std::count(fp.begin(), fp.end(), 1) == 0);
  for (auto [has, k] : {std::pair<bool, AngleKernel>{cpu_has_avx2(), angle_kernel_avx2},
                        std::pair<bool, AngleKernel>{cpu_has_avx512(), angle_kernel_avx512}}) {
    if (!has) continue;
    k(f, x.data(), m.data(), s.data(), fl.data(), N);
    CHECK(m == mp);
    CHECK(s == sp);
    CHECK(fl == fp);
  }
  // the portable kernel alone (what a CPU without AVX2 runs) is within 1 ulp too
  for (std::size_t i = 0; i < N; i += 5)
    if (!fp[i]) {
      INFO("theta = " << x[i]);
      CHECK(ulp_error(mp[i], reference(false, x[i], 100)) <= 1);
      CHECK(ulp_error(sp[i], reference(true, x[i], 100)) <= 1);
    }
}

TEST_CASE("mu/sigma^2 double path: orders 2..8 from cumulant_double") {
  std::vector<double> x = {0.05, 0.7, 2, 3.1}, mu(4), s2(4);
  for (int K : {2, 5}) {
    mu_sigma2_double(x, 128, K, mu, s2);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CumulantValues v = cumulant_double(x[i], unsigned(K));
      CHECK(mu[i] == v.mu(128));
      CHECK(s2[i] == v.sigma2(128));
    }
  }
}

TEST_CASE("mu/sigma^2 double path: bad input") {
  std::vector<double> x = {0.1, 0.2, 3.5, 0.3}, mu(4), s2(4);
  CHECK_THROWS_WITH_AS(mu_sigma2_double(x, 16, 1, mu, s2), "angle 3.5 is outside (0, pi]", InputError);
  x[2] = 0;
  CHECK_THROWS_WITH_AS(mu_sigma2_double(x, 16, 1, mu, s2), "angle 0 is outside (0, pi]", InputError);
  x[2] = std::nan("");
  CHECK_THROWS_WITH_AS(mu_sigma2_double(x, 16, 2, mu, s2), "angle is NaN", InputError);
  x[2] = 1;
  CHECK_THROWS_AS(mu_sigma2_double(x, 1.5, 1, mu, s2), InputError);
  CHECK_THROWS_AS(mu_sigma2_double(x, 16, 9, mu, s2), InputError);
  std::vector<double> short_out(3);
  CHECK_THROWS_AS(mu_sigma2_double(x, 16, 1, short_out, s2), InputError);
  CHECK_THROWS_AS(mu_double(-1, 16), InputError);
}
