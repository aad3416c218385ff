#pragma once
// Internal: the data behind McPlan and McState (mc.hpp): per-layer binning, exact sums and
// histograms, and the block accumulator of the simulation loop (mc.cpp).
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "mc/exact_sum.hpp"
#include "mc/mc_kernel.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/activation.hpp"

namespace relumix::mc_detail {

// The fine binning of X at one layer, with r resolution bits (10 unless the network is very deep):
// with d = (x - c) / h, h a power of two about scale / 2^r (scale: the sd of the first block),
//   -lin <= d < lin:  bin floor(d)                  (linear, width h; lin = 2^(r+2))
//   d >= lin:   bin lin + (E - r - 2) sub + s        (t = |d| in [2^E, 2^(E+1)), s its top
//   d < -lin:   bin -lin - 1 - ((E - r - 2) sub + s)  log2(sub) mantissa bits, sub = 2^(r+1))
// so bins widen by 1/sub of the distance beyond 2-4 scales. Bin numbers increase with x.
struct Binning {
  static constexpr int kMaxOctaves = 64;
  double c = 0;      // centre
  int hexp = 0;      // h = 2^hexp
  double inv_h = 1;  // 2^-hexp
  int r = 10, lin = 4096, sub = 2048;
  void set(double centre, double scale, int bits);  // h in (scale / 2^(r+1), scale / 2^r]
  std::int32_t bin(double x) const {
    const double d = (x - c) * inv_h;
    if (d >= -lin && d < lin) {
      std::int32_t i = std::int32_t(d);
      return i - (double(i) > d);
    }
    return log_bin(d);
  }
  std::int32_t log_bin(double d) const;
  // x-range of bin j (edges as doubles; the bin is [lo, hi) for j >= -lin, (lo, hi] below)
  void edges(std::int32_t j, double& lo, double& hi) const;
};

// Counts in a dense array over the bins occupied so far (grows on demand), 32 bits per bin while
// every count fits (the figure-1 histograms then stay in a core's L2 cache) and 64 bits from the
// first count that would not.
struct Hist {
  std::int64_t lo = 0;                // bin number of the first count
  std::vector<std::uint32_t> counts;  // the counts while all are below 2^32 (wide is empty)
  std::vector<std::uint64_t> wide;    // the counts from then on (counts is empty)
  std::size_t size() const { return wide.empty() ? counts.size() : wide.size(); }
  bool empty() const { return size() == 0; }
  std::uint64_t at(std::size_t i) const { return wide.empty() ? counts[i] : wide[i]; }
  void add(std::int32_t j, std::uint64_t n = 1) {
    const std::int64_t k = std::int64_t(j) - lo;
    if (wide.empty() && k >= 0 && k < std::int64_t(counts.size()) && n <= 0xFFFFFFFFu - counts[std::size_t(k)]) {
      counts[std::size_t(k)] += std::uint32_t(n);
      return;
    }
    grow_add(j, n);
  }
  void grow_add(std::int32_t j, std::uint64_t n);
  void start(std::int32_t lo_bin, std::int32_t hi_bin) {  // an empty histogram over [lo_bin, hi_bin)
    lo = lo_bin;
    counts.assign(std::size_t(hi_bin - lo_bin), 0);
    wide.clear();
  }
  void merge(const Hist& o);
  std::size_t bytes() const { return counts.capacity() * 4 + wide.capacity() * 8; }
};

// Per-layer centres and scales of a plan (from the first block).
struct LayerPlan {
  Binning bins;            // of X
  double tc = 0, tscale = 1;  // theta statistics use theta * tscale - tc (tscale a power of two)
  Binning tbins;           // of theta itself (McPlanData::obtuse only: X does not determine theta)
};

}  // namespace relumix::mc_detail

namespace relumix::mc_detail {

struct McPlanData {
  std::vector<long> widths;
  double theta0 = 0;
  McMode mode = McMode::Chain;
  Activation activation;
  double alpha = 0;     // activation.alpha_double()
  bool obtuse = false;  // alpha > 0: theta can exceed pi/2 after a layer (theta is binned too)
  std::uint64_t samples = 0, seed = 0, block = 32, blocks = 0;
  std::vector<LayerPlan> layers;
  const mc_detail::KernelTable* kernel = nullptr;
  std::string fingerprint;
  // the first block's samples, simulated for the plan (reused by the shard that holds block 0):
  // pilot_x / pilot_t [i * L + l - 1], pilot_end / pilot_kind [i]
  std::vector<double> pilot_x, pilot_t;
  std::vector<std::int32_t> pilot_end;
  std::vector<std::uint8_t> pilot_kind;
};

// Statistics of one layer over a set of blocks.
struct LayerAcc {
  std::uint64_t n = 0;              // samples in use
  mc_detail::ExactSum s[4];         // sum over blocks of the block sums of (x - c)^k, k = 1..4
  mc_detail::ExactSum t[4];         // the same for theta * tscale - tc
  double min = std::numeric_limits<double>::infinity(), max = -std::numeric_limits<double>::infinity();
  Hist hist;
  // McPlanData::obtuse only: theta's exact extremes and its fine binning (LayerPlan::tbins)
  double tmin = std::numeric_limits<double>::infinity(), tmax = -std::numeric_limits<double>::infinity();
  Hist thist;
  void merge(const LayerAcc& o);
};

struct McStateData {
  std::shared_ptr<const McPlanData> plan;
  std::vector<LayerAcc> layers;
  // samples whose first event is at layer l (index l - 1), by kind
  std::vector<std::uint64_t> end_dead, end_degenerate;
  std::uint64_t samples = 0;  // samples done
  // bookkeeping of mc_simulate (checkpoints): the shard, the next block to start and the blocks
  // below it that are not done
  McShard shard;
  std::uint64_t next = 0;
  std::vector<std::uint64_t> holes;
  bool interrupted = false;
  std::shared_ptr<McRaw> kept;  // McOptions::keep

  explicit McStateData(std::shared_ptr<const McPlanData> p);
  void merge(const McStateData& o);  // statistics and kept samples (not the bookkeeping)
  void merge(McStateData&& o);       // the same, taking o's histograms where these are empty
  // the encoding (with `holes` in place of this->holes when given)
  void write(std::string& out, const std::vector<std::uint64_t>* holes = nullptr) const;
  bool read(std::string_view& in);
};

}  // namespace relumix::mc_detail
