// Uses the installed library: an exact closed form, a certified value, a prediction and a Monte Carlo.
#include <cstdio>
#include <iostream>

#include "relumix/angle/angle.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/predict/predict.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/io/angles.hpp"

int main() {
  using namespace relumix;
  const ClosedForm& cf = closed_form(2, 2);
  std::cout << "P = " << cf.P.str("rho") << ", Q = " << cf.Q.str("rho") << "\n";
  std::cout << "J11(pi/3) = " << moment_value(1, 1, parse_theta_checked("pi/3"), 50) << "\n";
  AngleValues v = angle_values(parse_theta_checked("0.1", true), Rational(64), 20, 3);
  std::cout << "mu3 = " << v.mu << "\n";
  std::vector<long> widths = parse_widths("64x4");
  Prediction p = predict(widths, parse_theta_checked("0.1", true), PredictOptions{});
  McOptions mo;
  mo.samples = 1000;
  McResult mc = run_mc(widths, 0.1, mo);
  std::printf("layer 4: predicted %.3f, Monte Carlo %.3f\n", p.layers[3].mean, mc.layers[3].x.mean);
}
