#pragma once
// Monte Carlo of the angle between two inputs of a random ReLU network (SPEC sections 1, 6), or of
// a network with a positively homogeneous activation phi_alpha(x) = max(x, 0) + alpha min(x, 0)
// (McOptions::activation; SPEC section 8).
//
// chain mode: the exact Markov reduction of SPEC section 1 (O(n) per layer). For ReLU a polar
//   kernel that draws only the active neurons; for alpha != 0 (a separate path) n bivariate normal
//   pairs (G, G') with correlation cos theta per layer, X = phi(G), Y = phi(G'),
//   cos theta' = sum XY / sqrt(sum X^2 sum Y^2) (sin theta' without cancellation near 0 and pi).
// network mode: explicit Gaussian weight matrices applied to two inputs with angle theta0, weights
//   N(0, c_alpha / fan-in), c_alpha = 2 / (1 + alpha^2) (He scaling for ReLU: E phi(z)^2 is kept);
//   exists to validate the reduction on small cases.
//
// Per sample and layer l = 1..L the state is X = ln sin^2 theta^l. A sample is "dead" from the
// first layer where one input's post-activation vector is zero, and "degenerate" from the first
// layer where the two vectors are parallel (theta = 0 forever after). Statistics exclude both and
// report how many they exclude. For alpha != 0 no unit dies (phi(x) = 0 only at x = 0), so "dead"
// stays 0 (|x| from theta0 = pi: the two vectors are equal after one layer, degenerate). For
// alpha > 0 (leaky) the angle can be obtuse, and X = ln sin^2 theta does not determine theta:
// the theta statistics (McLayer::theta, its quantiles from a binning of theta itself) are then the
// ones to read. For alpha <= 0 phi >= 0, so theta <= pi/2 after the first layer.
//
// Random numbers: ARS-7 (AES rounds with a Weyl key schedule; Random123's ARS4x32, bitwise),
// key = seed, counter = (index, layer, sample), so every sample is a pure function of
// (seed, sample).
//
// Statistics are streamed: memory is O(layers x bins), whatever the number of samples. The
// samples are cut into fixed blocks (McPlan::block samples each); within a block the sums of
// (x - c)^k, k <= 4 (c a per-layer centre) are formed in double precision in sample order, and
// the block sums are added exactly (a fixed-point accumulator). So the result is bitwise the same
// for any thread count, any split of the blocks across processes (MPI) and any interruption and
// resumption from a checkpoint (with the same Monte Carlo kernel family: see docs/cluster.md).
// Quantiles, histograms and the Kolmogorov-Smirnov distance come from a fixed fine binning of X
// per layer (about sd/1024 wide in the centre, widening by 1/2048 of the distance beyond 2-4 sd),
// with exact counts; each statistic states its resolution.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>
#include "relumix/core/limits.hpp"

#include "relumix/core/progress.hpp"
#include "relumix/mc/stats.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/numeric/sin2.hpp"

namespace relumix {

enum class McMode { Chain, Network };
McMode parse_mc_mode(const std::string& name);  // "chain" | "network"; InputError otherwise
std::string mc_mode_name(McMode m);

struct McOptions {
  std::uint64_t samples = 5000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: all cores (the results do not depend on it)
  McMode mode = McMode::Chain;
  Activation activation;  // ReLU by default
  // progress(samples done, samples of the shard), called from the calling thread a few times a
  // second (also when resumed from a checkpoint, starting from the samples already done)
  ProgressFn progress;
  // Exact per-sample storage (McResult::kept): every layer, or only layer keep_layer (1..L) when
  // keep_layer > 0. Memory 9 bytes per sample and kept layer (17 for alpha > 0: theta too), at most
  // kMcMemoryLimit.
  bool keep = false;
  int keep_layer = 0;
  // Equal-bin histogram of X over [min, max] per layer (McLayer::hist) with this many bins (0: none).
  int hist_bins = 0;
  // Checkpoint file (empty: none). The run's merged state is written to it atomically (temporary
  // file, fsync, rename) every checkpoint_seconds and when the run ends or stops. If the file
  // exists it must be a checkpoint of the same run (same arguments, shard and kernel family), and
  // the run resumes from it; otherwise InputError. A checkpoint that cannot be written is an
  // InputError (the previous checkpoint stays intact). Not with keep.
  std::string checkpoint;
  double checkpoint_seconds = 5;
  // When stopped (stop_requested()): return what is done (McResult::partial) instead of throwing
  // Interrupted (the checkpoint, if any, is written first either way).
  bool partial_on_stop = false;
};

// Statistics of one quantity over the samples in use.
struct McSummary {
  double mean = 0, stderr_mean = 0;  // NaN when count == 0; stderr NaN when count < 2
  double sd = 0, stderr_sd = 0;      // sample sd (divisor count - 1); NaN when count < 2 (stderr_sd also when sd == 0)
  double var = 0, stderr_var = 0;    // sd^2 and sqrt((m4 - var^2) / count), m4 the 4th central moment; NaN when count < 2
  double q05 = 0, q25 = 0, q50 = 0, q75 = 0, q95 = 0;  // type-7 quantiles (numpy's default), from the binning
  double min = 0, max = 0;                              // exact; NaN when count == 0
};

struct McLayer {
  int layer = 0;
  long width = 0;
  std::uint64_t count = 0, degenerate = 0, dead = 0;  // count + degenerate + dead = samples done
  McSummary x;      // X = ln sin^2 theta^l
  McSummary theta;  // theta^l in radians (its quantiles are those of X mapped to theta; for an
                    // activation with alpha > 0, from a binning of theta, about sd/1024 wide)
  // Each reported quantile of X differs from the exact type-7 quantile of the samples by at most
  // quantile_error (0 when all come from the exact min and max; NaN when count == 0).
  double quantile_error = 0;
  // histogram of X over [hist_lo, hist_hi] (McOptions::hist_bins; see mc_histogram)
  double hist_lo = 0, hist_hi = 0;
  std::vector<std::uint64_t> hist;
};

// Exact per-sample storage (McOptions::keep) for samples [first, first + count).
struct McRaw {
  std::vector<int> layers;  // the layers kept (1-based, increasing)
  std::uint64_t first = 0, count = 0;
  // x[k * count + i]: X at layers[k] of sample first + i; NaN where the sample is excluded
  std::vector<double> x;
  // theta, laid out as x, for an activation with alpha > 0 (obtuse angles); empty otherwise, where
  // theta = theta_of_x(x)
  std::vector<double> t;
  // first layer at which sample i is dead or degenerate (L + 1 if never), and which
  std::vector<std::int32_t> end;
  std::vector<std::uint8_t> kind;

  enum : std::uint8_t { kOk = 0, kDegenerate = 1, kDead = 2 };
  std::uint8_t state(std::uint64_t i, int layer) const { return layer < end[i] ? std::uint8_t(kOk) : kind[i]; }
  // X of sample first + i at the k-th kept layer (NaN if excluded)
  double value_at(std::uint64_t i, std::size_t k) const { return x[k * count + i]; }
  double theta_at(std::uint64_t i, std::size_t k) const { return t.empty() ? theta_of_x(x[k * count + i]) : t[k * count + i]; }
};

namespace mc_detail {
struct McPlanData;
struct McStateData;
}  // namespace mc_detail

// What a run simulates and how its statistics are binned: the arguments, the block size and, per
// layer, the centres and bin widths (taken from the first block of samples, so every shard of
// the run bins alike). A pure function of (widths, theta0, mode, activation, samples, seed).
class McPlan {
 public:
  const std::vector<long>& widths() const;
  double theta0() const;
  McMode mode() const;
  const Activation& activation() const;
  std::uint64_t samples() const, seed() const;
  std::uint64_t block() const;   // samples per block (32, fewer when one sample is expensive)
  std::uint64_t blocks() const;  // ceil(samples / block)
  const std::string& fingerprint() const;  // canonical text of all of the above and the kernel family
  std::shared_ptr<const mc_detail::McPlanData> data;
};

// Checks the arguments (InputError on bad ones): widths >= 2 (chain) or >= 1 (network), at most
// kMaxLayers layers, 1 <= samples <= kMcMaxSamples, theta0 in [1e-300, pi], threads >= 0, the
// work per sample and the storage within their limits.
void check_mc_args(const std::vector<long>& widths, double theta0, const McOptions& opt);
// check_mc_args, then the plan (simulates the first block). Polls stop_requested().
McPlan mc_plan(const std::vector<long>& widths, double theta0, const McOptions& opt);

// A contiguous range of blocks [first_block, end_block).
struct McShard {
  std::uint64_t first_block = 0, end_block = 0;
};
// Shard `index` of `count` equal shards (in block order; together they cover the run).
McShard mc_shard(const McPlan& plan, int index, int count);

// The merged statistics of a set of samples of one plan. Merging is exact: the state of a run is
// the same whatever shards it was simulated in and in whatever order they are merged.
class McState {
 public:
  McState();
  explicit McState(const McPlan& plan);  // empty
  McState(const McState&);
  McState(McState&&) noexcept;
  McState& operator=(const McState&);
  McState& operator=(McState&&) noexcept;
  ~McState();
  std::uint64_t samples_done() const;
  bool interrupted() const;  // simulation stopped before the shard was complete
  // Adds o (a state of the same plan). With kept samples, o's must follow this state's.
  void merge(const McState& o);
  // Bytes that deserialize() turns back into the same state (for MPI and files).
  std::string serialize() const;
  static McState deserialize(const McPlan& plan, std::string_view bytes);  // InputError if malformed
  std::unique_ptr<mc_detail::McStateData> data;
};

// Simulates the blocks of `shard` on opt.threads threads (the caller reports progress and writes
// checkpoints). Polls stop_requested(): then throws Interrupted, or with opt.partial_on_stop
// returns the state of the blocks finished (interrupted() is true).
McState mc_simulate(const McPlan& plan, const McShard& shard, const McOptions& opt);

struct McResult {
  McMode mode = McMode::Chain;
  Activation activation;
  std::uint64_t samples = 0, seed = 0;
  double theta0 = 0;
  std::vector<long> widths;
  double seconds = 0;
  bool partial = false;           // stopped early: the statistics are of samples_done samples
  std::uint64_t samples_done = 0;
  std::uint64_t block = 0;        // samples per block (the unit of reproducibility)
  std::vector<McLayer> layers;
  std::shared_ptr<const McRaw> kept;  // McOptions::keep
  // the summaries behind the statistics (for mc_histogram, mc_ks)
  std::shared_ptr<const McState> state;
  McPlan plan;
};

// The statistics of a state (opt.hist_bins for the histograms).
McResult mc_result(const McPlan& plan, const McState& state, const McOptions& opt);
// The same, taking the state over (no copy of its summaries).
McResult mc_result(const McPlan& plan, McState&& state, const McOptions& opt);

// plan + simulate every block + result; seconds = wall time.
McResult run_mc(const std::vector<long>& widths, double theta0, const McOptions& opt);

// Histogram of X at `layer` with `bins` equal bins over [lo, hi] from the fine binning: each fine
// bin counts in the bin of its midpoint, so a count can be off by the samples of the fine bins
// that straddle its edges. Values outside [lo, hi] are not counted.
Histogram mc_histogram(const McResult& r, int layer, int bins, double lo, double hi);

// Kolmogorov-Smirnov distance between the samples of X at `layer` and a continuous CDF, from the
// fine binning: the exact distance sup |F_n - F| of the samples lies in [d, d_upper]. The fine bins
// are grouped so that each group holds at most `resolution` of the samples (a heavier single bin
// stays alone); F is evaluated at the group edges only (about 2 / resolution times).
// p = ks_pvalue(d, count).
struct McKs {
  double d = 0, d_upper = 0, p = 1;
};
McKs mc_ks(const McResult& r, int layer, const std::function<double(double)>& cdf, double resolution = 1e-3);

// JSON of a result (docs/json.md), keys in this order: mode, activation (canonical name), widths, theta0 (theta0_text: the input
// angle's canonical text), samples, seed, partial, samples_done, block, seconds, layers; NaN as null.
nlohmann::ordered_json mc_to_json(const McResult& r, const std::string& theta0_text);

}  // namespace relumix
