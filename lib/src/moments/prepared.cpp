#include "moments/prepared.hpp"

#include <map>

#include "moments/double_form.hpp"
#include "moments/near_pi.hpp"

namespace relumix {

using detail::dd;
using detail::from_mpfr;

void FormPoly::eval(arb_t out, const arb_t x, slong prec) const {
  arb_fmpz_poly_evaluate_arb(out, num.get(), x, prec);
  if (!fmpz_is_one(den.get())) arb_div_fmpz(out, out, den.get(), prec);
}

void FormPoly::dot(arb_t out, arb_srcptr powers, slong prec) const {
  arb_dot_fmpz(out, nullptr, 0, powers, 1, num.get()->coeffs, 1, fmpz_poly_length(num.get()), prec);
}

namespace {

void make_dd(FormPoly& p) {
  p.d.clear();
  mpfr_t x, dn;
  mpfr_init2(x, 200);
  mpfr_init2(dn, 200);
  fmpz_get_mpfr(dn, p.den.get(), MPFR_RNDN);
  for (slong k = 0; k <= p.num.degree(); ++k) {
    fmpz_get_mpfr(x, fmpz_poly_get_coeff_ptr(p.num.get(), k), MPFR_RNDN);
    mpfr_div(x, x, dn, MPFR_RNDN);
    dd v = from_mpfr(x);
    if (!std::isfinite(v.hi) || std::fabs(v.hi) > 1e280) p.dd_ok = false;
    p.d.push_back(v);
  }
  mpfr_clear(x);
  mpfr_clear(dn);
}

// p = num / den with den a multiple of p's denominator (den = 0: p's own)
FormPoly form_poly(const Poly& p, const fmpz* den = nullptr) {
  FormPoly r;
  FmpqPoly q(p);
  fmpq_poly_get_numerator(r.num.get(), q.get());
  fmpz_set(r.den.get(), fmpq_poly_denref(q.get()));
  if (den && !fmpz_equal(den, r.den.get())) {
    Fmpz f;
    fmpz_divexact(f.get(), den, r.den.get());
    fmpz_poly_scalar_mul_fmpz(r.num.get(), r.num.get(), f.get());
    fmpz_set(r.den.get(), den);
  }
  make_dd(r);
  return r;
}

// q(u) = p(u - 1)
FormPoly shift_minus_one(const FormPoly& p) {
  FormPoly r;
  Fmpz c;
  fmpz_set_si(c.get(), -1);
  fmpz_poly_taylor_shift(r.num.get(), p.num.get(), c.get());
  r.den = p.den;
  make_dd(r);
  return r;
}

// p(1 - v): p(w + 1), then w = -v; and the suffix sums of the absolute values of its coefficients
FormPoly shift_one_minus(const FormPoly& p, std::vector<Fmpz>& tail) {
  FormPoly r;
  Fmpz c;
  fmpz_set_si(c.get(), 1);
  fmpz_poly_taylor_shift(r.num.get(), p.num.get(), c.get());
  for (slong k = 1; k <= r.num.degree(); k += 2) {
    fmpz* x = fmpz_poly_get_coeff_ptr(r.num.get(), k);
    fmpz_neg(x, x);
  }
  r.den = p.den;
  make_dd(r);
  const slong len = r.num.degree() + 1;
  tail.assign(std::size_t(len) + 1, Fmpz());
  for (slong k = len - 1; k >= 0; --k) {
    fmpz_abs(tail[std::size_t(k)].get(), fmpz_poly_get_coeff_ptr(r.num.get(), k));
    fmpz_add(tail[std::size_t(k)].get(), tail[std::size_t(k)].get(), tail[std::size_t(k) + 1].get());
  }
  return r;
}

std::unique_ptr<Prepared> prepare(const ClosedForm& cf) {
  auto p = std::make_unique<Prepared>();
  p->cf = &cf;
  p->a = cf.a;
  p->b = cf.b;
  p->n = cf.a + cf.b;
  p->even = cf.even();
  if (p->even) {
    // one denominator for P and Q
    FmpqPoly P(cf.P), Q(cf.Q);
    Fmpz den;
    fmpz_lcm(den.get(), fmpq_poly_denref(P.get()), fmpq_poly_denref(Q.get()));
    p->P = form_poly(cf.P, den.get());
    p->Q = form_poly(cf.Q, den.get());
    p->zero_rational = true;
    p->at_zero = single_moment_coeff(cf.a + cf.b);  // m_{a+b}, a+b even
  } else {
    p->R = form_poly(cf.R);
  }
  if (cf.a % 2 == 0 && cf.b % 2 == 0) {
    p->half_rational = true;
    p->at_half = single_moment_coeff(cf.a) * single_moment_coeff(cf.b);
  }
  return p;
}

struct PrepCache {
  std::mutex mu;
  std::map<std::pair<unsigned, unsigned>, std::unique_ptr<Prepared>> m;
};
PrepCache& prep_cache() {
  static PrepCache c;
  return c;
}

}  // namespace

void MomentDouble::Impl::ensure_u() const {
  std::call_once(u_once_, [this] {
    if (even) {
      Pu = shift_minus_one(P);
      Qu = shift_minus_one(Q);
    } else {
      Ru = shift_minus_one(R);
    }
  });
}

void MomentDouble::Impl::ensure_v() const {
  std::call_once(v_once_, [this] {
    if (even) {
      Pv = shift_one_minus(P, Pt);
      Qv = shift_one_minus(Q, Qt);
    } else {
      Rv = shift_one_minus(R, Rt);
    }
  });
}

std::shared_ptr<const NearPiPoly> MomentDouble::Impl::near_pi(unsigned terms) const {
  std::lock_guard<std::mutex> lock(near_mu_);
  if (near_ && near_->terms >= terms) return near_;
  unsigned t = std::max(terms, near_ ? 2 * near_->terms : 16u);
  auto s = std::make_shared<NearPiPoly>();
  FmpqPoly c = near_pi_coefficients(a, b, t);
  fmpq_poly_get_numerator(s->num.get(), c.get());
  fmpz_set(s->den.get(), fmpq_poly_denref(c.get()));
  s->terms = t;
  near_ = s;
  return near_;
}

const DoubleForm& MomentDouble::Impl::double_form() const {
  std::call_once(dform_once_, [this] { dform_ = make_double_form(*this); });
  return *dform_;
}

const Prepared& prepared(unsigned a, unsigned b) {
  if (a < b) std::swap(a, b);
  const ClosedForm& cf = closed_form(a, b);
  PrepCache& c = prep_cache();
  std::lock_guard<std::mutex> lock(c.mu);
  auto& slot = c.m[{a, b}];
  if (!slot) slot = prepare(cf);
  return *slot;
}

const Prepared& prepared_for(const ClosedForm& cf, std::unique_ptr<Prepared>& tmp) {
  const Prepared& cached = prepared(cf.a, cf.b);
  if (cached.cf == &cf) return cached;
  tmp = prepare(cf);  // a closed form that is not the cached one (e.g. closed_form_fourier)
  return *tmp;
}

}  // namespace relumix
