// The fast double path: MomentDouble and moment_double, one angle or arrays of them.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/parallel.hpp"
#include "moments/double_form.hpp"
#include "moments/enclosure.hpp"
#include "relumix/core/error.hpp"

namespace relumix {

namespace {

// The certified route for the angles the kernel flags (rounded once from a 64-bit enclosure).
double fallback_double(const Prepared& pr, double theta) {
  thread_local Ball J;
  enclose_ball(J, pr, exact_theta(theta), 64);
  return arf_get_d(arb_midref(J.get()), ARF_RND_NEAR);
}

std::string angle_text(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

constexpr std::size_t kChunk = 4096;

// one chunk: the kernel, then the flagged angles; returns the index of the first angle outside
// [0, pi] (or kNoBadItem)
std::size_t run_chunk(const Prepared& pr, DoubleKernel kernel, const double* x, double* out, std::size_t count) {
  std::uint8_t flag[kChunk];
  kernel(pr.double_form(), x, out, flag, count);
  if (count == 1 && !flag[0]) return kNoBadItem;
  std::size_t bad = kNoBadItem;
  for (std::size_t i = 0; i < count; ++i) {
    if (!flag[i]) continue;
    if (!(x[i] >= 0 && x[i] <= 3.141592653589793)) {
      bad = std::min(bad, i);
      continue;
    }
    out[i] = fallback_double(pr, x[i]);
  }
  return bad;
}

void throw_bad(double v) {
  throw InputError(std::isnan(v) ? std::string("angle is NaN") : "angle " + angle_text(v) + " is outside [0, pi]");
}

void run_batch(const Prepared& pr, const double* x, double* out, std::size_t count, unsigned threads) {
  static const DoubleKernel kernel = best_double_kernel();
  std::size_t bad = chunked_batch(count, kChunk, threads, kParallelDoubleMin, [&](std::size_t lo, std::size_t n) {
    std::size_t b = run_chunk(pr, kernel, x + lo, out + lo, n);
    return b == kNoBadItem ? b : lo + b;
  });
  if (bad != kNoBadItem) throw_bad(x[bad]);
}

}  // namespace

MomentDouble::MomentDouble(unsigned a, unsigned b) : a_(a), b_(b), impl_(&prepared(a, b)) {
  impl_->double_form();  // built here, not in the first call
}

double MomentDouble::operator()(double x) const {
  double out;
  run_batch(*impl_, &x, &out, 1, 1);
  return out;
}

void MomentDouble::operator()(std::span<const double> theta, std::span<double> out, unsigned threads) const {
  require(theta.size() == out.size(), "moment_double: " + std::to_string(theta.size()) + " angles but room for " +
                                          std::to_string(out.size()) + " values");
  run_batch(*impl_, theta.data(), out.data(), theta.size(), threads);
}

double moment_double(unsigned a, unsigned b, double theta) { return MomentDouble(a, b)(theta); }

void moment_double(unsigned a, unsigned b, std::span<const double> theta, std::span<double> out, unsigned threads) {
  MomentDouble(a, b)(theta, out, threads);
}

}  // namespace relumix
