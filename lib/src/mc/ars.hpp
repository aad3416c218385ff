#pragma once
// Internal (not installed): the counter-based generator of the Monte Carlo kernels, ARS-7
// (Salmon, Moraes, Dror and Shaw, SC'11; Random123's r123::ARS4x32, 7 rounds, bitwise: tested).
// A block of 4 32-bit words is AES with a Weyl key schedule: v = ctr ^ k, then six AES rounds and
// the last one (aesenc x 6, aesenclast), round key i = k + i * (0x9E3779B97F4A7C15,
// 0xBB67AE8584CAA73B) in 64-bit lanes; k = (k0, k1, 0, 0).
//
// Four implementations make the same bits, chosen once at run time (the fastest the CPU has):
// VAES on AVX-512 registers (four blocks per register, sixteen in flight), VAES on AVX2 registers
// (two per register, eight in flight), AES-NI (one per register, four in flight) and a
// table-driven software AES for CPUs without AES instructions.
#include <cstdint>

namespace relumix::mc_detail {

// The key (k0, k1) and its round keys k + i (kWeyl0, kWeyl1), i = 0..7 (4 words each), made once.
struct Key {
  std::uint32_t k0, k1;
  alignas(16) std::uint32_t rk[8][4];
  Key(std::uint32_t a, std::uint32_t b);
};

// Fills m calls j0 .. j0 + m - 1 of the stream with counter words (c0, c1) = (j mod 2^32,
// j / 2^32 + c1_base) and (c2, c3) into out0..out3 (SoA: outi[k] = word i of call j0 + k).
using ArsBatchFn = void (*)(const Key& key, std::uint64_t j0, std::uint32_t c1_base, std::uint32_t c2, std::uint32_t c3,
                            int m, std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2,
                            std::uint32_t* out3);

enum class ArsImpl { Software, AesNi, Vaes, Vaes512 };
bool ars_available(ArsImpl impl);  // the CPU has its instructions (software: always)
ArsBatchFn ars_function(ArsImpl impl);  // requires ars_available(impl)
const char* ars_name(ArsImpl impl);     // "software", "aes-ni", "vaes", "vaes-512"
// The implementation in use: the fastest available.
ArsImpl ars_impl();
inline void ars_batch(const Key& key, std::uint64_t j0, std::uint32_t c1_base, std::uint32_t c2, std::uint32_t c3, int m,
                      std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  static const ArsBatchFn f = ars_function(ars_impl());
  f(key, j0, c1_base, c2, c3, m, out0, out1, out2, out3);
}

}  // namespace relumix::mc_detail
