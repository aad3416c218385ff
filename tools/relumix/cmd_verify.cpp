// relumix verify --max M: exact checks of the identities of docs/theory.md section 2.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "options.hpp"
#include "relumix/moments/activation.hpp"
#include "relumix/moments/report.hpp"
#include "relumix/moments/verify.hpp"

namespace relumix::cli {
namespace {


RELUMIX_COMMAND(40, [](CLI::App& app) {
  auto* sub = app.add_subcommand("verify",
      "check exactly, for all a, b <= M: symmetry, Price relation, base column, reflection with the\n"
      "Bessel sum, values at 0, pi/2, pi, arc-cosine kernels (a = b), and the agreement of the two\n"
      "independent routes (Price/Bessel vs Fourier modes); the identities are checked on the Fourier route,\n"
      "which uses none of them; exit 1 on any failure.\n"
      "With --activation F (not relu): the identities of the plain moments M_{a,b} of phi (two routes: the reduction\n"
      "to J and the whole-circle Fourier route; symmetry, Price, values at 0, pi/2, pi, the Taylor series, and the\n"
      "special cases abs and linear)");
  auto max = add_integer(sub, "--max,-m", "largest order", 0, kMaxVerifyOrder, Need::Optional, 30);
  auto activation = add_activation(sub);
  sub->callback([=] {
    unsigned m = max->as<unsigned>();
    const Activation act = activation->value();
    Progress progress("verify", std::uint64_t(m + 1) * (m + 1));
    VerifyReport rep = act.is_relu() ? verify_identities(m, progress.fn()) : verify_activation_identities(act, m, progress.fn());
    if (globals().json) {
      Json j = verify_json(rep);
      if (!act.is_relu()) j["activation"] = act.name();  // ReLU's body is what it always was
      emit(j);
    } else {
      std::printf("identity      checked   failed   (all a, b <= %u, exact)\n", m);
      for (auto& t : rep.tallies) std::printf("%-12s %8ld %8ld\n", t.identity.c_str(), t.checked, t.failed);
      std::printf("%-12s %8ld %8ld\n", "total", rep.checked(), rep.failed());
      for (auto& f : rep.failures) std::printf("FAILED %s at a=%u b=%u\n", f.identity.c_str(), f.a, f.b);
    }
    if (rep.failed()) throw CLI::RuntimeError(1);
  });
});

}  // namespace
}  // namespace relumix::cli
