// The double-path kernels of double_kernel.hpp and angle/angle_kernel.hpp for the avx2 instruction set.
// Compiled with -mavx2 -mfma (relumix_isa_source); called only when cpu_has_avx2().
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "angle/angle_kernel.hpp"
#include "moments/double_kernel.hpp"

namespace relumix {
namespace {
// four lanes (one ymm register each): eight-lane double-doubles would not fit AVX2's 16 registers
typedef double V __attribute__((vector_size(32)));
typedef long L __attribute__((vector_size(32)));
inline V vfma(V a, V b, V c) { return V(_mm256_fmadd_pd(__m256d(a), __m256d(b), __m256d(c))); }
inline V vgather(const double* t, L i) { return V(_mm256_i64gather_pd(t, __m256i(i), 8)); }
inline L vlt(V a, V b) { return L(_mm256_cmp_pd(__m256d(a), __m256d(b), _CMP_LT_OQ)); }
inline L vle(V a, V b) { return L(_mm256_cmp_pd(__m256d(a), __m256d(b), _CMP_LE_OQ)); }
inline L veq(V a, V b) { return L(_mm256_cmp_pd(__m256d(a), __m256d(b), _CMP_EQ_OQ)); }
#include "moments/double_kernel_body.hpp"
#include "angle/angle_kernel_body.hpp"
}  // namespace

void moment_kernel_avx2(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  run(f, x, out, flag, count);
}

void angle_kernel_avx2(const AngleForm& f, const double* x, double* mu, double* s2, std::uint8_t* flag, std::size_t count) {
  run_angle(f, x, mu, s2, flag, count);
}

}  // namespace relumix
