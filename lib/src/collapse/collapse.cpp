#include "relumix/collapse/collapse.hpp"


#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "relumix/numeric/certify.hpp"
#include "mc/philox_normals.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {

void check_width_depth(long width, long long depth) {
  require(width >= 1 && width <= kCollapseMaxWidth,
          "width must be an integer in 1.." + std::to_string(kCollapseMaxWidth) + ", got " + std::to_string(width));
  require(depth >= 1 && depth <= kCollapseMaxDepth,
          "depth must be an integer in 1..1e18, got " + std::to_string(depth));
}

void check_digits(int digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
}

// The decimal expansion of the dyadic probabilities has exactly width*depth digits after the
// point, so a rounding tie at D significant digits needs width*depth <= D + width (roughly);
// below this bound we compute exactly, above it no tie is possible and intervals converge.
bool use_exact(long width, long long depth, int digits) {
  return double(width) * double(depth) <= 4.0 * digits + double(width) + 256.0;
}

// Exact survival (2^N - 1)^L / 2^(N L) as a rational (only for small N L).
Rational exact_survival(long width, long long depth) {
  Integer base = (Integer(1) << width) - 1;
  Integer num = boost::multiprecision::pow(base, unsigned(depth));
  Integer den = Integer(1) << (std::size_t(width) * std::size_t(depth));
  return Rational(num, den);
}

mpfr_prec_t exact_bits(long width, long long depth) { return mpfr_prec_t(width * depth + 8); }

// log1p(-2^-N) enclosure.
Interval log_keep(long width, mpfr_prec_t bits) {
  return log1p(ldexp(Interval(-1L, bits), -width));
}

using Normals = detail::PhiloxNormals;  // philox_normals.hpp

constexpr std::uint64_t kCollapseTag = 0x636f6c6c61707365ULL;  // "collapse"

enum class Event { none, dead_one, dead_both, parallel };

// One input. Returns the layer (1-based) of the first dead layer, or 0.
long long run_one_input(const CollapseMcOptions& o, std::uint64_t sample) {
  const double s2 = o.bias_std * o.bias_std;
  const double n = double(o.width);
  double q = n;  // squared norm of the input
  for (long long l = 1; l <= o.depth; ++l) {
    if ((l & 4095) == 0) throw_if_stopped();
    Normals g(o.seed, kCollapseTag, sample, std::uint64_t(l));
    // Bias-free the network is positively homogeneous: only signs matter, use unit scale.
    double sd = s2 > 0 ? std::sqrt(2.0 * q / n + s2) : 1.0;
    double next = 0;
    for (long i = 0; i < o.width; ++i) {
      double z = sd * g.next();
      if (z > 0) next += z * z;
    }
    if (!(next > 0)) return l;
    q = next;
  }
  return 0;
}

// Two inputs: Gram matrix (qa, qb, qab). Returns the first event layer and its kind.
std::pair<long long, Event> run_two_inputs(const CollapseMcOptions& o, std::uint64_t sample) {
  const double s2 = o.bias_std * o.bias_std;
  const double n = double(o.width);
  double qa = n, qb = n, qab = n * std::cos(o.angle);
  for (long long l = 1; l <= o.depth; ++l) {
    if ((l & 4095) == 0) throw_if_stopped();
    Normals g(o.seed, kCollapseTag, sample, std::uint64_t(l));
    double a, b, c;
    if (s2 > 0) {
      a = 2.0 * qa / n + s2;
      b = 2.0 * qb / n + s2;
      c = 2.0 * qab / n + s2;
    } else {  // homogeneous in each input separately: only the cosine matters
      a = b = 1.0;
      c = std::clamp(qab / std::sqrt(qa * qb), -1.0, 1.0);
    }
    double sa = std::sqrt(a), ca = c / sa, sb = std::sqrt(std::max(b - ca * ca, 0.0));
    double na = 0, nb = 0, nab = 0;
    long ka = 0, kb = 0, ia = -1, ib = -1;
    for (long i = 0; i < o.width; ++i) {
      double g1 = g.next(), g2 = g.next();
      double za = sa * g1, zb = ca * g1 + sb * g2;
      double ha = za > 0 ? za : 0, hb = zb > 0 ? zb : 0;
      if (za > 0) { ++ka; ia = i; }
      if (zb > 0) { ++kb; ib = i; }
      na += ha * ha;
      nb += hb * hb;
      nab += ha * hb;
    }
    if (ka == 0 && kb == 0) return {l, Event::dead_both};
    if (ka == 0 || kb == 0) return {l, Event::dead_one};
    // Parallel: the same single unit active (the only way with continuous laws), or numerically
    // parallel (sin^2 of the angle below 1e-14, where doubles no longer resolve the angle).
    if ((ka == 1 && kb == 1 && ia == ib) || !(na * nb - nab * nab > 1e-14 * na * nb)) return {l, Event::parallel};
    qa = na;
    qb = nb;
    qab = nab;
  }
  return {0, Event::none};
}

}  // namespace

Interval collapse_probability(long width, long long depth, mpfr_prec_t bits) {
  check_width_depth(width, depth);
  Interval y = log_keep(width, bits) * Interval(long(depth), bits);
  return -expm1(y);
}

std::string collapse_probability_text(long width, long long depth, int digits) {
  check_width_depth(width, depth);
  check_digits(digits);
  if (use_exact(width, depth, digits)) {
    Rational p = 1 - exact_survival(width, depth);
    mpfr_prec_t b = exact_bits(width, depth);
    return certify([&](mpfr_prec_t) { return Interval(p, b); }, digits);
  }
  return certify([&](mpfr_prec_t bits) { return collapse_probability(width, depth, bits); }, digits);
}

std::string survival_probability_text(long width, long long depth, int digits) {
  check_width_depth(width, depth);
  check_digits(digits);
  if (use_exact(width, depth, digits)) {
    Rational s = exact_survival(width, depth);
    mpfr_prec_t b = exact_bits(width, depth);
    return certify([&](mpfr_prec_t) { return Interval(s, b); }, digits);
  }
  return certify_exp(
      [&](mpfr_prec_t bits) {
        // |L log1p(-2^-N)| < 2^60: 64 guard bits keep the absolute error below 2^-bits.
        return log_keep(width, bits + 64) * Interval(long(depth), bits + 64);
      },
      digits);
}

Integer collapse_safe_depth(long width, const Rational& eps) {
  require(width >= 1 && width <= 4096, "safe depth: width must be in 1..4096");
  require(eps > 0 && eps < 1, "safe depth: eps must lie in (0, 1)");
  // P(L) < eps  <=>  L < r = log1p(-eps) / log1p(-2^-N). The answer is ceil(r) - 1.
  for (mpfr_prec_t bits = 128; bits <= (1 << 14); bits *= 2) {
    Interval r = log1p(-Interval(eps, bits)) / log_keep(width, bits);
    Integer lo, hi;
    mpz_t z;
    mpz_init(z);
    mpfr_get_z(z, &r.get()->left, MPFR_RNDU);
    lo = Integer(z);
    mpfr_get_z(z, &r.get()->right, MPFR_RNDU);
    hi = Integer(z);
    mpz_clear(z);
    if (lo == hi) return lo - 1;  // ceil(r) is certain
  }
  // r is (numerically) an integer: decide P(c) < eps exactly for c = round(r).
  Interval r = log1p(-Interval(eps, 256)) / log_keep(width, 256);
  long long c = (long long)std::llround(r.mid_double());
  require(double(width) * double(c) <= 1e6, "safe depth: cannot decide the boundary case");
  return (1 - exact_survival(width, c) < eps) ? Integer(c) : Integer(c - 1);
}

double CollapseMcResult::probability_by(long long l) const {
  if (samples == 0 || l <= 0) return 0;
  std::uint64_t c = 0;
  for (long long i = 0; i < l && i < (long long)first_event.size(); ++i) c += first_event[std::size_t(i)];
  return double(c) / double(samples);
}

double CollapseMcResult::stderr_by(long long l) const {
  double p = probability_by(l);
  return samples ? std::sqrt(p * (1 - p) / double(samples)) : 0;
}

CollapseMcResult collapse_monte_carlo(const CollapseMcOptions& o, const ProgressFn& progress) {
  require(o.width >= 1 && o.width <= kCollapseMcMaxWidth,
          "Monte Carlo width must be in 1.." + std::to_string(kCollapseMcMaxWidth) + ", got " + std::to_string(o.width));
  require(o.depth >= 1, "depth must be at least 1, got " + std::to_string(o.depth));
  require(o.inputs == 1 || o.inputs == 2, "inputs must be 1 or 2, got " + std::to_string(o.inputs));
  require(std::isfinite(o.bias_std) && o.bias_std >= 0 && o.bias_std <= 1e6,
          "bias std must be a finite number in [0, 1e6]");
  require(std::isfinite(o.angle) && o.angle >= 0 && o.angle <= 1.5707963267948967,
          "the angle between the two inputs must lie in [0, pi/2] (inputs have non-negative coordinates)");
  require(o.samples >= 1, "samples must be at least 1");
  double work = double(o.samples) * double(o.depth) * double(o.width) * o.inputs;
  require(work <= kCollapseMcMaxWork,
          "Monte Carlo too large: samples*depth*width*inputs = " + std::to_string(work) + " exceeds 2e10 (about 10 minutes)");
  require(o.depth <= 100000000, "Monte Carlo depth must be at most 1e8");
  CollapseMcResult r;
  r.samples = o.samples;
  r.first_event.assign(std::size_t(o.depth), 0);
  for (std::uint64_t s = 0; s < o.samples; ++s) {
    if ((s & 255) == 0) {
      throw_if_stopped();
      if (progress) progress(s, o.samples);
    }
    long long layer;
    Event kind = Event::dead_one;
    if (o.inputs == 1) {
      layer = run_one_input(o, s);
    } else {
      auto [l, k] = run_two_inputs(o, s);
      layer = l;
      kind = k;
    }
    if (layer == 0) continue;
    ++r.collapsed;
    ++r.first_event[std::size_t(layer - 1)];
    if (kind == Event::dead_one) ++r.dead_one;
    else if (kind == Event::dead_both) ++r.dead_both;
    else ++r.parallel;
  }
  if (progress) progress(o.samples, o.samples);
  r.probability = double(r.collapsed) / double(r.samples);
  r.stderr_ = std::sqrt(r.probability * (1 - r.probability) / double(r.samples));
  return r;
}

}  // namespace relumix
