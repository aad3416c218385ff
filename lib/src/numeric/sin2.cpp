// X = ln sin^2 theta and back (numeric/sin2.hpp).
#include "relumix/numeric/sin2.hpp"

#include <cmath>
#include <limits>
#include <numbers>

namespace relumix {

double theta_of_x(double x) {
  if (std::isnan(x)) return x;
  if (x == -std::numeric_limits<double>::infinity()) return 0.0;
  if (x >= 0) return std::numbers::pi / 2;
  const double s = std::exp(0.5 * x);
  if (s < 0.7) return std::asin(s);
  return std::acos(std::sqrt(-std::expm1(x)));  // cos^2 = 1 - sin^2, accurate near pi/2
}

}  // namespace relumix
