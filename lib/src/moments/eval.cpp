// Certified decimal values of J_{a,b}: moment_value and moment_values (grids on all cores).
#include "relumix/moments/eval.hpp"

#include "relumix/core/interrupt.hpp"

#include <algorithm>
#include <thread>

#include "core/parallel.hpp"
#include "moments/enclosure.hpp"
#include "moments/exact_value.hpp"
#include "numeric/certify_ball.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

namespace {

std::string value_string(const Prepared& pr, const Theta& th, int digits, const HalfAngle* hint = nullptr) {
  CertifyOptions opt;
  opt.digits = digits;
  opt.exact_zero = th.is_pi();
  opt.exact = [&] { return exact_moment_value(pr, th); };
  Certified c = certify_ball(
      [&](slong bits, arb_t out) {
        enclose_ball(out, pr, th, bits, hint);
        hint = nullptr;  // a second attempt computes afresh
      },
      opt);
  return c.certified ? c.text : c.text + " +- " + c.error;
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
  pr.ensure_u();  // build the lazy parts before the threads start
  // chunks of consecutive angles, so that a grid's sines and cosines come by rotation
  const std::size_t chunk = 256;
  const slong prec = slong(double(digits) * 3.321928094887362) + 12 + 24;
  parallel_for(
      (thetas.size() + chunk - 1) / chunk, threads,
      [&](std::size_t c) {
        HalfAngleSteps steps(prec);
        throw_if_stopped();  // Ctrl-C: between chunks of 256 angles
        for (std::size_t i = c * chunk; i < std::min(thetas.size(), (c + 1) * chunk); ++i)
          out[i] = value_string(pr, thetas[i], digits, &steps.next(thetas[i]));
      },
      // MPFR and Arb keep thread-local caches (pi, tables); free them when the worker ends
      [] {
        mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE);
        flint_cleanup();
      });
  return out;
}

}  // namespace relumix
