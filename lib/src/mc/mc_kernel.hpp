#pragma once
// Internal (not installed): the Monte Carlo kernels of mc.cpp. Tests and benchmarks include it.
//
// Random numbers: ARS-7 (Random123's ARS4x32, see ars.hpp), key = seed, counter = (index, layer,
// sample): every sample is a pure function of (seed, sample index).
//
// The kernels exist in three builds of one source (mc_kernel_impl.hpp), chosen at run time
// (kernel()): `portable` (the baseline ISA, any CPU; compiled without floating-point contraction),
// `avx2` (AVX2 intrinsics for the category counts and the pair sums with the portable
// build's floating-point operations: the same bits, family "portable") and `avx512` (AVX-512
// counts and network-mode normals with FMA, the AVX2 pair sums with contraction allowed: its
// chain numbers agree with the portable ones to float rounding, ~1e-7, not bitwise). A run is
// bitwise reproducible for any thread count, process count and checkpoint split with the same
// kernel (KernelTable::family).
#include <cstdint>

#include "mc/ars.hpp"

namespace relumix::mc_detail {

Key key_of_seed(std::uint64_t seed);  // (seed lo, seed hi)
// Counter of call j in stream (layer, sample): (j mod 2^32, j / 2^32 + layer * 2^12, sample lo, hi).
constexpr int kBatch = 128;
// Fills m calls j0 .. j0 + m - 1 of the stream (layer, sample) into out0..out3 (SoA).
inline void random_batch(const Key& key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                         std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3) {
  ars_batch(key, j0, layer << 12, std::uint32_t(sample), std::uint32_t(sample >> 32), m, out0, out1, out2, out3);
}

// The random_batch sample argument carries a stream number in bits 48..63 (samples are below
// 2^40): stream 0 holds the pairs (and network mode's normals), 1 the neuron categories of the
// chain, 2 + b the words 4b..4b+3 that settle a category tie of neuron j (call j), 0x100 the
// R^2 tail words of the chain (call p: pair p of the layer, when its 24-bit R^2 word is 0).
constexpr std::uint64_t kStreamCategory = 1, kStreamTie = 2;
constexpr std::uint64_t stream_sample(std::uint64_t sample, std::uint64_t stream) { return sample | (stream << 48); }

// Neuron categories of a chain layer: counts of "only X > 0", "only Y > 0", "both > 0".
struct Counts {
  long x = 0, y = 0, both = 0;
};
// The sums over the active neurons (see pair_sums in mc_kernel_impl.hpp).
struct PairSums {
  double cc = 0, ss = 0, cs = 0, sx = 0, sy = 0;
};

// State of one chain sample after a layer: the angle theta, its cos and sin, X = ln sin^2 theta,
// and kind (kOk, or the event that ended the sample at this layer).
enum : std::uint8_t { kOk = 0, kDegenerate = 1, kDead = 2 };
struct Step {
  double theta = 0, c = 1, s = 0, x = 0;
  std::uint8_t kind = kOk;
};
// The state at the input angle theta0.
Step chain_start(double theta0);

// One build of the kernels. All functions are deterministic in their arguments.
struct KernelTable {
  const char* name;    // "portable", "avx2", "avx512"
  const char* family;  // the numbers it makes: "portable" or "avx512"
  // 2m standard normal pairs (g[k], z[k]), k < 2m, from calls j0 .. j0 + m - 1 (Box-Muller on
  // 32-bit uniforms (u + 1/2) 2^-32: pair k < m uses words (0, 1) of call k, pair m + k words (2, 3)).
  void (*normal_pairs)(const Key& key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m, double* g,
                       double* z);
  // Box-Muller of two 32-bit words (the transform of normal_pairs, one pair).
  void (*box_muller)(std::uint32_t a, std::uint32_t b, double& g, double& z);
  // Chain layer of width n at angle theta. Neuron i is "only X > 0", "only Y > 0", "both > 0" or
  // neither when its uniform U_i falls in [0, d), [d, 2d), [2d, 1/2 + d) or [1/2 + d, 1),
  // d = theta / (2 pi): U_i's first 16 bits are half of a word of stream 1 (neuron i: call i / 8,
  // word (i / 2) mod 4 of the SoA batch, low half for even i), and ties with a threshold are
  // settled exactly with further words of U_i (streams 2, 3, ...). Polls stop_requested() every
  // 2^20 neurons (throws Interrupted).
  Counts (*neuron_counts)(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, double theta);
  // The sums over the active neurons, in the order both, only X, only Y. Pairs come three per
  // generator call of stream 0 in blocks of 3 kBatch: for the np pairs p0.. of a block, the m calls
  // p0 / 3 .. (m = ceil(np / 3) rounded up to a multiple of 8) give pair k of segment j = k / m
  // (call k mod m) the 24-bit word a = w_j >> 8 and the 16-bit word b = w3 & 0xFFFF, w3 >> 16,
  // (w0 & 0xFF) | (w1 & 0xFF) << 8 (j = 0, 1, 2).
  // R^2 = -2 ln U, U = float(2a + 1) 2^-25 (a cell midpoint rounded to float), for a = 0
  // U = float(t / 2 | 1) 2^-55 with t word 0 of call p of stream 0x100; then
  //   both:   psi = (pi - theta)/2 * (2 (b - 2^15) + 1) / 2^16,  cc, ss, cs = sum R^2 cos^2 psi,
  //           R^2 sin^2 psi, R^2 cos psi sin psi;
  //   only X / only Y:  a = theta (b + 1/2) / 2^16,  sx / sy = sum R^2 sin^2 a.
  // R^2, cos psi and sin psi are computed in single precision (within 1.1e-7 max(1, R^2) and
  // 2.5e-7), the products and sums in double; sin a in double.
  // The AVX-512 build multiplies and sums the "both" terms in single precision too (16 float lanes
  // per block, the blocks' sums in double: each sum within a few 1e-7 of its size), and
  // pair_sums_exact is the double route there (products and sums of the float factors in double,
  // for chain_step's ill-conditioned layers); in the other builds the two are one function.
  PairSums (*pair_sums)(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta);
  PairSums (*pair_sums_exact)(const Key& key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta);
  // One chain step of width n from the current state to the next (see mc_kernel_impl.hpp).
  Step (*chain_step)(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, const Step& cur);
  // The same for phi_alpha(x) = max(x, 0) + alpha min(x, 0), alpha != 0 (a separate path: n normal
  // pairs of normal_pairs, stream 0, per layer; see chain_step_alpha in mc_kernel_impl.hpp).
  Step (*chain_step_alpha)(const Key& key, std::uint32_t layer, std::uint64_t sample, long n, const Step& cur,
                           double alpha);
};

enum class Kernel { Portable, Avx2, Avx512 };
bool kernel_available(Kernel k);              // the CPU can run it (portable: always)
const char* kernel_name(Kernel k);            // its KernelTable::name
const KernelTable& kernel_table(Kernel k);    // requires kernel_available(k)
// The kernel in use: the best available one (avx512, avx2, portable), or the one named by the
// environment variable RELUMIX_MC_KERNEL (portable, avx2 or avx512; a name the CPU cannot run is
// an InputError).
const KernelTable& kernel();
// Tests and benchmarks: use k from now on (requires kernel_available(k)).
void select_kernel(Kernel k);

}  // namespace relumix::mc_detail
