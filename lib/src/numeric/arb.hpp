#pragma once
// Thin RAII holders for Arb balls and FLINT integers, rationals and integer polynomials, and the
// conversions from relumix's exact types (GMP through Boost.Multiprecision) and to its MPFI
// intervals. Private to the library: the public API speaks Interval, Rational and Poly.
#include <arb.h>
#include <arb_fmpz_poly.h>
#include <flint/fmpq.h>
#include <flint/fmpq_poly.h>
#include <flint/fmpz.h>
#include <flint/fmpz_poly.h>

#include <utility>

#include "relumix/exact/poly.hpp"
#include "relumix/exact/rational.hpp"
#include "relumix/numeric/interval.hpp"

namespace relumix {

class Ball {
 public:
  Ball() { arb_init(v_); }
  Ball(const Ball& o) { arb_init(v_); arb_set(v_, o.v_); }
  Ball& operator=(const Ball& o) { arb_set(v_, o.v_); return *this; }
  ~Ball() { arb_clear(v_); }
  arb_ptr get() { return v_; }
  arb_srcptr get() const { return v_; }
  operator arb_ptr() { return v_; }              // NOLINT: pass straight to arb_* functions
  operator arb_srcptr() const { return v_; }     // NOLINT

 private:
  arb_t v_;
};

class Fmpz {
 public:
  Fmpz() { fmpz_init(v_); }
  explicit Fmpz(const Integer& z) { fmpz_init(v_); fmpz_set_mpz(v_, z.backend().data()); }
  Fmpz(const Fmpz& o) { fmpz_init_set(v_, o.v_); }
  Fmpz& operator=(const Fmpz& o) { fmpz_set(v_, o.v_); return *this; }
  ~Fmpz() { fmpz_clear(v_); }
  fmpz* get() { return v_; }
  const fmpz* get() const { return v_; }

 private:
  fmpz_t v_;
};

class Fmpq {
 public:
  Fmpq() { fmpq_init(v_); }
  explicit Fmpq(const Rational& q) { fmpq_init(v_); fmpq_set_mpq(v_, q.backend().data()); }
  Fmpq(const Fmpq& o) { fmpq_init(v_); fmpq_set(v_, o.v_); }
  Fmpq& operator=(const Fmpq& o) { fmpq_set(v_, o.v_); return *this; }
  ~Fmpq() { fmpq_clear(v_); }
  fmpq* get() { return v_; }
  const fmpq* get() const { return v_; }

 private:
  fmpq_t v_;
};

class FmpzPoly {
 public:
  FmpzPoly() { fmpz_poly_init(v_); }
  FmpzPoly(const FmpzPoly& o) { fmpz_poly_init(v_); fmpz_poly_set(v_, o.v_); }
  FmpzPoly& operator=(const FmpzPoly& o) { fmpz_poly_set(v_, o.v_); return *this; }
  ~FmpzPoly() { fmpz_poly_clear(v_); }
  fmpz_poly_struct* get() { return v_; }
  const fmpz_poly_struct* get() const { return v_; }
  long degree() const { return long(fmpz_poly_degree(v_)); }

 private:
  fmpz_poly_t v_;
};

class FmpqPoly {
 public:
  FmpqPoly() { fmpq_poly_init(v_); }
  explicit FmpqPoly(const Poly& p) {
    fmpq_poly_init(v_);
    Fmpq c;
    for (std::size_t k = 0; k < p.coeffs().size(); ++k) {
      fmpq_set_mpq(c.get(), p.coeffs()[k].backend().data());
      fmpq_poly_set_coeff_fmpq(v_, slong(k), c.get());
    }
  }
  FmpqPoly(const FmpqPoly& o) { fmpq_poly_init(v_); fmpq_poly_set(v_, o.v_); }
  FmpqPoly& operator=(const FmpqPoly& o) { fmpq_poly_set(v_, o.v_); return *this; }
  ~FmpqPoly() { fmpq_poly_clear(v_); }
  fmpq_poly_struct* get() { return v_; }
  const fmpq_poly_struct* get() const { return v_; }
  long degree() const { return long(fmpq_poly_degree(v_)); }
  Poly to_poly() const {
    std::vector<Rational> c(std::size_t(fmpq_poly_length(v_)));
    Fmpq q;
    for (std::size_t k = 0; k < c.size(); ++k) {
      fmpq_poly_get_coeff_fmpq(q.get(), v_, slong(k));
      fmpq_get_mpq(c[k].backend().data(), q.get());
    }
    return Poly(std::move(c));
  }

 private:
  fmpq_poly_t v_;
};

// The MPFI interval [lower, upper] of a ball, at precision `bits` (rounded outwards).
inline Interval to_interval(const arb_t x, mpfr_prec_t bits) {
  Interval r(bits);
  mpfr_t lo, hi;
  mpfr_init2(lo, bits);
  mpfr_init2(hi, bits);
  arb_get_interval_mpfr(lo, hi, x);
  mpfi_interv_fr(r.get(), lo, hi);
  mpfr_clear(lo);
  mpfr_clear(hi);
  return r;
}

}  // namespace relumix
