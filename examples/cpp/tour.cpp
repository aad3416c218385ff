// A tour of the relumix C++ library: an exact closed form, a certified value, the double path over
// an array, the one-layer law at finite width, a layer-by-layer prediction and the Monte Carlo that
// checks it. Built and run by the CTest entry install.find_package against the installed package
// (see docs/library.md).
#include <cstdio>
#include <iostream>
#include <vector>

#include "relumix/angle/angle.hpp"
#include "relumix/io/angles.hpp"
#include "relumix/io/widths.hpp"
#include "relumix/mc/mc.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/predict/predict.hpp"

int main() {
  using namespace relumix;
  // J_{2,2}: 2 pi J = (pi - theta) P(rho) + sin(theta) Q(rho), rho = cos(theta), exact over Q
  const ClosedForm& cf = closed_form(2, 2);
  std::cout << "P = " << cf.P.str("rho") << ", Q = " << cf.Q.str("rho") << "\n";

  // J_{1,1}(pi/3) to 50 certified significant digits (the angle is exact: pi/3)
  std::cout << "J11(pi/3) = " << moment_value(1, 1, parse_theta_checked("pi/3"), 50) << "\n";

  // the double path over an array (<= 1 ulp, vectorized, threaded for large arrays)
  std::vector<double> theta = {1e-12, 0.5, 3.14159265358979};
  std::vector<double> out(theta.size());
  moment_double(5, 5, theta, out);
  std::printf("J55 at 1e-12, 0.5, 3.14159265358979: %.17g %.17g %.17g\n", out[0], out[1], out[2]);

  // one layer of width 64 at theta = 0.1: mean and variance of ln sin^2 theta', 1/n order 3, 20 digits
  AngleValues v = angle_values(parse_theta_checked("0.1", /*lo_open=*/true), Rational(64), 20, 3);
  std::cout << "mu = " << v.mu << ", sigma^2 = " << v.sigma2 << "\n";

  // 8 layers of width 64 from theta0 = 0.1: the library's default prediction and a Monte Carlo
  std::vector<long> widths = parse_widths("64x8");
  Prediction p = predict(widths, parse_theta_checked("0.1", true), PredictOptions{});
  McOptions mo;
  mo.samples = 4000;
  mo.seed = 1;
  McResult mc = run_mc(widths, 0.1, mo);
  const McLayer& m = mc.layers.back();
  std::printf("layer 8: predicted mean X %.3f (sd %.3f), Monte Carlo %.3f +- %.3f (sd %.3f)\n", p.layers.back().mean,
              p.layers.back().sd, m.x.mean, m.x.stderr_mean, m.x.sd);
}
