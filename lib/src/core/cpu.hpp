#pragma once
// Run-time CPU feature checks for the library's SIMD kernels. The library itself is built for the
// baseline ISA (it is installed and may move to other machines); a kernel that needs AVX2 or
// AVX-512 lives in its own source file, compiled for that ISA (CMake: relumix_isa_source), and is
// called only when the running CPU has it:
//
//   if (cpu_has_avx512()) return kernel_avx512(...);   // defined in foo_avx512.cpp
//   return kernel_portable(...);
namespace relumix {

inline bool cpu_has_avx2() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
#else
  return false;
#endif
}

// AES-NI (with SSE4.1), and VAES (AES on AVX2 registers, with AVX2): the Monte Carlo's generator.
inline bool cpu_has_aes() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool v = __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
  return v;
#else
  return false;
#endif
}
inline bool cpu_has_vaes() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool v = cpu_has_aes() && __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx2");
  return v;
#else
  return false;
#endif
}

// AVX-512 F, DQ, BW, VL (Skylake-SP and later).
inline bool cpu_has_avx512() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool v = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
  return v;
#else
  return false;
#endif
}

}  // namespace relumix
