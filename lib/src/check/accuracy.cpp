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
  McOptions o = opt;
  o.keep = false;
  const McLayer L = run_mc({width}, theta, o).layers[0];
  p.count = L.count;
  p.excluded = L.dead + L.degenerate;
  require(p.count >= 2, "fewer than 2 samples survived (all dead or degenerate)");
  p.mean = L.x.mean;
  p.var = L.x.var;
  p.stderr_mean = L.x.stderr_mean;
  p.stderr_var = L.x.stderr_var;
  auto add = [&](int order, double mean, double var) {
    p.predictions.push_back(
        {order, mean, var, z_score(mean, p.mean, p.stderr_mean), z_score(var, p.var, p.stderr_var)});
  };
  double n = double(width);
  const Activation& act = opt.activation;
  if (act.is_relu()) add(0, mu_double(theta, n, 1), sigma2_double(theta, n, 1));  // the paper's form is ReLU's
  require(!(act.is_abs() && theta >= M_PI), "abs maps antipodal inputs (theta = pi) to identical ones: theta' = 0");
  const CumulantValues v = cumulant_double(theta, max_order, act);
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
