#pragma once
// Monte Carlo of the angle between two inputs of a random ReLU network (SPEC sections 1, 6).
//
// chain mode: the exact Markov reduction of SPEC section 1 (O(n) per layer).
// network mode: explicit Gaussian weight matrices (He scaling) applied to two inputs with
//   angle theta0; exists to validate the reduction on small cases.
//
// Random numbers: Philox4x32-10 (Random123), key = seed, counter = (index, layer, sample), so
// every sample is a pure function of (seed, sample): results are bitwise identical for any
// thread count and any split of the samples across processes (MPI).
//
// Per sample and layer l = 1..L the state is X = ln sin^2 theta^l. A sample is "dead" from the
// first layer where one input's post-activation vector is zero, and "degenerate" from the first
// layer where the two vectors are parallel (theta = 0 forever after). Statistics exclude both and
// report how many they exclude.
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include "relumix/core/limits.hpp"

namespace relumix {

enum class McMode { Chain, Network };
McMode parse_mc_mode(const std::string& name);  // "chain" | "network"; InputError otherwise
std::string mc_mode_name(McMode m);

struct McOptions {
  std::uint64_t samples = 5000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: all cores
  McMode mode = McMode::Chain;
  // Called from the calling thread a few times a second with the number of samples done.
  std::function<void(std::uint64_t done)> progress;
};

// Per-sample output for samples [first, first + count).
struct McRaw {
  int layers = 0;
  std::uint64_t first = 0, count = 0;
  // x[(l - 1) * count + i]: X at layer l of sample first + i (meaningful only for l < end[i])
  std::vector<double> x;
  // first layer at which sample i is dead or degenerate (layers + 1 if never)
  std::vector<std::int32_t> end;
  // 0: never; 1: degenerate (parallel); 2: dead (collapsed input)
  std::vector<std::uint8_t> kind;

  enum : std::uint8_t { kOk = 0, kDegenerate = 1, kDead = 2 };
  // state of sample i at layer l: kOk, kDegenerate or kDead
  std::uint8_t state(std::uint64_t i, int layer) const { return layer < end[i] ? std::uint8_t(kOk) : kind[i]; }
  double value(std::uint64_t i, int layer) const { return x[std::size_t(layer - 1) * count + i]; }
};

struct McSummary {  // statistics of one quantity over the samples in use
  double mean = 0, sd = 0, stderr_mean = 0;  // sd, stderr: NaN when count < 2
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0, min = 0, max = 0;
};

struct McLayer {
  int layer = 0;
  long width = 0;
  std::uint64_t count = 0, degenerate = 0, dead = 0;  // count + degenerate + dead = samples
  McSummary x;      // X = ln sin^2 theta^l   (all fields NaN when count == 0)
  McSummary theta;  // theta^l in radians
  // histogram of X over [hist_lo, hist_hi] (empty unless requested)
  double hist_lo = 0, hist_hi = 0;
  std::vector<std::uint64_t> hist;
};

struct McResult {
  McMode mode = McMode::Chain;
  std::uint64_t samples = 0, seed = 0;
  double theta0 = 0;
  std::vector<long> widths;
  double seconds = 0;
  std::vector<McLayer> layers;
};

// Checks the arguments (InputError on bad ones): widths >= 2 (chain) or >= 1 (network),
// 1 <= samples <= 10^10, theta0 in [1e-300, pi], threads >= 0, memory within kMcMemoryLimit.
void check_mc_args(const std::vector<long>& widths, double theta0, const McOptions& opt);

// Simulates samples [first, first + count) of the run described by opt (opt.samples is the
// total; it only enters the argument checks). Polls stop_requested() and throws Interrupted.
McRaw simulate_mc(const std::vector<long>& widths, double theta0, const McOptions& opt,
                  std::uint64_t first, std::uint64_t count);

// Per-layer statistics of a complete run (raw.first == 0, raw.count == samples);
// hist_bins > 0 adds a histogram of X per layer.
McResult summarize_mc(const McRaw& raw, const std::vector<long>& widths, double theta0,
                      const McOptions& opt, int hist_bins = 0);

// simulate_mc over all samples + summarize_mc; seconds = wall time.
McResult run_mc(const std::vector<long>& widths, double theta0, const McOptions& opt, int hist_bins = 0);

// JSON of a result, keys in this order: {"mode","widths","theta0","samples","seed","seconds",
// "layers":[...]}, with NaN written as null (docs/json.md).
nlohmann::ordered_json mc_to_json(const McResult& r);

// theta in [0, pi/2] from X = ln sin^2 theta (accurate near 0 and pi/2).
double mc_theta_of_x(double x);

namespace mc_detail {
// Philox4x32-10, bitwise equal to Random123's philox4x32 (checked by the tests).
struct Key {
  std::uint32_t k0, k1;
};
Key key_of_seed(std::uint64_t seed);
// Counter of call j in stream (layer, sample): (j mod 2^32, j / 2^32 + layer * 2^12, sample lo, hi).
// Fills m <= kBatch calls j0 .. j0 + m - 1 into out0..out3 (SoA).
constexpr int kBatch = 128;
void philox_batch(Key key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                  std::uint32_t* out0, std::uint32_t* out1, std::uint32_t* out2, std::uint32_t* out3);
// 2m standard normal pairs (g[k], z[k]), k < 2m, from calls j0 .. j0 + m - 1 (Box-Muller on
// 32-bit uniforms (u + 1/2) 2^-32: pair k < m uses words (0, 1) of call k, pair m + k words (2, 3)).
void normal_pairs(Key key, std::uint32_t layer, std::uint64_t sample, std::uint64_t j0, int m,
                  double* g, double* z);
// Box-Muller of two 32-bit words (the vectorized transform, one pair).
void box_muller(std::uint32_t a, std::uint32_t b, double& g, double& z);

// The philox_batch sample argument carries a stream number in bits 48..63 (samples are below
// 2^34): stream 0 holds the pairs (and network mode's normals), 1 the neuron categories of the
// chain, 2 + b the words 4b..4b+3 that settle a category tie of neuron j (call j).
constexpr std::uint64_t kStreamCategory = 1, kStreamTie = 2;
constexpr std::uint64_t stream_sample(std::uint64_t sample, std::uint64_t stream) { return sample | (stream << 48); }

// Chain layer of width n at angle theta. Neuron i is "only X > 0", "only Y > 0", "both > 0" or
// neither when its uniform U_i falls in [0, d), [d, 2d), [2d, 1/2 + d) or [1/2 + d, 1),
// d = theta / (2 pi): U_i's first 16 bits are half of a word of stream 1 (neuron i: call i / 8,
// word (i / 2) mod 4 of the SoA batch, low half for even i), and ties with a threshold are
// settled exactly with further words of U_i (streams 2, 3, ...).
struct Counts {
  long x = 0, y = 0, both = 0;
};
Counts neuron_counts(Key key, std::uint32_t layer, std::uint64_t sample, long n, double theta);

// The sums over the active neurons, in the order both, only X, only Y; active pair p uses the
// words (a, b) that normal_pairs would use for its pair p. R^2 = -2 ln((a + 1/2) 2^-32), and
//   both:   psi = (pi - theta)/2 * (b - 2^31 + 1/2) / 2^31,  cc, ss, cs = sum R^2 cos^2 psi,
//           R^2 sin^2 psi, R^2 cos psi sin psi;
//   only X / only Y:  a = theta (b + 1/2) / 2^32,  sx / sy = sum R^2 sin^2 a.
// pair_sums is the AVX-512 kernel where it is compiled, pair_sums_portable plain loops.
struct PairSums {
  double cc = 0, ss = 0, cs = 0, sx = 0, sy = 0;
};
PairSums pair_sums(Key key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta);
PairSums pair_sums_portable(Key key, std::uint32_t layer, std::uint64_t sample, const Counts& cnt, double theta);

// One chain step of width n from the current angle (theta, its cos and sin, X = ln sin^2 theta)
// to the next; kind as in McRaw (0 ok). Deterministic function of (key, layer, sample); see
// mc_kernel.cpp for how the sums give the angle. chain_start gives the state at theta0.
struct Step {
  double theta = 0, c = 1, s = 0, x = 0;
  std::uint8_t kind = 0;
};
Step chain_start(double theta0);
Step chain_step(Key key, std::uint32_t layer, std::uint64_t sample, long n, const Step& cur);
}  // namespace mc_detail

}  // namespace relumix
