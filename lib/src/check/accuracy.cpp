#include "relumix/check/accuracy.hpp"

#include <cmath>

#include "relumix/angle/angle.hpp"
#include "relumix/angle/cumulant.hpp"
#include "relumix/core/error.hpp"
#include "relumix/mc/stats.hpp"

namespace relumix {

AccuracyPoint accuracy_point(long width, double theta, unsigned max_order, const McOptions& opt) {
  require(max_order >= 1 && max_order <= kMaxCumulantOrder,
          "order " + std::to_string(max_order) + " is outside 1.." + std::to_string(kMaxCumulantOrder));
  require(opt.samples >= 2, "at least 2 samples are needed for a standard error");
  check_mc_args({width}, theta, opt);
  AccuracyPoint p;
  p.width = width;
  p.theta = theta;
  McRaw raw = simulate_mc({width}, theta, opt, 0, opt.samples);
  std::vector<double> x;
  x.reserve(raw.count);
  for (std::uint64_t i = 0; i < raw.count; ++i)
    if (raw.state(i, 1) == McRaw::kOk) x.push_back(raw.value(i, 1));
  p.count = x.size();
  p.excluded = raw.count - p.count;
  require(p.count >= 2, "fewer than 2 samples survived (all dead or degenerate)");
  Moments m = moments(x);
  p.mean = m.mean;
  p.var = m.sd * m.sd;
  p.stderr_mean = m.stderr_mean;
  double m4 = 0;
  for (double v : x) m4 += (v - p.mean) * (v - p.mean) * (v - p.mean) * (v - p.mean);
  double c = double(p.count);
  p.stderr_var = std::sqrt(std::max(m4 / c - p.var * p.var, 0.0) / c);
  auto add = [&](int order, double mean, double var) {
    p.predictions.push_back({order, mean, var, (mean - p.mean) / p.stderr_mean, (var - p.var) / p.stderr_var});
  };
  double n = double(width);
  add(0, mu_double(theta, n, 1), sigma2_double(theta, n, 1));
  const CumulantValues& v = cumulant_double(theta, max_order);
  double mean = v.lnD, var = 0, inv = 1;
  for (unsigned k = 1; k <= max_order; ++k) {
    inv /= n;
    mean += v.mean[k] * inv;
    var += v.var[k] * inv;
    add(int(k), mean, var);
  }
  return p;
}

}  // namespace relumix
