// Certified decimal values of J_{a,b}: moment_value and moment_values (grids on all cores).
#include "relumix/moments/eval.hpp"

#include <algorithm>
#include <thread>

#include "core/parallel.hpp"
#include "moments/enclosure.hpp"
#include "relumix/core/error.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

void check_digits(long digits) {
  require(digits >= 1 && digits <= 100000, "digits must be in 1..100000, got " + std::to_string(digits));
}

namespace {

std::string value_string(const Prepared& pr, const Theta& th, int digits) {
  CertifyOptions opt;
  opt.digits = digits;
  opt.exact_zero = th.is_pi();
  return certify([&](mpfr_prec_t bits) { return enclose(pr, th, bits); }, opt).text;
}

}  // namespace

std::string moment_value(unsigned a, unsigned b, const Theta& theta, int digits) {
  check_digits(digits);
  check_range(theta);
  return value_string(prepared(a, b), theta, digits);
}

std::vector<std::string> moment_values(unsigned a, unsigned b, const std::vector<Theta>& thetas, int digits,
                                       unsigned threads) {
  check_digits(digits);
  for (const Theta& t : thetas) check_range(t);
  const Prepared& pr = prepared(a, b);
  std::vector<std::string> out(thetas.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // a few points, or cheap ones: one thread
  std::size_t work = thetas.size() * std::size_t(std::max(digits, 50));
  if (work < 2000) threads = 1;
  if (threads > 1) pr.ensure_u();  // build the lazy parts before the threads start
  parallel_for(
      thetas.size(), threads, [&](std::size_t i) { out[i] = value_string(pr, thetas[i], digits); },
      // MPFR keeps thread-local caches (pi, cos tables); free them when the worker ends
      [] { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); });
  return out;
}

}  // namespace relumix
