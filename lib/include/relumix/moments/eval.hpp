#pragma once
// Numerical values of the mixed moments J_{a,b}(theta) (SPEC sections 2-3):
//   - rigorous enclosures (interval arithmetic over MPFI) and certified decimal strings,
//   - an MPFR (Boost.Multiprecision) API,
//   - a fast double-precision path for the Monte Carlo cross-checks.
//
// All routes evaluate the exact closed form of moments.hpp (fetched once per (a, b) and
// prepared once: integer coefficients, and the polynomials re-expanded in u = 1 + rho for
// angles past 2pi/3, where rho is close to -1). Angles past pi/2 are handled through the
// exact supplement phi = pi - theta = (1 - pi_coeff) pi - offset, with rho = -cos(phi),
// u = 2 sin^2(phi/2) and sin(theta) = sin(phi), so that theta = pi - 1e-20 loses nothing
// to the representation of theta. The remaining cancellation near theta = pi,
// (pi - theta) P + sin(theta) Q = O(phi^(a+b+1)) for a+b even, is absorbed by raising the
// working precision (predicted a priori, then measured); for a+b odd the u-form is free of
// cancellation. Exactly known values are returned exactly: J(pi) = 0, J(0) = m_{a+b} and
// J(pi/2) = m_a m_b when these are rational (dyadic).
#include <boost/multiprecision/mpfr.hpp>
#include <span>
#include <string>
#include <vector>

#include "relumix/numeric/interval.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/numeric/theta.hpp"

namespace relumix {

// A rigorous enclosure of J_{a,b}(theta) whose relative width is about 2^-bits (the
// working precision is raised internally as needed). theta must lie in [0, pi]
// (InputError otherwise). At theta = pi the result is the point 0.
Interval moment_enclosure(const ClosedForm& cf, const Theta& theta, mpfr_prec_t bits);

// J_{a,b}(theta) to `digits` correct significant digits (correctly rounded; "0" at theta = pi),
// formatted as by format_decimal() in certify.hpp. InputError for digits outside 1..100000,
// theta outside [0, pi] or a + b > kMaxMomentOrder.
std::string moment_value(unsigned a, unsigned b, const Theta& theta, int digits);

// The same for many angles: the closed form is fetched and prepared once. Runs on up to
// `threads` threads (0: std::thread::hardware_concurrency()); results in input order.
std::vector<std::string> moment_values(unsigned a, unsigned b, const std::vector<Theta>& thetas, int digits,
                                       unsigned threads = 0);

// J_{a,b}(theta) at an exact binary angle theta in [0, pi], with relative error below
// 10^-digits10 (the result has precision digits10 + a few guard digits; it is the midpoint of a
// certified enclosure). InputError for theta outside [0, pi] or digits10 outside 1..100000.
boost::multiprecision::mpfr_float moment_mpfr(unsigned a, unsigned b, const boost::multiprecision::mpfr_float& theta,
                                              unsigned digits10);

// Fast double path, theta in [0, pi] (an exact double). The result is within 1 ulp of J (tests
// check <= 1 ulp on random and hard angles against the certified values), near theta = 0 and
// theta = pi included. Method: double-double arithmetic, vectorized eight angles at a time
// (AVX-512 or AVX2 where the CPU has them, chosen at run time; a portable build otherwise, with
// the same bits): the closed form in u = 1 + cos(theta) where it cancels by less than 2^30, the
// series at pi (in (pi - theta)^2) closer to pi, and the certified route (a 64-bit enclosure,
// slower) for what remains: a+b above ~150 (coefficients beyond the double range), results below
// 1e-289. Throws InputError for theta outside [0, pi] or NaN.
double moment_double(unsigned a, unsigned b, double theta);

// Arrays of angles (at or above kParallelDoubleMin of them, on up to `threads` threads; 0: all
// cores): out[i] = J_{a,b}(theta[i]), the same bits as the one-angle call. theta and out must have
// the same length (they may be the same array). InputError naming the first bad angle.
constexpr std::size_t kParallelDoubleMin = 65536;
void moment_double(unsigned a, unsigned b, std::span<const double> theta, std::span<double> out, unsigned threads = 0);

// Reusable evaluator for one (a, b): avoids the per-call cache look-up of moment_double.
class MomentDouble {
 public:
  MomentDouble(unsigned a, unsigned b);
  double operator()(double theta) const;
  void operator()(std::span<const double> theta, std::span<double> out, unsigned threads = 0) const;
  unsigned a() const { return a_; }
  unsigned b() const { return b_; }
  struct Impl;

 private:
  unsigned a_, b_;
  const Impl* impl_;  // owned by a process-wide cache
};

}  // namespace relumix
