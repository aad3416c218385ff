#pragma once
// Helpers shared by the unit tests.
#include <cmath>
#include <random>

#include "relumix/numeric/theta.hpp"

namespace relumix::test {

// A random rational angle in [lo, hi] with 12 decimals (its text the reduced fraction).
inline Theta random_theta(std::mt19937_64& g, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Theta t;
  t.offset = Rational(Integer(std::llround(u(g) * 1e12)), Integer(1000000000000LL));
  t.text = to_string(t.offset);
  return t;
}

}  // namespace relumix::test
