#pragma once
// The interval route: rigorous enclosures of J_{a,b}(theta) from a prepared closed form, with the
// working precision raised until the relative width reaches the request.
#include "moments/prepared.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// InputError unless theta lies in [0, pi].
void check_range(const Theta& th);
// InputError unless 1 <= digits <= 100000.
void check_digits(long digits);

// Enclosure with relative width about 2^-bits (range already checked).
Interval enclose(const Prepared& pr, const Theta& th, mpfr_prec_t bits);

}  // namespace relumix
