#include "moments/exact_value.hpp"

#include <flint/ulong_extras.h>

#include "relumix/core/interrupt.hpp"

namespace relumix {

namespace {
// p mod psi (psi the minimal polynomial of cos(2 pi / N)): the remainder
FmpqPoly mod_cos_minpoly(const Poly& p, ulong N) {
  FmpzPoly Psi;  // minimal polynomial of 2 cos(2 pi / N) (monic, integer)
  fmpz_poly_cos_minpoly(Psi.get(), N);
  FmpqPoly psi, q(p), r;
  fmpq_poly_set_fmpz_poly(psi.get(), Psi.get());
  Fmpq two;
  fmpq_set_si(two.get(), 2, 1);
  fmpq_poly_rescale(psi.get(), psi.get(), two.get());  // psi(x) = Psi(2x): root cos(2 pi k / N)
  fmpq_poly_rem(r.get(), q.get(), psi.get());
  return r;
}
}  // namespace

std::optional<Rational> exact_moment_value(const Prepared& pr, const Theta& th) {
  if (th.is_pi()) return Rational(0);
  if (th.offset != 0) return std::nullopt;
  if (!pr.even) return std::nullopt;
  const Rational& r = th.pi_coeff;
  if (r == 0) return pr.at_zero;
  // rho = cos(r pi) = cos(2 pi k / N) with k / N = r / 2 in lowest terms (N >= 3 for 0 < r < 1)
  Rational h = r / 2;
  Integer Nz = denominator(h);
  const ClosedForm& cf = *pr.cf;
  long degQ = cf.Q.degree();
  if (degQ >= 0) {
    // the minimal polynomial of rho has degree phi(N)/2 >= sqrt(N/2)/2: above deg Q it cannot divide Q
    if (Nz > Integer(8) * Integer(degQ + 1) * Integer(degQ + 1)) return std::nullopt;
    ulong N = Nz.convert_to<ulong>();
    if (n_euler_phi(N) / 2 > ulong(degQ)) return std::nullopt;
    throw_if_stopped();
    FmpqPoly rem = mod_cos_minpoly(cf.Q, N);
    if (!fmpq_poly_is_zero(rem.get())) return std::nullopt;  // Q(rho) != 0: J is irrational
  }
  // Q(rho) = 0 (or Q = 0): J = (1 - r) P(rho) / 2, rational iff P(rho) is. A non-constant P of
  // degree below that of rho's minimal polynomial has an irrational value at rho.
  long degP = cf.P.degree();
  Rational Prho = cf.P[0];
  if (degP > 0) {
    if (Nz > Integer(8) * Integer(degP + 1) * Integer(degP + 1)) return std::nullopt;
    ulong N = Nz.convert_to<ulong>();
    if (n_euler_phi(N) / 2 > ulong(degP)) return std::nullopt;
    throw_if_stopped();
    FmpqPoly rem = mod_cos_minpoly(cf.P, N);
    if (rem.degree() > 0) return std::nullopt;
    Prho = 0;
    if (rem.degree() == 0) {
      Fmpq c;
      fmpq_poly_get_coeff_fmpq(c.get(), rem.get(), 0);
      fmpq_get_mpq(Prho.backend().data(), c.get());
    }
  }
  return (1 - r) * Prho / 2;
}

}  // namespace relumix
