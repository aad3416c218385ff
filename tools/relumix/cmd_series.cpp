// relumix series A B --degree K: exact Taylor coefficients of J_{A,B} at theta = 0; bessel N.
#include <iostream>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/core/error.hpp"
#include "relumix/exact/combinatorics.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/moments.hpp"
#include "relumix/moments/report.hpp"

namespace relumix::cli {
namespace {

RELUMIX_COMMAND(20, [](CLI::App& app) {
  auto* sub = app.add_subcommand("series",
      "exact Taylor coefficients of J_{A,B}(theta) at theta = 0 up to theta^K:\n"
      "r0 + r1/pi (A+B even) or r/sqrt(2 pi) (A+B odd), r rational; with --activation F those of the plain\n"
      "moments M_{A,B} of phi(x) = max(x,0) + ALPHA min(x,0) (phi^0 = 1)");
  auto a = add_integer(sub, "A", "first order", 0, kMaxMomentOrder, Need::Required);
  auto b = add_integer(sub, "B", "second order", 0, kMaxMomentOrder, Need::Required);
  auto degree = add_degree(sub, "highest power of theta; (A+B) x K <= 2e6", 10, 0, kMaxSeriesDegree);
  auto activation = add_activation(sub);
  sub->callback([=] {
    unsigned A = a->as<unsigned>(), B = b->as<unsigned>(), k = degree->as<unsigned>();
    require(A + B <= kMaxMomentOrder, "A+B = ", A + B, " is too large (at most ", kMaxMomentOrder,
            ": the closed form costs about (A+B)^4, a minute at A+B = 2000)");
    const Activation act = activation->value();
    MomentSeries s = act.is_relu() ? taylor_series(A, B, k) : activation_taylor_series(act, A, B, k);
    if (globals().json) {
      Json j = series_json(s);
      if (!act.is_relu()) j["activation"] = act.name();  // ReLU's body is what it always was
      emit(j);
      return;
    }
    std::cout << moment_name(act, A, B) << "(theta) = sum_k c_k theta^k" << (s.odd ? " / sqrt(2 pi)" : "") << "\n";
    for (unsigned i = 0; i <= k; ++i) std::cout << "  c_" << i << " = " << s.coeffs[i].str() << "\n";
  });
});

RELUMIX_COMMAND(30, [](CLI::App& app) {
  auto* sub = app.add_subcommand("bessel",
      "Bessel numbers T(N,k) = N!/(2^k k! (N-2k)!), k = 0..N/2: the k-matchings of K_N (OEIS A100861)");
  auto n = add_integer(sub, "N", "the row", 0, kMaxMomentOrder, Need::Required);
  auto activation = add_activation(sub, "not used: the Bessel numbers do not depend on the activation");
  sub->callback([=] {
    activation->relu_only("the Bessel numbers do not depend on the activation");
    unsigned N = n->as<unsigned>();
    Json T = Json::array();
    for (auto& t : bessel_row(N)) T.push_back(t.str());
    if (globals().json) { emit({{"n", N}, {"T", T}}); return; }
    std::cout << "T(" << N << ", k), k = 0.." << N / 2 << ":\n";
    for (std::size_t k = 0; k < T.size(); ++k) std::cout << "  " << k << "  " << T[k].get<std::string>() << "\n";
  });
});

}  // namespace
}  // namespace relumix::cli
