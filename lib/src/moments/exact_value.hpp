#pragma once
// Exact values of J_{a,b}(theta) where they are rational: the only values an enclosure cannot
// round correctly when they lie exactly halfway between two decimals (issue 17, class 1).
#include <optional>

#include "moments/prepared.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// J_{a,b}(theta) when it is rational, else std::nullopt. Complete for every angle that is a
// rational multiple of pi (theta = r pi, r in [0, 1]):
//   - a+b odd: sqrt(2 pi) J = R(cos theta) is algebraic, so J is rational only where it is 0
//     (theta = pi; R > 0 on (-1, 1]);
//   - a+b even: 2 pi J = (1 - r) pi P(rho) + sin(theta) Q(rho) with algebraic rho = cos(r pi) and
//     sin(theta), so (pi being transcendental) J is rational exactly when sin(theta) Q(rho) = 0 and
//     P(rho) is rational: decided exactly with the minimal polynomial of cos(r pi) (FLINT).
//     This covers J_{0,0}(r pi) = (1 - r)/2, the values at 0 and pi/2, and any root of Q that
//     is the cosine of a rational multiple of pi.
// For other angles (a non-zero rational offset) rationality is not known to be decidable; they
// return std::nullopt.
std::optional<Rational> exact_moment_value(const Prepared& pr, const Theta& theta);

}  // namespace relumix
