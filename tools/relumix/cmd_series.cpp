// relumix series A B --order K: exact Taylor coefficients of J_{A,B} at theta = 0.
#include <iostream>

#include "cli.hpp"
#include "relumix/core/error.hpp"
#include "relumix/exact/combinatorics.hpp"
#include "relumix/moments/moments.hpp"

namespace relumix::cli {
namespace {

RELUMIX_COMMAND(20, [](CLI::App& app) {
  struct Opts { std::string a, b, order = "10"; };
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("series",
      "exact Taylor coefficients of J_{A,B}(theta) at theta = 0 up to theta^K:\n"
      "r0 + r1/pi (A+B even) or r/sqrt(2 pi) (A+B odd), r rational");
  sub->add_option("A", o->a, "first order (integer >= 0)")->required();
  sub->add_option("B", o->b, "second order (integer >= 0)")->required();
  sub->add_option("--order,-k", o->order, "highest power of theta (0..5000)")->default_val("10");
  sub->callback([o] {
    unsigned a = unsigned(parse_uint(o->a, "A", kMaxMomentOrder)), b = unsigned(parse_uint(o->b, "B", kMaxMomentOrder));
    unsigned k = unsigned(parse_uint(o->order, "--order", kMaxMomentOrder));
    require(a + b <= kMaxMomentOrder, "A+B = " + std::to_string(a + b) + " is too large (at most " + std::to_string(kMaxMomentOrder) + ")");
    MomentSeries s = taylor_series(a, b, k);
    if (globals().json) {
      Json coeffs = Json::array();
      for (unsigned i = 0; i <= k; ++i) {
        Json terms = Json::object();
        if (s.odd) {
          if (!s.coeffs[i].is_zero()) terms["1/sqrt(2pi)"] = to_string(s.coeffs[i].coeff(0));
        } else {
          for (auto& [basis, value] : s.coeffs[i].terms()) terms[basis] = value;
        }
        coeffs.push_back({{"k", i}, {"terms", terms}});
      }
      emit({{"a", a}, {"b", b}, {"order", k}, {"coefficients", coeffs}});
      return;
    }
    std::cout << "J_{" << a << "," << b << "}(theta) = sum_k c_k theta^k" << (s.odd ? " / sqrt(2 pi)" : "") << "\n";
    for (unsigned i = 0; i <= k; ++i) std::cout << "  c_" << i << " = " << s.coeffs[i].str() << "\n";
  });
});

RELUMIX_COMMAND(30, [](CLI::App& app) {
  auto n = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("bessel",
      "Bessel numbers T(N,k) = N!/(2^k k! (N-2k)!), k = 0..N/2: the k-matchings of K_N (OEIS A100861)");
  sub->add_option("N", *n, "integer 0..5000")->required();
  sub->callback([n] {
    unsigned N = unsigned(parse_uint(*n, "N", kMaxMomentOrder));
    Json T = Json::array();
    for (auto& t : bessel_row(N)) T.push_back(t.str());
    if (globals().json) { emit({{"n", N}, {"T", T}}); return; }
    std::cout << "T(" << N << ", k), k = 0.." << N / 2 << ":\n";
    for (std::size_t k = 0; k < T.size(); ++k) std::cout << "  " << k << "  " << T[k].get<std::string>() << "\n";
  });
});

}  // namespace
}  // namespace relumix::cli
