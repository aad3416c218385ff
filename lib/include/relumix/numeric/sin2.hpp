#pragma once
// X = ln sin^2 theta, the variable the angle decay is described in (docs/theory.md), and back: one
// conversion for the predictions and the Monte Carlo.

namespace relumix {

// theta in [0, pi/2] from X = ln sin^2 theta, accurate near 0 (asin of e^{X/2}) and near pi/2
// (acos of sqrt(-expm1(X)), no cancellation): X >= 0 gives pi/2, -inf gives 0, NaN stays NaN.
double theta_of_x(double x);

}  // namespace relumix
