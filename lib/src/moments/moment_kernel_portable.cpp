// The double-path kernels of double_kernel.hpp and angle/angle_kernel.hpp for the portable instruction set.
// Built for the baseline ISA (lib/CMakeLists.txt overrides -march for this file): GCC splits the
// 8-lane vectors into what the target has; fma is the correctly rounded library function.
#include <cmath>

#include <algorithm>
#include <cmath>

#include "angle/angle_kernel.hpp"
#include "moments/double_kernel.hpp"

namespace relumix {
namespace {
typedef double V __attribute__((vector_size(64)));
typedef long L __attribute__((vector_size(64)));
inline V vfma(V a, V b, V c) {
  V r;
  for (int i = 0; i < 8; ++i) r[i] = std::fma(a[i], b[i], c[i]);
  return r;
}
inline V vgather(const double* t, L i) {
  V r;
  for (int k = 0; k < 8; ++k) r[k] = t[i[k]];
  return r;
}
inline L vlt(V a, V b) {
  L r;
  for (int i = 0; i < 8; ++i) r[i] = a[i] < b[i] ? -1 : 0;
  return r;
}
inline L vle(V a, V b) {
  L r;
  for (int i = 0; i < 8; ++i) r[i] = a[i] <= b[i] ? -1 : 0;
  return r;
}
inline L veq(V a, V b) {
  L r;
  for (int i = 0; i < 8; ++i) r[i] = a[i] == b[i] ? -1 : 0;
  return r;
}
#include "moments/double_kernel_body.hpp"
#include "angle/angle_kernel_body.hpp"
}  // namespace

void moment_kernel_portable(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  run(f, x, out, flag, count);
}

void angle_kernel_portable(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag, std::size_t count) {
  run_angle(f, x, mu, s2, flag, count);
}

}  // namespace relumix
