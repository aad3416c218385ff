// The Monte Carlo kernels, one source for three builds (included by mc_kernel.cpp, portable,
// mc_kernel_avx2.cpp and mc_kernel_avx512.cpp): a branch-free Box-Muller transform with polynomial
// log/sin/cos (network mode's weights) and the chain step of SPEC section 1, on the words of the
// generator (random_batch: ARS-7, one implementation for every build, ars.hpp).
// The including file defines RELUMIX_MC_NS (the namespace of this build), RELUMIX_MC_NAME (its
// name, a string), RELUMIX_MC_AVX512 (1: the AVX-512 intrinsics paths; the file must then be
// compiled for AVX-512) and RELUMIX_MC_AVX2 (1: the AVX2 intrinsics paths, compiled for AVX2).
// Each build exports its functions as RELUMIX_MC_NS::table.
//
// The AVX2 build is the portable one, vectorized: every floating-point operation of its
// intrinsics is the portable build's operation, in the same order and without contraction
// (-ffp-contract=off; no FMA), so it makes the same bits (family "portable"; tested).
//
// The chain step draws a layer in polar coordinates (see chain_step): each neuron's category
// (only X > 0, only Y > 0, both, neither) from 16 random bits, exactly; then, for the active
// neurons only, R^2 = -2 ln U and one angle (three pairs per generator call: a 24-bit and a 16-bit
// word each), so a layer costs about 1.2 random words per neuron (was 1.5) and no square roots.
// R^2 and the angle's cos/sin are single precision (8 AVX2 lanes, 16 AVX-512 lanes), the sums
// double (pair_sums_portable).
//
// The plain loops are written so that g++ -O3 vectorizes them; the portable build is compiled with
// -ffp-contract=off, so it gives the same bits whatever the compiler flags. The hot parts use
// intrinsics: the category counts (16-bit lanes) and the pair transforms (exp_weight8f,
// cos_sin_psi8f: the portable float operations; without them g++ left the pair sums scalar; on
// AVX-512 exp_weight16f, cos_sin_psi16f). sqrt_array uses the square-root instructions directly: with errno
// semantics g++ does not vectorize std::sqrt.
#if !defined(RELUMIX_MC_NS) || !defined(RELUMIX_MC_NAME) || !defined(RELUMIX_MC_AVX512) || !defined(RELUMIX_MC_AVX2)
#error "define RELUMIX_MC_NS, RELUMIX_MC_AVX512 and RELUMIX_MC_AVX2 before including mc_kernel_impl.hpp"
#endif
#if RELUMIX_MC_AVX512 && !defined(__AVX512BW__)
#error "the AVX-512 build of the Monte Carlo kernels must be compiled for AVX-512 (relumix_isa_source)"
#endif
#if RELUMIX_MC_AVX2 && (!defined(__AVX2__) || RELUMIX_MC_AVX512)
#error "the AVX2 build of the Monte Carlo kernels must be compiled for AVX2 (relumix_isa_source)"
#endif

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "relumix/core/interrupt.hpp"
#include "mc/mc_kernel.hpp"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

// g++ 12 warns about the _mm512_undefined_* placeholders inside its own AVX-512 intrinsics
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace relumix::mc_detail::RELUMIX_MC_NS {

namespace {
constexpr int kLanes = 8;                                       // accumulator lanes

// c[0] x^(N-1) + ... + c[N-1]
template <std::size_t N>
inline double horner(double x, const double (&c)[N]) {
  double p = c[0];
  for (std::size_t k = 1; k < N; ++k) p = p * x + c[k];
  return p;
}

// ln(v) for v = a + 1/2, a a 32-bit word (so v in [0.5, 2^32)): exponent from the bits,
// mantissa m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.1716.
// Absolute error below 1e-15.
inline double log_word(double v) {
  std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  std::int64_t e = std::int64_t(bits >> 52) - 1023;
  std::uint64_t mbits = (bits & 0x000FFFFFFFFFFFFFull) | 0x3FF0000000000000ull;
  double m = std::bit_cast<double>(mbits);
  bool big = m > 1.4142135623730951;
  m = big ? 0.5 * m : m;
  double ed = double(e) + (big ? 1.0 : 0.0);
  double s = (m - 1.0) / (m + 1.0);
  double s2 = s * s;
  constexpr double kAtanh[9] = {1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1.0};
  const double p = horner(s2, kAtanh);
  return ed * 0.6931471805599453 + 2.0 * s * p;
}

// R^2 = -2 ln U for U = (a + 1/2) 2^-32, the exponential of Box-Muller (network mode, chain_step_alpha)
inline double exp_weight(std::uint32_t a) { return 2.0 * (22.18070977791825 - log_word(double(a) + 0.5)); }  // 32 ln 2

// v[k] = sqrt(v[k]) for k < m (v[k] >= 0; v is 64-byte aligned and padded to a multiple of 8).
inline void sqrt_array(double* v, int m) {
#if RELUMIX_MC_AVX512
  // sqrt x = x / sqrt x from the 14-bit rsqrt14 estimate and two Newton steps (relative error a
  // few 1e-16): about 3x the throughput of vsqrtpd. Inputs are > 0 here (r2 >= 2.3e-10).
  const __m512d half = _mm512_set1_pd(0.5), three_halves = _mm512_set1_pd(1.5);
  for (int k = 0; k < m; k += 8) {
    __m512d x = _mm512_load_pd(v + k);
    __m512d y = _mm512_rsqrt14_pd(x), hx = _mm512_mul_pd(half, x);
    y = _mm512_mul_pd(y, _mm512_fnmadd_pd(hx, _mm512_mul_pd(y, y), three_halves));
    y = _mm512_mul_pd(y, _mm512_fnmadd_pd(hx, _mm512_mul_pd(y, y), three_halves));
    _mm512_store_pd(v + k, _mm512_mul_pd(x, y));
  }
#elif defined(__AVX__)
  for (int k = 0; k < m; k += 4) _mm256_store_pd(v + k, _mm256_sqrt_pd(_mm256_load_pd(v + k)));
#elif defined(__SSE2__)
  for (int k = 0; k < m; k += 2) _mm_store_pd(v + k, _mm_sqrt_pd(_mm_load_pd(v + k)));
#else
  for (int k = 0; k < m; ++k) v[k] = std::sqrt(v[k]);
#endif
}

// sin and cos of x, |x| <= pi/4, with Cephes' minimax coefficients (sin.c): errors below 1e-16
// and 1.5e-16 (checked against mpmath on a grid of 2e4 points).
constexpr double kSin[6] = {1.58962301576546568060E-10, -2.50507477628578072866E-8, 2.75573136213857245213E-6,
                            -1.98412698295895385996E-4, 8.33333333332211858878E-3,  -1.66666666666666307295E-1};
constexpr double kCos[7] = {-1.13585365213876817300E-11, 2.08757008419747316778E-9, -2.75573141792967388112E-7,
                            2.48015872888517045348E-5,   -1.38888888888730564116E-3, 4.16666666666665929218E-2,
                            -0.5};
inline void sincos_small(double x, double& s, double& c) {
  const double x2 = x * x;
  s = x + x * x2 * horner(x2, kSin);
  c = 1.0 + x2 * horner(x2, kCos);
}

// Box-Muller on words (a, b), first part: r2 = -2 ln u with u = (a + 1/2) 2^-32, and the
// unit vector at angle 2 pi (b + 1/2) 2^-32. The normals are sqrt(r2) * (cphi, sphi).
inline void bm_parts(std::uint32_t a, std::uint32_t b, double& r2out, double& cphi_out, double& sphi_out) {
  const double r2 = exp_weight(a);
  r2out = r2 > 1e-300 ? r2 : 1e-300;  // r2 >= 2.3e-10 in exact arithmetic; keep sqrt_array away from 0
  // angle: nearest quarter turn q and the rest x in (-pi/4, pi/4)
  std::uint32_t mm = b + (1u << 29);
  std::uint32_t q = mm >> 30;
  std::int32_t rest = std::int32_t(mm & 0x3FFFFFFFu) - (1 << 29);
  double x = (double(rest) + 0.5) * (1.5707963267948966 / 1073741824.0);
  double sx, cx;
  sincos_small(x, sx, cx);
  bool odd = (q & 1u) != 0;
  double cphi = odd ? sx : cx;
  double sphi = odd ? cx : sx;
  cphi = ((q + 1u) & 2u) ? -cphi : cphi;
  sphi = (q & 2u) ? -sphi : sphi;
  cphi_out = cphi;
  sphi_out = sphi;
}

// Box-Muller of m word pairs (m <= kBatch) into g[0..m), z[0..m).
void bm_block(const std::uint32_t* __restrict a, const std::uint32_t* __restrict b, int m,
              double* __restrict g, double* __restrict z) {
  alignas(64) double r[kBatch];
  for (int k = 0; k < m; ++k) bm_parts(a[k], b[k], r[k], g[k], z[k]);
  int padded = (m + 7) / 8 * 8;
  for (int k = m; k < padded; ++k) r[k] = 1.0;  // padding (unused)
  sqrt_array(r, padded);
  for (int k = 0; k < m; ++k) {
    g[k] *= r[k];
    z[k] *= r[k];
  }
}
}  // namespace

void box_muller(std::uint32_t a, std::uint32_t b, double& g, double& z) {
  double r2, c, s;
  bm_parts(a, b, r2, c, s);
  double r = std::sqrt(r2);
  g = r * c;
  z = r * s;
}

void normal_pairs(const Key& key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                  double* g, double* z) {
  alignas(64) std::uint32_t w0[kBatch], w1[kBatch], w2[kBatch], w3[kBatch];
  random_batch(key, layer, sample, j0, m, w0, w1, w2, w3);
  bm_block(w0, w1, m, g, z);
  bm_block(w2, w3, m, g + m, z + m);
}

namespace {
constexpr double kPiD = 3.141592653589793;

// Is V < r, for V uniform in [0, 1) whose 32-bit digits are word(0), word(1), ...? Exact: a
// double r in [0, 1) has finitely many binary digits, so the loop ends (after at most 34 words;
// past the first it goes on with probability 2^-32 per word).
template <class Word>
bool uniform_below(double r, Word&& word) {
  for (int level = 0;; ++level) {
    if (!(r > 0.0)) return false;
    const double y = std::ldexp(r, 32), f = std::floor(y);
    const double w = double(word(level));
    if (w != f) return w < f;
    r = y - f;  // exact
  }
}

// Number of 16-bit chunks (little-endian halves of w[0..nc/2]) below each q[k] (q <= 65536), and
// the chunks that equal a q[k] (rare: 2^-16 per chunk and threshold), in increasing order, into
// ties; returns their number.
inline std::uint32_t chunk(const std::uint32_t* w, int c) { return (w[c / 2] >> (16 * (c % 2))) & 0xFFFFu; }
inline bool on_threshold(std::uint32_t v, const std::uint32_t q[3]) { return v == q[0] || v == q[1] || v == q[2]; }
int count_chunks(const std::uint32_t* w, int nc, const std::uint32_t q[3], long below[3], std::uint16_t* ties) {
  int nt = 0;
#if RELUMIX_MC_AVX512
  // 32 chunks at a time in 16-bit lanes, branch-free: h < q by an unsigned compare (q = 0: never;
  // q = 65536, which 16 bits cannot hold, counts every chunk: added after the loop and kept out of
  // the ties by a mask), the counts per lane (at most nc / 32 <= 32) in registers.
  const auto* h = reinterpret_cast<const std::uint16_t*>(w);
  const __m512i q0 = _mm512_set1_epi16(short(q[0])), q1 = _mm512_set1_epi16(short(q[1])),
                q2 = _mm512_set1_epi16(short(q[2])), one = _mm512_set1_epi16(1);
  const __mmask32 t0 = q[0] < 65536 ? ~__mmask32(0) : 0, t1 = q[1] < 65536 ? ~__mmask32(0) : 0,
                  t2 = q[2] < 65536 ? ~__mmask32(0) : 0;
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0;
  for (int c = 0; c < nc; c += 32) {
    const __mmask32 live = nc - c >= 32 ? ~__mmask32(0) : (__mmask32(1) << (nc - c)) - 1;
    const __m512i v = _mm512_maskz_loadu_epi16(live, h + c);
    a0 = _mm512_mask_add_epi16(a0, _mm512_mask_cmplt_epu16_mask(live, v, q0), a0, one);
    a1 = _mm512_mask_add_epi16(a1, _mm512_mask_cmplt_epu16_mask(live, v, q1), a1, one);
    a2 = _mm512_mask_add_epi16(a2, _mm512_mask_cmplt_epu16_mask(live, v, q2), a2, one);
    __mmask32 t = _mm512_mask_cmpeq_epi16_mask(live & t0, v, q0) | _mm512_mask_cmpeq_epi16_mask(live & t1, v, q1) |
                  _mm512_mask_cmpeq_epi16_mask(live & t2, v, q2);
    for (; t; t &= t - 1) ties[nt++] = std::uint16_t(c + std::countr_zero(t));
  }
  const __m512i acc[3] = {a0, a1, a2};
  for (int k = 0; k < 3; ++k)
    below[k] += q[k] >= 65536 ? nc : _mm512_reduce_add_epi32(_mm512_madd_epi16(acc[k], one));
#elif RELUMIX_MC_AVX2
  // 16 chunks at a time in 16-bit lanes: for 0 < q < 65536, h < q  <=>  (q ^ 0x8000) > (h ^ 0x8000)
  // as signed numbers, and the compare's -1 lanes are subtracted from per-lane counts (at most
  // nc / 16 <= 64 per lane); q = 65536 counts every chunk, q = 0 none.
  const auto* h = reinterpret_cast<const std::uint16_t*>(w);
  const __m256i flip = _mm256_set1_epi16(short(0x8000));
  __m256i qs[3], eq[3], acc[3];
  for (int k = 0; k < 3; ++k) {
    qs[k] = _mm256_set1_epi16(short((q[k] & 0xFFFFu) ^ 0x8000u));
    eq[k] = _mm256_set1_epi16(short(q[k]));  // used only for q < 65536
    acc[k] = _mm256_setzero_si256();
  }
  const bool mid[3] = {q[0] != 0 && q[0] < 65536, q[1] != 0 && q[1] < 65536, q[2] != 0 && q[2] < 65536};
  const bool can_tie[3] = {q[0] < 65536, q[1] < 65536, q[2] < 65536};
  int c = 0;
  for (; c + 16 <= nc; c += 16) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h + c));
    const __m256i vs = _mm256_xor_si256(v, flip);
    __m256i any = _mm256_setzero_si256();
    for (int k = 0; k < 3; ++k) {
      if (mid[k]) acc[k] = _mm256_sub_epi16(acc[k], _mm256_cmpgt_epi16(qs[k], vs));
      if (can_tie[k]) any = _mm256_or_si256(any, _mm256_cmpeq_epi16(v, eq[k]));
    }
    if (!_mm256_testz_si256(any, any))
      for (int i = c; i < c + 16; ++i)
        if (on_threshold(chunk(w, i), q)) ties[nt++] = std::uint16_t(i);
  }
  for (int k = 0; k < 3; ++k) {
    if (q[k] >= 65536) {
      below[k] += c;
    } else if (mid[k]) {  // the 16 lane counts: pairs summed to 8 32-bit lanes, then across
      const __m256i s32 = _mm256_madd_epi16(acc[k], _mm256_set1_epi16(1));
      __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s32), _mm256_extracti128_si256(s32, 1));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
      below[k] += _mm_cvtsi128_si32(s4);
    }
  }
  for (; c < nc; ++c) {
    const std::uint32_t v = chunk(w, c);
    for (int k = 0; k < 3; ++k) below[k] += long(v < q[k]);
    if (on_threshold(v, q)) ties[nt++] = std::uint16_t(c);
  }
#else
  std::uint32_t b0 = 0, b1 = 0, b2 = 0, any = 0;
  for (int c = 0; c < nc; ++c) {
    const std::uint32_t v = chunk(w, c);
    b0 += std::uint32_t(v < q[0]);
    b1 += std::uint32_t(v < q[1]);
    b2 += std::uint32_t(v < q[2]);
    any |= std::uint32_t(on_threshold(v, q));
  }
  below[0] += b0;
  below[1] += b1;
  below[2] += b2;
  if (any)  // rare: a second pass lists them (the first one stays branch-free and vectorized)
    for (int c = 0; c < nc; ++c)
      if (on_threshold(chunk(w, c), q)) ties[nt++] = std::uint16_t(c);
#endif
  return nt;
}

// The pair words, three pairs per generator call (KernelTable::pair_sums): for the block of pairs
// p0 .. p0 + np - 1 (p0 a multiple of kPairBlock), the calls p0 / 3 .. p0 / 3 + m - 1 with
// m = ceil(np / 3) rounded up to a multiple of 8 (so that a vector of 8 pairs lies in one segment)
// give pair k of segment j = k / m (call i = k mod m) the 24-bit R^2 word a = w_j >> 8 and the
// 16-bit angle word b = w3 & 0xFFFF (j = 0), w3 >> 16 (j = 1), (w0 & 0xFF) | (w1 & 0xFF) << 8 (j = 2).
// Read in place: a(k), b(k) (past the third segment: a = 1, b = 0, padding).
constexpr int kPairBlock = 3 * kBatch;
struct PairBlock {
  alignas(64) std::uint32_t w[4][kBatch];
  int np = 0, m = 0;
  std::uint32_t a(int k) const {
    const int j = k / m, i = k - j * m;
    return j < 3 ? w[j][i] >> 8 : 1u;
  }
  std::uint32_t b(int k) const {
    const int j = k / m, i = k - j * m;
    return j == 0 ? w[3][i] & 0xFFFFu : j == 1 ? w[3][i] >> 16 : j == 2 ? (w[0][i] & 0xFFu) | (w[1][i] & 0xFFu) << 8 : 0u;
  }
};
// Draws the block of pairs from p0 into B; returns np.
int pair_block(const Key& key, std::uint32_t layer, std::uint64_t sample, long p0, long active, PairBlock& B) {
  B.np = int(std::min<long>(kPairBlock, active - p0));
  B.m = ((B.np + 2) / 3 + 7) / 8 * 8;
  random_batch(key, layer, sample, std::uint64_t(p0 / 3), B.m, B.w[0], B.w[1], B.w[2], B.w[3]);
  return B.np;
}

// theta = atan2(sn, cn) for sn, cn >= 0; for sn <= 1/8 from the series of asin (7 terms, relative
// error below 1e-16), which is 5x cheaper than libm's atan2.
inline double asin_or_atan2(double sn, double cn) {
  if (!(sn <= 0.125) || cn < 0) return std::atan2(sn, cn);
  constexpr double kAsin[7] = {143.0 / 10240, 231.0 / 13312, 63.0 / 2816, 35.0 / 1152, 5.0 / 112, 3.0 / 40, 1.0 / 6};
  const double x2 = sn * sn;
  return sn + sn * x2 * horner(x2, kAsin);
}

// The pair transforms in single precision (pair_sums). Every operation below is an IEEE single
// operation (no contraction), so the scalar code here and its 8-lane AVX2 form make the same bits.
//
// R^2 = -2 ln U with U = float(o) 2^-q for an odd integer o: o = 2a + 1 < 2^25, q = 25 for a
// 24-bit word a != 0 (U the midpoint of its cell, rounded to 24 bits: ties to even, balanced),
// and for a = 0 (U < 2^-24, probability 2^-24) o = (t >> 1) | 1, q = 55 from a word t of the tail
// stream (pair_tail_word). ln U = e ln 2 + ln c + ln(1 + r), U = 2^e m, m in [1, 2), c the centre
// of m's eighth of [1, 2) (from a table of 8), r = (m - c) / c, |r| < 1/17, ln(1 + r) through r^5
// (truncation below 7e-9); ln 2 split as 0.693359375 - 2.12194440e-4 (Cephes); no division.
// Measured: within 1.1e-7 max(1, R^2) of -2 ln U, mean error 6e-9 (unit.mc, "single-precision
// transforms"); never negative.
constexpr float kLog1pF[4] = {0.2f, -0.25f, 1.0f / 3, -0.5f};
constexpr float kCentreF[8] = {17.0f / 16, 19.0f / 16, 21.0f / 16, 23.0f / 16, 25.0f / 16, 27.0f / 16, 29.0f / 16, 31.0f / 16};
constexpr float kInvCentreF[8] = {float(16.0 / 17), float(16.0 / 19), float(16.0 / 21), float(16.0 / 23),
                                  float(16.0 / 25), float(16.0 / 27), float(16.0 / 29), float(16.0 / 31)};
// ln of the centres (Python's math.log, to 10 digits: the nearest floats)
constexpr float kLnCentreF[8] = {6.062462182e-02f, 1.718502569e-01f, 2.719337155e-01f, 3.629054937e-01f,
                                 4.462871026e-01f, 5.232481438e-01f, 5.947071077e-01f, 6.613984822e-01f};
// sin x and cos x for |x| <= pi/4 (Cephes sinf.c / cosf.c minimax coefficients)
constexpr float kSinF[3] = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
constexpr float kCosF[3] = {2.443315711809948E-5f, -1.388731625493765E-3f, 4.166664568298827E-2f};
constexpr float kLn2HiF = 0.693359375f, kLn2LoF = -2.12194440e-4f;
constexpr std::uint64_t kStreamTail = 0x100;  // the R^2 tail words (a = 0), call = pair index in the layer

template <std::size_t N>
inline float horner_f(float x, const float (&c)[N]) {
  float p = c[0];
  for (std::size_t k = 1; k < N; ++k) p = p * x + c[k];
  return p;
}
inline float exp_weight_odd_f(std::int32_t o, int q) {
  const float u = float(o);
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(u);
  const float m = std::bit_cast<float>((bits & 0x007FFFFFu) | 0x3F800000u);  // U = 2^e m, m in [1, 2)
  const std::uint32_t j = (bits >> 20) & 7u;                                   // m's eighth of [1, 2)
  const float e = float(std::int32_t(bits >> 23) - (127 + q));
  const float r = (m - kCentreF[j]) * kInvCentreF[j];  // m / c - 1 (the difference exact), |r| < 1/17
  const float l1p = r + (r * r) * horner_f(r, kLog1pF);
  const float w = -2.0f * ((e * kLn2HiF + (kLnCentreF[j] + l1p)) + e * kLn2LoF);
  return w > 0.0f ? w : 0.0f;  // U near 1: the sum may round to a few 1e-8 above 0 (and as vmaxps: -0 -> +0)
}
// the tail word of pair p of the layer (a = 0): word 0 of call p of stream kStreamTail
inline std::uint32_t pair_tail_word(const Key& key, std::uint32_t layer, std::uint64_t sample, long p) {
  std::uint32_t t[4];
  random_batch(key, layer, stream_sample(sample, kStreamTail), std::uint64_t(p), 1, t, t + 1, t + 2, t + 3);
  return t[0];
}
inline float exp_weight_tail_f(const Key& key, std::uint32_t layer, std::uint64_t sample, long p) {
  return exp_weight_odd_f(std::int32_t((pair_tail_word(key, layer, sample, p) >> 1) | 1u), 55);
}
inline float exp_weight_f(std::uint32_t a) { return exp_weight_odd_f(std::int32_t(2 * a + 1), 25); }
// psi / 2 of a "both" pair from its 16-bit word b: the cell midpoint 2 (b - 2^15) + 1 (exact), times hp
inline float half_psi_f(std::uint32_t b, float hp) { return float(2 * (std::int32_t(b) - 32768) + 1) * hp; }
// cos psi and sin psi from h = psi / 2 (|h| < pi/4)
inline void cos_sin_psi_f(float h, float& cpsi, float& spsi) {
  const float z = h * h;
  const float sh = h + (h * z) * horner_f(z, kSinF);
  const float ch = (1.0f - 0.5f * z) + (z * z) * horner_f(z, kCosF);
  cpsi = (ch - sh) * (ch + sh);
  spsi = 2.0f * (sh * ch);
}

#if RELUMIX_MC_AVX2 || RELUMIX_MC_AVX512
// horner on 4 lanes, the same operations as the scalar one (multiply, then add)
template <std::size_t N>
inline __m256d horner4(__m256d x, const double (&c)[N]) {
  __m256d p = _mm256_set1_pd(c[0]);
  for (std::size_t k = 1; k < N; ++k) p = _mm256_add_pd(_mm256_mul_pd(p, x), _mm256_set1_pd(c[k]));
  return p;
}
template <std::size_t N>
inline __m256 horner8f(__m256 x, const float (&c)[N]) {
  __m256 p = _mm256_set1_ps(c[0]);
  for (std::size_t k = 1; k < N; ++k) p = _mm256_add_ps(_mm256_mul_ps(p, x), _mm256_set1_ps(c[k]));
  return p;
}
// exp_weight_f on 8 words a (24 bits; a = 0 lanes are fixed by the caller); the tables by vpermps
// (which reads the low 3 bits of each index: m's top 3 mantissa bits)
inline __m256 exp_weight8f(__m256i a) {
  const __m256 u = _mm256_cvtepi32_ps(_mm256_or_si256(_mm256_add_epi32(a, a), _mm256_set1_epi32(1)));
  const __m256i bits = _mm256_castps_si256(u);
  const __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)),
                                                       _mm256_set1_epi32(0x3F800000)));
  const __m256i j = _mm256_srli_epi32(bits, 20);
  const __m256 e = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127 + 25)));
  const __m256 c = _mm256_permutevar8x32_ps(_mm256_loadu_ps(kCentreF), j);
  const __m256 ic = _mm256_permutevar8x32_ps(_mm256_loadu_ps(kInvCentreF), j);
  const __m256 lc = _mm256_permutevar8x32_ps(_mm256_loadu_ps(kLnCentreF), j);
  const __m256 r = _mm256_mul_ps(_mm256_sub_ps(m, c), ic);
  const __m256 l1p = _mm256_add_ps(r, _mm256_mul_ps(_mm256_mul_ps(r, r), horner8f(r, kLog1pF)));
  const __m256 ln = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(e, _mm256_set1_ps(kLn2HiF)), _mm256_add_ps(lc, l1p)),
                                  _mm256_mul_ps(e, _mm256_set1_ps(kLn2LoF)));
  return _mm256_max_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ln), _mm256_setzero_ps());
}
// half_psi_f and cos_sin_psi_f on 8 lanes
inline void cos_sin_psi8f(__m256i b, __m256 hp, __m256& cpsi, __m256& spsi) {
  const __m256i sb = _mm256_add_epi32(_mm256_add_epi32(b, b), _mm256_set1_epi32(1 - 65536));  // 2 (b - 2^15) + 1
  const __m256 h = _mm256_mul_ps(_mm256_cvtepi32_ps(sb), hp);
  const __m256 z = _mm256_mul_ps(h, h);
  const __m256 sh = _mm256_add_ps(h, _mm256_mul_ps(_mm256_mul_ps(h, z), horner8f(z, kSinF)));
  const __m256 ch = _mm256_add_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_mul_ps(_mm256_set1_ps(0.5f), z)),
                                  _mm256_mul_ps(_mm256_mul_ps(z, z), horner8f(z, kCosF)));
  cpsi = _mm256_mul_ps(_mm256_sub_ps(ch, sh), _mm256_add_ps(ch, sh));
  spsi = _mm256_mul_ps(_mm256_set1_ps(2.0f), _mm256_mul_ps(sh, ch));
}
// sincos_small on 4 lanes, the same operations
inline void sincos4(__m256d x, __m256d& s, __m256d& c) {
  const __m256d x2 = _mm256_mul_pd(x, x);
  s = _mm256_add_pd(x, _mm256_mul_pd(_mm256_mul_pd(x, x2), horner4(x2, kSin)));
  c = _mm256_add_pd(_mm256_set1_pd(1.0), _mm256_mul_pd(x2, horner4(x2, kCos)));
}
// The words a, b of the 8 pairs from call i (a multiple of 8) of segment j (PairBlock's layout);
// past the third segment a = 0, b = 0 (padding lanes, never used).
inline __m256i seg_a8(const PairBlock& B, int j, int i) {
  return j < 3 ? _mm256_srli_epi32(_mm256_load_si256(reinterpret_cast<const __m256i*>(B.w[j] + i)), 8) : _mm256_setzero_si256();
}
inline __m256i seg_b8(const PairBlock& B, int j, int i) {
  const auto ld = [&](int r) { return _mm256_load_si256(reinterpret_cast<const __m256i*>(B.w[r] + i)); };
  const __m256i low8 = _mm256_set1_epi32(0xFF);
  return j == 0   ? _mm256_and_si256(ld(3), _mm256_set1_epi32(0xFFFF))
         : j == 1 ? _mm256_srli_epi32(ld(3), 16)
         : j == 2 ? _mm256_or_si256(_mm256_and_si256(ld(0), low8), _mm256_slli_epi32(_mm256_and_si256(ld(1), low8), 8))
                  : _mm256_setzero_si256();
}
// The one-input terms of a block, R^2 sin^2 a for its pairs nb .. np - 1 (only X up to nx, then
// only Y), added in pair order to out.sx, out.sy: sin a = 4 sin(a/4) cos(a/4) cos(a/2) in double,
// 4 lanes at a time from r2 and the angle words bw (both readable from nb / 4 * 4 to np rounded up
// to 4).
inline void one_input_terms(const float* r2, const std::uint32_t* bw, int nb, int np, int nx, double theta,
                            PairSums& out) {
  const __m256d quarter_a = _mm256_set1_pd(0.25 * theta * 0x1p-16);
  const __m256d half = _mm256_set1_pd(0.5), four = _mm256_set1_pd(4.0);
  alignas(32) double t[4];
  for (int j = nb / 4 * 4; j < np; j += 4) {
    const __m256d x = _mm256_mul_pd(
        _mm256_add_pd(_mm256_cvtepi32_pd(_mm_load_si128(reinterpret_cast<const __m128i*>(bw + j))), half), quarter_a);
    __m256d s4, c4;
    sincos4(x, s4, c4);
    const __m256d sa = _mm256_mul_pd(_mm256_mul_pd(_mm256_mul_pd(four, s4), c4),
                                     _mm256_mul_pd(_mm256_sub_pd(c4, s4), _mm256_add_pd(c4, s4)));
    _mm256_store_pd(t, _mm256_mul_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm_load_ps(r2 + j)), sa), sa));
    for (int l = std::max(nb - j, 0); l < 4 && j + l < np; ++l) (j + l < nx ? out.sx : out.sy) += t[l];
  }
}
#endif
#if RELUMIX_MC_AVX512
// exp_weight8f and cos_sin_psi8f on 16 lanes (the AVX-512 build's pair sums: the same operations,
// which g++ may contract into FMAs as in the 8-lane code there). vpermps on 16 lanes reads 4 index
// bits (m's top 3 mantissa bits and the exponent's lowest): the tables of 8 twice.
template <std::size_t N>
inline __m512 horner16f(__m512 x, const float (&c)[N]) {
  __m512 p = _mm512_set1_ps(c[0]);
  for (std::size_t k = 1; k < N; ++k) p = _mm512_add_ps(_mm512_mul_ps(p, x), _mm512_set1_ps(c[k]));
  return p;
}
inline __m512 table16(const float (&t)[8]) {
  const __m256 h = _mm256_loadu_ps(t);
  return _mm512_insertf32x8(_mm512_castps256_ps512(h), h, 1);
}
struct LogTables16 {  // the tables of exp_weight16f, made once per call of the pair sums
  __m512 c = table16(kCentreF), ic = table16(kInvCentreF), lc = table16(kLnCentreF);
};
inline __m512 exp_weight16f(__m512i a, const LogTables16& t) {
  const __m512 u = _mm512_cvtepi32_ps(_mm512_or_si512(_mm512_add_epi32(a, a), _mm512_set1_epi32(1)));
  const __m512i bits = _mm512_castps_si512(u);
  const __m512 m = _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(bits, _mm512_set1_epi32(0x007FFFFF)),
                                                       _mm512_set1_epi32(0x3F800000)));
  const __m512i j = _mm512_srli_epi32(bits, 20);
  const __m512 e = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(bits, 23), _mm512_set1_epi32(127 + 25)));
  const __m512 c = _mm512_permutexvar_ps(j, t.c), ic = _mm512_permutexvar_ps(j, t.ic), lc = _mm512_permutexvar_ps(j, t.lc);
  const __m512 r = _mm512_mul_ps(_mm512_sub_ps(m, c), ic);
  const __m512 l1p = _mm512_add_ps(r, _mm512_mul_ps(_mm512_mul_ps(r, r), horner16f(r, kLog1pF)));
  const __m512 ln = _mm512_add_ps(_mm512_add_ps(_mm512_mul_ps(e, _mm512_set1_ps(kLn2HiF)), _mm512_add_ps(lc, l1p)),
                                  _mm512_mul_ps(e, _mm512_set1_ps(kLn2LoF)));
  return _mm512_max_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ln), _mm512_setzero_ps());
}
inline void cos_sin_psi16f(__m512i b, __m512 hp, __m512& cpsi, __m512& spsi) {
  const __m512i sb = _mm512_add_epi32(_mm512_add_epi32(b, b), _mm512_set1_epi32(1 - 65536));  // 2 (b - 2^15) + 1
  const __m512 h = _mm512_mul_ps(_mm512_cvtepi32_ps(sb), hp);
  const __m512 z = _mm512_mul_ps(h, h);
  const __m512 sh = _mm512_add_ps(h, _mm512_mul_ps(_mm512_mul_ps(h, z), horner16f(z, kSinF)));
  const __m512 ch = _mm512_add_ps(_mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_mul_ps(_mm512_set1_ps(0.5f), z)),
                                  _mm512_mul_ps(_mm512_mul_ps(z, z), horner16f(z, kCosF)));
  cpsi = _mm512_mul_ps(_mm512_sub_ps(ch, sh), _mm512_add_ps(ch, sh));
  spsi = _mm512_mul_ps(_mm512_set1_ps(2.0f), _mm512_mul_ps(sh, ch));
}
#endif
}  // namespace

// The category of each of the n neurons, drawn from one uniform U_i per neuron:
// [0, t1) only X > 0, [t1, t2) only Y > 0, [t2, t3) both, [t3, 1) neither, with
// t1 = delta, t2 = 2 delta, t3 = 1/2 + delta and delta = theta / (2 pi). U_i's first 16 bits
// (half of a generator word) decide unless they equal a threshold's first 16 bits (probability
// 2^-16 per threshold); then further words of U_i decide exactly (uniform_below).
Counts neuron_counts(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, double theta) {
  const double delta = std::min(theta, kPiD) * (0.5 / kPiD);
  const double t[3] = {delta, 2.0 * delta, 0.5 + delta};
  std::uint32_t q[3];
  double rest[3];
  for (int k = 0; k < 3; ++k) {
    const double y = std::min(t[k], 1.0) * 65536.0;
    q[k] = std::uint32_t(y);
    rest[k] = y - double(q[k]);
  }
  long below[3] = {0, 0, 0};  // neurons with U_i < t_k
  alignas(64) std::uint32_t w[4 * kBatch];
  for (long c0 = 0; c0 < n; c0 += 8L * kBatch) {  // 8 neurons per generator call
    if ((c0 & ((1L << 20) - 1)) == 0 && c0 > 0) throw_if_stopped();  // huge widths: Ctrl-C
    const int nc = int(std::min<long>(8L * kBatch, n - c0));
    const int m = (nc + 7) / 8;
    random_batch(key, layer, stream_sample(sample, kStreamCategory), std::uint64_t(c0 / 8), m, w, w + m,
                 w + 2 * m, w + 3 * m);
    std::uint16_t ties[8 * kBatch];
    const int nt = count_chunks(w, nc, q, below, ties);
    for (int t = 0; t < nt; ++t) {  // rare: settle the ties with more digits of U_c
      const int c = ties[t];
      const std::uint32_t h = chunk(w, c);
      const std::uint64_t neuron = std::uint64_t(c0 + c);
      std::uint32_t words[4];
      int block = -1;
      auto word = [&](int level) {
        if (level / 4 != block) {
          block = level / 4;
          random_batch(key, layer, stream_sample(sample, kStreamTie + std::uint64_t(block)), neuron, 1, words,
                       words + 1, words + 2, words + 3);
        }
        return words[level % 4];
      };
      for (int k = 0; k < 3; ++k)
        if (h == q[k] && uniform_below(rest[k], word)) ++below[k];
    }
  }
  return Counts{below[0], below[1] - below[0], below[2] - below[1]};
}

// The sums over the active pairs of one layer (KernelTable::pair_sums), in blocks of kPairBlock
// pairs: R^2 of every pair in single precision (exp_weight_f; the tail for a = 0), then for the
// "both" pairs cos psi and sin psi in single precision (cos_sin_psi_f) and the products R^2 cos^2 psi,
// R^2 sin^2 psi, R^2 cos psi sin psi in double (the float factors are exact doubles, so each pair's
// terms are those of one vector to 1e-16: the Gram determinants that chain_step forms stay accurate
// however close two pairs' angles are), summed in kLanes lanes; the one-input pairs' sin a in
// double (a = theta u can be far below the float range), term R^2 sin^2 a, added in pair order.
constexpr int kPairBuf = kPairBlock + 2 * kLanes;  // the loops' padding included
[[maybe_unused]] PairSums pair_sums_portable(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt,
                                             double theta) {
  theta = std::min(theta, kPiD);
  const long active = cnt.both + cnt.x + cnt.y;
  const float hp = float(0.25 * (kPiD - theta) * 0x1p-16);  // psi / 2 per unit of 2 (b - 2^15) + 1
  const double quarter_a = 0.25 * theta * 0x1p-16;          // a / 4 per unit of b + 1/2
  PairBlock B;
  alignas(64) float r2[kPairBuf];
  alignas(64) double acc_cc[kLanes] = {}, acc_ss[kLanes] = {}, acc_cs[kLanes] = {};
  PairSums out;
  for (long p0 = 0; p0 < active; p0 += kPairBlock) {
    if ((p0 & ((1L << 20) - 1)) == 0 && p0 > 0) throw_if_stopped();  // huge widths: Ctrl-C
    const int np = pair_block(key, layer, sample, p0, active, B);
    const int padded = (np + kLanes - 1) / kLanes * kLanes;
    for (int k = 0; k < padded; ++k) {
      const std::uint32_t a = B.a(k);
      r2[k] = a != 0 || k >= np ? exp_weight_f(a) : exp_weight_tail_f(key, layer, sample, p0 + k);
    }
    const int nb = int(std::clamp<long>(cnt.both - p0, 0, np));
    for (int k0 = 0; k0 < nb; k0 += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const int k = k0 + l;
        float cpsi, spsi;
        cos_sin_psi_f(half_psi_f(B.b(k), hp), cpsi, spsi);
        const double w = k < nb ? double(r2[k]) : 0.0, c = cpsi, sn = spsi;
        const double wc = w * c;
        acc_cc[l] += wc * c;
        acc_ss[l] += (w * sn) * sn;
        acc_cs[l] += wc * sn;
      }
    }
    for (int k = nb; k < np; ++k) {  // sin a = 4 sin(a/4) cos(a/4) cos(a/2)
      double s4, c4;
      sincos_small((double(B.b(k)) + 0.5) * quarter_a, s4, c4);
      const double sa = 4.0 * s4 * c4 * ((c4 - s4) * (c4 + s4));
      (p0 + k < cnt.both + cnt.x ? out.sx : out.sy) += double(r2[k]) * sa * sa;
    }
  }
  for (int l = 0; l < kLanes; ++l) {
    out.cc += acc_cc[l];
    out.ss += acc_ss[l];
    out.cs += acc_cs[l];
  }
  return out;
}

PairSums pair_sums_exact(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta) {
#if RELUMIX_MC_AVX2 || RELUMIX_MC_AVX512
  // pair_sums_portable, 8 float lanes at a time: the same operations in the same order (lanes
  // 0-3 of the double accumulators in the first register of each pair, 4-7 in the second; the
  // one-input terms added one by one in pair order). A first pass over the block's vectors of 8
  // pairs, segment by segment (a vector never straddles two: m is a multiple of 8), makes R^2 and
  // the angle words; the both terms and the one-input terms follow. The AVX-512 build does R^2
  // and the both terms 16 lanes at a time (the same operations, which g++ may contract into FMAs,
  // and sums in 16 lanes: family "avx512", numbers within float rounding of these).
  theta = std::min(theta, kPiD);
  const long active = cnt.both + cnt.x + cnt.y;
  [[maybe_unused]] const __m256 hp = _mm256_set1_ps(float(0.25 * (kPiD - theta) * 0x1p-16));
  [[maybe_unused]] const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  PairBlock B;
  alignas(64) float r2[kPairBuf];
  alignas(64) std::uint32_t bw[kPairBuf];
  __m256d cc[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()}, ss[2] = {cc[0], cc[0]}, cs[2] = {cc[0], cc[0]};
#if RELUMIX_MC_AVX512
  // 16 lanes: R^2 and the both terms (the sums in 16 double lanes, folded into cc, ss, cs at the end)
  alignas(64) std::uint32_t aw[kPairBuf];
  const __m512 hp16 = _mm512_set1_ps(float(0.25 * (kPiD - theta) * 0x1p-16));
  const LogTables16 logt;
  __m512d cc16[2] = {_mm512_setzero_pd(), _mm512_setzero_pd()}, ss16[2] = {cc16[0], cc16[0]}, cs16[2] = {cc16[0], cc16[0]};
#endif
  PairSums out;
  for (long p0 = 0; p0 < active; p0 += kPairBlock) {
    if ((p0 & ((1L << 20) - 1)) == 0 && p0 > 0) throw_if_stopped();  // huge widths: Ctrl-C
    const int np = pair_block(key, layer, sample, p0, active, B);
    const int nb = int(std::clamp<long>(cnt.both - p0, 0, np));
    [[maybe_unused]] const __m256i npv = _mm256_set1_epi32(np), nbv = _mm256_set1_epi32(nb);
    __m256i zero = _mm256_setzero_si256();
    for (int k = 0, j = 0, i = 0; k < np; k += 8) {  // pair k: segment j, call i (3 m >= np)
      const __m256i a8 = seg_a8(B, j, i), b8 = seg_b8(B, j, i);
      if ((i += 8) == B.m) {
        i = 0;
        ++j;
      }
#if RELUMIX_MC_AVX512
      _mm256_store_si256(reinterpret_cast<__m256i*>(aw + k), a8);  // R^2 below, 16 at a time
#else
      const __m256i kv = _mm256_add_epi32(_mm256_set1_epi32(k), iota);
      zero = _mm256_or_si256(zero, _mm256_and_si256(_mm256_cmpgt_epi32(npv, kv), _mm256_cmpeq_epi32(a8, _mm256_setzero_si256())));
      _mm256_store_ps(r2 + k, exp_weight8f(a8));
#endif
      _mm256_store_si256(reinterpret_cast<__m256i*>(bw + k), b8);
    }
#if RELUMIX_MC_AVX512
    for (int k = 0; k < np; k += 16) {  // (lanes past np: a = 0, a finite R^2, not used)
      const __mmask16 live = np - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (np - k)) - 1);
      const __m512i a16 = _mm512_maskz_load_epi32(live, aw + k);
      if (_mm512_mask_cmpeq_epi32_mask(live, a16, _mm512_setzero_si512()))
        zero = _mm256_set1_epi32(-1);
      _mm512_store_ps(r2 + k, exp_weight16f(a16, logt));
    }
#endif
    if (!_mm256_testz_si256(zero, zero))  // rare (2^-24 per pair): the tail words
      for (int k = 0; k < np; ++k)
        if (B.a(k) == 0) r2[k] = exp_weight_tail_f(key, layer, sample, p0 + k);
    // the both terms (no call in this loop: the accumulators stay in registers)
#if RELUMIX_MC_AVX512
    for (int k = 0; k < nb; k += 16) {  // (lanes past nb: b = 0 and R^2 = 0: they add 0)
      const __mmask16 inb = nb - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (nb - k)) - 1);
      __m512 cpsi, spsi;
      cos_sin_psi16f(_mm512_maskz_load_epi32(inb, bw + k), hp16, cpsi, spsi);
      const __m512 wf = _mm512_maskz_mov_ps(inb, _mm512_load_ps(r2 + k));
      const __m512d wd[2] = {_mm512_cvtps_pd(_mm512_castps512_ps256(wf)), _mm512_cvtps_pd(_mm512_extractf32x8_ps(wf, 1))};
      const __m512d c[2] = {_mm512_cvtps_pd(_mm512_castps512_ps256(cpsi)), _mm512_cvtps_pd(_mm512_extractf32x8_ps(cpsi, 1))};
      const __m512d sn[2] = {_mm512_cvtps_pd(_mm512_castps512_ps256(spsi)), _mm512_cvtps_pd(_mm512_extractf32x8_ps(spsi, 1))};
      for (int h = 0; h < 2; ++h) {
        const __m512d wc = _mm512_mul_pd(wd[h], c[h]);
        cc16[h] = _mm512_add_pd(cc16[h], _mm512_mul_pd(wc, c[h]));
        ss16[h] = _mm512_add_pd(ss16[h], _mm512_mul_pd(_mm512_mul_pd(wd[h], sn[h]), sn[h]));
        cs16[h] = _mm512_add_pd(cs16[h], _mm512_mul_pd(wc, sn[h]));
      }
    }
#else
    for (int k = 0; k < nb; k += 8) {
      __m256 cpsi, spsi;
      cos_sin_psi8f(_mm256_load_si256(reinterpret_cast<const __m256i*>(bw + k)), hp, cpsi, spsi);
      const __m256i inb = _mm256_cmpgt_epi32(nbv, _mm256_add_epi32(_mm256_set1_epi32(k), iota));
      const __m256 wf = _mm256_and_ps(_mm256_castsi256_ps(inb), _mm256_load_ps(r2 + k));
      const __m256d wd[2] = {_mm256_cvtps_pd(_mm256_castps256_ps128(wf)), _mm256_cvtps_pd(_mm256_extractf128_ps(wf, 1))};
      const __m256d c[2] = {_mm256_cvtps_pd(_mm256_castps256_ps128(cpsi)), _mm256_cvtps_pd(_mm256_extractf128_ps(cpsi, 1))};
      const __m256d sn[2] = {_mm256_cvtps_pd(_mm256_castps256_ps128(spsi)), _mm256_cvtps_pd(_mm256_extractf128_ps(spsi, 1))};
      for (int h = 0; h < 2; ++h) {
        const __m256d wc = _mm256_mul_pd(wd[h], c[h]);
        cc[h] = _mm256_add_pd(cc[h], _mm256_mul_pd(wc, c[h]));
        ss[h] = _mm256_add_pd(ss[h], _mm256_mul_pd(_mm256_mul_pd(wd[h], sn[h]), sn[h]));
        cs[h] = _mm256_add_pd(cs[h], _mm256_mul_pd(wc, sn[h]));
      }
    }
#endif
    if (nb < np) one_input_terms(r2, bw, nb, np, int(std::clamp<long>(cnt.both + cnt.x - p0, 0, np)), theta, out);
  }
#if RELUMIX_MC_AVX512
  // cc16[0] holds lanes 0-7 of each 16-pair vector, cc16[1] lanes 8-15: their sum per lane, in
  // the 8 lanes of the 8-lane code (lanes 0-3 in cc[0], 4-7 in cc[1])
  {
    const __m512d sum[3] = {_mm512_add_pd(cc16[0], cc16[1]), _mm512_add_pd(ss16[0], ss16[1]),
                            _mm512_add_pd(cs16[0], cs16[1])};
    __m256d* to[3] = {cc, ss, cs};
    for (int q = 0; q < 3; ++q) {
      to[q][0] = _mm512_castpd512_pd256(sum[q]);
      to[q][1] = _mm512_extractf64x4_pd(sum[q], 1);
    }
  }
#endif
  alignas(32) double lanes[3][kLanes];
  for (int h = 0; h < 2; ++h) {
    _mm256_store_pd(lanes[0] + 4 * h, cc[h]);
    _mm256_store_pd(lanes[1] + 4 * h, ss[h]);
    _mm256_store_pd(lanes[2] + 4 * h, cs[h]);
  }
  for (int l = 0; l < kLanes; ++l) {
    out.cc += lanes[0][l];
    out.ss += lanes[1][l];
    out.cs += lanes[2][l];
  }
  return out;
#else
  return pair_sums_portable(key, layer, sample, cnt, theta);
#endif
}

#if RELUMIX_MC_AVX512
// The words a, b of the 16 pairs from call i of segment j on (pair_block's layout): one vector, or
// two halves (seg_a8, seg_b8) when it straddles two segments (m = 8 mod 16). i is a multiple of 8:
// the 16-word loads are unaligned ones.
inline void pair_words16(const PairBlock& B, int j, int i, __m512i& a, __m512i& b) {
  if (i + 16 <= B.m) {
    const auto ld = [&](int r) { return _mm512_loadu_si512(B.w[r] + i); };
    const __m512i low8 = _mm512_set1_epi32(0xFF);
    a = _mm512_srli_epi32(ld(j), 8);
    b = j == 0   ? _mm512_and_si512(ld(3), _mm512_set1_epi32(0xFFFF))
        : j == 1 ? _mm512_srli_epi32(ld(3), 16)
                 : _mm512_or_si512(_mm512_and_si512(ld(0), low8), _mm512_slli_epi32(_mm512_and_si512(ld(1), low8), 8));
  } else {
    a = _mm512_inserti64x4(_mm512_castsi256_si512(seg_a8(B, j, i)), seg_a8(B, j + 1, 0), 1);
    b = _mm512_inserti64x4(_mm512_castsi256_si512(seg_b8(B, j, i)), seg_b8(B, j + 1, 0), 1);
  }
}

// exp_weight16f with the exponent and mantissa by vgetexpps / vgetmantps, and cos_sin_psi16f with
// cos psi = ch^2 - sh^2 by one fused multiply-add and sin psi / 2 = sh ch (the factor 2 goes into
// the sums): the pair sums' single-precision path (values within float rounding of those).
inline __m512 exp_weight16f_fast(__m512i a, const LogTables16& t) {
  // float(2a + 1): 2 float(a) + 1 rounded once (a < 2^24 converts exactly)
  const __m512 u = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a), _mm512_set1_ps(2.0f), _mm512_set1_ps(1.0f));
  const __m512 m = _mm512_getmant_ps(u, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);  // U = 2^e m, m in [1, 2)
  const __m512 e = _mm512_sub_ps(_mm512_getexp_ps(u), _mm512_set1_ps(25.0f));
  const __m512i j = _mm512_srli_epi32(_mm512_castps_si512(u), 20);
  const __m512 c = _mm512_permutexvar_ps(j, t.c), ic = _mm512_permutexvar_ps(j, t.ic), lc = _mm512_permutexvar_ps(j, t.lc);
  const __m512 r = _mm512_mul_ps(_mm512_sub_ps(m, c), ic);
  const __m512 l1p = _mm512_fmadd_ps(_mm512_mul_ps(r, r), horner16f(r, kLog1pF), r);
  const __m512 ln = _mm512_fmadd_ps(e, _mm512_set1_ps(kLn2LoF), _mm512_fmadd_ps(e, _mm512_set1_ps(kLn2HiF), _mm512_add_ps(lc, l1p)));
  return _mm512_max_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ln), _mm512_setzero_ps());
}
inline void cos_sin_half16f(__m512i b, __m512 hp, __m512& cpsi, __m512& shalf) {
  // 2 (b - 2^15) + 1 = 2 b - 65535, exact in float (b < 2^16)
  const __m512 sb = _mm512_fmadd_ps(_mm512_cvtepi32_ps(b), _mm512_set1_ps(2.0f), _mm512_set1_ps(-65535.0f));
  const __m512 h = _mm512_mul_ps(sb, hp);
  const __m512 z = _mm512_mul_ps(h, h);
  const __m512 sh = _mm512_fmadd_ps(_mm512_mul_ps(h, z), horner16f(z, kSinF), h);
  const __m512 ch = _mm512_fmadd_ps(_mm512_mul_ps(z, z), horner16f(z, kCosF), _mm512_fnmadd_ps(_mm512_set1_ps(0.5f), z, _mm512_set1_ps(1.0f)));
  cpsi = _mm512_fmsub_ps(ch, ch, _mm512_mul_ps(sh, sh));
  shalf = _mm512_mul_ps(sh, ch);
}

// The AVX-512 build's pair sums: the words and transforms of pair_sums_exact in one pass of 16
// pairs, and the "both" terms R^2 cos^2 psi, R^2 sin^2 psi, R^2 cos psi sin psi multiplied and
// summed in single precision (16 float lanes per block of kPairBlock pairs, the blocks' lane sums in
// double): each sum within a few 1e-7 of pair_sums_exact's relative to its size. A layer with an
// R^2 tail word (a = 0) is pair_sums_exact's, and chain_step takes pair_sums_exact instead where
// the rounding could matter (an ill-conditioned layer, see there).
PairSums pair_sums(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta) {
  theta = std::min(theta, kPiD);
  const long active = cnt.both + cnt.x + cnt.y;
  const __m512 hp = _mm512_set1_ps(float(0.25 * (kPiD - theta) * 0x1p-16));
  const LogTables16 logt;
  PairBlock B;
  alignas(64) float r2[kPairBuf];
  alignas(64) std::uint32_t bw[kPairBuf];
  __m512d cc = _mm512_setzero_pd(), ss = cc, cs = cc;
  PairSums out;
  for (long p0 = 0; p0 < active; p0 += kPairBlock) {
    if ((p0 & ((1L << 20) - 1)) == 0 && p0 > 0) throw_if_stopped();  // huge widths: Ctrl-C
    const int np = pair_block(key, layer, sample, p0, active, B);
    const int nb = int(std::clamp<long>(cnt.both - p0, 0, np));
    // sums of R^2 cos^2 psi, R^2 (sin psi / 2)^2, R^2 cos psi (sin psi / 2) in 16 float lanes
    __m512 fcc = _mm512_setzero_ps(), fss = fcc, fcs = fcc;
    __m512i amin = _mm512_set1_epi32(-1);  // the least R^2 word (0: a tail word)
    const auto both_terms = [&](__m512 w, __m512i b) {
      __m512 c, sh;
      cos_sin_half16f(b, hp, c, sh);
      const __m512 wc = _mm512_mul_ps(w, c);
      fcc = _mm512_fmadd_ps(wc, c, fcc);
      fss = _mm512_fmadd_ps(_mm512_mul_ps(w, sh), sh, fss);
      fcs = _mm512_fmadd_ps(wc, sh, fcs);
    };
    int k = 0, j = 0, i = 0;  // pair k: segment j, call i (no call in these loops: the sums stay in registers)
    for (; k + 16 <= nb; k += 16) {  // vectors of "both" pairs
      __m512i a, b;
      pair_words16(B, j, i, a, b);
      for (i += 16; i >= B.m; ++j) i -= B.m;  // (m = 8: the vector spans two whole segments)
      amin = _mm512_min_epu32(amin, a);
      both_terms(exp_weight16f_fast(a, logt), b);
    }
    for (; k < np; k += 16) {  // the vector across the end of the "both" pairs, the one-input ones
      __m512i a, b;
      pair_words16(B, j, i, a, b);
      for (i += 16; i >= B.m; ++j) i -= B.m;
      const int left = np - k, lb = nb - k;
      const __mmask16 live = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
      const __mmask16 inb = lb <= 0 ? __mmask16(0) : __mmask16((1u << lb) - 1);  // lb < 16 here
      amin = _mm512_mask_min_epu32(amin, live, amin, a);
      const __m512 w = exp_weight16f_fast(a, logt);
      if (inb) both_terms(_mm512_maskz_mov_ps(inb, w), b);
      _mm512_store_ps(r2 + k, w);  // the one-input pairs: their terms below, in double
      _mm512_store_si512(bw + k, b);
    }
    const __mmask16 zero = _mm512_cmpeq_epi32_mask(amin, _mm512_setzero_si512());
    // rare (2^-24 per pair): an R^2 tail word; the layer is then pair_sums_exact's
    if (zero) return pair_sums_exact(key, layer, sample, cnt, theta);
    const auto add16 = [](__m512d acc, __m512 f) {
      return _mm512_add_pd(acc, _mm512_add_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(f)),
                                              _mm512_cvtps_pd(_mm512_extractf32x8_ps(f, 1))));
    };
    cc = add16(cc, fcc);
    ss = add16(ss, _mm512_mul_ps(_mm512_set1_ps(4.0f), fss));  // (exact: powers of 2)
    cs = add16(cs, _mm512_add_ps(fcs, fcs));
    if (nb < np) one_input_terms(r2, bw, nb, np, int(std::clamp<long>(cnt.both + cnt.x - p0, 0, np)), theta, out);
  }
  out.cc = _mm512_reduce_add_pd(cc);
  out.ss = _mm512_reduce_add_pd(ss);
  out.cs = _mm512_reduce_add_pd(cs);
  return out;
}
#else
PairSums pair_sums(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta) {
  return pair_sums_exact(key, layer, sample, cnt, theta);
}
#endif

// One layer in polar coordinates. A pair (G, Z) = R (cos phi, sin phi) with R^2 = -2 ln U
// (exponential) and phi uniform; then X = R max(cos phi, 0), Y = R max(cos(phi - theta), 0),
// and D = (Y - X) / sin theta (for small angles without cancellation). Every sum the angle
// needs is a sum of R^2 times a function of phi, and pairs with phi in the arc where both
// cosines are <= 0 (probability 1/2 - delta) add nothing, so only the active neurons are
// drawn: their numbers in the three arcs come from neuron_counts, and then
//   both > 0: phi = theta/2 + psi, |psi| < (pi - theta)/2:  X = C cos psi - S sin psi,
//             Y = C cos psi + S sin psi, D = sin psi / C  (C, S = cos, sin of theta/2),
//   only X:   phi = -pi/2 + a, 0 < a < theta:  X = sin a, Y = 0, D = -X / sin theta,
//   only Y:   phi = pi/2 + a:                  X = 0, Y = sin a, D = Y / sin theta,
// so the sums need only pair_sums: sum R^2 cos^2 psi, R^2 sin^2 psi, R^2 cos psi sin psi over
// the first kind and sum R^2 sin^2 a over each of the others.
Step chain_step(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, const Step& cur) {
  const double theta = cur.theta, c = cur.c, s = cur.s;
  // cos and sin of theta / 2 (accurate at both ends) and reciprocals, first: their latency then
  // overlaps with the counting
  double C, S;
  if (c >= 0) {
    C = std::sqrt(0.5 * (1.0 + c));
    S = 0.5 * s / C;
  } else {
    S = std::sqrt(0.5 * (1.0 - c));
    C = 0.5 * s / S;
  }
  const double inv = 1.0 / (C * s), inv_s = C * inv, inv_c = s * inv;
  const Counts cnt = neuron_counts(key, layer, sample, n, theta);
  Step out;
  if (cnt.x + cnt.both == 0 || cnt.y + cnt.both == 0) {
    out.kind = kDead;
    return out;
  }
  if (cnt.both == 1 && cnt.x == 0 && cnt.y == 0) {
    out.kind = kDegenerate;
    return out;
  }
  if (cnt.both == 0) {  // disjoint supports: orthogonal (also when the sums would underflow)
    out.theta = kPiD / 2;
    out.c = 0;
    out.s = 1;
    out.x = 0;
    return out;
  }
  // The new angle from the sums. With the AVX-512 build's single-precision sums (pair_sums) a
  // layer where |X x D|^2 < |X|^2 |D|^2 / 16 is ill-conditioned for them (their rounding, a few
  // 1e-7 of |X|^2 |D|^2, would exceed a few 1e-6 of |X x D|^2: few active neurons at close angles):
  // angle() then returns false and pair_sums_exact's double sums decide.
  const auto angle = [&](const PairSums& ps, bool single) {
    const double sxx = ps.sx + C * C * ps.cc - 2.0 * C * S * ps.cs + S * S * ps.ss;
    const double syy = ps.sy + C * C * ps.cc + 2.0 * C * S * ps.cs + S * S * ps.ss;
    const double sxy = C * C * ps.cc - S * S * ps.ss;
    const double norm2 = sxx * syy;
    const double cn = sxy / std::sqrt(norm2);
    const double sin2_direct = 1.0 - cn * cn;
    double sn, lnsin2;
    if (sin2_direct >= 0.5) {
      sn = std::sqrt(sin2_direct);
      lnsin2 = std::log(sin2_direct);
    } else {
      // sin theta' = s * r with r^2 = |X x D|^2 / (|X|^2 |Y|^2) (one division, off the square root's path)
      const double sdd = (ps.sx + ps.sy) * inv_s * inv_s + ps.ss * inv_c * inv_c;
      const double sxd = ps.cs - S * ps.ss * inv_c - ps.sx * inv_s;
      const double num = sxx * sdd - sxd * sxd;
      if (single && !(num >= 0.0625 * (sxx * sdd))) return false;
      const double r2 = num / norm2;
      if (!(r2 > 0.0)) {
        out.kind = kDegenerate;  // numerically parallel
        return true;
      }
      sn = s * std::sqrt(r2);
      lnsin2 = cur.x + std::log(r2);
    }
    if (!(sn >= 1e-300) || !std::isfinite(lnsin2)) {
      out.kind = kDegenerate;  // angle below the double range
      return true;
    }
    out.theta = asin_or_atan2(sn, cn);
    out.c = cn;
    out.s = sn;
    out.x = lnsin2;
    return true;
  };
  if (!angle(pair_sums(key, layer, sample, cnt, theta), RELUMIX_MC_AVX512 != 0))
    angle(pair_sums_exact(key, layer, sample, cnt, theta), false);
  return out;
}

// One chain layer for phi_alpha, alpha != 0 (SPEC section 8): the plain route, n pairs of normal_pairs
// (stream 0: pair p of the layer is pair p mod 2 kBatch of the call block p / (2 kBatch)),
//   G = g,  G' = c g + s z  (corr cos theta),  X = phi(G), Y = phi(G'),  k_X, k_Y their slopes (1 or alpha),
// and the sums A = sum X^2, B = sum Y^2, C = sum X Y; cos theta' = C / sqrt(A B). For sin theta'
// without cancellation near 0 and pi: D = (Y - X) / s and E = (Y + X) / s, formed from
//   m = (G' - G) / s = z - g tan(theta/2),  p = (G' + G) / s = z + g cot(theta/2)
// as D = h_d p + h_s m, E = h_s p + h_d m (h_s, h_d = (k_Y +- k_X) / 2), so that
//   sin^2 theta' = s^2 (A sum D^2 - (sum X D)^2) / (A B)   (near 0; E in place of D near pi).
// At theta = pi exactly (the double nearest pi, as neuron_counts reads it) G' = -G: with
// P = sum_{G > 0} G^2, N = sum_{G < 0} G^2,  A = P + alpha^2 N, B = alpha^2 P + N, C = -alpha (P + N)
// and sin^2 theta' = (1 - alpha^2)^2 P N / (A B) exactly: |x| and the linear map make the two
// vectors equal or opposite (degenerate), and so does any alpha when all G have one sign.
// No unit dies (phi(x) = 0 only at x = 0).
// c ? a : b as a bit mask, so that the loops below vectorize without AVX-512's masks (SSE2)
inline double pick(bool c, double a, double b) {
  const std::uint64_t m = std::uint64_t(0) - std::uint64_t(c);
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}

Step chain_step_alpha(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, const Step& cur, double alpha) {
  const bool at_pi = cur.theta >= kPiD;
  const double c = cur.c, s = cur.s;
  // tan and cot of theta / 2, accurate at both ends
  const double tn = c >= 0 ? s / (1.0 + c) : (1.0 - c) / s;
  const double ct = c >= 0 ? (1.0 + c) / s : s / (1.0 - c);
  alignas(64) double g[2 * kBatch + kLanes], z[2 * kBatch + kLanes];
  alignas(64) double acc_a[kLanes] = {}, acc_b[kLanes] = {}, acc_c[kLanes] = {}, acc_dd[kLanes] = {},
                     acc_xd[kLanes] = {}, acc_ee[kLanes] = {}, acc_xe[kLanes] = {};
  for (long p0 = 0; p0 < n; p0 += 2L * kBatch) {
    if ((p0 & ((1L << 20) - 1)) == 0 && p0 > 0) throw_if_stopped();  // huge widths: Ctrl-C
    const int np = int(std::min<long>(2L * kBatch, n - p0));
    const int m = (np + 1) / 2;
    normal_pairs(key, layer, sample, std::uint64_t(p0 / 2), m, g, z);
    // normal_pairs fills pairs [0, m) from words (0, 1) and [m, 2m) from words (2, 3)
    const int padded = (np + kLanes - 1) / kLanes * kLanes;
    for (int k = np; k < padded; ++k) g[k] = z[k] = 0.0;  // adds nothing
    if (at_pi) {  // acc_a: P, acc_b: N
      for (int k0 = 0; k0 < padded; k0 += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
          const double gg = g[k0 + l], g2 = gg * gg;
          acc_a[l] += pick(gg > 0, g2, 0.0);
          acc_b[l] += pick(gg > 0, 0.0, g2);
        }
      }
      continue;
    }
    for (int k0 = 0; k0 < padded; k0 += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const int k = k0 + l;
        const double gg = g[k], zz = z[k];
        const double gh = c * gg + s * zz;
        const double kx = pick(gg > 0, 1.0, alpha), ky = pick(gh > 0, 1.0, alpha);
        const double x = kx * gg, y = ky * gh;
        const double mm = zz - gg * tn, pp = zz + gg * ct;
        const double hs = 0.5 * (ky + kx), hd = 0.5 * (ky - kx);
        const double d = hd * pp + hs * mm, e = hs * pp + hd * mm;
        acc_a[l] += x * x;
        acc_b[l] += y * y;
        acc_c[l] += x * y;
        acc_dd[l] += d * d;
        acc_xd[l] += x * d;
        acc_ee[l] += e * e;
        acc_xe[l] += x * e;
      }
    }
  }
  double A = 0, B = 0, C = 0, Sdd = 0, Sxd = 0, See = 0, Sxe = 0;
  for (int l = 0; l < kLanes; ++l) {
    A += acc_a[l];
    B += acc_b[l];
    C += acc_c[l];
    Sdd += acc_dd[l];
    Sxd += acc_xd[l];
    See += acc_ee[l];
    Sxe += acc_xe[l];
  }
  Step out;
  double cn, sn, lnsin2;
  if (at_pi) {
    const double P = A, N = B, a2 = alpha * alpha, q = (1.0 - a2) * (1.0 - a2);
    A = P + a2 * N;
    B = a2 * P + N;
    if (!(A > 0) || !(B > 0)) {
      out.kind = kDead;  // every pre-activation exactly 0: not expected from the normals
      return out;
    }
    const double inv_norm = 1.0 / std::sqrt(A * B);
    cn = std::clamp(-alpha * (P + N) * inv_norm, -1.0, 1.0);
    const double sin2 = q * P * N * inv_norm * inv_norm;
    if (!(sin2 > 0.0)) {
      out.kind = kDegenerate;  // equal or opposite vectors
      return out;
    }
    sn = std::sqrt(sin2);
    lnsin2 = std::log(sin2);
  } else {
    if (!(A > 0) || !(B > 0)) {
      out.kind = kDead;  // every pre-activation exactly 0: not expected from the normals
      return out;
    }
    const double inv_norm = 1.0 / std::sqrt(A * B);
    cn = std::clamp(C * inv_norm, -1.0, 1.0);
    const double sin2_direct = 1.0 - cn * cn;
    if (sin2_direct >= 0.5) {
      sn = std::sqrt(sin2_direct);
      lnsin2 = std::log(sin2_direct);
    } else {
      const double num = cn > 0 ? A * Sdd - Sxd * Sxd : A * See - Sxe * Sxe;
      const double r2 = num * inv_norm * inv_norm;
      if (!(r2 > 0.0)) {
        out.kind = kDegenerate;  // numerically parallel or antiparallel
        return out;
      }
      sn = s * std::sqrt(r2);
      lnsin2 = cur.x + std::log(r2);
    }
  }
  if (!(sn >= 1e-300) || !std::isfinite(lnsin2)) {
    out.kind = kDegenerate;  // angle within the double range of 0 or pi
    return out;
  }
  out.theta = asin_or_atan2(sn, cn);
  out.c = cn;
  out.s = std::min(sn, 1.0);
  out.x = std::min(lnsin2, 0.0);
  return out;
}

extern const KernelTable table;
const KernelTable table = {RELUMIX_MC_NAME, RELUMIX_MC_AVX512 ? "avx512" : "portable", normal_pairs,
                           box_muller, neuron_counts, pair_sums, pair_sums_exact, chain_step,
                           chain_step_alpha};

}  // namespace relumix::mc_detail::RELUMIX_MC_NS
