// Monte Carlo driver: argument checks, threads, network mode, per-layer statistics.
#include "relumix/mc/mc.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/mc/stats.hpp"

namespace relumix {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.141592653589793;
constexpr std::uint64_t kSampleBlock = 32;  // samples per work item

std::string gib(double bytes) {
  std::ostringstream o;
  o.precision(3);
  o << bytes / double(1ULL << 30) << " GiB";
  return o.str();
}

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? int(hw) : 1;
}

long max_width(const std::vector<long>& widths) {
  long m = 2;
  for (long w : widths) m = std::max(m, w);
  return m;
}

// Runs body(first, count) over [0, total) in blocks on `threads` threads (the caller is one of
// them and reports progress). Rethrows the first exception; throws Interrupted when stopped.
template <class Body>
void parallel_blocks(std::uint64_t total, int threads, const std::function<void(std::uint64_t)>& progress,
                     Body body) {
  std::uint64_t nblocks = (total + kSampleBlock - 1) / kSampleBlock;
  threads = int(std::min<std::uint64_t>(std::uint64_t(std::max(threads, 1)), std::max<std::uint64_t>(nblocks, 1)));
  std::atomic<std::uint64_t> next{0}, done{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&](bool reporter) {
    try {
      for (;;) {
        if (stop_requested()) return;
        std::uint64_t b = next.fetch_add(1, std::memory_order_relaxed);
        if (b >= nblocks) return;
        std::uint64_t first = b * kSampleBlock, count = std::min(kSampleBlock, total - first);
        body(first, count);
        std::uint64_t d = done.fetch_add(count, std::memory_order_relaxed) + count;
        if (reporter && progress) progress(d);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      request_stop();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, false);
  work(true);
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
  throw_if_stopped();
  if (progress) progress(total);
}

// ---- network mode -------------------------------------------------------------------------

// Sequential standard normals of the stream (layer, sample): Philox calls 0, 1, ... in batches
// of kBatch, each batch read as g[0..2m) then z[0..2m).
class NormalStream {
 public:
  NormalStream(mc_detail::Key key, std::uint32_t layer, std::uint64_t sample)
      : key_(key), layer_(layer), sample_(sample) {}
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
    mc_detail::normal_pairs(key_, layer_, sample_, call_, m, buf_, buf_ + 2 * m);
    call_ += m;
    pos_ = 0;
    avail_ = 4 * m;
  }
  mc_detail::Key key_;
  std::uint32_t layer_;
  std::uint64_t sample_, call_ = 0;
  alignas(64) double buf_[4 * mc_detail::kBatch];
  int pos_ = 0, avail_ = 0;
};

struct NetworkWork {
  std::vector<double> ha, hb, za, zb, row;
};

// One sample through explicit weight matrices; writes X per layer, returns (end layer, kind).
std::pair<int, std::uint8_t> network_sample(const std::vector<long>& widths, double theta0, mc_detail::Key key,
                                            std::uint64_t sample, NetworkWork& w, double* x, std::uint64_t stride) {
  // inputs (1, 0) and (cos theta0, sin theta0): the law depends on their angle only
  long nin = 2;
  w.ha.assign({1.0, 0.0});
  w.hb.assign({std::cos(theta0), std::sin(theta0)});
  const int L = int(widths.size());
  for (int l = 1; l <= L; ++l) {
    long nout = widths[std::size_t(l - 1)];
    NormalStream stream(key, std::uint32_t(l), sample);
    w.za.resize(std::size_t(nout));
    w.zb.resize(std::size_t(nout));
    w.row.resize(std::size_t(nin));
    const double scale = std::sqrt(2.0 / double(nin));
    long nx = 0, ny = 0, nxy = 0;
    for (long i = 0; i < nout; ++i) {
      stream.fill(w.row.data(), nin);
      double a = 0, b = 0;
      for (long j = 0; j < nin; ++j) {
        a += w.row[std::size_t(j)] * w.ha[std::size_t(j)];
        b += w.row[std::size_t(j)] * w.hb[std::size_t(j)];
      }
      a = std::max(scale * a, 0.0);
      b = std::max(scale * b, 0.0);
      w.za[std::size_t(i)] = a;
      w.zb[std::size_t(i)] = b;
      nx += a > 0;
      ny += b > 0;
      nxy += (a > 0) && (b > 0);
    }
    std::swap(w.ha, w.za);
    std::swap(w.hb, w.zb);
    nin = nout;
    if (nx == 0 || ny == 0) return {l, McRaw::kDead};
    if (nx == 1 && ny == 1 && nxy == 1) return {l, McRaw::kDegenerate};
    // angle by Kahan's formula: theta = 2 atan2(|u - v|, |u + v|), u, v unit vectors
    double na = 0, nb = 0;
    for (long i = 0; i < nout; ++i) {
      na += w.ha[std::size_t(i)] * w.ha[std::size_t(i)];
      nb += w.hb[std::size_t(i)] * w.hb[std::size_t(i)];
    }
    na = 1.0 / std::sqrt(na);
    nb = 1.0 / std::sqrt(nb);
    double dm = 0, dp = 0;
    for (long i = 0; i < nout; ++i) {
      double u = w.ha[std::size_t(i)] * na, v = w.hb[std::size_t(i)] * nb;
      dm += (u - v) * (u - v);
      dp += (u + v) * (u + v);
    }
    // sin theta = |u - v| |u + v| / 2
    if (!(dm > 0.0)) return {l, McRaw::kDegenerate};
    double lnsin2 = std::log(dm) + std::log(dp) - 2.0 * std::log(2.0);
    if (!std::isfinite(lnsin2)) return {l, McRaw::kDegenerate};
    x[std::size_t(l - 1) * stride] = lnsin2;
  }
  return {L + 1, McRaw::kOk};
}

// ---- chain mode ---------------------------------------------------------------------------

std::pair<int, std::uint8_t> chain_sample(const std::vector<long>& widths, const mc_detail::Step& start,
                                          mc_detail::Key key, std::uint64_t sample, double* x, std::uint64_t stride) {
  mc_detail::Step st = start;
  const int L = int(widths.size());
  for (int l = 1; l <= L; ++l) {
    st = mc_detail::chain_step(key, std::uint32_t(l), sample, widths[std::size_t(l - 1)], st);
    if (st.kind != McRaw::kOk) return {l, st.kind};
    x[std::size_t(l - 1) * stride] = st.x;
  }
  return {L + 1, McRaw::kOk};
}

// Statistics of v (reordered) and of theta(v) (values th, in the same order as v on entry):
// theta is increasing in X, so its quantiles come from the order statistics of v.
void summarize_layer(std::vector<double>& v, const std::vector<double>& th, McSummary& x, McSummary& theta) {
  for (auto [out, m] : {std::pair{&x, moments(v)}, std::pair{&theta, moments(th)}}) {
    out->mean = m.mean;
    out->sd = m.sd;
    out->stderr_mean = m.stderr_mean;
  }
  auto q = quantile_points(v, {0.05, 0.25, 0.5, 0.75, 0.95, 0.0, 1.0});
  double McSummary::*field[7] = {&McSummary::q05, &McSummary::q25, &McSummary::q50, &McSummary::q75,
                                 &McSummary::q95, &McSummary::min, &McSummary::max};
  for (std::size_t k = 0; k < q.size(); ++k) {
    x.*field[k] = q[k].value();
    const double tlo = mc_theta_of_x(q[k].lo), thi = mc_theta_of_x(q[k].hi);  // NaN for no samples
    theta.*field[k] = tlo + q[k].frac * (thi - tlo);
  }
}

nlohmann::ordered_json num(double v) { return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr); }

void add_summary(nlohmann::ordered_json& j, const McSummary& s) {
  j["mean"] = num(s.mean);
  j["sd"] = num(s.sd);
  j["stderr_mean"] = num(s.stderr_mean);
  j["q05"] = num(s.q05);
  j["q25"] = num(s.q25);
  j["q50"] = num(s.q50);
  j["q75"] = num(s.q75);
  j["q95"] = num(s.q95);
  j["min"] = num(s.min);
  j["max"] = num(s.max);
}
}  // namespace

McMode parse_mc_mode(const std::string& name) {
  if (name == "chain") return McMode::Chain;
  if (name == "network") return McMode::Network;
  throw InputError("unknown mode '" + name + "' (use chain or network)");
}

std::string mc_mode_name(McMode m) { return m == McMode::Chain ? "chain" : "network"; }

double mc_theta_of_x(double x) {
  if (!std::isfinite(x)) return x == -std::numeric_limits<double>::infinity() ? 0.0 : kNaN;
  if (x >= 0) return kPi / 2;
  double s = std::exp(0.5 * x);
  if (s < 0.7) return std::asin(s);
  return std::acos(std::sqrt(-std::expm1(x)));  // cos^2 = 1 - sin^2, accurate near pi/2
}

void check_mc_args(const std::vector<long>& widths, double theta0, const McOptions& opt) {
  const bool chain = opt.mode == McMode::Chain;
  require(!widths.empty(), "empty width list");
  for (long w : widths)
    require(w >= (chain ? 2 : 1), chain ? "chain mode needs widths of at least 2 (got " + std::to_string(w) + ")"
                                        : "widths must be at least 1 (got " + std::to_string(w) + ")");
  require(widths.size() < (1u << 20), "at most 1048575 layers");
  require(opt.samples >= 1, "--samples must be at least 1");
  require(opt.samples <= kMcMaxSamples, "--samples must be at most 10^10");
  require(std::isfinite(theta0) && theta0 > 0 && theta0 <= kPi + 1e-15, "theta0 must lie in (0, pi]");
  require(theta0 >= kMcMinTheta0, "theta0 below 1e-300 is outside the double-precision range of the Monte Carlo");
  require(opt.threads >= 0, "--threads must be at least 1");
  int threads = resolve_threads(opt.threads);
  require(threads <= 4096, "--threads must be at most 4096");
  // per-sample storage: X for every layer, end layer and kind
  double store = double(opt.samples) * (double(widths.size()) * 8.0 + 5.0);
  require(store <= double(kMcMemoryLimit),
          "storing " + std::to_string(opt.samples) + " samples x " + std::to_string(widths.size()) + " layers needs " +
              gib(store) + ", above the " + gib(double(kMcMemoryLimit)) + " limit (use fewer samples)");
  if (!chain) {
    long n = max_width(widths);
    double work = double(threads) * 5.0 * 8.0 * double(n);
    require(work <= double(kMcMemoryLimit),
            "network mode with width " + std::to_string(n) + " needs " + gib(work) +
                " of working memory, above the " + gib(double(kMcMemoryLimit)) + " limit");
    long nin = 2;
    for (long w : widths) {
      require(double(w) * double(nin) <= 6.0e13, "network mode: weight matrix too large for the random-number stream");
      nin = w;
    }
  }
}

McRaw simulate_mc(const std::vector<long>& widths, double theta0, const McOptions& opt, std::uint64_t first,
                  std::uint64_t count) {
  check_mc_args(widths, theta0, opt);
  McRaw raw;
  raw.layers = int(widths.size());
  raw.first = first;
  raw.count = count;
  raw.x.assign(std::size_t(count) * widths.size(), 0.0);
  raw.end.assign(std::size_t(count), raw.layers + 1);
  raw.kind.assign(std::size_t(count), McRaw::kOk);
  const auto key = mc_detail::key_of_seed(opt.seed);
  const int threads = resolve_threads(opt.threads);
  std::function<void(std::uint64_t)> progress;
  if (opt.progress) progress = [&](std::uint64_t d) { opt.progress(d); };
  if (opt.mode == McMode::Chain) {
    const auto start = mc_detail::chain_start(theta0);
    parallel_blocks(count, threads, progress, [&](std::uint64_t b0, std::uint64_t bn) {
      for (std::uint64_t i = b0; i < b0 + bn; ++i) {
        auto [end, kind] = chain_sample(widths, start, key, first + i, raw.x.data() + i, count);
        raw.end[i] = end;
        raw.kind[i] = kind;
      }
    });
  } else {
    parallel_blocks(count, threads, progress, [&](std::uint64_t b0, std::uint64_t bn) {
      NetworkWork w;
      for (std::uint64_t i = b0; i < b0 + bn; ++i) {
        if (stop_requested()) return;
        auto [end, kind] = network_sample(widths, theta0, key, first + i, w, raw.x.data() + i, count);
        raw.end[i] = end;
        raw.kind[i] = kind;
      }
    });
  }
  return raw;
}

McResult summarize_mc(const McRaw& raw, const std::vector<long>& widths, double theta0, const McOptions& opt,
                      int hist_bins) {
  require(raw.first == 0 && raw.count == opt.samples, "summarize_mc needs the complete run");
  require(hist_bins >= 0 && hist_bins <= 1000000, "--hist must be between 1 and 1000000");
  McResult r;
  r.mode = opt.mode;
  r.samples = opt.samples;
  r.seed = opt.seed;
  r.theta0 = theta0;
  r.widths = widths;
  r.layers.resize(std::size_t(raw.layers));
  // layers are independent: summarize them in parallel (results do not depend on the split)
  std::atomic<int> next{0};
  auto work = [&] {
    std::vector<double> v, th;
    for (int l; (l = next.fetch_add(1) + 1) <= raw.layers;) {
      McLayer& out = r.layers[std::size_t(l - 1)];
      out.layer = l;
      out.width = widths[std::size_t(l - 1)];
      v.clear();
      for (std::uint64_t i = 0; i < raw.count; ++i) {
        auto st = raw.state(i, l);
        if (st == McRaw::kOk) v.push_back(raw.value(i, l));
        else if (st == McRaw::kDegenerate) ++out.degenerate;
        else ++out.dead;
      }
      out.count = v.size();
      th.resize(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) th[i] = mc_theta_of_x(v[i]);
      if (hist_bins > 0) {
        Histogram h = histogram(v, hist_bins);
        out.hist_lo = h.lo;
        out.hist_hi = h.hi;
        out.hist = std::move(h.counts);
      }
      summarize_layer(v, th, out.x, out.theta);
    }
  };
  int threads = std::min(resolve_threads(opt.threads), raw.layers);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  return r;
}

McResult run_mc(const std::vector<long>& widths, double theta0, const McOptions& opt, int hist_bins) {
  auto t0 = std::chrono::steady_clock::now();
  McRaw raw = simulate_mc(widths, theta0, opt, 0, opt.samples);
  McResult r = summarize_mc(raw, widths, theta0, opt, hist_bins);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

nlohmann::ordered_json mc_to_json(const McResult& r) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& L : r.layers) {
    nlohmann::ordered_json j = {{"layer", L.layer}, {"width", L.width}, {"count", L.count},
                        {"degenerate", L.degenerate}, {"dead", L.dead}};
    add_summary(j, L.x);
    nlohmann::ordered_json th = nlohmann::ordered_json::object();
    add_summary(th, L.theta);
    j["theta"] = std::move(th);
    if (!L.hist.empty()) j["hist"] = {{"lo", num(L.hist_lo)}, {"hi", num(L.hist_hi)}, {"counts", L.hist}};
    layers.push_back(std::move(j));
  }
  return {{"mode", mc_mode_name(r.mode)}, {"widths", r.widths}, {"theta0", r.theta0}, {"samples", r.samples},
          {"seed", r.seed},                {"seconds", r.seconds}, {"layers", std::move(layers)}};
}

}  // namespace relumix
