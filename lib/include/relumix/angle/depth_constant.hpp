#pragma once
// The large-depth constant C(theta0) of the infinite-width map, proven (theory 4.1, "The constant
// C(theta0), proven"): 1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + o(1), theta^{l+1} = f(theta^l).
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// `steps` iterations of f in interval arithmetic at `bits` until theta <= 1/stop (none when
// theta0 <= 1/stop; stop in 20..10000, 100 gives the tail bound below), then the tail of the conjugating series bounded by `tail_bound` (about 1e-30):
// C encloses C(theta0), about 2 tail_bound wide. theta0 in (0, pi] (InputError otherwise).
struct DepthConstant {
  Interval C;
  long steps = 0;
  double tail_bound = 0;
};
DepthConstant depth_constant(const Theta& theta0, mpfr_prec_t bits = 192, long stop = 100);
// The same for phi_alpha (activation_map.hpp), 1/theta^l = a l + (w/(2 pi)) ln l + C + o(1), a = w/(3 pi),
// for w = (1 - alpha)^2/(1 + alpha^2) >= 1/5 (alpha <= 1/2; below, the steps to theta <= 1/100 grow
// like 300 pi/w and the disc bound leaves no room): InputError otherwise, for abs from theta0 = pi
// (theta^1 = 0) and for theta0 so close to pi that the first step would need over 64 bits times as many.
DepthConstant depth_constant(const Activation& act, const Theta& theta0, mpfr_prec_t bits = 192, long stop = 100);

// map-series --theta0 prints C(theta0) to this many significant digits (the enclosure is ~1e-30 wide)
constexpr int kMapSeriesCDigits = 20;
// the smallest map weight w for which depth_constant proves C (1/5: alpha <= 1/2)
inline const Rational kMinProvenMapWeight{1, 5};

}  // namespace relumix
