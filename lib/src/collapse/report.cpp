// JSON bodies of the collapse layer's reports (collapse/report.hpp).
#include "relumix/collapse/report.hpp"

#include <cmath>

#include "relumix/collapse/collapse.hpp"
#include "relumix/collapse/norm.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/io/numbers.hpp"
#include "relumix/numeric/certify.hpp"

namespace relumix {

using Json = nlohmann::ordered_json;

namespace {
Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
}  // namespace

Json collapse_report(const CollapseRequest& req, const ProgressFn& progress) {
  const long width = req.width;
  const long long depth = req.depth;
  const int digits = req.digits;
  if (!req.monte_carlo()) {
    std::string p = collapse_probability_text(width, depth, digits);
    std::string s = survival_probability_text(width, depth, digits);
    return {{"width", width}, {"depth", depth}, {"digits", digits}, {"method", "exact"}, {"probability", p},
            {"survival", s}};
  }
  CollapseMcOptions o;
  o.width = width;
  o.depth = depth;
  o.inputs = req.inputs;
  o.bias_std = req.bias_std;
  const Theta& th = req.theta0;
  require(th.compare_pi_multiple(Rational(1, 2)) <= 0, "angle ", th.text,
          " is outside [0, pi/2] (the inputs have non-negative coordinates)");
  o.angle = th.to_double();
  o.samples = req.samples;
  o.seed = req.seed;
  require(depth <= kCollapseMcMaxDepth, "depth ", depth, " is above the Monte Carlo's maximum ",
          format_count(kCollapseMcMaxDepth));
  CollapseMcResult r = collapse_monte_carlo(o, progress);
  Json j = {{"width", width}, {"depth", depth}, {"method", "monte carlo"}, {"inputs", req.inputs},
            {"bias_std", req.bias_std}};
  if (req.inputs == 2) j["theta0"] = th.text;
  j["samples"] = r.samples;
  j["seed"] = o.seed;
  j["probability"] = num(r.probability);
  j["stderr_probability"] = num(r.stderr_);
  j["collapsed"] = r.collapsed;
  if (req.inputs == 2) {
    j["events"] = {{"one_dead", r.dead_one}, {"both_dead", r.dead_both}, {"parallel", r.parallel}};
  } else {
    j["digits"] = digits;
    j["exact_probability"] = collapse_probability_text(width, depth, digits);
  }
  return j;
}

Json norm_report(long width, long long depth, int d, std::uint64_t samples, std::uint64_t seed,
                 const ProgressFn& progress) {
  if (samples > 0) {  // refuse an oversized Monte Carlo before the exact part
    double work = double(samples) * double(depth) * double(width);
    require(work <= kNormMcMaxWork, "Monte Carlo too large: samples x depth x width = ", work, " exceeds ",
            kNormMcMaxWork, " (about 10 minutes)");
  }
  NormLaw law = norm_law(width);
  std::string mean = certify([&](mpfr_prec_t b) { return norm_mean(law, depth, b); }, d);
  std::string var = certify([&](mpfr_prec_t b) { return norm_var(law, depth, b); }, d);
  std::string mean1 = certify([&](mpfr_prec_t b) { return norm_mean(law, 1, b); }, d);
  std::string var1 = certify([&](mpfr_prec_t b) { return norm_var(law, 1, b); }, d);
  std::string survive = survival_probability_text(width, depth, d);
  Json j = {{"width", width}, {"depth", depth}, {"digits", d}, {"mean", mean}, {"var", var},
            {"mean_per_layer", mean1}, {"var_per_layer", var1}, {"no_collapse_probability", survive}};
  if (width <= 32) {
    j["mean_per_layer_closed_form"] = law.mean_formula();
    j["var_per_layer_closed_form"] = law.var_formula();
  }
  if (samples > 0) {
    NormMcResult mc = norm_monte_carlo(width, depth, samples, seed, progress);
    j["mc"] = {{"samples", mc.samples}, {"seed", seed}, {"collapsed", mc.collapsed}, {"used", mc.used},
               {"mean", num(mc.mean)}, {"stderr_mean", num(mc.stderr_mean)}, {"var", num(mc.var)},
               {"stderr_var", num(mc.stderr_var)}};
  }
  return j;
}

}  // namespace relumix
