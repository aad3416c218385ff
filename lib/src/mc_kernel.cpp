// Monte Carlo hot loops: Philox4x32-10 in batches, a branch-free Box-Muller transform with
// polynomial log/sin/cos, and the chain step of SPEC section 1. Everything here is written as
// plain loops over arrays so that g++ -O3 (-march=native) vectorizes it; the results do not
// depend on how the loops are vectorized beyond the usual rounding of one fixed binary.
//
// The one exception is the square root of Box-Muller: with errno semantics (the default) g++
// will not vectorize std::sqrt, and `#pragma GCC optimize("no-math-errno")` does not change
// that, so sqrt_array uses the SSE2/AVX square-root instructions directly (on AVX-512, rsqrt14
// with Newton steps). Philox has an AVX-512 version with intrinsics: g++'s own vectorization of its
// 32 x 32 -> 64-bit products was the bottleneck there.

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "relumix/mc.hpp"

#if defined(__SSE2__)
#include <immintrin.h>
#endif

// g++ 12 warns about the _mm512_undefined_* placeholders inside its own AVX-512 intrinsics
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace relumix::mc_detail {

namespace {
constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // Philox4x32 multipliers
constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // Weyl key increments
constexpr int kLanes = 8;                                       // accumulator lanes

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
  double p = 1.0 / 17;
  p = p * s2 + 1.0 / 15;
  p = p * s2 + 1.0 / 13;
  p = p * s2 + 1.0 / 11;
  p = p * s2 + 1.0 / 9;
  p = p * s2 + 1.0 / 7;
  p = p * s2 + 1.0 / 5;
  p = p * s2 + 1.0 / 3;
  p = p * s2 + 1.0;
  return ed * 0.6931471805599453 + 2.0 * s * p;
}

// v[k] = sqrt(v[k]) for k < m (v[k] >= 0; v is 64-byte aligned and padded to a multiple of 8).
inline void sqrt_array(double* v, int m) {
#if defined(__AVX512F__)
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

// Box-Muller on words (a, b), first part: r2 = -2 ln u with u = (a + 1/2) 2^-32, and the
// unit vector at angle 2 pi (b + 1/2) 2^-32. The normals are sqrt(r2) * (cphi, sphi).
inline void bm_parts(std::uint32_t a, std::uint32_t b, double& r2out, double& cphi_out, double& sphi_out) {
  double r2 = 2.0 * (22.18070977791825 - log_word(double(a) + 0.5));  // 22.18... = 32 ln 2
  r2out = r2 > 1e-300 ? r2 : 1e-300;  // r2 >= 2.3e-10 in exact arithmetic; keep sqrt_array away from 0
  // angle: nearest quarter turn q and the rest x in (-pi/4, pi/4)
  std::uint32_t mm = b + (1u << 29);
  std::uint32_t q = mm >> 30;
  std::int32_t rest = std::int32_t(mm & 0x3FFFFFFFu) - (1 << 29);
  double x = (double(rest) + 0.5) * (1.5707963267948966 / 1073741824.0);
  double x2 = x * x;
  // Taylor series, errors below 3e-14 (sin) and 1e-15 (cos) on |x| <= pi/4
  double sp = 1.0 / 6227020800.0;
  sp = sp * x2 - 1.0 / 39916800.0;
  sp = sp * x2 + 1.0 / 362880.0;
  sp = sp * x2 - 1.0 / 5040.0;
  sp = sp * x2 + 1.0 / 120.0;
  sp = sp * x2 - 1.0 / 6.0;
  double sx = x + x * x2 * sp;
  double cp = -1.0 / 87178291200.0;
  cp = cp * x2 + 1.0 / 479001600.0;
  cp = cp * x2 - 1.0 / 3628800.0;
  cp = cp * x2 + 1.0 / 40320.0;
  cp = cp * x2 - 1.0 / 720.0;
  cp = cp * x2 + 1.0 / 24.0;
  cp = cp * x2 - 0.5;
  double cx = 1.0 + x2 * cp;
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

Key key_of_seed(std::uint64_t seed) { return Key{std::uint32_t(seed), std::uint32_t(seed >> 32)}; }

void philox_batch(Key key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                  std::uint32_t* __restrict out0, std::uint32_t* __restrict out1,
                  std::uint32_t* __restrict out2, std::uint32_t* __restrict out3) {
  const std::uint32_t c2 = std::uint32_t(sample), c3 = std::uint32_t(sample >> 32);
  const std::uint32_t lo0 = std::uint32_t(j0);
  const std::uint32_t hi0 = std::uint32_t(j0 >> 32) + (layer << 12);
#if defined(__AVX512F__)
  // 16 calls at a time in 32-bit lanes. g++ widens the 32 x 32 -> 64-bit products of the loop
  // below to 64-bit lanes (vpmullq and permutes); here the even and odd lanes are multiplied with
  // vpmuludq and the high and low halves put back with masked shuffles, about 4x fewer instructions.
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i m0 = _mm512_set1_epi64(kM0), m1 = _mm512_set1_epi64(kM1);
  for (int k = 0; k < m; k += 16) {
    __m512i x0 = _mm512_add_epi32(_mm512_set1_epi32(int(lo0 + std::uint32_t(k))), iota);
    __mmask16 carry = _mm512_cmplt_epu32_mask(x0, _mm512_set1_epi32(int(lo0)));
    __m512i x1 = _mm512_mask_add_epi32(_mm512_set1_epi32(int(hi0)), carry, _mm512_set1_epi32(int(hi0)), _mm512_set1_epi32(1));
    __m512i x2 = _mm512_set1_epi32(int(c2)), x3 = _mm512_set1_epi32(int(c3));
    std::uint32_t k0 = key.k0, k1 = key.k1;
    for (int r = 0; r < 10; ++r) {
      // p_e: products of the even lanes, p_o: of the odd lanes (64 bits each). The high halves go
      // to (even: swapped in, odd: in place), the low halves to (even: in place, odd: swapped in);
      // a masked in-lane swap (_MM_PERM_CDAB) does each in one shuffle.
      __m512i p0e = _mm512_mul_epu32(x0, m0), p0o = _mm512_mul_epu32(_mm512_srli_epi64(x0, 32), m0);
      __m512i p1e = _mm512_mul_epu32(x2, m1), p1o = _mm512_mul_epu32(_mm512_srli_epi64(x2, 32), m1);
      __m512i hi0v = _mm512_mask_shuffle_epi32(p0o, 0x5555, p0e, _MM_PERM_CDAB);
      __m512i lo0v = _mm512_mask_shuffle_epi32(p0e, 0xAAAA, p0o, _MM_PERM_CDAB);
      __m512i hi1v = _mm512_mask_shuffle_epi32(p1o, 0x5555, p1e, _MM_PERM_CDAB);
      __m512i lo1v = _mm512_mask_shuffle_epi32(p1e, 0xAAAA, p1o, _MM_PERM_CDAB);
      x0 = _mm512_ternarylogic_epi32(hi1v, x1, _mm512_set1_epi32(int(k0)), 0x96);  // three-way xor
      x1 = lo1v;
      x2 = _mm512_ternarylogic_epi32(hi0v, x3, _mm512_set1_epi32(int(k1)), 0x96);
      x3 = lo0v;
      k0 += kW0;
      k1 += kW1;
    }
    __mmask16 keep = m - k >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (m - k)) - 1);
    _mm512_mask_storeu_epi32(out0 + k, keep, x0);
    _mm512_mask_storeu_epi32(out1 + k, keep, x1);
    _mm512_mask_storeu_epi32(out2 + k, keep, x2);
    _mm512_mask_storeu_epi32(out3 + k, keep, x3);
  }
  return;
#endif
  for (int k = 0; k < m; ++k) {
    std::uint32_t lo = lo0 + std::uint32_t(k);
    std::uint32_t x0 = lo, x1 = hi0 + (lo < lo0 ? 1u : 0u), x2 = c2, x3 = c3;
    std::uint32_t k0 = key.k0, k1 = key.k1;
#pragma GCC unroll 10
    for (int r = 0; r < 10; ++r) {
      std::uint64_t p0 = std::uint64_t(kM0) * x0;
      std::uint64_t p1 = std::uint64_t(kM1) * x2;
      std::uint32_t y0 = std::uint32_t(p1 >> 32) ^ x1 ^ k0;
      std::uint32_t y1 = std::uint32_t(p1);
      std::uint32_t y2 = std::uint32_t(p0 >> 32) ^ x3 ^ k1;
      std::uint32_t y3 = std::uint32_t(p0);
      x0 = y0; x1 = y1; x2 = y2; x3 = y3;
      k0 += kW0;
      k1 += kW1;
    }
    out0[k] = x0;
    out1[k] = x1;
    out2[k] = x2;
    out3[k] = x3;
  }
}

void box_muller(std::uint32_t a, std::uint32_t b, double& g, double& z) {
  double r2, c, s;
  bm_parts(a, b, r2, c, s);
  double r = std::sqrt(r2);
  g = r * c;
  z = r * s;
}

void normal_pairs(Key key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                  double* g, double* z) {
  alignas(64) std::uint32_t w0[kBatch], w1[kBatch], w2[kBatch], w3[kBatch];
  philox_batch(key, layer, sample, j0, m, w0, w1, w2, w3);
  bm_block(w0, w1, m, g, z);
  bm_block(w2, w3, m, g + m, z + m);
}

Step chain_step(Key key, std::uint32_t layer, std::uint64_t sample, long n, double c, double s, double t) {
  const double inv_s = 1.0 / s, cot = c / s;
  alignas(64) double g[2 * kBatch + kLanes], z[2 * kBatch + kLanes];
  // lane accumulators: xx, yy, xy, dd, xd, #x>0, #y>0, #both>0
  alignas(64) double axx[kLanes] = {}, ayy[kLanes] = {}, axy[kLanes] = {}, add[kLanes] = {},
                     axd[kLanes] = {}, anx[kLanes] = {}, any[kLanes] = {}, anxy[kLanes] = {};
  std::uint64_t j = 0;
  for (long done = 0; done < n;) {
    long rem = n - done;
    int m = int(std::min<long>(kBatch, (rem + 1) / 2));
    int pairs = int(std::min<long>(2L * m, rem));
    normal_pairs(key, layer, sample, j, m, g, z);
    // pad to whole lanes with zero pairs (they add nothing)
    int padded = (pairs + kLanes - 1) / kLanes * kLanes;
    for (int k = pairs; k < padded; ++k) g[k] = z[k] = 0.0;
    for (int k0 = 0; k0 < padded; k0 += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        double gv = g[k0 + l], zv = z[k0 + l];
        double gh = c * gv + s * zv;
        double fx = gv > 0.0 ? 1.0 : 0.0, fy = gh > 0.0 ? 1.0 : 0.0;
        double xv = gv > 0.0 ? gv : 0.0, yv = gh > 0.0 ? gh : 0.0;
        // D = (Y - X) / s, computed without cancellation
        double dboth = zv - t * gv, donlyx = -gv * inv_s, donlyy = cot * gv + zv;
        double d1 = gh > 0.0 ? dboth : donlyx;
        double d2 = gh > 0.0 ? donlyy : 0.0;
        double d = gv > 0.0 ? d1 : d2;
        axx[l] += xv * xv;
        ayy[l] += yv * yv;
        axy[l] += xv * yv;
        add[l] += d * d;
        axd[l] += xv * d;
        anx[l] += fx;
        any[l] += fy;
        anxy[l] += fx * fy;
      }
    }
    done += pairs;
    j += std::uint64_t(m);
  }
  double sxx = 0, syy = 0, sxy = 0, sdd = 0, sxd = 0, nx = 0, ny = 0, nxy = 0;
  for (int l = 0; l < kLanes; ++l) {
    sxx += axx[l]; syy += ayy[l]; sxy += axy[l]; sdd += add[l]; sxd += axd[l];
    nx += anx[l]; ny += any[l]; nxy += anxy[l];
  }
  Step out;
  if (nx == 0 || ny == 0) {
    out.kind = McRaw::kDead;
    return out;
  }
  if (nx == 1 && ny == 1 && nxy == 1) {
    out.kind = McRaw::kDegenerate;
    return out;
  }
  const double norm2 = sxx * syy;
  const double cn = sxy / std::sqrt(norm2);
  const double sin2_direct = (norm2 - sxy * sxy) / norm2;
  double sn, lnsin2;
  if (sin2_direct >= 0.5) {
    sn = std::sqrt(sin2_direct);
    lnsin2 = std::log(sin2_direct);
  } else {
    // sin theta' = s * r with r^2 = |X x D|^2 / (|X|^2 |Y|^2)
    double r2 = (sxx * sdd - sxd * sxd) / norm2;
    if (!(r2 > 0.0)) {
      out.kind = McRaw::kDegenerate;  // numerically parallel
      return out;
    }
    sn = s * std::sqrt(r2);
    lnsin2 = 2.0 * std::log(s) + std::log(r2);
  }
  if (!(sn >= kMcMinTheta0) || !std::isfinite(lnsin2)) {
    out.kind = McRaw::kDegenerate;  // angle below the double range
    return out;
  }
  out.c = cn;
  out.s = sn;
  out.x = lnsin2;
  return out;
}

}  // namespace relumix::mc_detail
