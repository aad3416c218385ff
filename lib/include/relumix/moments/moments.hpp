#pragma once
// The ReLU Gaussian mixed moments J_{a,b}(theta) = E[relu(G)^a relu(G')^b], corr = cos theta,
// with relu^0 = 1{x > 0} (SPEC section 2), in closed form:
//   a+b even:  2 pi J = (pi - theta) P(rho) + sin(theta) Q(rho)
//   a+b odd :  sqrt(2 pi) J = R(rho),            rho = cos theta.
#include <vector>

#include "relumix/exact/poly.hpp"
#include "relumix/exact/qpi.hpp"
#include "relumix/exact/series.hpp"
#include "relumix/core/limits.hpp"

namespace relumix {

struct ClosedForm {
  unsigned a = 0, b = 0;
  bool even() const { return (a + b) % 2 == 0; }
  Poly P, Q;  // a+b even
  Poly R;     // a+b odd
};

// Primary route: P by the Bessel-number sum, Q from the Price ODE, R from the Price
// recursion with the base column. A cache of closed forms: get(a, b) walks the Price chain
// (a-b, 0) -> ... -> (a, b) and keeps every step. Thread-safe; references stay valid.
class ClosedFormCache {
 public:
  ClosedFormCache();
  ~ClosedFormCache();
  ClosedFormCache(const ClosedFormCache&) = delete;
  ClosedFormCache& operator=(const ClosedFormCache&) = delete;
  // Throws InputError when a + b > kMaxMomentOrder.
  const ClosedForm& get(unsigned a, unsigned b);
 private:
  struct Impl;
  Impl* impl_;
};

// The process-wide cache.
const ClosedForm& closed_form(unsigned a, unsigned b);

// Independent route: Fourier modes of cos^a(phi) cos^b(phi - theta) integrated over
// (theta - pi/2, pi/2) with the radial moment E[R^(a+b)]. For cross-checks; not cached.
ClosedForm closed_form_fourier(unsigned a, unsigned b);

// P_{a,b} by the Bessel sum (also used for the reflection identity when a+b is odd).
Poly bessel_sum_P(unsigned a, unsigned b);

// m_k = E[relu(G)^k] = (k-1)!! c_k: c_k = 1/2 (k even), 1/sqrt(2 pi) (k odd).
// Returned as coeff with m_k = coeff (k even) or coeff / sqrt(2 pi) (k odd).
Rational single_moment_coeff(unsigned k);

// Taylor coefficients of J_{a,b} at theta = 0, k = 0..order.
// a+b even: coefficient k is an element r0 + r1/pi of Q[1/pi];
// a+b odd : coefficient k is (rational) / sqrt(2 pi); coeffs[k] holds that rational.
struct MomentSeries {
  unsigned a = 0, b = 0, order = 0;
  bool odd = false;
  std::vector<QPi> coeffs;
};
MomentSeries taylor_series(unsigned a, unsigned b, unsigned order);

// As a Series over Q[1/pi] (a+b even only; precision order+1).
Series moment_series(unsigned a, unsigned b, unsigned order);
// Plain moments M_{a,b} = E[X^a Y^b] with X^0 = 1 (M_{a,b} = J_{a,b} for a, b >= 1;
// M_{a,0} = m_a). Series at theta = 0 over Q[1/pi] for a+b even.
Series plain_moment_series(unsigned a, unsigned b, unsigned order);

}  // namespace relumix
