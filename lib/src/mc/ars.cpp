// ARS-7 in four implementations with the same bits (see ars.hpp). The library is compiled for the
// baseline ISA; the AES-NI and VAES functions carry target attributes and run only when
// cpu_has_aes() / cpu_has_vaes() says the CPU has the instructions.
#include "mc/ars.hpp"

#include <array>

#include "core/cpu.hpp"
#include "relumix/core/error.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
// g++ 12 warns about the _mm512_undefined_* placeholders inside its own AVX-512 intrinsics
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define RELUMIX_ARS_X86 1
#else
#define RELUMIX_ARS_X86 0
#endif

namespace relumix::mc_detail {

namespace {
constexpr int kRounds = 7;  // Random123's default for ARS
static_assert(kRounds + 1 == sizeof(Key::rk) / sizeof(Key::rk[0]), "Key holds the round keys of ARS-7");
constexpr std::uint64_t kWeyl0 = 0x9E3779B97F4A7C15u, kWeyl1 = 0xBB67AE8584CAA73Bu;

// ---- software AES (FIPS-197): the S-box from the inverse in GF(2^8) and the affine map, and the
// four round tables T_r[x] = rotl(T_0[x], 8 r), T_0[x] = (2 S(x), S(x), S(x), 3 S(x)) (bytes 0..3)
constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t p = 0;
  for (int i = 0; i < 8; ++i) {
    if (b & 1) p ^= a;
    const bool hi = a & 0x80;
    a = std::uint8_t(a << 1);
    if (hi) a ^= 0x1B;
    b >>= 1;
  }
  return p;
}
constexpr std::uint8_t rotl8(std::uint8_t x, int s) { return std::uint8_t((x << s) | (x >> (8 - s))); }
constexpr std::array<std::uint8_t, 256> make_sbox() {
  std::array<std::uint8_t, 256> s{};
  for (int x = 0; x < 256; ++x) {
    // the inverse x^254 (x^255 = 1 for x != 0; 0 for x = 0) by square-and-multiply
    std::uint8_t inv = 1, sq = std::uint8_t(x);
    for (int e = 254; e > 0; e >>= 1) {
      if (e & 1) inv = gf_mul(inv, sq);
      sq = gf_mul(sq, sq);
    }
    s[x] = std::uint8_t(inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63);
  }
  return s;
}
constexpr std::array<std::uint8_t, 256> kSbox = make_sbox();
static_assert(kSbox[0] == 0x63 && kSbox[1] == 0x7C && kSbox[0x53] == 0xED, "FIPS-197 S-box");
constexpr std::array<std::uint32_t, 256> make_t0() {
  std::array<std::uint32_t, 256> t{};
  for (int x = 0; x < 256; ++x) {
    const std::uint32_t s = kSbox[x];
    t[x] = std::uint32_t(gf_mul(std::uint8_t(s), 2)) | s << 8 | s << 16 | std::uint32_t(gf_mul(std::uint8_t(s), 3)) << 24;
  }
  return t;
}
constexpr std::array<std::uint32_t, 256> kT0 = make_t0();
constexpr std::uint32_t rotl32(std::uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

// One AES round on columns c[0..3] (word j: bytes rows 0..3 of column j); last: no MixColumns.
inline void aes_round(std::uint32_t c[4], const std::uint32_t rk[4], bool last) {
  std::uint32_t o[4];
  for (int j = 0; j < 4; ++j) {
    const std::uint8_t b0 = std::uint8_t(c[j]), b1 = std::uint8_t(c[(j + 1) & 3] >> 8),
                       b2 = std::uint8_t(c[(j + 2) & 3] >> 16), b3 = std::uint8_t(c[(j + 3) & 3] >> 24);
    if (last)
      o[j] = std::uint32_t(kSbox[b0]) | std::uint32_t(kSbox[b1]) << 8 | std::uint32_t(kSbox[b2]) << 16 |
             std::uint32_t(kSbox[b3]) << 24;
    else
      o[j] = kT0[b0] ^ rotl32(kT0[b1], 8) ^ rotl32(kT0[b2], 16) ^ rotl32(kT0[b3], 24);
  }
  for (int j = 0; j < 4; ++j) c[j] = o[j] ^ rk[j];
}

inline void counter(std::uint64_t j, std::uint32_t c1_base, std::uint32_t c[4], std::uint32_t c2, std::uint32_t c3) {
  c[0] = std::uint32_t(j);
  c[1] = std::uint32_t(j >> 32) + c1_base;
  c[2] = c2;
  c[3] = c3;
}

void ars_software(const Key& key, std::uint64_t j0, std::uint32_t c1_base, std::uint32_t c2, std::uint32_t c3, int m,
                  std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  const auto& rk = key.rk;
  for (int k = 0; k < m; ++k) {
    std::uint32_t c[4];
    counter(j0 + std::uint64_t(k), c1_base, c, c2, c3);
    for (int i = 0; i < 4; ++i) c[i] ^= rk[0][i];
    for (int r = 1; r <= kRounds; ++r) aes_round(c, rk[r], r == kRounds);
    out0[k] = c[0];
    out1[k] = c[1];
    out2[k] = c[2];
    out3[k] = c[3];
  }
}

#if RELUMIX_ARS_X86
// Round key i as a register (every implementation uses the one schedule, Key::rk).
inline __m128i round_key(const Key& key, int i) { return _mm_load_si128(reinterpret_cast<const __m128i*>(key.rk[i])); }

// AES-NI: four blocks in flight (aesenc's latency is four times its throughput).
__attribute__((target("sse4.1,aes"))) void ars_aesni(const Key& key, std::uint64_t j0, std::uint32_t c1_base,
                                                     std::uint32_t c2, std::uint32_t c3, int m, std::uint32_t* out0,
                                                     std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  __m128i rk[kRounds + 1];
  for (int i = 0; i <= kRounds; ++i) rk[i] = round_key(key, i);
  constexpr int V = 4;
  for (int k = 0; k < m; k += V) {
    __m128i v[V];
    for (int q = 0; q < V; ++q) {
      std::uint32_t c[4];
      counter(j0 + std::uint64_t(k + q), c1_base, c, c2, c3);
      v[q] = _mm_xor_si128(_mm_set_epi32(int(c[3]), int(c[2]), int(c[1]), int(c[0])), rk[0]);
    }
    for (int r = 1; r < kRounds; ++r)
      for (int q = 0; q < V; ++q) v[q] = _mm_aesenc_si128(v[q], rk[r]);
    for (int q = 0; q < V && k + q < m; ++q) {
      const __m128i o = _mm_aesenclast_si128(v[q], rk[kRounds]);
      out0[k + q] = std::uint32_t(_mm_cvtsi128_si32(o));
      out1[k + q] = std::uint32_t(_mm_extract_epi32(o, 1));
      out2[k + q] = std::uint32_t(_mm_extract_epi32(o, 2));
      out3[k + q] = std::uint32_t(_mm_extract_epi32(o, 3));
    }
  }
}

// VAES: two blocks per register, four registers (eight blocks) in flight, the counters by vector
// adds and the results put in SoA order by a 4 x 8 transpose. A batch whose low counter word
// would wrap goes to ars_aesni (which carries into word 1).
__attribute__((target("avx2,aes,vaes"))) void ars_vaes(const Key& key, std::uint64_t j0, std::uint32_t c1_base,
                                                       std::uint32_t c2, std::uint32_t c3, int m, std::uint32_t* out0,
                                                       std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  const std::uint32_t lo0 = std::uint32_t(j0);
  if (std::uint64_t(lo0) + std::uint64_t(m + 7) > (std::uint64_t(1) << 32)) {
    ars_aesni(key, j0, c1_base, c2, c3, m, out0, out1, out2, out3);
    return;
  }
  __m256i rk[kRounds + 1];
  for (int i = 0; i <= kRounds; ++i) rk[i] = _mm256_broadcastsi128_si256(round_key(key, i));
  const std::uint32_t hi = std::uint32_t(j0 >> 32) + c1_base;
  const __m256i base = _mm256_setr_epi32(int(lo0), int(hi), int(c2), int(c3), int(lo0 + 1), int(hi), int(c2), int(c3));
  const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  constexpr int V = 4;
  for (int k = 0; k < m; k += 2 * V) {
    __m256i v[V];
#pragma GCC unroll 4
    for (int q = 0; q < V; ++q) {
      const int step = k + 2 * q;
      v[q] = _mm256_xor_si256(_mm256_add_epi32(base, _mm256_setr_epi32(step, 0, 0, 0, step, 0, 0, 0)), rk[0]);
    }
#pragma GCC unroll 8
    for (int r = 1; r < kRounds; ++r)
#pragma GCC unroll 4
      for (int q = 0; q < V; ++q) v[q] = _mm256_aesenc_epi128(v[q], rk[r]);
#pragma GCC unroll 4
    for (int q = 0; q < V; ++q) v[q] = _mm256_aesenclast_epi128(v[q], rk[kRounds]);
    // v[q] = (block 2q | block 2q + 1); transpose to word-major, blocks 0, 2, 4, 6, 1, 3, 5, 7
    const __m256i t0 = _mm256_unpacklo_epi32(v[0], v[1]), t1 = _mm256_unpackhi_epi32(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(v[2], v[3]), t3 = _mm256_unpackhi_epi32(v[2], v[3]);
    __m256i w[4] = {_mm256_unpacklo_epi64(t0, t2), _mm256_unpackhi_epi64(t0, t2), _mm256_unpacklo_epi64(t1, t3),
                    _mm256_unpackhi_epi64(t1, t3)};
    std::uint32_t* out[4] = {out0, out1, out2, out3};
    if (m - k >= 8) {
      for (int i = 0; i < 4; ++i)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[i] + k), _mm256_permutevar8x32_epi32(w[i], perm));
    } else {
      alignas(32) std::uint32_t tmp[8];
      for (int i = 0; i < 4; ++i) {
        _mm256_store_si256(reinterpret_cast<__m256i*>(tmp), _mm256_permutevar8x32_epi32(w[i], perm));
        for (int l = 0; l < m - k; ++l) out[i][k + l] = tmp[l];
      }
    }
  }
}

// VAES on AVX-512 registers: four blocks per register, four registers (16 blocks) in flight; the
// transpose as in ars_vaes, one 16-lane permute per word at the end.
__attribute__((target("avx512f,avx512bw,avx2,aes,vaes"))) void ars_vaes512(
    const Key& key, std::uint64_t j0, std::uint32_t c1_base, std::uint32_t c2, std::uint32_t c3, int m, std::uint32_t* out0,
    std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  const std::uint32_t lo0 = std::uint32_t(j0);
  if (std::uint64_t(lo0) + std::uint64_t(m + 15) > (std::uint64_t(1) << 32)) {
    ars_aesni(key, j0, c1_base, c2, c3, m, out0, out1, out2, out3);
    return;
  }
  __m512i rk[kRounds + 1];
  for (int i = 0; i <= kRounds; ++i) rk[i] = _mm512_broadcast_i32x4(round_key(key, i));
  const std::uint32_t hi = std::uint32_t(j0 >> 32) + c1_base;
  const __m512i base = _mm512_add_epi32(_mm512_broadcast_i32x4(_mm_setr_epi32(int(lo0), int(hi), int(c2), int(c3))),
                                        _mm512_setr_epi32(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
  const __m512i perm = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  constexpr int V = 4;
  std::uint32_t* out[4] = {out0, out1, out2, out3};
  for (int k = 0; k < m; k += 4 * V) {
    __m512i v[V];
#pragma GCC unroll 4
    for (int q = 0; q < V; ++q)
      v[q] = _mm512_xor_si512(_mm512_add_epi32(base, _mm512_maskz_set1_epi32(0x1111, k + 4 * q)), rk[0]);
#pragma GCC unroll 8
    for (int r = 1; r < kRounds; ++r)
#pragma GCC unroll 4
      for (int q = 0; q < V; ++q) v[q] = _mm512_aesenc_epi128(v[q], rk[r]);
#pragma GCC unroll 4
    for (int q = 0; q < V; ++q) v[q] = _mm512_aesenclast_epi128(v[q], rk[kRounds]);
    // v[q] = blocks 4q .. 4q + 3 (one per 128-bit lane): word-major, blocks L + 4 p at 4 L + p
    const __m512i t0 = _mm512_unpacklo_epi32(v[0], v[1]), t1 = _mm512_unpackhi_epi32(v[0], v[1]);
    const __m512i t2 = _mm512_unpacklo_epi32(v[2], v[3]), t3 = _mm512_unpackhi_epi32(v[2], v[3]);
    const __m512i w[4] = {_mm512_unpacklo_epi64(t0, t2), _mm512_unpackhi_epi64(t0, t2), _mm512_unpacklo_epi64(t1, t3),
                          _mm512_unpackhi_epi64(t1, t3)};
    const __mmask16 keep = m - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (m - k)) - 1);
    for (int i = 0; i < 4; ++i) _mm512_mask_storeu_epi32(out[i] + k, keep, _mm512_permutexvar_epi32(perm, w[i]));
  }
}
#endif
}  // namespace

Key::Key(std::uint32_t a, std::uint32_t b) : k0(a), k1(b), rk{} {
  std::uint64_t lo = a | std::uint64_t(b) << 32, hi = 0;
  for (int i = 0; i <= kRounds; ++i) {
    rk[i][0] = std::uint32_t(lo);
    rk[i][1] = std::uint32_t(lo >> 32);
    rk[i][2] = std::uint32_t(hi);
    rk[i][3] = std::uint32_t(hi >> 32);
    lo += kWeyl0;
    hi += kWeyl1;
  }
}

bool ars_available(ArsImpl impl) {
  switch (impl) {
    case ArsImpl::Software: return true;
    case ArsImpl::AesNi: return cpu_has_aes();
    case ArsImpl::Vaes: return cpu_has_vaes();
    case ArsImpl::Vaes512: return cpu_has_vaes() && cpu_has_avx512();
  }
  return false;
}

ArsBatchFn ars_function(ArsImpl impl) {
  require(ars_available(impl), "this CPU cannot run the requested ARS implementation");
#if RELUMIX_ARS_X86
  if (impl == ArsImpl::Vaes512) return ars_vaes512;
  if (impl == ArsImpl::Vaes) return ars_vaes;
  if (impl == ArsImpl::AesNi) return ars_aesni;
#endif
  return ars_software;
}

const char* ars_name(ArsImpl impl) {
  switch (impl) {
    case ArsImpl::AesNi: return "aes-ni";
    case ArsImpl::Vaes: return "vaes";
    case ArsImpl::Vaes512: return "vaes-512";
    default: return "software";
  }
}

ArsImpl ars_impl() {
  static const ArsImpl best = ars_available(ArsImpl::Vaes512) ? ArsImpl::Vaes512
                              : ars_available(ArsImpl::Vaes)    ? ArsImpl::Vaes
                              : ars_available(ArsImpl::AesNi) ? ArsImpl::AesNi
                                                              : ArsImpl::Software;
  return best;
}

}  // namespace relumix::mc_detail
