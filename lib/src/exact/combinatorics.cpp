#include "relumix/exact/combinatorics.hpp"

namespace relumix {

Integer bessel_number(unsigned n, unsigned j) {
  if (2 * j > n) return 0;
  // n! / (2^j j! (n-2j)!) = C(n, 2j) (2j-1)!!
  return binomial(n, 2 * j) * double_factorial(int(2 * j) - 1);
}

std::vector<Integer> bessel_row(unsigned n) {
  std::vector<Integer> row;
  for (unsigned j = 0; 2 * j <= n; ++j) row.push_back(bessel_number(n, j));
  return row;
}

}  // namespace relumix
