#pragma once
// The series of J_{a,b} at theta = pi, from the integral representation (independent of the
// closed form): with phi = pi - theta, n = a + b,
//   J_{a,b}(pi - phi) = K phi^(n+1) sum_{m >= 0} C_m phi^(2m),   K = 1/pi (n even), 1/sqrt(2 pi) (n odd),
// C_m rational. Truncated after M terms (m < M), the remainder is at most
//   C_0 sinh(1)^n phi^(2M) / (1 - phi^2)   for 0 <= phi < 1
// (C_m = k * sum_{k+l=m} alpha_k beta_l B(a+2k+1, b+2l+1), alpha, beta the coefficients of
// sinc^a, sinc^b in x^2, |alpha|, |beta| bounded by those of (sinh x / x)^a, (sinh x / x)^b, B
// decreasing; Cauchy's estimate on |x| = 1).
#include "numeric/arb.hpp"

namespace relumix {

// C_0 .. C_{terms-1} as a polynomial in y = phi^2.
FmpqPoly near_pi_coefficients(unsigned a, unsigned b, unsigned terms);

// An upper bound of sinh(1) (for the remainder).
constexpr double kSinh1Upper = 1.1752011936438016;

}  // namespace relumix
