#pragma once
// The double-path form of a prepared closed form (Prepared::double_form() keeps one per (a, b)).
#include <memory>

#include "moments/double_kernel.hpp"
#include "moments/prepared.hpp"

namespace relumix {

std::unique_ptr<DoubleForm> make_double_form(const Prepared& pr);

}  // namespace relumix
