#pragma once
// Double factorials, Bessel numbers and related counting functions.
#include <vector>

#include "relumix/exact/rational.hpp"

namespace relumix {

// T(n, j) = n! / (2^j j! (n-2j)!), the number of j-matchings of K_n (OEIS A100861).
Integer bessel_number(unsigned n, unsigned j);
// T(n, j) for j = 0..floor(n/2).
std::vector<Integer> bessel_row(unsigned n);

}  // namespace relumix
