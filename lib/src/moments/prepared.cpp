#include "moments/prepared.hpp"

#include <map>

namespace relumix {

using detail::dd;
using detail::from_mpfr;

namespace {

IntPoly to_int_poly(const Poly& p) {
  IntPoly r;
  Integer den = 1;
  for (const Rational& q : p.coeffs()) den = boost::multiprecision::lcm(den, denominator(q));
  r.den = den;
  r.c.reserve(p.coeffs().size());
  for (const Rational& q : p.coeffs()) r.c.push_back(numerator(q) * (den / denominator(q)));
  return r;
}

void make_dd(IntPoly& p) {
  p.d.clear();
  mpfr_t x, dn;
  mpfr_init2(x, 200);
  mpfr_init2(dn, 200);
  mpfr_set_z(dn, p.den.backend().data(), MPFR_RNDN);
  for (const Integer& ck : p.c) {
    mpfr_set_z(x, ck.backend().data(), MPFR_RNDN);
    mpfr_div(x, x, dn, MPFR_RNDN);
    dd v = from_mpfr(x);
    if (!std::isfinite(v.hi) || std::fabs(v.hi) > 1e280) p.dd_ok = false;
    p.d.push_back(v);
  }
  mpfr_clear(x);
  mpfr_clear(dn);
}

// q(u) = p(u - 1): Taylor shift by -1 of the integer numerators (O(n^2) additions).
IntPoly shift_minus_one(const IntPoly& p) {
  IntPoly r;
  r.c = p.c;
  r.den = p.den;
  long n = long(r.c.size()) - 1;
  for (long i = 0; i < n; ++i)
    for (long j = n - 1; j >= i; --j) r.c[std::size_t(j)] -= r.c[std::size_t(j + 1)];
  while (!r.c.empty() && r.c.back() == 0) r.c.pop_back();
  return r;
}

std::unique_ptr<Prepared> prepare(const ClosedForm& cf) {
  auto p = std::make_unique<Prepared>();
  p->cf = &cf;
  p->a = cf.a;
  p->b = cf.b;
  p->even = cf.even();
  if (p->even) {
    p->P = to_int_poly(cf.P);
    p->Q = to_int_poly(cf.Q);
    make_dd(p->P);
    make_dd(p->Q);
    p->zero_rational = true;
    p->at_zero = single_moment_coeff(cf.a + cf.b);  // m_{a+b}, a+b even
  } else {
    p->R = to_int_poly(cf.R);
    make_dd(p->R);
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
  std::call_once(u_once, [this] {
    if (even) {
      Pu = shift_minus_one(P);
      Qu = shift_minus_one(Q);
      make_dd(Pu);
      make_dd(Qu);
    } else {
      Ru = shift_minus_one(R);
      make_dd(Ru);
    }
  });
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
