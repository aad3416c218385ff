#pragma once
// The vectorized double path of the one-layer law at order 1 (SPEC section 4): mu(theta, n) and
// sigma^2(theta, n) for eight angles at a time (four with AVX2), in double-double arithmetic, rounded once. The
// kernels are compiled with the moment kernels (moments/moment_kernel_<isa>.cpp include
// angle/angle_kernel_body.hpp after the moment body) and share their angle reduction.
//
// The method, with a = J11, b = J22, c = J31 from the moment kernel (double-double), e = 4b/(n-1),
// D = 1 - 4a^2, x = 1/(1 + e), y = 1/D, w = 4a^2 + e, k' = K - (1 + b) = 4a^2 (1 + 2b - 2a^2) - 8ac:
//   mu      = log1p(-4a^2) - log1p(e) - 4n/(n-1)^2 [(1 + b) w x y (x + y) + k' y^2]
//   sigma^2 = 8n/(n-1)^2 x y [(1 + b) w^2 x y + k' w y + 8 a^2 (b - a^2)]
// (the paper's forms rearranged so that nothing cancels near pi, where every part vanishes like a
// power of pi - theta); below theta = small, where D ~ theta^2 makes K/D^2 and L/D cancel, the
// exact theta-series of K/D^2, L/D and ln(D / sin^2 theta) (Q[1/pi] coefficients rounded to
// double-double) with
//   mu      = 2 ln sin theta + ln(D / sin^2 theta) - log1p(e) + 4n/(n-1)^2 [(1 + b) x^2 - K/D^2]
//   sigma^2 = 8n/(n-1)^2 [(1 + b) x^2 + K/D^2 - 2 x L/D].
// Logarithms in double-double from a table of ln(1 + j/128) and the series of log1p.
// Angles the moment kernel flags, and theta outside (0, pi] or subnormal, are flagged.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "moments/double_kernel.hpp"

namespace relumix {

constexpr int kLogTableSize = 129;
struct LogTable {
  // 1/(1 + j/128) and ln(1 + j/128) as double-doubles; ln 2
  double inv_hi[kLogTableSize], inv_lo[kLogTableSize], log_hi[kLogTableSize], log_lo[kLogTableSize];
  double ln2_hi = 0, ln2_lo = 0;
};
const LogTable& log_table();

struct AngleForm {
  const DoubleForm *j11 = nullptr, *j22 = nullptr, *j31 = nullptr;
  const LogTable* log = nullptr;
  double small = 0;  // the theta-series below it
  // coefficients of theta^j (double-double) of K/D^2, L/D, ln(D / sin^2 theta)
  std::vector<double> kd2_hi, kd2_lo, ld_hi, ld_lo, lds_hi, lds_lo;
  // the width's constants as double-doubles: 4/(n-1), 4n/(n-1)^2, 8n/(n-1)^2
  double e_hi = 0, e_lo = 0, c4_hi = 0, c4_lo = 0, c8_hi = 0, c8_lo = 0;
};

// mu[i], s2[i] at x[i] for i < count; flag[i] = 1 where the kernel could not (see above).
using AngleKernel = void (*)(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag,
                             std::size_t count);
void angle_kernel_portable(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag,
                           std::size_t count);
void angle_kernel_avx2(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag,
                       std::size_t count);
void angle_kernel_avx512(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag,
                         std::size_t count);
AngleKernel best_angle_kernel();
// The form for width n (kept per thread for the last width asked for).
const AngleForm& angle_form(double n);

}  // namespace relumix
