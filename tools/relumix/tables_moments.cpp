// Table writers for the exact moment engine: closed forms, Bessel numbers, Taylor series.
#include <sstream>

#include "cli.hpp"
#include "relumix/exact/combinatorics.hpp"
#include "relumix/moments/moments.hpp"
#include "tables.hpp"

namespace relumix::cli {
namespace {

std::string csv_poly(const Poly& p) {
  std::string s;
  for (std::size_t k = 0; k < p.coeffs().size(); ++k) s += (k ? " " : "") + to_string(p.coeffs()[k]);
  return s;
}

RELUMIX_TABLE(10, [](TableSink& out) {
  const unsigned N = 12;
  std::ostringstream md, csv, tex;
  md << "| a | b | P(rho) | Q(rho) | R(rho) |\n|---|---|---|---|---|\n";
  csv << "a,b,parity,P,Q,R\n";
  tex << "\\begin{longtable}{rrl}\n$a$ & $b$ & $J_{a,b}(\\theta)$ \\\\ \\hline\n";
  for (unsigned s = 0; s <= N; ++s)
    for (unsigned a = s + 1; a-- > 0;) {
      unsigned b = s - a;
      if (a < b) continue;
      const ClosedForm& cf = closed_form(a, b);
      if (cf.even()) {
        md << "| " << a << " | " << b << " | " << cf.P.str("ρ") << " | " << cf.Q.str("ρ") << " | |\n";
        csv << a << "," << b << ",even," << csv_poly(cf.P) << "," << csv_poly(cf.Q) << ",\n";
        tex << a << " & " << b << " & $\\frac{1}{2\\pi}\\left[(\\pi-\\theta)\\left(" << cf.P.latex("\\rho")
            << "\\right) + \\sin\\theta\\left(" << cf.Q.latex("\\rho") << "\\right)\\right]$ \\\\\n";
      } else {
        md << "| " << a << " | " << b << " | | | " << cf.R.str("ρ") << " |\n";
        csv << a << "," << b << ",odd,,," << csv_poly(cf.R) << "\n";
        tex << a << " & " << b << " & $\\frac{1}{\\sqrt{2\\pi}}\\left(" << cf.R.latex("\\rho") << "\\right)$ \\\\\n";
      }
    }
  tex << "\\end{longtable}\n";
  const std::string what =
      "Closed forms of J_{a,b}(theta) = E[relu(G)^a relu(G')^b] for a + b <= 12, a >= b (J is symmetric), rho = cos theta:\n"
      "a+b even: 2 pi J = (pi - theta) P(rho) + sin(theta) Q(rho); a+b odd: sqrt(2 pi) J = R(rho).";
  out.write("moments_closed_forms.md", what, md.str());
  out.write("moments_closed_forms.csv", what + "\nPolynomial columns: space-separated coefficients of rho^0, rho^1, ...", csv.str());
  out.write("moments_closed_forms.tex", what, tex.str());
});

RELUMIX_TABLE(11, [](TableSink& out) {
  std::ostringstream csv;
  csv << "n,k,T\n";
  for (unsigned n = 0; n <= 30; ++n) {
    auto row = bessel_row(n);
    for (std::size_t k = 0; k < row.size(); ++k) csv << n << "," << k << "," << row[k].str() << "\n";
  }
  out.write("bessel_numbers.csv", "Bessel numbers T(n,k) = n!/(2^k k! (n-2k)!) (OEIS A100861) for n <= 30.", csv.str());
});

RELUMIX_TABLE(12, [](TableSink& out) {
  std::ostringstream md, csv;
  md << "| J | k | coefficient of theta^k |\n|---|---|---|\n";
  csv << "a,b,k,rational,coeff_1_over_pi\n";
  for (auto [a, b] : {std::pair{1u, 1u}, std::pair{2u, 2u}, std::pair{3u, 1u}}) {
    MomentSeries s = taylor_series(a, b, 12);
    for (unsigned k = 0; k <= 12; ++k) {
      md << "| J_{" << a << "," << b << "} | " << k << " | " << s.coeffs[k].str() << " |\n";
      csv << a << "," << b << "," << k << "," << to_string(s.coeffs[k].coeff(0)) << "," << to_string(s.coeffs[k].coeff(1)) << "\n";
    }
  }
  const std::string what = "Taylor coefficients at theta = 0 of J_{1,1}, J_{2,2}, J_{3,1} up to theta^12 (each r0 + r1/pi).";
  out.write("moments_taylor.md", what, md.str());
  out.write("moments_taylor.csv", what, csv.str());
});

}  // namespace
}  // namespace relumix::cli
