#pragma once
// The exact theta-series at 0 of the parts of the one-layer law (SPEC section 4), shared by
// decay_series and the double path's small-angle branch. Private to the library.
#include "relumix/exact/series.hpp"

namespace relumix {

struct SeriesParts {
  Series J11, J22, J31, D, K, L, logDs;  // logDs = ln(D / sin^2 theta)
};
// every part to theta^(order + 5) at least
SeriesParts series_parts(unsigned order);
// the coefficients of theta^0..theta^order (std::logic_error if a pole survived or precision was lost)
std::vector<QPi> series_coeffs(const Series& s, unsigned order, const char* what);

}  // namespace relumix
