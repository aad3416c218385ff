// The double path of J_{a,b}(theta) (issue 18): within 1 ulp on random and hard angles against an
// independent route (the Fourier-mode closed form evaluated in MPFI interval arithmetic at a
// precision that absorbs the cancellation; no code of the double path or of the Arb engine), the
// batch API equal to the one-angle call bit for bit, the three SIMD kernels equal to each other,
// and bad input refused.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <random>

#include "core/cpu.hpp"
#include "moments/double_form.hpp"
#include "relumix/core/error.hpp"
#include "relumix/moments/eval.hpp"
#include "support.hpp"

using namespace relumix;

namespace {

using test::sanitized;
using test::ulp_error;

// J_{a,b}(x) for an exact double x, from the Fourier route, as an MPFI interval
Interval reference(unsigned a, unsigned b, double x) {
  static std::map<std::pair<unsigned, unsigned>, ClosedForm> forms;
  auto it = forms.find({a, b});
  if (it == forms.end()) it = forms.emplace(std::pair{a, b}, closed_form_fourier(a, b)).first;
  const ClosedForm& cf = it->second;
  double phi = 3.141592653589793 - x;
  // the closed form cancels like phi^(a+b) near pi, and its monomial form by up to ~2^(a+b):
  // start with enough bits for both and double until the interval is narrow
  mpfr_prec_t bits = 160 + mpfr_prec_t(double(a + b + 2) * (1 + std::max(0.0, -std::log2(std::max(phi, 1e-300)))));
  for (;; bits *= 2) {
    Interval th(exact_theta(x).offset, bits), pi = Interval::pi(bits), rho = cos(th), s = sin(th);
    auto horner = [&](const Poly& p) {
      Interval r(0L, bits);
      for (int k = p.degree(); k >= 0; --k) r = r * rho + Interval(p[std::size_t(k)], bits);
      return r;
    };
    Interval J = cf.even() ? ((pi - th) * horner(cf.P) + s * horner(cf.Q)) / ldexp(pi, 1) : horner(cf.R) / sqrt(ldexp(pi, 1));
    if (J.rel_width() < 1e-25 || mpfi_is_zero(J.get())) return J;
  }
}

std::mt19937_64& rng() {
  static std::mt19937_64 g(20250611);
  return g;
}

// angles that stress the method: the ends, the region boundaries, the series' switch point
std::vector<double> hard_angles(unsigned a, unsigned b) {
  const double pi = 3.141592653589793;
  std::vector<double> x = {0, 5e-324, 1e-300, 1e-30, 1e-16, 1e-8, 1e-4, 0.01, 0.5, pi / 4, std::nextafter(pi / 4, 0),
                           pi / 2, std::nextafter(pi / 2, 0), std::nextafter(pi / 2, 4), 3 * pi / 4,
                           std::nextafter(3 * pi / 4, 0), 2.5, 3.0, 3.1, pi - 1e-2, pi - 1e-4, pi - 1e-6, pi - 1e-8,
                           pi - 1e-12, std::nextafter(pi, 0), pi};
  for (int k = 1; k <= 60; ++k) {
    x.push_back(std::ldexp(1.0, -k));
    x.push_back(pi - std::ldexp(1.0, -k));
  }
  for (int k = 1; k <= 20; ++k) x.push_back(pi - k * 4.440892098500626e-16);  // the last doubles below pi
  double s = prepared(a, b).double_form().phi_s;
  if (s > 0) {
    for (double t : {std::nextafter(s, 0), s, std::nextafter(s, 1)}) x.push_back(pi - t);
  }
  return x;
}

}  // namespace

TEST_CASE("double path: within 1 ulp on random and hard angles (independent route)") {
  int random_per_pair = sanitized() ? 4 : 30;
  std::uniform_real_distribution<double> u(0, 3.141592653589793);
  double worst = 0;
  long checked = 0;
  for (unsigned a = 0; a <= 12; ++a)
    for (unsigned b = 0; b <= a; b += (sanitized() ? 3 : 1)) {
      std::vector<double> x = hard_angles(a, b);
      for (int i = 0; i < random_per_pair; ++i) x.push_back(u(rng()));
      std::vector<double> y(x.size());
      moment_double(a, b, x, y);
      for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("J_{" << a << "," << b << "}(" << x[i] << ") = " << y[i]);
        double e = ulp_error(y[i], reference(a, b, x[i]));
        CHECK(e <= 1);
        worst = std::max(worst, e);
        ++checked;
      }
    }
  MESSAGE("double path: " << checked << " values, worst error " << worst << " ulp");
}

TEST_CASE("double path: larger orders (the series at pi, and the certified route beyond the double range)") {
  std::uniform_real_distribution<double> u(0, 3.141592653589793);
  for (auto [a, b] : std::vector<std::pair<unsigned, unsigned>>{{20, 20}, {21, 20}, {30, 10}, {40, 0}, {100, 90}, {200, 1}}) {
    std::vector<double> x = {0.1, 1, 2, 2.8, 3.1, 3.14, 3.141592653589793 - 1e-9, 3.141592653589793 - 1e-3};
    for (int i = 0; i < (sanitized() ? 2 : 10); ++i) x.push_back(u(rng()));
    for (double v : x) {
      INFO("J_{" << a << "," << b << "}(" << v << ")");
      CHECK(ulp_error(moment_double(a, b, v), reference(a, b, v)) <= 1);
    }
  }
}

TEST_CASE("double path: exact values, the batch equals the one-angle call, threads change nothing") {
  CHECK(moment_double(2, 2, 0) == 1.5);
  CHECK(moment_double(1, 1, 0) == 0.5);
  CHECK(moment_double(0, 0, 0) == 0.5);
  std::uniform_real_distribution<double> u(0, 3.141592653589793);
  std::size_t n = sanitized() ? 5000 : 150000;  // above kParallelDoubleMin: the threaded path
  std::vector<double> x(n), y1(n), y4(n);
  for (auto& v : x) v = u(rng());
  x[17] = 0;
  x[18] = 3.141592653589793;
  MomentDouble m(5, 3);
  m(x, y1, 1);
  m(x, y4, 4);
  CHECK(y1 == y4);
  for (std::size_t i = 0; i < n; i += 97) CHECK(y1[i] == m(x[i]));
  // in place
  std::vector<double> z = x;
  m(z, z);
  CHECK(z == y1);
}

TEST_CASE("double path: the portable, AVX2 and AVX-512 kernels return the same bits") {
  std::uniform_real_distribution<double> u(0, 3.141592653589793);
  for (auto [a, b] : std::vector<std::pair<unsigned, unsigned>>{{1, 1}, {2, 1}, {5, 5}, {6, 3}, {12, 7}}) {
    const DoubleForm& f = prepared(a, b).double_form();
    std::vector<double> x = hard_angles(a, b);
    for (int i = 0; i < 500; ++i) x.push_back(u(rng()));
    std::vector<double> yp(x.size()), y(x.size());
    std::vector<std::uint8_t> fp(x.size()), fl(x.size());
    moment_kernel_portable(f, x.data(), yp.data(), fp.data(), x.size());
    if (cpu_has_avx2()) {
      moment_kernel_avx2(f, x.data(), y.data(), fl.data(), x.size());
      CHECK(y == yp);
      CHECK(fl == fp);
    }
    if (cpu_has_avx512()) {
      moment_kernel_avx512(f, x.data(), y.data(), fl.data(), x.size());
      CHECK(y == yp);
      CHECK(fl == fp);
    }
    // the portable kernel alone (what a CPU without AVX2 runs) is within 1 ulp too
    for (std::size_t i = 0; i < x.size(); i += 7)
      if (!fp[i]) CHECK(ulp_error(yp[i], reference(a, b, x[i])) <= 1);
  }
}

TEST_CASE("double path: bad input") {
  CHECK_THROWS_AS(moment_double(1, 1, 3.2), InputError);
  CHECK_THROWS_AS(moment_double(1, 1, -1e-300), InputError);
  CHECK_THROWS_AS(moment_double(1, 1, std::nan("")), InputError);
  CHECK_THROWS_AS(moment_double(1, 1, INFINITY), InputError);
  std::vector<double> x = {0.1, 0.2, 7.5, 0.3}, y(4);
  try {
    moment_double(1, 1, x, y);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "angle 7.5 is outside [0, pi]");
  }
  x[2] = std::nan("");
  CHECK_THROWS_WITH_AS(moment_double(1, 1, x, y), "angle is NaN", InputError);
  std::vector<double> short_out(3);
  CHECK_THROWS_AS(moment_double(1, 1, x, short_out), InputError);
}
