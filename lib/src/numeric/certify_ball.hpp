#pragma once
// Certification of a quantity enclosed by Arb balls (the library's hot paths: no conversion to
// MPFI on the way). Same rules and options as certify() in relumix/numeric/certify.hpp.
#include <functional>

#include "numeric/arb.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

// f(bits, out) sets out to a ball holding the quantity, with relative accuracy about 2^-bits.
using BallEnclosure = std::function<void(slong bits, arb_t out)>;
Certified certify_ball(const BallEnclosure& f, const CertifyOptions& opt);

}  // namespace relumix
