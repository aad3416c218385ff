#pragma once
// The large-depth constant C(theta0) of the infinite-width map, proven (theory 4.1, "The constant
// C(theta0), proven"): 1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + o(1), theta^{l+1} = f(theta^l).
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

#include <vector>

namespace relumix {

// `steps` iterations of f in interval arithmetic at `bits` until theta <= 1/stop (none when
// theta0 <= 1/stop; stop in 20..10000, 100 gives the tail bound below), then the tail of the conjugating series bounded by `tail_bound` (about 1e-30):
// C encloses C(theta0), about 2 tail_bound wide. theta0 in (0, pi] (InputError otherwise).
struct DepthConstant {
  Interval C;
  long steps = 0;
  double tail_bound = 0;
};
DepthConstant depth_constant(const Theta& theta0, mpfr_prec_t bits = 192, long stop = 0);
// The same for phi_alpha (activation_map.hpp), 1/theta^l = a l + (w/(2 pi)) ln l + C + o(1), a = w/(3 pi),
// w = (1 - alpha)^2/(1 + alpha^2) in (0, 2]. For w >= 1/5 as for ReLU (stop 0 means 100); for w < 1/5
// (theory 4.1, "Small w") with a disc bound that scales with w, stop 0 meaning 8 (about 24 pi/w steps).
// InputError for alpha = 1, for w so small that depth_constant_steps(w) > kMaxMapSeriesSteps (limits.hpp),
// for abs from theta0 = pi (theta^1 = 0) and for theta0 so close to pi that the first step would need
// over 64 bits times as many.
DepthConstant depth_constant(const Activation& act, const Theta& theta0, mpfr_prec_t bits = 192, long stop = 0);

// the most steps depth_constant takes for weight w (from theta0 = pi, to theta <= 1/stop with the default stop)
double depth_constant_steps(const Rational& w);
// the Taylor coefficients F_0 .. F_{n-1} of F = f/theta for phi_alpha, enclosed in interval arithmetic
// (the route depth_constant takes for w < 1/5; activation_map_series is the exact one)
std::vector<Interval> activation_f_over_theta_series(const Activation& act, std::size_t n, mpfr_prec_t bits);

// map-series --theta0 prints C(theta0) to this many significant digits (the enclosure is ~1e-30 wide)
constexpr int kMapSeriesCDigits = 20;
// below this map weight w (alpha > 1/2) depth_constant uses the small-w route (theory 4.1, "Small w")
inline const Rational kMinLargeMapWeight{1, 5};
// its default stop: iterate to theta <= 1/8
constexpr long kSmallWeightStop = 8;

}  // namespace relumix
