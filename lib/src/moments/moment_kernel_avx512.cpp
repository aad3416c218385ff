// The double-path kernels of double_kernel.hpp and angle/angle_kernel.hpp for the avx512 instruction set.
// Compiled with -mavx512f -mavx512dq ... (relumix_isa_source); called only when cpu_has_avx512().
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "angle/angle_kernel.hpp"
#include "moments/double_kernel.hpp"

namespace relumix {
namespace {
typedef double V __attribute__((vector_size(64)));
typedef long L __attribute__((vector_size(64)));
inline V vfma(V a, V b, V c) { return V(_mm512_fmadd_pd(__m512d(a), __m512d(b), __m512d(c))); }
inline V vgather(const double* t, L i) { return V(_mm512_mask_i64gather_pd(_mm512_setzero_pd(), 0xFF, __m512i(i), t, 8)); }
inline L vlt(V a, V b) { return a < b; }
inline L vle(V a, V b) { return a <= b; }
inline L veq(V a, V b) { return a == b; }
#include "moments/double_kernel_body.hpp"
#include "angle/angle_kernel_body.hpp"
}  // namespace

void moment_kernel_avx512(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  run(f, x, out, flag, count);
}

void angle_kernel_avx512(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag, std::size_t count) {
  run_angle(f, x, mu, s2, flag, count);
}

}  // namespace relumix
