// The double-path kernel of double_kernel.hpp for the avx2 instruction set.
// Compiled with -mavx2 -mfma (relumix_isa_source); called only when cpu_has_avx2().
#include <immintrin.h>

#include <algorithm>
#include <cmath>

#include "moments/double_kernel.hpp"

namespace relumix {
namespace {
typedef double V __attribute__((vector_size(64)));
typedef long L __attribute__((vector_size(64)));


union VU {
  V v;
  __m256d h[2];
};
union LU {
  L v;
  __m256i h[2];
};
inline V vfma(V a, V b, V c) {
  VU x{a}, y{b}, z{c}, r;
  r.h[0] = _mm256_fmadd_pd(x.h[0], y.h[0], z.h[0]);
  r.h[1] = _mm256_fmadd_pd(x.h[1], y.h[1], z.h[1]);
  return r.v;
}
inline V vgather(const double* t, L i) {
  LU k{i};
  VU r;
  __m256d z = _mm256_setzero_pd(), all = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
  r.h[0] = _mm256_mask_i64gather_pd(z, t, k.h[0], all, 8);
  r.h[1] = _mm256_mask_i64gather_pd(z, t, k.h[1], all, 8);
  return r.v;
}
#include "moments/double_kernel_body.hpp"
}  // namespace

void moment_kernel_avx2(const DoubleForm& f, const double* x, double* out, std::uint8_t* flag, std::size_t count) {
  run(f, x, out, flag, count);
}

}  // namespace relumix
