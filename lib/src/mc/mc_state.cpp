// The Monte Carlo's mergeable state (binning, exact sums, histograms), its encoding, and the
// statistics computed from it (mc_result, mc_histogram, mc_ks, mc_to_json).
#include "mc/mc_state.hpp"

#include <gmp.h>
#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <utility>
#include <cmath>

#include "core/parallel.hpp"
#include "relumix/core/error.hpp"

namespace relumix::mc_detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

// ---- binning ------------------------------------------------------------------------------

void Binning::set(double centre, double scale, int bits) {
  c = centre;
  r = bits;
  lin = 1 << (bits + 2);
  sub = 1 << (bits + 1);
  int e = std::isfinite(scale) && scale > 0 ? std::ilogb(scale) : -20;
  hexp = std::clamp(e - bits, -1000, 60);
  inv_h = std::ldexp(1.0, -hexp);
}

std::int32_t Binning::log_bin(double d) const {
  const double t = std::fabs(d);
  const std::uint64_t u = std::bit_cast<std::uint64_t>(t);
  const int E = int(u >> 52) - 1023;  // t >= lin = 2^(r+2): E >= r + 2
  const int log0 = r + 2;
  std::int32_t k;
  if (E - log0 >= kMaxOctaves) {
    k = kMaxOctaves * sub - 1;  // the last bin takes everything beyond
  } else {
    const auto s = std::int32_t((u >> (52 - (r + 1))) & std::uint64_t(sub - 1));
    k = (E - log0) * sub + s;
  }
  return d > 0 ? lin + k : -lin - 1 - k;
}

void Binning::edges(std::int32_t j, double& lo, double& hi) const {
  const double h = std::ldexp(1.0, hexp);
  if (j >= -lin && j < lin) {
    lo = c + double(j) * h;
    hi = c + double(j + 1) * h;
    return;
  }
  const std::int32_t k = j >= lin ? j - lin : -lin - 1 - j;
  const int E = r + 2 + k / sub, s = k % sub;
  const double tlo = std::ldexp(1.0 + double(s) / sub, E);
  const double thi = k == kMaxOctaves * sub - 1 ? kInf : std::ldexp(1.0 + double(s + 1) / sub, E);
  if (j >= lin) {
    lo = c + tlo * h;
    hi = c + thi * h;
  } else {
    lo = c - thi * h;
    hi = c - tlo * h;
  }
}

namespace {
// room in v (a Hist's counts starting at bin lo) for bin j
template <class V>
void make_room(V& v, std::int64_t& lo, std::int32_t j) {
  if (v.empty()) {
    lo = std::int64_t(j) - 8;
    v.assign(16, 0);
    return;
  }
  const std::int64_t hi = lo + std::int64_t(v.size());
  const std::int64_t extra = std::max<std::int64_t>(64, std::int64_t(v.size()) / 2);
  if (j < lo) {
    const std::int64_t add = lo - j + extra;
    v.insert(v.begin(), std::size_t(add), 0);
    lo -= add;
  } else if (j >= hi) {
    v.resize(std::size_t(j - lo + 1 + extra), 0);
  }
}
}  // namespace

void Hist::grow_add(std::int32_t j, std::uint64_t n) {
  if (wide.empty()) {
    make_room(counts, lo, j);
    std::uint32_t& c = counts[std::size_t(std::int64_t(j) - lo)];
    if (n <= 0xFFFFFFFFu - c) {
      c += std::uint32_t(n);
      return;
    }
    wide.assign(counts.begin(), counts.end());  // a count reaches 2^32: 64 bits from now on
    counts = {};
  }
  make_room(wide, lo, j);
  wide[std::size_t(std::int64_t(j) - lo)] += n;
}

void Hist::merge(const Hist& o) {
  if (wide.empty() && o.wide.empty() && lo == o.lo && counts.size() == o.counts.size()) {
    // the same bins in 32 bits (the workers' histograms of one run): a dense add, unless a count
    // would reach 2^32
    bool over = false;
    for (std::size_t i = 0; i < counts.size(); ++i) over |= o.counts[i] > 0xFFFFFFFFu - counts[i];
    if (!over) {
      for (std::size_t i = 0; i < counts.size(); ++i) counts[i] += o.counts[i];
      return;
    }
  }
  std::size_t a = 0, b = o.size();
  while (a < b && o.at(a) == 0) ++a;
  while (b > a && o.at(b - 1) == 0) --b;
  if (a == b) return;
  add(std::int32_t(o.lo + std::int64_t(a)), 0);  // make room for both ends
  add(std::int32_t(o.lo + std::int64_t(b) - 1), 0);
  for (std::size_t i = a; i < b; ++i) add(std::int32_t(o.lo + std::int64_t(i)), o.at(i));
}

void LayerAcc::merge(const LayerAcc& o) {
  n += o.n;
  for (int k = 0; k < 4; ++k) {
    s[k].merge(o.s[k]);
    t[k].merge(o.t[k]);
  }
  min = std::min(min, o.min);
  max = std::max(max, o.max);
  hist.merge(o.hist);
  tmin = std::min(tmin, o.tmin);
  tmax = std::max(tmax, o.tmax);
  thist.merge(o.thist);
}

// ---- state --------------------------------------------------------------------------------

McStateData::McStateData(std::shared_ptr<const McPlanData> p) : plan(std::move(p)) {
  const std::size_t L = plan ? plan->widths.size() : 0;
  layers.resize(L);
  end_dead.assign(L, 0);
  end_degenerate.assign(L, 0);
}

void McStateData::merge(McStateData&& o) {
  // an empty histogram here takes o's (swapped: o's becomes empty and adds nothing below)
  if (plan && o.plan && plan->fingerprint == o.plan->fingerprint && layers.size() == o.layers.size())
    for (std::size_t l = 0; l < layers.size(); ++l) {
      if (layers[l].hist.empty()) std::swap(layers[l].hist, o.layers[l].hist);
      if (layers[l].thist.empty()) std::swap(layers[l].thist, o.layers[l].thist);
    }
  merge(static_cast<const McStateData&>(o));
}

void McStateData::merge(const McStateData& o) {
  require(plan && o.plan && plan->fingerprint == o.plan->fingerprint, "Monte Carlo states of different runs cannot be merged");
  for (std::size_t l = 0; l < layers.size(); ++l) {
    layers[l].merge(o.layers[l]);
    end_dead[l] += o.end_dead[l];
    end_degenerate[l] += o.end_degenerate[l];
  }
  samples += o.samples;
  interrupted = interrupted || o.interrupted;
  if (o.kept) {
    if (!kept || kept->count == 0) {
      kept = std::make_shared<McRaw>(*o.kept);
    } else {
      require(o.kept->first == kept->first + kept->count && o.kept->layers == kept->layers,
              "kept samples must be merged in order (shard after shard)");
      McRaw& k = *kept;
      const std::size_t nk = k.layers.size();
      std::vector<double> x(nk * std::size_t(k.count + o.kept->count));
      const std::uint64_t total = k.count + o.kept->count;
      for (std::size_t j = 0; j < nk; ++j) {
        std::copy_n(k.x.begin() + long(j * k.count), k.count, x.begin() + long(j * total));
        std::copy_n(o.kept->x.begin() + long(j * o.kept->count), o.kept->count, x.begin() + long(j * total + k.count));
      }
      k.x = std::move(x);
      if (!k.t.empty() || !o.kept->t.empty()) {
        require(k.t.size() == nk * k.count && o.kept->t.size() == nk * o.kept->count, "kept samples of different runs");
        std::vector<double> t(nk * std::size_t(total));
        for (std::size_t j = 0; j < nk; ++j) {
          std::copy_n(k.t.begin() + long(j * k.count), k.count, t.begin() + long(j * total));
          std::copy_n(o.kept->t.begin() + long(j * o.kept->count), o.kept->count, t.begin() + long(j * total + k.count));
        }
        k.t = std::move(t);
      }
      k.end.insert(k.end.end(), o.kept->end.begin(), o.kept->end.end());
      k.kind.insert(k.kind.end(), o.kept->kind.begin(), o.kept->kind.end());
      k.count = total;
    }
  }
}

namespace {
constexpr std::uint64_t kStateTag = 0x3274617453434dULL;  // "MCStat2"

// counts as LEB128 varints: most are small, so a checkpoint is a fraction of the dense array
void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}
bool get_varint(std::string_view& in, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto c = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= std::uint64_t(c & 0x7F) << shift;
    if (!(c & 0x80)) return true;
  }
  return false;
}

void put_hist(std::string& out, const Hist& h) {
  std::size_t a = 0, b = h.size();
  while (a < b && h.at(a) == 0) ++a;
  while (b > a && h.at(b - 1) == 0) --b;
  put_u64(out, std::uint64_t(h.lo + std::int64_t(a)));
  put_u64(out, b - a);
  for (std::size_t i = a; i < b; ++i) put_varint(out, h.at(i));
}
bool get_hist(std::string_view& in, Hist& h) {
  std::uint64_t lo, n;
  if (!get_u64(in, lo) || !get_u64(in, n) || n > in.size()) return false;
  if (std::int64_t(lo) < -(std::int64_t(1) << 31) || std::int64_t(lo) > (std::int64_t(1) << 31) ||
      std::int64_t(lo) + std::int64_t(n) > (std::int64_t(1) << 31))
    return false;
  h = Hist{};
  if (n == 0) return true;
  h.start(std::int32_t(lo), std::int32_t(std::int64_t(lo) + std::int64_t(n)));
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t c;
    if (!get_varint(in, c)) return false;
    h.add(std::int32_t(std::int64_t(lo) + std::int64_t(i)), c);
  }
  return true;
}
}  // namespace

void McStateData::write(std::string& out, const std::vector<std::uint64_t>* hs) const {
  const auto& holes = hs ? *hs : this->holes;
  put_u64(out, kStateTag);
  put_u64(out, layers.size());
  put_u64(out, samples);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerAcc& a = layers[l];
    put_u64(out, a.n);
    put_u64(out, end_dead[l]);
    put_u64(out, end_degenerate[l]);
    put_f64(out, a.min);
    put_f64(out, a.max);
    for (int k = 0; k < 4; ++k) a.s[k].write(out);
    for (int k = 0; k < 4; ++k) a.t[k].write(out);
    put_hist(out, a.hist);
    if (plan->obtuse) {
      put_f64(out, a.tmin);
      put_f64(out, a.tmax);
      put_hist(out, a.thist);
    }
  }
  put_u64(out, shard.first_block);
  put_u64(out, shard.end_block);
  put_u64(out, next);
  put_u64(out, holes.size());
  for (auto h : holes) put_u64(out, h);
  put_u64(out, interrupted ? 1 : 0);
  put_u64(out, kept ? 1 : 0);
  if (kept) {
    put_u64(out, kept->first);
    put_u64(out, kept->count);
    put_u64(out, kept->layers.size());
    for (int l : kept->layers) put_u64(out, std::uint64_t(l));
    for (double v : kept->x) put_f64(out, v);
    if (plan->obtuse)
      for (double v : kept->t) put_f64(out, v);
    for (auto e : kept->end) put_u64(out, std::uint64_t(std::uint32_t(e)));
    out.append(reinterpret_cast<const char*>(kept->kind.data()), kept->kind.size());
  }
}

bool McStateData::read(std::string_view& in) {
  std::uint64_t tag, L;
  if (!get_u64(in, tag) || tag != kStateTag || !get_u64(in, L) || L != layers.size() || !get_u64(in, samples))
    return false;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    LayerAcc& a = layers[l];
    a = LayerAcc{};
    if (!get_u64(in, a.n) || !get_u64(in, end_dead[l]) || !get_u64(in, end_degenerate[l]) || !get_f64(in, a.min) ||
        !get_f64(in, a.max))
      return false;
    for (int k = 0; k < 4; ++k)
      if (!a.s[k].read(in)) return false;
    for (int k = 0; k < 4; ++k)
      if (!a.t[k].read(in)) return false;
    if (!get_hist(in, a.hist)) return false;
    if (plan->obtuse && (!get_f64(in, a.tmin) || !get_f64(in, a.tmax) || !get_hist(in, a.thist))) return false;
  }
  std::uint64_t nh, flag;
  if (!get_u64(in, shard.first_block) || !get_u64(in, shard.end_block) || !get_u64(in, next) || !get_u64(in, nh) ||
      nh > in.size() / 8)
    return false;
  holes.assign(std::size_t(nh), 0);
  for (auto& h : holes) get_u64(in, h);
  if (!get_u64(in, flag)) return false;
  interrupted = flag != 0;
  if (!get_u64(in, flag)) return false;
  kept.reset();
  if (flag) {
    auto k = std::make_shared<McRaw>();
    std::uint64_t nl;
    if (!get_u64(in, k->first) || !get_u64(in, k->count) || !get_u64(in, nl) || nl > layers.size()) return false;
    k->layers.resize(std::size_t(nl));
    for (auto& l : k->layers) {
      std::uint64_t v;
      if (!get_u64(in, v) || v < 1 || v > layers.size()) return false;
      l = int(v);
    }
    if (k->count > in.size() / 9 || in.size() - 9 * k->count < 8 * nl * k->count) return false;  // x, end and kind
    k->x.resize(std::size_t(nl * k->count));
    for (auto& v : k->x) get_f64(in, v);
    if (plan->obtuse) {
      if (in.size() / 8 < nl * k->count) return false;
      k->t.resize(std::size_t(nl * k->count));
      for (auto& v : k->t) get_f64(in, v);
    }
    k->end.resize(std::size_t(k->count));
    for (auto& e : k->end) {
      std::uint64_t v;
      get_u64(in, v);
      e = std::int32_t(std::uint32_t(v));
    }
    if (in.size() < k->count) return false;
    k->kind.assign(in.begin(), in.begin() + long(k->count));
    in.remove_prefix(std::size_t(k->count));
    kept = std::move(k);
  }
  return true;
}

}  // namespace relumix::mc_detail

namespace relumix {

using mc_detail::McStateData;

McState::McState() = default;
McState::McState(const McPlan& plan) : data(std::make_unique<McStateData>(plan.data)) {}
McState::McState(const McState& o) : data(o.data ? std::make_unique<McStateData>(*o.data) : nullptr) {}
McState::McState(McState&&) noexcept = default;
McState& McState::operator=(const McState& o) {
  if (this != &o) data = o.data ? std::make_unique<McStateData>(*o.data) : nullptr;
  return *this;
}
McState& McState::operator=(McState&&) noexcept = default;
McState::~McState() = default;

std::uint64_t McState::samples_done() const { return data ? data->samples : 0; }
bool McState::interrupted() const { return data && data->interrupted; }

void McState::merge(const McState& o) {
  require(data && o.data, "merge: empty Monte Carlo state");
  data->merge(*o.data);
}

std::string McState::serialize() const {
  std::string out;
  if (data) data->write(out);
  return out;
}

McState McState::deserialize(const McPlan& plan, std::string_view bytes) {
  McState s(plan);
  std::string_view in = bytes;
  require(s.data->read(in) && in.empty(), "malformed Monte Carlo state (truncated, corrupt or of another run)");
  return s;
}

// ---- statistics ---------------------------------------------------------------------------

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Exact rational arithmetic on the sums (GMP), rounded once at the end (MPFR).
struct Q {
  mpq_t v;
  Q() { mpq_init(v); }
  explicit Q(double d) {
    mpq_init(v);
    mpq_set_d(v, d);
  }
  explicit Q(const mc_detail::ExactSum& s) {
    mpq_init(v);
    mpz_t m;
    mpz_init(m);
    long e;
    s.get(m, e);
    mpq_set_z(v, m);
    if (e >= 0) mpq_mul_2exp(v, v, (mp_bitcnt_t)e);
    else mpq_div_2exp(v, v, (mp_bitcnt_t)(-e));
    mpz_clear(m);
  }
  Q(const Q& o) {
    mpq_init(v);
    mpq_set(v, o.v);
  }
  Q& operator=(const Q& o) {
    mpq_set(v, o.v);
    return *this;
  }
  ~Q() { mpq_clear(v); }
  static Q of_u64(std::uint64_t n) {
    Q q;
    mpz_set_ui(mpq_numref(q.v), (unsigned long)n);
    return q;
  }
};
Q operator+(const Q& a, const Q& b) { Q r; mpq_add(r.v, a.v, b.v); return r; }
Q operator-(const Q& a, const Q& b) { Q r; mpq_sub(r.v, a.v, b.v); return r; }
Q operator*(const Q& a, const Q& b) { Q r; mpq_mul(r.v, a.v, b.v); return r; }
Q operator/(const Q& a, const Q& b) { Q r; mpq_div(r.v, a.v, b.v); return r; }
Q scale2(const Q& a, long e) {
  Q r;
  if (e >= 0) mpq_mul_2exp(r.v, a.v, (mp_bitcnt_t)e);
  else mpq_div_2exp(r.v, a.v, (mp_bitcnt_t)(-e));
  return r;
}
int sign(const Q& a) { return mpq_sgn(a.v); }

double to_double(const Q& q) {
  mpfr_t f;
  mpfr_init2(f, 53);
  mpfr_set_q(f, q.v, MPFR_RNDN);
  double d = mpfr_get_d(f, MPFR_RNDN);
  mpfr_clear(f);
  return d;
}
double sqrt_double(const Q& q) {  // sqrt(max(q, 0))
  if (sign(q) <= 0) return 0.0;
  mpfr_t f;
  mpfr_init2(f, 128);
  mpfr_set_q(f, q.v, MPFR_RNDN);
  mpfr_sqrt(f, f, MPFR_RNDN);
  double d = mpfr_get_d(f, MPFR_RNDN);
  mpfr_clear(f);
  return d;
}

// Moments of v = (y - centre) / scale from the exact sums S_k of (y * scale' - c')^k, where
// y * tscale - tc is the shifted quantity: mean = (c + S1/N) / tscale etc.
void moments_from_sums(const mc_detail::ExactSum* s, std::uint64_t n, double centre, double tscale, McSummary& out) {
  out.mean = out.stderr_mean = out.sd = out.stderr_sd = out.var = out.stderr_var = kNaN;
  if (n == 0) return;
  const Q N = Q::of_u64(n), S1(s[0]), S2(s[1]), S3(s[2]), S4(s[3]);
  const long te = -std::ilogb(tscale);  // 1 / tscale = 2^te
  const Q a = S1 / N;                   // mean of the shifted values
  out.mean = to_double(scale2(Q(centre) + a, te));
  if (n < 2) return;
  const Q m2 = S2 - S1 * a;  // sum of squared deviations
  const Q var = m2 / Q::of_u64(n - 1);
  const Q a2 = a * a;
  const Q c4 = S4 - Q(4.0) * S3 * a + Q(6.0) * S2 * a2 - Q(3.0) * S1 * a2 * a;  // sum of 4th powers of deviations
  const Q v2 = scale2(var, 2 * te);
  out.var = to_double(v2);
  out.sd = sqrt_double(v2);
  out.stderr_mean = sqrt_double(v2 / N);
  const Q mu4 = c4 / N;
  out.stderr_var = sqrt_double(scale2((mu4 - var * var) / N, 4 * te));
  out.stderr_sd = out.sd > 0 ? out.stderr_var / (2.0 * out.sd) : kNaN;
}

// The occupied fine bins of a layer in increasing x: (bin, count, lo, hi) with the edges clipped to
// [min, max].
struct FineBin {
  std::int32_t j;
  std::uint64_t count;
  double lo, hi;
};
std::vector<FineBin> fine_bins(const mc_detail::Binning& bn, const mc_detail::Hist& hist, double min, double max) {
  std::vector<FineBin> out;
  for (std::size_t i = 0; i < hist.size(); ++i) {
    const std::uint64_t c = hist.at(i);
    if (!c) continue;
    const auto j = std::int32_t(hist.lo + std::int64_t(i));
    double lo, hi;
    bn.edges(j, lo, hi);
    out.push_back({j, c, std::max(lo, min), std::min(hi, max)});
  }
  return out;
}
std::vector<FineBin> fine_bins(const mc_detail::LayerPlan& lp, const mc_detail::LayerAcc& a) {
  return fine_bins(lp.bins, a.hist, a.min, a.max);
}

// Order statistic r (0-based) of the samples, with a bound on its error.
struct OrderStat {
  double value, error;
};
struct Extremes {  // the count and the exact extremes of the binned quantity
  std::uint64_t n;
  double min, max;
};
// Walks the histogram's counts once for the sorted ranks and forms the edges (clipped to the
// extremes) only of the bins where a rank falls: the occupied fine bins of fine_bins, without
// making them all.
std::vector<OrderStat> order_stats(const mc_detail::Binning& bn, const mc_detail::Hist& hist, const Extremes& a,
                                   const std::vector<std::uint64_t>& ranks) {
  std::vector<OrderStat> out(ranks.size());
  std::vector<std::size_t> idx(ranks.size());
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = k;
  std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) { return ranks[x] < ranks[y]; });
  const auto c = [&](std::size_t i) { return hist.at(i); };
  const std::size_t size = hist.size();
  std::size_t i = 0, last = 0;  // last: the last occupied bin passed (the fallback past the end)
  std::uint64_t before = 0;
  for (std::size_t k : idx) {
    const std::uint64_t r = ranks[k];
    if (r == 0) {
      out[k] = {a.min, 0.0};
      continue;
    }
    if (r + 1 == a.n) {
      out[k] = {a.max, 0.0};
      continue;
    }
    // zero counts pass too (before <= r throughout): the walk stops at the occupied bin holding r
    while (i < size && before + c(i) <= r) {
      if (c(i)) last = i;
      before += c(i++);
    }
    const std::size_t at = i < size ? i : last;
    double lo, hi;
    bn.edges(std::int32_t(hist.lo + std::int64_t(at)), lo, hi);
    lo = std::max(lo, a.min);
    hi = std::min(hi, a.max);
    const double w = std::max(hi - lo, 0.0);
    const double v = lo + (double(r - before) + 0.5) / double(c(at)) * w;
    // edges are rounded doubles: allow a few ulps
    out[k] = {std::clamp(v, lo, hi), w + 4e-16 * (std::fabs(lo) + std::fabs(hi))};
  }
  return out;
}
}  // namespace

McResult mc_result(const McPlan& plan, const McState& state, const McOptions& opt) {
  return mc_result(plan, McState(state), opt);
}

McResult mc_result(const McPlan& plan, McState&& moved, const McOptions& opt) {
  require(moved.data && plan.data && moved.data->plan->fingerprint == plan.fingerprint(),
          "mc_result: the state belongs to another plan");
  const auto held = std::make_shared<const McState>(std::move(moved));
  const McState& state = *held;
  require(opt.hist_bins >= 0 && opt.hist_bins <= 1000000, "histograms need 1..1000000 bins");
  const auto& P = *plan.data;
  const auto& S = *state.data;
  McResult r;
  r.mode = P.mode;
  r.activation = P.activation;
  r.samples = P.samples;
  r.seed = P.seed;
  r.theta0 = P.theta0;
  r.widths = P.widths;
  r.samples_done = S.samples;
  r.partial = S.interrupted;
  r.block = P.block;
  r.plan = plan;
  r.kept = S.kept;
  r.state = held;
  const std::size_t L = P.widths.size();
  r.layers.resize(L);
  std::uint64_t dead = 0, degenerate = 0;
  for (std::size_t l = 0; l < L; ++l) {
    McLayer& out = r.layers[l];
    out.layer = int(l + 1);
    out.width = P.widths[l];
    dead += S.end_dead[l];
    degenerate += S.end_degenerate[l];
    out.dead = dead;
    out.degenerate = degenerate;
    out.count = S.layers[l].n;
  }
  static const double ps[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
  // the layers' statistics are independent: on the run's threads
  parallel_for(L, unsigned(std::max(opt.threads, 0)), [&](std::size_t l) {
    const auto& a = S.layers[l];
    const auto& lp = P.layers[l];
    McLayer& out = r.layers[l];
    moments_from_sums(a.s, a.n, lp.bins.c, 1.0, out.x);
    moments_from_sums(a.t, a.n, lp.tc, lp.tscale, out.theta);
    double McSummary::*q[5] = {&McSummary::q05, &McSummary::q25, &McSummary::q50, &McSummary::q75, &McSummary::q95};
    if (a.n == 0) {
      for (auto f : q) out.x.*f = out.theta.*f = kNaN;
      out.x.min = out.x.max = out.theta.min = out.theta.max = kNaN;
      out.quantile_error = kNaN;
      return;
    }
    out.x.min = a.min;
    out.x.max = a.max;
    out.theta.min = theta_of_x(a.min);
    out.theta.max = theta_of_x(a.max);
    std::vector<std::uint64_t> ranks;
    double frac[5];
    for (int k = 0; k < 5; ++k) {
      const double h = double(a.n - 1) * ps[k];
      const auto lo = std::min<std::uint64_t>(std::uint64_t(std::floor(h)), a.n - 1);
      frac[k] = h - double(lo);
      ranks.push_back(lo);
      ranks.push_back(std::min(lo + 1, a.n - 1));
    }
    const auto os = order_stats(lp.bins, a.hist, Extremes{a.n, a.min, a.max}, ranks);
    out.quantile_error = 0;
    for (int k = 0; k < 5; ++k) {
      const OrderStat &lo = os[2 * std::size_t(k)], &hi = os[2 * std::size_t(k) + 1];
      out.x.*q[k] = lo.value + frac[k] * (hi.value - lo.value);
      const double tlo = theta_of_x(lo.value), thi = theta_of_x(hi.value);
      out.theta.*q[k] = tlo + frac[k] * (thi - tlo);
      out.quantile_error = std::max({out.quantile_error, lo.error, hi.error});
    }
    if (P.obtuse) {  // theta from its own binning: X = ln sin^2 theta cannot tell theta from pi - theta
      out.theta.min = a.tmin;
      out.theta.max = a.tmax;
      const auto tos = order_stats(lp.tbins, a.thist, Extremes{a.n, a.tmin, a.tmax}, ranks);
      for (int k = 0; k < 5; ++k) {
        const OrderStat &lo = tos[2 * std::size_t(k)], &hi = tos[2 * std::size_t(k) + 1];
        out.theta.*q[k] = lo.value + frac[k] * (hi.value - lo.value);
      }
    }
    if (opt.hist_bins > 0) {
      double lo = a.min, hi = a.max;
      if (!(lo < hi)) {
        lo -= 0.5;
        hi += 0.5;
      }
      Histogram h = mc_histogram(r, int(l + 1), opt.hist_bins, lo, hi);
      out.hist_lo = h.lo;
      out.hist_hi = h.hi;
      out.hist = std::move(h.counts);
    }
  });
  return r;
}

Histogram mc_histogram(const McResult& r, int layer, int bins, double lo, double hi) {
  require(r.state && r.state->data && r.plan.data, "mc_histogram: the result has no summaries");
  require(layer >= 1 && layer <= int(r.widths.size()), "mc_histogram: no layer " + std::to_string(layer));
  Histogram h(bins, lo, hi);
  const auto& a = r.state->data->layers[std::size_t(layer - 1)];
  for (const auto& f : fine_bins(r.plan.data->layers[std::size_t(layer - 1)], a)) h.add(0.5 * (f.lo + f.hi), f.count);
  return h;
}

McKs mc_ks(const McResult& r, int layer, const std::function<double(double)>& cdf, double resolution) {
  require(r.state && r.state->data && r.plan.data, "mc_ks: the result has no summaries");
  require(layer >= 1 && layer <= int(r.widths.size()), "mc_ks: no layer " + std::to_string(layer));
  require(resolution > 0 && resolution <= 1, "mc_ks: the resolution must lie in (0, 1]");
  McKs ks;
  const auto& a = r.state->data->layers[std::size_t(layer - 1)];
  if (a.n == 0) {
    ks.d = ks.d_upper = kNaN;
    ks.p = kNaN;
    return ks;
  }
  const auto bins = fine_bins(r.plan.data->layers[std::size_t(layer - 1)], a);
  const double N = double(a.n);
  const auto cap = std::uint64_t(std::max(1.0, std::floor(resolution * N)));
  std::uint64_t before = 0;
  double d = 0, du = 0;
  for (std::size_t i = 0; i < bins.size();) {
    // a group [lo, next group's lo): fine bins while its count stays within cap (at least one)
    std::uint64_t c = bins[i].count;
    std::size_t k = i + 1;
    while (k < bins.size() && c + bins[k].count <= cap) c += bins[k++].count;
    const double glo = bins[i].lo, ghi = k < bins.size() ? bins[k].lo : a.max;
    const double Fs = double(before) / N, Fe = double(before + c) / N;
    const double Flo = cdf(glo), Fhi = cdf(ghi);
    // F_n(glo-) = Fs, F_n(ghi-) = Fe (F_n(a.max) = 1 at the very end)
    d = std::max({d, std::fabs(Fs - Flo), std::fabs((k < bins.size() ? Fe : 1.0) - Fhi)});
    du = std::max({du, Fe - Flo, Fhi - Fs});
    before += c;
    i = k;
  }
  ks.d = d;
  ks.d_upper = std::max(du, d);
  ks.p = ks_pvalue(d, N);
  return ks;
}

namespace {
nlohmann::ordered_json num(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
void add_summary(nlohmann::ordered_json& j, const McSummary& s) {
  j["mean"] = num(s.mean);
  j["stderr_mean"] = num(s.stderr_mean);
  j["sd"] = num(s.sd);
  j["stderr_sd"] = num(s.stderr_sd);
  j["var"] = num(s.var);
  j["stderr_var"] = num(s.stderr_var);
  j["q05"] = num(s.q05);
  j["q25"] = num(s.q25);
  j["q50"] = num(s.q50);
  j["q75"] = num(s.q75);
  j["q95"] = num(s.q95);
  j["min"] = num(s.min);
  j["max"] = num(s.max);
}
}  // namespace

nlohmann::ordered_json mc_to_json(const McResult& r, const std::string& theta0_text) {
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& L : r.layers) {
    nlohmann::ordered_json j;
    j["layer"] = L.layer;
    j["width"] = L.width;
    j["count"] = L.count;
    j["degenerate"] = L.degenerate;
    j["dead"] = L.dead;
    add_summary(j, L.x);
    j["quantile_error"] = num(L.quantile_error);
    nlohmann::ordered_json th;
    add_summary(th, L.theta);
    j["theta"] = std::move(th);
    if (!L.hist.empty()) j["hist"] = {{"lo", num(L.hist_lo)}, {"hi", num(L.hist_hi)}, {"counts", L.hist}};
    layers.push_back(std::move(j));
  }
  nlohmann::ordered_json j;
  j["mode"] = mc_mode_name(r.mode);
  j["activation"] = r.activation.name();
  j["widths"] = r.widths;
  j["theta0"] = theta0_text;
  j["samples"] = r.samples;
  j["seed"] = r.seed;
  j["partial"] = r.partial;
  j["samples_done"] = r.samples_done;
  j["block"] = r.block;
  j["seconds"] = r.seconds;
  j["layers"] = std::move(layers);
  return j;
}

}  // namespace relumix
