// The AVX2 build of the Monte Carlo kernels: the portable build vectorized with AVX2 intrinsics
// (Philox, the category counts, the pair sums), the same operations in the same order, so the same
// bits (family "portable"). Called only when cpu_has_avx2() (mc_kernel.cpp).
#define RELUMIX_MC_NS avx2
#define RELUMIX_MC_NAME "avx2"
#define RELUMIX_MC_AVX512 0
#define RELUMIX_MC_AVX2 1
#include "mc/mc_kernel_impl.hpp"
