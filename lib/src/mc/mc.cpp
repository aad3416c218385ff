// Monte Carlo driver: argument checks, the plan (block size, binning from the first block), the
// simulation of a shard on worker threads with periodic checkpoints, network mode.
#include "relumix/mc/mc.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#include "mc/mc_checkpoint.hpp"
#include "mc/mc_kernel.hpp"
#include "mc/mc_state.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

using mc_detail::LayerAcc;
using mc_detail::McPlanData;
using mc_detail::McStateData;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.141592653589793;

std::string gib(double bytes) {
  std::ostringstream o;
  o.precision(3);
  o << bytes / double(1ULL << 30) << " GiB";
  return o.str();
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

// neuron steps of one sample: chain sum n_l, network sum n_l n_{l-1} (inputs of dimension 2)
double sample_work(const std::vector<long>& widths, McMode mode) {
  double w = 0, nin = 2;
  for (long n : widths) {
    w += mode == McMode::Chain ? double(n) : double(n) * nin;
    nin = double(n);
  }
  return w;
}

// Samples per block: 32, or fewer (a power of two) so that a block is at most ~2^22 neuron steps.
std::uint64_t block_size(double work) {
  std::uint64_t b = 32;
  while (b > 1 && double(b) * work > 4194304.0) b /= 2;
  return b;
}

// Resolution bits of the binning: 10, fewer for very deep networks (memory per layer).
int resolution_bits(std::size_t layers) {
  int r = 10;
  for (std::size_t l = 256; l < layers && r > 2; l *= 2) --r;
  return r;
}

std::string widths_text(const std::vector<long>& w) {
  std::string s;
  for (std::size_t i = 0; i < w.size();) {
    std::size_t j = i;
    while (j < w.size() && w[j] == w[i]) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(w[i]);
    if (j - i > 1) s += 'x' + std::to_string(j - i);
    i = j;
  }
  return s;
}

// ---- one sample ---------------------------------------------------------------------------

// Sequential standard normals of the stream (layer, sample): generator calls 0, 1, ... in batches
// of kBatch, each batch read as g[0..2m) then z[0..2m).
class NormalStream {
 public:
  NormalStream(const mc_detail::KernelTable& k, const mc_detail::Key& key, std::uint32_t layer, std::uint64_t sample)
      : k_(k), key_(key), layer_(layer), sample_(sample) {}
  void fill(double* out, long count) {
    while (count > 0) {
      if (pos_ == avail_) refill();
      long take = std::min<long>(count, avail_ - pos_);
      std::copy(buf_ + pos_, buf_ + pos_ + take, out);
      pos_ += int(take);
      out += take;
      count -= take;
    }
  }

 private:
  void refill() {
    constexpr int m = mc_detail::kBatch;
    k_.normal_pairs(key_, layer_, sample_, call_, m, buf_, buf_ + 2 * m);
    call_ += m;
    pos_ = 0;
    avail_ = 4 * m;
  }
  const mc_detail::KernelTable& k_;
  mc_detail::Key key_;
  std::uint32_t layer_;
  std::uint64_t sample_, call_ = 0;
  alignas(64) double buf_[4 * mc_detail::kBatch];
  int pos_ = 0, avail_ = 0;
};

struct SampleWork {
  std::vector<double> x, t;                 // X and theta per layer (one sample)
  std::vector<double> ha, hb, za, zb, row;  // network mode
  std::vector<mc_detail::Step> steps;       // chain mode, a block of samples
  std::vector<std::uint32_t> alive;
  std::vector<double> bx, bt;               // a block's values
  std::vector<std::int32_t> bend;
  std::vector<std::uint8_t> bkind;
};

// The pre-activations of one neuron, its weight row w.row applied to both inputs w.ha, w.hb.
std::pair<double, double> project(const SampleWork& w, long nin) {
  double a = 0, b = 0;
  for (long j = 0; j < nin; ++j) {
    a += w.row[std::size_t(j)] * w.ha[std::size_t(j)];
    b += w.row[std::size_t(j)] * w.hb[std::size_t(j)];
  }
  return {a, b};
}

// One network-mode sample: fills w.x, w.t for layers 1..end-1; returns end (L + 1 if never) and
// its kind. Polls stop_requested() between layers and every 1024 neurons.
int network_sample(const McPlanData& p, std::uint64_t sample, SampleWork& w, std::uint8_t& kind) {
  const auto& k = *p.kernel;
  const auto key = mc_detail::key_of_seed(p.seed);
  const int L = int(p.widths.size());
  kind = McRaw::kOk;
  // inputs (1, 0) and (cos theta0, sin theta0): the law depends on their angle only
  long nin = 2;
  const bool relu = p.activation.is_relu();
  const double cw = 2.0 / (1.0 + p.alpha * p.alpha);  // c_alpha (2 for ReLU)
  w.ha.assign({1.0, 0.0});
  w.hb.assign({std::cos(p.theta0), std::sin(p.theta0)});
  // theta0 = pi (the double nearest pi) as exactly pi, as the chain reads it (ReLU: as before)
  const bool at_pi = !relu && p.theta0 >= kPi;
  if (at_pi) w.hb.assign({-1.0, 0.0});
  for (int l = 1; l <= L; ++l) {
    if (stop_requested()) throw Interrupted();
    const long nout = p.widths[std::size_t(l - 1)];
    NormalStream stream(k, key, std::uint32_t(l), sample);
    w.za.resize(std::size_t(nout));
    w.zb.resize(std::size_t(nout));
    w.row.resize(std::size_t(nin));
    long nx = 0, ny = 0, nxy = 0, npos = 0, nneg = 0;
    if (relu) {
      const double scale = std::sqrt(2.0 / double(nin));
      for (long i = 0; i < nout; ++i) {
        if ((i & 1023) == 1023 && stop_requested()) throw Interrupted();
        stream.fill(w.row.data(), nin);
        auto [a, b] = project(w, nin);
        a = std::max(scale * a, 0.0);
        b = std::max(scale * b, 0.0);
        w.za[std::size_t(i)] = a;
        w.zb[std::size_t(i)] = b;
        nx += a > 0;
        ny += b > 0;
        nxy += (a > 0) && (b > 0);
      }
    } else {
      // phi_alpha with weights N(0, c_alpha / nin), c_alpha = 2 / (1 + alpha^2): E phi(z)^2 is kept
      const double scale = std::sqrt(cw / double(nin));
      for (long i = 0; i < nout; ++i) {
        if ((i & 1023) == 1023 && stop_requested()) throw Interrupted();
        stream.fill(w.row.data(), nin);
        auto [a, b] = project(w, nin);
        a *= scale;
        b *= scale;
        npos += a > 0;
        nneg += a < 0;
        a = a > 0 ? a : p.alpha * a;
        b = b > 0 ? b : p.alpha * b;
        w.za[std::size_t(i)] = a;
        w.zb[std::size_t(i)] = b;
        nx += a != 0;  // a leaky unit is never dead (phi(x) = 0 only at x = 0)
        ny += b != 0;
      }
      nxy = -1;  // the single-shared-unit test below is ReLU's
      // from theta0 = pi exactly (b = -a): all pre-activations of one sign make the two vectors
      // opposite (rounding would hide it from the angle formula below); as in the chain: degenerate
      if (at_pi && l == 1 && (npos == 0 || nneg == 0)) {
        kind = McRaw::kDegenerate;
        return l;
      }
    }
    std::swap(w.ha, w.za);
    std::swap(w.hb, w.zb);
    nin = nout;
    if (nx == 0 || ny == 0) {
      kind = McRaw::kDead;
      return l;
    }
    if (nx == 1 && ny == 1 && nxy == 1) {
      kind = McRaw::kDegenerate;
      return l;
    }
    // the angle by Kahan's formula: theta = 2 atan2(|u - v|, |u + v|), u, v unit vectors
    double na = 0, nb = 0;
    for (long i = 0; i < nout; ++i) {
      na += w.ha[std::size_t(i)] * w.ha[std::size_t(i)];
      nb += w.hb[std::size_t(i)] * w.hb[std::size_t(i)];
    }
    na = 1.0 / std::sqrt(na);
    nb = 1.0 / std::sqrt(nb);
    double dm = 0, dp = 0;
    for (long i = 0; i < nout; ++i) {
      const double u = w.ha[std::size_t(i)] * na, v = w.hb[std::size_t(i)] * nb;
      dm += (u - v) * (u - v);
      dp += (u + v) * (u + v);
    }
    // sin theta = |u - v| |u + v| / 2
    const double lnsin2 = std::log(dm) + std::log(dp) - 2.0 * std::log(2.0);
    if (!(dm > 0.0) || !std::isfinite(lnsin2)) {  // parallel (or, for alpha != 0, antiparallel)
      kind = McRaw::kDegenerate;
      return l;
    }
    w.x[std::size_t(l - 1)] = std::min(lnsin2, 0.0);
    w.t[std::size_t(l - 1)] = 2.0 * std::atan2(std::sqrt(dm), std::sqrt(dp));
  }
  return L + 1;
}

// ---- a block of samples -------------------------------------------------------------------

// The sums of one layer over a block, each value added in sample order (double precision).
struct LayerSums {
  std::uint32_t n = 0;
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
  double mn = std::numeric_limits<double>::infinity(), mx = -std::numeric_limits<double>::infinity();
  void add(const mc_detail::LayerPlan& lp, double x, double t) {
    const double d = x - lp.bins.c, d2 = d * d;
    s1 += d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
    const double e = t * lp.tscale - lp.tc, e2 = e * e;
    t1 += e;
    t2 += e2;
    t3 += e2 * e;
    t4 += e2 * e2;
    mn = std::min(mn, x);
    mx = std::max(mx, x);
    ++n;
  }
  // McPlanData::obtuse: theta's extremes too
  double tmn = std::numeric_limits<double>::infinity(), tmx = -std::numeric_limits<double>::infinity();
  void add_theta(double t) {
    tmn = std::min(tmn, t);
    tmx = std::max(tmx, t);
  }
};

// Sums of one block, committed to a LayerAcc set at the end. Whether the block is walked sample by
// sample (add_sample) or layer by layer, each layer's values arrive in sample order: the same bits.
struct BlockAcc {
  std::vector<LayerSums> sums;
  std::vector<std::uint32_t> end_dead, end_degenerate;
  std::vector<std::pair<std::uint32_t, std::int32_t>> bins;  // (layer index, bin)
  std::vector<std::pair<std::uint32_t, std::int32_t>> tbins;  // the same for theta (McPlanData::obtuse)
  explicit BlockAcc(std::size_t L) : sums(L), end_dead(L), end_degenerate(L) {}
  void reset() {
    std::fill(sums.begin(), sums.end(), LayerSums{});
    for (auto* v : {&end_dead, &end_degenerate}) std::fill(v->begin(), v->end(), 0u);
    bins.clear();
    tbins.clear();
  }
  void add_theta(const McPlanData& p, std::size_t l, LayerSums& m, double t) {
    m.add_theta(t);
    tbins.emplace_back(std::uint32_t(l), p.layers[l].tbins.bin(t));
  }
  void add_end(int end, std::uint8_t kind) {
    if (end <= int(sums.size())) ++(kind == McRaw::kDead ? end_dead : end_degenerate)[std::size_t(end - 1)];
  }
  void add_sample(const McPlanData& p, const double* x, const double* t, int end, std::uint8_t kind) {
    for (int l = 0; l + 1 < end; ++l) {
      const auto& lp = p.layers[std::size_t(l)];
      sums[std::size_t(l)].add(lp, x[l], t[l]);
      bins.emplace_back(std::uint32_t(l), lp.bins.bin(x[l]));
      if (p.obtuse) add_theta(p, std::size_t(l), sums[std::size_t(l)], t[l]);
    }
    add_end(end, kind);
  }
  void commit(McStateData& s, std::uint64_t samples) const {
    for (std::size_t l = 0; l < sums.size(); ++l) {
      s.end_dead[l] += end_dead[l];
      s.end_degenerate[l] += end_degenerate[l];
      const LayerSums& m = sums[l];
      if (!m.n) continue;
      LayerAcc& a = s.layers[l];
      // room at once for the linear bins and the first octave of log bins on each side (out to
      // 4 to 8 scales from the centre: nearly all values), so no regrowth and no copies
      if (a.hist.empty()) {
        const auto& bn = s.plan->layers[l].bins;
        a.hist.start(-bn.lin - bn.sub, bn.lin + bn.sub);
      }
      a.n += m.n;
      a.s[0].add(m.s1);
      a.s[1].add(m.s2);
      a.s[2].add(m.s3);
      a.s[3].add(m.s4);
      a.t[0].add(m.t1);
      a.t[1].add(m.t2);
      a.t[2].add(m.t3);
      a.t[3].add(m.t4);
      a.min = std::min(a.min, m.mn);
      a.max = std::max(a.max, m.mx);
      a.tmin = std::min(a.tmin, m.tmn);
      a.tmax = std::max(a.tmax, m.tmx);
    }
    for (auto [l, j] : bins) s.layers[l].hist.add(j);
    for (auto [l, j] : tbins) s.layers[l].thist.add(j);
    s.samples += samples;
  }
};

// Simulates block b into acc (reset first); writes kept samples. Throws Interrupted when stopped.
// Samples [first, first + count) into x, t ([i * L + l - 1], i relative to first), end and kind.
// Chain mode goes layer by layer across the samples: consecutive steps are independent, so the
// processor overlaps one sample's scalar tail (square roots, divisions, the logarithm) with the
// next one's vector work. Each sample's numbers are the same as one at a time.
//
// With acc (chain mode only), the values go straight into the block sums instead (x, t unused).
void simulate_samples(const McPlanData& p, std::uint64_t first, std::uint64_t count, SampleWork& w, double* x,
                      double* t, std::int32_t* end, std::uint8_t* kind, BlockAcc* acc = nullptr) {
  const std::size_t L = p.widths.size();
  if (!acc) {
    std::fill(x, x + count * L, kNaN);
    std::fill(t, t + count * L, kNaN);
  }
  if (p.mode == McMode::Network) {
    for (std::uint64_t i = 0; i < count; ++i) {
      end[i] = network_sample(p, first + i, w, kind[i]);
      std::copy(w.x.begin(), w.x.end(), x + i * L);
      std::copy(w.t.begin(), w.t.end(), t + i * L);
    }
    return;
  }
  const auto& k = *p.kernel;
  const auto key = mc_detail::key_of_seed(p.seed);
  const bool relu = p.activation.is_relu();
  w.steps.assign(std::size_t(count), mc_detail::chain_start(p.theta0));
  w.alive.resize(std::size_t(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    w.alive[i] = std::uint32_t(i);
    end[i] = std::int32_t(L) + 1;
    kind[i] = McRaw::kOk;
  }
  std::size_t n = std::size_t(count);
  for (std::size_t l = 1; l <= L && n > 0; ++l) {
    if (stop_requested()) throw Interrupted();
    std::size_t kept = 0;
    for (std::size_t a = 0; a < n; ++a) {
      const std::uint32_t i = w.alive[a];
      mc_detail::Step& st = w.steps[i];
      st = relu ? k.chain_step(key, std::uint32_t(l), first + i, p.widths[l - 1], st)
                : k.chain_step_alpha(key, std::uint32_t(l), first + i, p.widths[l - 1], st, p.alpha);
      if (st.kind != McRaw::kOk) {
        end[i] = std::int32_t(l);
        kind[i] = st.kind;
        continue;
      }
      if (!acc) {
        x[i * L + l - 1] = st.x;
        t[i * L + l - 1] = st.theta;
      }
      w.alive[kept++] = i;
    }
    n = kept;
    if (acc) {  // the layer's values in sample order (after the steps: no sums kept across their calls)
      const mc_detail::LayerPlan& lp = p.layers[l - 1];
      LayerSums sums;
      for (std::size_t a = 0; a < n; ++a) {
        const mc_detail::Step& st = w.steps[w.alive[a]];
        sums.add(lp, st.x, st.theta);
        acc->bins.emplace_back(std::uint32_t(l - 1), lp.bins.bin(st.x));
        if (p.obtuse) acc->add_theta(p, l - 1, sums, st.theta);
      }
      acc->sums[l - 1] = sums;
    }
  }
  if (acc)
    for (std::uint64_t i = 0; i < count; ++i) acc->add_end(end[i], kind[i]);
}

// Simulates block b into acc (reset first); writes kept samples. Throws Interrupted when stopped.
void run_block(const McPlanData& p, std::uint64_t b, BlockAcc& acc, SampleWork& w, McRaw* kept) {
  acc.reset();
  const std::uint64_t first = b * p.block, count = std::min(p.block, p.samples - first);
  const std::size_t L = p.widths.size();
  const double *x, *t;
  const std::int32_t* end;
  const std::uint8_t* kind;
  if (b != 0 && !kept && p.mode == McMode::Chain) {  // straight into the sums
    w.bend.resize(std::size_t(count));
    w.bkind.resize(std::size_t(count));
    simulate_samples(p, first, count, w, nullptr, nullptr, w.bend.data(), w.bkind.data(), &acc);
    return;
  }
  if (b == 0) {  // the plan's pilot
    x = p.pilot_x.data();
    t = p.pilot_t.data();
    end = p.pilot_end.data();
    kind = p.pilot_kind.data();
  } else {
    w.bx.resize(std::size_t(count) * L);
    w.bt.resize(std::size_t(count) * L);
    w.bend.resize(std::size_t(count));
    w.bkind.resize(std::size_t(count));
    simulate_samples(p, first, count, w, w.bx.data(), w.bt.data(), w.bend.data(), w.bkind.data());
    x = w.bx.data();
    t = w.bt.data();
    end = w.bend.data();
    kind = w.bkind.data();
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    acc.add_sample(p, x + i * L, t + i * L, end[i], kind[i]);
    if (kept) {
      const std::uint64_t ki = first + i - kept->first;
      kept->end[ki] = end[i];
      kept->kind[ki] = kind[i];
      for (std::size_t j = 0; j < kept->layers.size(); ++j) {
        const int l = kept->layers[j];
        kept->x[j * kept->count + ki] = l < end[i] ? x[i * L + std::size_t(l - 1)] : kNaN;
        if (!kept->t.empty()) kept->t[j * kept->count + ki] = l < end[i] ? t[i * L + std::size_t(l - 1)] : kNaN;
      }
    }
  }
}

std::uint64_t block_samples(const McPlanData& p, std::uint64_t b) {
  const std::uint64_t first = b * p.block;
  return std::min(p.block, p.samples - first);
}

}  // namespace

// ---- public -------------------------------------------------------------------------------

McMode parse_mc_mode(const std::string& name) {
  if (name == "chain") return McMode::Chain;
  if (name == "network") return McMode::Network;
  throw InputError("unknown Monte Carlo mode '" + name + "' (use chain or network)");
}

std::string mc_mode_name(McMode m) { return m == McMode::Chain ? "chain" : "network"; }

const std::vector<long>& McPlan::widths() const { return data->widths; }
double McPlan::theta0() const { return data->theta0; }
McMode McPlan::mode() const { return data->mode; }
const Activation& McPlan::activation() const { return data->activation; }
std::uint64_t McPlan::samples() const { return data->samples; }
std::uint64_t McPlan::seed() const { return data->seed; }
std::uint64_t McPlan::block() const { return data->block; }
std::uint64_t McPlan::blocks() const { return data->blocks; }
const std::string& McPlan::fingerprint() const { return data->fingerprint; }

void check_mc_args(const std::vector<long>& widths, double theta0, const McOptions& opt) {
  const bool chain = opt.mode == McMode::Chain;
  require(!widths.empty(), "empty width list");
  require(widths.size() <= std::size_t(kMaxLayers), "at most " + std::to_string(kMaxLayers) + " layers");
  for (long w : widths) {
    require(w >= (chain ? 2 : 1), chain ? "chain mode needs widths of at least 2 (got " + std::to_string(w) + ")"
                                        : "widths must be at least 1 (got " + std::to_string(w) + ")");
    require(w <= kMcMaxWidth, "width " + std::to_string(w) + " is above the Monte Carlo's limit of " +
                                  sci(double(kMcMaxWidth)) + " (about 15 s per layer on one core)");
  }
  require(opt.samples >= 1, "the number of samples must be at least 1");
  require(opt.samples <= kMcMaxSamples, "the number of samples must be at most 10^12");
  require(std::isfinite(theta0) && theta0 > 0 && theta0 <= kPi + 1e-15, "theta0 must lie in (0, pi]");
  require(theta0 >= kMcMinTheta0, "theta0 below 1e-290: the Monte Carlo would reach subnormal doubles");
  require(opt.threads >= 0, "the number of threads must be at least 1");
  const int threads = resolve_threads(opt.threads);
  require(threads <= kMaxThreads, "at most ", kMaxThreads, " threads");
  // the summaries, about 4 KiB per layer: one per thread, the merged one and the plan's
  const double stats = double(threads + 2) * double(widths.size()) * 4096.0;
  require(stats <= double(kMcMemoryLimit), "the statistics of ", widths.size(), " layers on ", threads,
          " threads need about ", gib(stats), ", above the ", gib(double(kMcMemoryLimit)),
          " limit (use fewer threads or layers)");
  const double work = sample_work(widths, opt.mode);
  require(work <= kMcMaxSampleWork,
          (chain ? "one network of these widths takes " + sci(work) + " neuron steps"
                 : "one network of these widths takes " + sci(work) + " weights") +
              ", above the limit of " + sci(kMcMaxSampleWork) + " (about 10 s per network on one core)");
  if (!chain) {
    // per thread: the two activation vectors, their next values and a weight row
    double n = 2;
    for (long w : widths) n = std::max(n, double(w));
    const double bytes = double(threads) * 5.0 * 8.0 * n;
    require(bytes <= double(kMcMemoryLimit), "network mode with width " + sci(n) + " needs " + gib(bytes) +
                                                 " of working memory, above the " + gib(double(kMcMemoryLimit)) +
                                                 " limit");
    const double total = work * double(opt.samples);
    require(total <= kMcMaxNetworkWork, "network mode: samples x weights = " + sci(total) + " is above the limit of " +
                                            sci(kMcMaxNetworkWork) +
                                            " (about 10 minutes; network mode validates the chain on small cases)");
  }
  if (opt.keep) {
    require(opt.keep_layer >= 0 && opt.keep_layer <= int(widths.size()),
            "the kept layer must be between 1 and " + std::to_string(widths.size()));
    const double kept_layers = opt.keep_layer > 0 ? 1.0 : double(widths.size());
    const double store = double(opt.samples) * (kept_layers * (opt.activation.alpha() > 0 ? 16.0 : 8.0) + 5.0);
    require(store <= double(kMcMemoryLimit),
            "keeping " + std::to_string(opt.samples) + " samples x " + std::to_string(std::size_t(kept_layers)) +
                " layers needs " + gib(store) + ", above the " + gib(double(kMcMemoryLimit)) + " limit");
    require(opt.checkpoint.empty(), "kept samples cannot be combined with a checkpoint (it holds summaries only)");
  }
  require(opt.checkpoint.empty() || (std::isfinite(opt.checkpoint_seconds) && opt.checkpoint_seconds >= 0),
          "the checkpoint interval must be a number of seconds >= 0");
}

McPlan mc_plan(const std::vector<long>& widths, double theta0, const McOptions& opt) {
  check_mc_args(widths, theta0, opt);
  auto p = std::make_shared<McPlanData>();
  p->widths = widths;
  p->theta0 = theta0;
  p->mode = opt.mode;
  p->activation = opt.activation;
  p->alpha = opt.activation.alpha_double();
  p->obtuse = p->alpha > 0;
  p->samples = opt.samples;
  p->seed = opt.seed;
  p->kernel = &mc_detail::kernel();
  p->block = block_size(sample_work(widths, opt.mode));
  p->blocks = (p->samples + p->block - 1) / p->block;
  const std::size_t L = widths.size();
  const int bits = resolution_bits(L);
  // the first block, simulated here: its values fix the centres and the bin widths
  const std::uint64_t n0 = std::min(p->block, p->samples);
  p->pilot_x.assign(std::size_t(n0) * L, kNaN);
  p->pilot_t.assign(std::size_t(n0) * L, kNaN);
  p->pilot_end.assign(std::size_t(n0), 0);
  p->pilot_kind.assign(std::size_t(n0), 0);
  {
    SampleWork w;
    w.x.assign(L, kNaN);
    w.t.assign(L, kNaN);
    simulate_samples(*p, 0, n0, w, p->pilot_x.data(), p->pilot_t.data(), p->pilot_end.data(), p->pilot_kind.data());
  }
  p->layers.resize(L);
  double c = 2.0 * std::log(std::sin(theta0)), scale = 0, tc = theta0, tsd = 0;
  for (std::size_t l = 0; l < L; ++l) {
    double sx = 0, sxx = 0, st = 0, stt = 0;
    std::uint64_t m = 0;
    for (std::uint64_t i = 0; i < n0; ++i) {
      if (int(l) + 1 >= p->pilot_end[i]) continue;
      const double x = p->pilot_x[i * L + l];
      sx += x;
      st += p->pilot_t[i * L + l];
      ++m;
    }
    if (m > 0) {
      c = sx / double(m);
      tc = st / double(m);
      for (std::uint64_t i = 0; i < n0; ++i)
        if (int(l) + 1 < p->pilot_end[i]) sxx += (p->pilot_x[i * L + l] - c) * (p->pilot_x[i * L + l] - c);
      if (m > 1 && sxx > 0) scale = std::sqrt(sxx / double(m - 1));
      if (p->obtuse) {
        for (std::uint64_t i = 0; i < n0; ++i)
          if (int(l) + 1 < p->pilot_end[i]) stt += (p->pilot_t[i * L + l] - tc) * (p->pilot_t[i * L + l] - tc);
        if (m > 1 && stt > 0) tsd = std::sqrt(stt / double(m - 1));
      }
    }
    if (p->obtuse) p->layers[l].tbins.set(tc, tsd > 0 ? tsd : std::ldexp(1.0 + tc, -10), bits);
    // no spread seen yet: a scale from the centre (the binning then widens geometrically)
    const double s = scale > 0 ? scale : std::ldexp(1.0 + std::fabs(c), -10);
    p->layers[l].bins.set(c, s, bits);
    p->layers[l].tscale = tc > 0 ? std::ldexp(1.0, -std::ilogb(tc)) : 1.0;
    p->layers[l].tc = tc * p->layers[l].tscale;
  }
  char t0[40];
  std::snprintf(t0, sizeof t0, "%a", theta0);
  p->fingerprint = "relumix-mc 1; mode " + mc_mode_name(opt.mode) + "; activation " + opt.activation.name() + "; widths " + widths_text(widths) + "; theta0 " +
                   t0 + "; samples " + std::to_string(opt.samples) + "; seed " + std::to_string(opt.seed) +
                   "; block " + std::to_string(p->block) + "; bins " + std::to_string(bits) + "; kernel " +
                   p->kernel->family + "; generator ARS-7";
  // the generator changed from Philox4x32-10 to ARS-7 in 2026-12 (every mode), and the ReLU chain's
  // use of the words (and its arithmetic) earlier that month (single-precision pair sums, three
  // pairs per generator call): checkpoints from earlier builds are refused
  if (opt.mode == McMode::Chain && opt.activation.is_relu()) p->fingerprint += "; chain stream 2";
  // the AVX-512 build's chain pair sums moved to single-precision products and sums in 2026-12
  if (opt.mode == McMode::Chain && opt.activation.is_relu() && std::string(p->kernel->family) == "avx512")
    p->fingerprint += "; float sums";
  McPlan plan;
  plan.data = std::move(p);
  return plan;
}

McShard mc_shard(const McPlan& plan, int index, int count) {
  require(count >= 1 && index >= 0 && index < count, "mc_shard: shard " + std::to_string(index) + " of " +
                                                         std::to_string(count) + " does not exist");
  const auto B = plan.blocks();
  // B < 2^40: the products fit in 64 bits for count < 2^24
  const auto cut = [&](std::uint64_t i) {
    return std::uint64_t((unsigned __int128)B * i / std::uint64_t(count));
  };
  return McShard{cut(std::uint64_t(index)), cut(std::uint64_t(index) + 1)};
}

namespace {

// The worker threads of mc_simulate and the coordination with the calling thread (progress,
// checkpoints, stop).
class Runner {
 public:
  Runner(const McPlanData& p, McStateData& g, int workers) : p_(p), g_(g), workers_(workers) {
    todo_holes_ = std::move(g_.holes);  // a resumed run does these first
    g_.holes.clear();
    std::sort(todo_holes_.rbegin(), todo_holes_.rend());
  }

  // Runs until every block is done, the run is stopped, or an error; the calling thread reports
  // progress and writes checkpoints (every `every` seconds when ckpt is set).
  void run(const ProgressFn& progress, const std::function<void()>& ckpt, double every) {
    const std::uint64_t total = shard_samples();
    active_ = workers_;
    std::vector<std::thread> pool;
    for (int t = 0; t < workers_; ++t) pool.emplace_back([this] { work(); });
    auto last = std::chrono::steady_clock::now();
    std::exception_ptr ckpt_error;
    {
      std::unique_lock<std::mutex> lock(m_);
      while (active_ > 0) {
        cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return active_ == 0; });
        if (progress) {
          const std::uint64_t d = g_.samples + done_.load();
          lock.unlock();
          progress(std::min(d, total), total);
          lock.lock();
        }
        const auto now = std::chrono::steady_clock::now();
        if (ckpt && active_ > 0 && std::chrono::duration<double>(now - last).count() >= every) {
          pause_ = true;  // workers merge their blocks into g_ and wait
          cv_.wait(lock, [&] { return parked_ == active_; });
          try {
            ckpt();
          } catch (...) {
            ckpt_error = std::current_exception();
            abort_ = true;
          }
          pause_ = false;
          last = std::chrono::steady_clock::now();
          cv_.notify_all();
        }
      }
    }
    for (auto& th : pool) th.join();
    if (ckpt_error) std::rethrow_exception(ckpt_error);
    if (error_) std::rethrow_exception(error_);
    if (progress) progress(std::min(g_.samples, total), total);
  }

 private:
  std::uint64_t shard_samples() const {
    std::uint64_t n = 0;
    for (auto b : todo_holes_) n += block_samples(p_, b);
    const std::uint64_t a = g_.next * p_.block, e = std::min(g_.shard.end_block * p_.block, p_.samples);
    return g_.samples + n + (e > a ? e - a : 0);
  }

  // The next block to simulate (holes first), under m_; false when none is left.
  bool grab(std::uint64_t& b) {
    if (!todo_holes_.empty()) {
      b = todo_holes_.back();
      todo_holes_.pop_back();
      return true;
    }
    if (g_.next >= g_.shard.end_block) return false;
    b = g_.next++;
    return true;
  }

  // Each worker simulates and commits its blocks into its own state, without the lock (no cache
  // lines shared between the cores), and merges it into g_ at every pause and at the end: the
  // sums are exact and the counts integers, so the order does not matter. The first merge of a
  // histogram moves it; later ones are dense adds (the histograms of a run share their bins).
  void work() {
    McStateData local(g_.plan);
    BlockAcc acc(p_.widths.size());
    SampleWork w;
    w.x.assign(p_.widths.size(), kNaN);
    w.t.assign(p_.widths.size(), kNaN);
    std::unique_lock<std::mutex> lock(m_);
    for (;;) {
      if (pause_) {
        merge(local);
        ++parked_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !pause_; });
        --parked_;
      }
      if (stop_requested() || abort_) break;
      std::uint64_t b;
      if (!grab(b)) break;
      lock.unlock();
      bool ok = true;
      try {
        run_block(p_, b, acc, w, g_.kept.get());
        acc.commit(local, block_samples(p_, b));
        done_ += block_samples(p_, b);
      } catch (const Interrupted&) {
        ok = false;
      } catch (...) {
        ok = false;
        lock.lock();
        if (!error_) error_ = std::current_exception();
        abort_ = true;
        lock.unlock();
      }
      lock.lock();
      if (!ok) {
        unfinished_.push_back(b);
        if (g_.kept) clear_kept(b);
        break;
      }
    }
    merge(local);
    --active_;
    cv_.notify_all();
  }

  // local's blocks go to g_ (under m_)
  void merge(McStateData& local) {
    done_ -= local.samples;  // now counted in g_.samples
    g_.merge(std::move(local));
    local = McStateData(g_.plan);
  }

  void clear_kept(std::uint64_t b) {
    McRaw& k = *g_.kept;
    const std::uint64_t first = b * p_.block, n = block_samples(p_, b);
    for (std::uint64_t i = first; i < first + n; ++i)
      for (std::size_t j = 0; j < k.layers.size(); ++j) {
        k.x[j * k.count + (i - k.first)] = kNaN;
        if (!k.t.empty()) k.t[j * k.count + (i - k.first)] = kNaN;
      }
  }

 public:
  // The blocks below next that are not done (when no worker holds a block).
  std::vector<std::uint64_t> holes() const {
    std::vector<std::uint64_t> h = todo_holes_;
    h.insert(h.end(), unfinished_.begin(), unfinished_.end());
    std::sort(h.begin(), h.end());
    return h;
  }

 private:
  const McPlanData& p_;
  McStateData& g_;
  int workers_;
  std::mutex m_;
  std::condition_variable cv_;
  int active_ = 0, parked_ = 0;
  bool pause_ = false, abort_ = false;
  std::vector<std::uint64_t> todo_holes_, unfinished_;
  std::atomic<std::uint64_t> done_{0};  // samples in the workers' states, not yet in g_
  std::exception_ptr error_;
};

}  // namespace

McState mc_simulate(const McPlan& plan, const McShard& shard, const McOptions& opt) {
  require(bool(plan.data), "mc_simulate: empty plan");
  const McPlanData& p = *plan.data;
  require(shard.first_block <= shard.end_block && shard.end_block <= p.blocks, "mc_simulate: bad shard");
  require(opt.samples == p.samples && opt.seed == p.seed && opt.mode == p.mode && opt.activation == p.activation,
          "mc_simulate: the options do not match the plan");
  check_mc_args(p.widths, p.theta0, opt);
  McState state(plan);
  McStateData& g = *state.data;
  g.shard = shard;
  g.next = shard.first_block;
  if (opt.keep) {
    auto k = std::make_shared<McRaw>();
    k->first = shard.first_block * p.block;
    k->count = std::min(shard.end_block * p.block, p.samples) - std::min(k->first, p.samples);
    if (opt.keep_layer > 0) k->layers = {opt.keep_layer};
    else
      for (std::size_t l = 1; l <= p.widths.size(); ++l) k->layers.push_back(int(l));
    k->x.assign(k->layers.size() * std::size_t(k->count), kNaN);
    if (p.obtuse) k->t.assign(k->layers.size() * std::size_t(k->count), kNaN);
    k->end.assign(std::size_t(k->count), int(p.widths.size()) + 1);
    k->kind.assign(std::size_t(k->count), McRaw::kOk);
    g.kept = std::move(k);
  }
  std::unique_ptr<mc_detail::Checkpoint> ck;
  if (!opt.checkpoint.empty()) {
    ck = std::make_unique<mc_detail::Checkpoint>(opt.checkpoint, plan);
    if (ck->exists()) ck->load(g);  // InputError unless a checkpoint of this run and shard
    else ck->save(g, {});           // the directory is writable: fail now, not in an hour
  }
  const std::uint64_t pending = (g.shard.end_block - std::min(g.next, g.shard.end_block)) + g.holes.size();
  const int workers = int(std::max<std::uint64_t>(1, std::min<std::uint64_t>(std::uint64_t(resolve_threads(opt.threads)), pending)));
  Runner runner(p, g, workers);
  std::function<void()> save;
  if (ck) save = [&] { ck->save(g, runner.holes()); };
  if (pending > 0) runner.run(opt.progress, save, opt.checkpoint_seconds);
  else if (opt.progress) opt.progress(g.samples, g.samples);
  g.holes = runner.holes();
  const bool complete = g.holes.empty() && g.next >= g.shard.end_block;
  g.interrupted = !complete;
  if (ck && pending > 0) ck->save(g, g.holes);
  if (!complete) {
    if (!opt.partial_on_stop) throw Interrupted();
  }
  return state;
}

McResult run_mc(const std::vector<long>& widths, double theta0, const McOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  McPlan plan = mc_plan(widths, theta0, opt);
  McState state = mc_simulate(plan, McShard{0, plan.blocks()}, opt);
  McResult r = mc_result(plan, std::move(state), opt);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace relumix
