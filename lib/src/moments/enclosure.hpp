#pragma once
// The certified route: J_{a,b}(theta) as an Arb ball from a prepared closed form (or, near pi,
// from the series at pi), with the working precision chosen from the predicted cancellation and
// raised until the relative accuracy reaches the request.
#include "moments/prepared.hpp"
#include "relumix/numeric/interval.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// InputError unless theta lies in [0, pi].
void check_range(const Theta& th);
// InputError unless 1 <= digits <= 100000.
void check_digits(long digits);

// sin and cos of psi = (pi - theta) / 2, from which the closed form takes sin(theta) = 2 h k,
// cos(theta) = 1 - 2 k^2 and 1 + cos(theta) = 2 h^2 without cancellation.
struct HalfAngle {
  Ball h, k;
};

// The half angles of a sequence of angles (a grid): where consecutive angles differ by the same
// step, each is the previous one rotated by half the step (four multiplications instead of a
// sine and cosine); every 64 angles, and where the step changes, they are computed afresh.
// Balls at working precision `prec`.
class HalfAngleSteps {
 public:
  explicit HalfAngleSteps(slong prec) : prec_(prec) {}
  const HalfAngle& next(const Theta& th);

 private:
  void direct(const Fmpq& c, const Fmpq& off);
  slong prec_;
  HalfAngle ha_;
  Fmpq c_, off_, dc_, doff_;  // the last angle (c pi + off) and the step
  Ball sd_, cd_;              // sin and cos of half the step
  int since_direct_ = -1;     // -1: no angle yet
  bool have_step_ = false;
};

// A ball holding J with relative accuracy >= bits (a point when the value is exactly known:
// 0 at pi, the dyadic values at 0 and pi/2). theta must lie in [0, pi] (checked by the caller).
// hint: the half angle of theta, used where its accuracy suffices.
void enclose_ball(arb_t out, const Prepared& pr, const Theta& th, slong bits, const HalfAngle* hint = nullptr);

// The same as an MPFI interval.
Interval enclose(const Prepared& pr, const Theta& th, mpfr_prec_t bits);

}  // namespace relumix
