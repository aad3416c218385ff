// The arc-cosine kernel (angle/arccos_kernel.hpp) against an independent high-precision route: the
// angle from the exact dot product and norms at 400 bits (atan2 of sqrt(|x|^2|y|^2 - (x.y)^2) and
// x.y, where 400 bits absorb the cancellation), J_{n,n} from the Fourier-route closed form
// (closed_form_fourier, built without the Price/Bessel construction) evaluated in MPFR, and the
// multilayer recursion cos theta_l = J(theta_{l-1}) / J(0) by arccos at that precision.
#include <doctest/doctest.h>

#include <boost/multiprecision/mpfr.hpp>
#include <cmath>
#include <vector>

#include "relumix/angle/arccos_kernel.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/moments/moments.hpp"

using namespace relumix;
using boost::multiprecision::mpfr_float;

namespace {

struct Precision {
  unsigned saved = mpfr_float::default_precision();
  Precision() { mpfr_float::default_precision(120); }  // decimal digits (about 400 bits)
  ~Precision() { mpfr_float::default_precision(saved); }
};

mpfr_float poly_at(const Poly& p, const mpfr_float& x) {
  mpfr_float r = 0;
  for (int k = p.degree(); k >= 0; --k) {
    const Rational& c = p.coeffs()[std::size_t(k)];
    r = r * x + mpfr_float(numerator(c)) / mpfr_float(denominator(c));
  }
  return r;
}
// J_{n,n}(theta) from the Fourier route (2n is even: [(pi - theta) P + sin theta Q] / (2 pi))
mpfr_float J_ref(const ClosedForm& cf, const mpfr_float& theta) {
  const mpfr_float pi = boost::math::constants::pi<mpfr_float>();
  mpfr_float rho = cos(theta);
  return ((pi - theta) * poly_at(cf.P, rho) + sin(theta) * poly_at(cf.Q, rho)) / (2 * pi);
}
mpfr_float angle_ref(const std::vector<double>& x, const std::vector<double>& y) {
  mpfr_float xx = 0, yy = 0, xy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xx += mpfr_float(x[i]) * x[i];
    yy += mpfr_float(y[i]) * y[i];
    xy += mpfr_float(x[i]) * y[i];
  }
  return atan2(sqrt(xx * yy - xy * xy), xy);
}
mpfr_float kernel_ref(const std::vector<double>& x, const std::vector<double>& y, unsigned n, unsigned depth) {
  const ClosedForm cf = closed_form_fourier(n, n);
  mpfr_float xx = 0, yy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    xx += mpfr_float(x[i]) * x[i];
    yy += mpfr_float(y[i]) * y[i];
  }
  mpfr_float t = angle_ref(x, y), J0 = J_ref(cf, mpfr_float(0)), qx = xx, qy = yy;
  for (unsigned l = 1; l < depth; ++l) {
    t = acos(J_ref(cf, t) / J0);
    qx = pow(qx, n) * 2 * J0;
    qy = pow(qy, n) * 2 * J0;
  }
  return pow(qx * qy, mpfr_float(n) / 2) * 2 * J_ref(cf, t);
}
double rel_err(double got, const mpfr_float& want) {
  if (want == 0) return got == 0 ? 0 : 1;
  return double(abs((mpfr_float(got) - want) / want));
}
// a pair at angle about t (t in (0, pi)) in 5 dimensions, with non-dyadic entries
void pair_at(double t, std::vector<double>& x, std::vector<double>& y) {
  x = {0.3, -1.7, 0.9, 2.1, -0.4};
  std::vector<double> p = {1.1, 0.2, -0.5, 0.3, 0.7};  // made orthogonal to x below (in double)
  double xx = 0, xp = 0, pp = 0;
  for (int i = 0; i < 5; ++i) xx += x[i] * x[i], xp += x[i] * p[i];
  for (int i = 0; i < 5; ++i) p[i] -= xp / xx * x[i];
  for (int i = 0; i < 5; ++i) pp += p[i] * p[i];
  y.resize(5);
  for (int i = 0; i < 5; ++i) y[i] = 1.3 * (std::cos(t) * x[i] / std::sqrt(xx) + std::sin(t) * p[i] / std::sqrt(pp));
}

}  // namespace

TEST_CASE("vector_angle: a few ulp relative for tiny and near-pi angles") {
  Precision prec;
  const mpfr_float pi = boost::math::constants::pi<mpfr_float>();
  for (double t : {1e-12, 1e-9, 1e-6, 0.3, 1.5, 2.5, M_PI - 1e-3, M_PI - 1e-6, M_PI - 1e-9}) {
    std::vector<double> x, y;
    pair_at(t, x, y);
    VectorAngle a = vector_angle(x.data(), y.data(), x.size());
    mpfr_float want = angle_ref(x, y);
    CAPTURE(t);
    CHECK(rel_err(a.theta, want) < 8e-16);
    CHECK(rel_err(a.supplement, pi - want) < 8e-16);
  }
}

TEST_CASE("arccos_kernel: orders 0..3, depths 1..5, tiny and near-pi angles, against MPFR") {
  Precision prec;
  for (unsigned n : {0u, 1u, 2u, 3u})
    for (unsigned depth : {1u, 2u, 5u})
      for (double t : {1e-9, 1e-4, 0.7, 1.4, 2.2, M_PI - 1e-2, M_PI - 1e-7}) {
        std::vector<double> x, y;
        pair_at(t, x, y);
        std::vector<double> X = x, Y = y, out(1);
        arccos_kernel(X.data(), 1, Y.data(), 1, x.size(), n, depth, out.data());
        CAPTURE(n);
        CAPTURE(depth);
        CAPTURE(t);
        // the angle part is good to a few ulp; for n >= 2 the norm factor (q q')^(n/2) with
        // q_l = q_{l-1}^n (2n-1)!! carries the rounding of |x| amplified n^(depth-1) times
        const double amplification = n >= 2 ? std::pow(double(n), double(depth - 1)) : 1.0;
        CHECK(rel_err(out[0], kernel_ref(x, y, n, depth)) < 2e-15 * amplification);
      }
}

TEST_CASE("arccos_kernel: the Gram matrix is symmetric with the diagonal q(x), zero rows give 0") {
  std::vector<double> X = {1, 2, 3, -1, 0.5, 2, 0, 0, 0};
  std::vector<double> K(9);
  arccos_kernel(X.data(), 3, nullptr, 0, 3, 1, 1, K.data());
  CHECK(K[0] == doctest::Approx(14.0).epsilon(1e-15));  // |x|^2 2 J_{1,1}(0) = |x|^2
  CHECK(K[1] == K[3]);
  for (int k : {2, 5, 6, 7, 8}) CHECK(K[std::size_t(k)] == 0.0);
}

TEST_CASE("arccos_kernel: input errors") {
  std::vector<double> X = {1, NAN}, K(1);
  CHECK_THROWS_AS(arccos_kernel(X.data(), 1, nullptr, 0, 2, 1, 1, K.data()), InputError);
  X[1] = 1;
  CHECK_THROWS_AS(arccos_kernel(X.data(), 1, nullptr, 0, 2, kMaxArccosOrder + 1, 1, K.data()), InputError);
  CHECK_THROWS_AS(arccos_kernel(X.data(), 1, nullptr, 0, 2, 1, 0, K.data()), InputError);
}
