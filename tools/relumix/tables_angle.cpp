// Table writers for the angle decay: small-theta decay coefficients and the infinite-width map.
#include <sstream>

#include "cli.hpp"
#include "relumix/angle/angle.hpp"
#include "relumix/angle/report.hpp"
#include "tables.hpp"

namespace relumix::cli {

namespace {

RELUMIX_TABLE(20, [](TableSink& out) {
  std::ostringstream md, csv;
  md << "| n | j | mu_j (exact) | mu_j | sigma2_j (exact) | sigma2_j |\n|---|---|---|---|---|---|\n";
  csv << "n,j,mu_exact,mu_value,sigma2_exact,sigma2_value\n";
  for (long n : {16L, 32L, 64L, 128L, 256L, 512L, 1024L}) {
    DecaySeries d = decay_series(Rational(n), 4);
    for (unsigned j = 0; j <= 4; ++j) {
      std::string mu = j == 0 ? log_plus(d.mu[j]) : d.mu[j].str();
      std::string mv = qpi_value(d.mu[j], 20, Rational(n), j == 0 ? 1 : 0), sv = qpi_value(d.sigma2[j], 20, 0, 0);
      md << "| " << n << " | " << j << " | " << mu << " | " << mv << " | " << d.sigma2[j].str() << " | " << sv << " |\n";
      csv << n << "," << j << ",\"" << mu << "\"," << mv << ",\"" << d.sigma2[j].str() << "\"," << sv << "\n";
    }
  }
  const std::string what =
      "Small-theta decay coefficients for widths n = 16..1024: mu(theta,n) - ln sin^2 theta = sum_j mu_j theta^j and\n"
      "sigma^2(theta,n) = sum_j sigma2_j theta^j (the O(1/n) formulas of SPEC section 4), exact in Q[1/pi] and to 20 digits.\n"
      "mu_0 = -rho(n), mu_1 = -c1(n), sigma2_0 = sigma^2(0,n). Command: relumix decay-series --width N --degree 4";
  out.write("decay_coefficients.md", what, md.str());
  out.write("decay_coefficients.csv", what, csv.str());
});

RELUMIX_TABLE(21, [](TableSink& out) {
  std::ostringstream md, csv;
  Series f = infinite_map_series(10);
  md << "| k | coefficient of theta^k in f(theta) | value |\n|---|---|---|\n";
  csv << "k,exact,value\n";
  for (int k = 0; k <= 10; ++k) {
    std::string v = qpi_value(f[k], 20, 0, 0);
    md << "| " << k << " | " << f[k].str() << " | " << v << " |\n";
    csv << k << ",\"" << f[k].str() << "\"," << v << "\n";
  }
  const std::string what =
      "Taylor series at 0 of the infinite-width angle map f, cos f(theta) = 2 J_{1,1}(theta), to theta^10.\n"
      "Iterates: 1/theta^l = l/(3 pi) + ln(l)/(2 pi) + C(theta0) + O(ln l / l). Command: relumix map-series --degree 10";
  out.write("infinite_width_map.md", what, md.str());
  out.write("infinite_width_map.csv", what, csv.str());
});

}  // namespace
}  // namespace relumix::cli
