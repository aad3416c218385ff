// The AVX-512 build of the Monte Carlo kernels (intrinsics for Philox, the category counts and the
// pair sums). Called only when cpu_has_avx512() (mc_kernel.cpp).
#define RELUMIX_MC_NS avx512
#define RELUMIX_MC_NAME "avx512"
#define RELUMIX_MC_AVX512 1
#define RELUMIX_MC_AVX2 0
#include "mc/mc_kernel_impl.hpp"
