#pragma once
// The vectorized double path of J_{a,b}(theta) (eight angles at a time, four with AVX2): the data it needs for one
// (a, b), and the kernels, one per instruction set (moment_kernel_*.cpp: AVX-512, AVX2, and the
// portable baseline), chosen at run time (core/cpu.hpp). All three perform the same operations in
// the same order (explicit fused multiply-adds, no contraction), so they return the same bits.
//
// The method (double-double arithmetic, about 2^-100 relative on the inputs):
//   - phi = pi - theta exactly to double-double (pi in three parts), then t in [0, pi/4] (theta,
//     |theta - pi/2| or phi); sin t and 1 - cos t from a table at multiples of 1/256 and short
//     Taylor series; from them sin(theta) and u = 1 + cos(theta) without cancellation;
//   - the closed form in u (P_u, Q_u or R_u, double-double Horner), where it cancels by less than
//     2^kMaxCancelLog2 (checked per angle from the sum of the absolute values of the terms);
//   - near pi (phi < phi_s), where (pi - theta) P + sin(theta) Q cancels like phi^(a+b), the series
//     at pi (near_pi.hpp) in phi^2, times phi^(a+b+1);
//   - angles the kernel cannot do to 2^-62 (a larger cancellation, a result below 2^-960 or not
//     finite, theta outside [0, pi]) are flagged; the caller computes them by the certified route.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace relumix {

constexpr int kMaxCancelLog2 = 30;

struct DoubleForm {
  bool even = true;
  unsigned n = 0;          // a + b
  bool usable = false;     // the coefficients fit in double (else every angle is flagged)
  // closed form in u = 1 + cos(theta): P_u, Q_u (even) or R_u (odd, in P); coefficient k
  std::vector<double> p_hi, p_lo, p_abs, q_hi, q_lo, q_abs;
  // the series at pi in y = phi^2, with 1/pi (even) or 1/sqrt(2 pi) (odd) folded in
  std::vector<double> s_hi, s_lo;
  double phi_s = 0;        // the series below phi_s
  double series_bits = 0;  // terms needed at phi: series_bits / (2 log2(1/phi)) (at most s_hi.size())
  double at_zero = 0;      // J(0) when exact (even), else NaN
  // 1 / (2 pi) and 1 / sqrt(2 pi) as double-doubles
  double inv_2pi_hi = 0, inv_2pi_lo = 0, inv_sqrt_2pi_hi = 0, inv_sqrt_2pi_lo = 0;
};

// out[i] = J(x[i]) for i < count; flag[i] = 1 where the kernel could not (see above), else 0.
using DoubleKernel = void (*)(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count);
void moment_kernel_portable(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count);
void moment_kernel_avx2(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count);
void moment_kernel_avx512(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count);

// The fastest kernel this CPU runs.
DoubleKernel best_double_kernel();

// The sine table: sin, cos and 1 - cos of j/256, j = 0..kSinTableSize-1, as double-doubles.
constexpr int kSinTableSize = 208;
struct SinTable {
  double s_hi[kSinTableSize], s_lo[kSinTableSize], c_hi[kSinTableSize], c_lo[kSinTableSize],
      v_hi[kSinTableSize], v_lo[kSinTableSize];
};
const SinTable& sin_table();

}  // namespace relumix
