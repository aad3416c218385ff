#include "moments/near_pi.hpp"

#include "relumix/core/interrupt.hpp"

namespace relumix {

FmpqPoly near_pi_coefficients(unsigned a, unsigned b, unsigned terms) {
  const slong T = slong(terms);
  const unsigned n = a + b;
  // sinc(x) = sum_j (-1)^j y^j / (2j+1)!, y = x^2: numerators (-1)^j (2T-1)! / (2j+1)! over (2T-1)!
  FmpqPoly sinc, al, be, c;
  fmpq_poly_fit_length(sinc.get(), T);
  {
    Fmpz f;
    fmpz_one(f.get());
    for (slong j = T - 1; j >= 0; --j) {
      fmpz_set(fmpq_poly_numref(sinc.get()) + j, f.get());
      if (j % 2) fmpz_neg(fmpq_poly_numref(sinc.get()) + j, f.get());
      fmpz_mul_ui(f.get(), f.get(), ulong(2 * j) * ulong(2 * j + 1));  // (2T-1)! / (2j-1)! for j - 1
    }
    fmpz_fac_ui(fmpq_poly_denref(sinc.get()), ulong(2 * T - 1));
    _fmpq_poly_set_length(sinc.get(), T);
    fmpq_poly_canonicalise(sinc.get());
  }
  throw_if_stopped();
  fmpq_poly_pow_trunc(al.get(), sinc.get(), a, T);
  fmpq_poly_pow_trunc(be.get(), sinc.get(), b, T);
  throw_if_stopped();
  // alpha'_k = alpha_k (a+2k)!, beta'_l = beta_l (b+2l)!; C_m = K (alpha' * beta')_m / (n+2m+1)! / 2
  auto weigh = [&](FmpqPoly& p, unsigned e) {
    Fmpz f;
    fmpz_fac_ui(f.get(), e);
    for (slong k = 0; k < fmpq_poly_length(p.get()); ++k) {
      if (k > 0) fmpz_mul_ui(f.get(), f.get(), ulong(e + 2 * k - 1) * ulong(e + 2 * k));
      fmpz_mul(fmpq_poly_numref(p.get()) + k, fmpq_poly_numref(p.get()) + k, f.get());
    }
    fmpq_poly_canonicalise(p.get());
  };
  weigh(al, a);
  weigh(be, b);
  fmpq_poly_mullow(c.get(), al.get(), be.get(), T);
  throw_if_stopped();
  // E[R^n] / (2 pi) = K / (2 pi) with K = 2^(n/2) (n/2)! (n even), = K / (2 sqrt(2 pi)) with K = n!! (n odd),
  // R the radius of a standard 2-d Gaussian: C_m = K c_m / 2
  Fmpz K;
  if (n % 2 == 0) {
    fmpz_fac_ui(K.get(), n / 2);
    fmpz_mul_2exp(K.get(), K.get(), n / 2);
  } else {
    fmpz_one(K.get());
    for (unsigned k = n; k > 1; k -= 2) fmpz_mul_ui(K.get(), K.get(), k);
  }
  // numerator m times K (n+2L+1)! / (n+2m+1)!, denominator times 2 (n+2L+1)!, L = length - 1
  slong len = fmpq_poly_length(c.get());
  if (len > 0) {
    Fmpz f;
    fmpz_set(f.get(), K.get());
    for (slong m = len - 1; m >= 0; --m) {
      fmpz_mul(fmpq_poly_numref(c.get()) + m, fmpq_poly_numref(c.get()) + m, f.get());
      fmpz_mul_ui(f.get(), f.get(), ulong(n + 2 * m) * ulong(n + 2 * m + 1));
    }
    Fmpz d;
    fmpz_fac_ui(d.get(), ulong(n + 2 * (len - 1) + 1));
    fmpz_mul_2exp(d.get(), d.get(), 1);
    fmpz_mul(fmpq_poly_denref(c.get()), fmpq_poly_denref(c.get()), d.get());
    fmpq_poly_canonicalise(c.get());
  }
  return c;
}

}  // namespace relumix
