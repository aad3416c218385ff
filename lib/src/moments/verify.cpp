#include "relumix/moments/verify.hpp"

#include <map>
#include <vector>

#include "relumix/exact/combinatorics.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/moments/moments.hpp"

namespace relumix {

long VerifyReport::checked() const {
  long n = 0;
  for (auto& t : tallies) n += t.checked;
  return n;
}
long VerifyReport::failed() const {
  long n = 0;
  for (auto& t : tallies) n += t.failed;
  return n;
}

namespace {
const Poly& one_minus_x2() {
  static const Poly p(std::vector<Rational>{1, 0, -1});
  return p;
}

// 2 pi J_{n,n} = (-1)^n s^{2n+1} ((1/s) d/dtheta)^n ((pi - theta)/s), written as
// (pi - theta) A(rho) + s B(rho) after the n derivatives (docs/theory.md §2.4).
std::pair<Poly, Poly> arc_cosine_kernel(unsigned n) {
  Poly A(Rational(1)), B;
  long k = 1;  // current form: [(pi - theta) A + s B] / s^k
  for (unsigned i = 0; i < n; ++i) {
    Poly An = -(one_minus_x2() * A.derivative()) - Poly::x() * A * Rational(k);
    Poly Bn = -A - one_minus_x2() * B.derivative() + Poly::x() * B * Rational(1 - k);
    A = std::move(An);
    B = std::move(Bn);
    k += 2;
  }
  if (n % 2) { A = -A; B = -B; }
  return {A, B};
}
}  // namespace

VerifyReport verify_identities(unsigned max, const ProgressFn& progress) {
  require(max <= kMaxVerifyOrder, "verifying the identities for all a, b <= " + std::to_string(max) + " is too long (at most " +
                                      std::to_string(kMaxVerifyOrder) + ")");
  VerifyReport rep;
  rep.max = max;
  const char* names[] = {"symmetry", "price", "base-column", "reflection", "value-0",
                         "value-pi/2", "value-pi", "arc-cosine", "two-routes"};
  std::map<std::string, IdentityTally*> tally;
  for (auto* n : names) rep.tallies.push_back({n, 0, 0});
  for (auto& t : rep.tallies) tally[t.identity] = &t;
  auto record = [&](const char* id, unsigned a, unsigned b, bool ok) {
    auto* t = tally[id];
    ++t->checked;
    if (!ok) { ++t->failed; rep.failures.push_back({id, a, b}); }
  };
  // The identities are checked on the polar (Fourier) route, which builds J from the Fourier modes of
  // relu(cos)^a relu(cos)^b and uses none of them; "two-routes" then compares it with the closed form
  // that relumix builds (and every other command uses) from Price's relation, the base column and the
  // Bessel sum. So each identity check can fail on its own.
  long total = long(max + 1) * long(max + 1), done = 0;
  std::vector<ClosedForm> prev_row, row;  // Fourier forms of rows a - 1 and a (for Price's relation)
  for (unsigned a = 0; a <= max; ++a) {
    row.clear();
    for (unsigned b = 0; b <= max; ++b) {
      throw_if_stopped();
      const ClosedForm& built = closed_form(a, b);
      row.push_back(closed_form_fourier(a, b));
      const ClosedForm& x = row.back();
      // two independent routes, coefficient by coefficient
      record("two-routes", a, b, built.P == x.P && built.Q == x.Q && built.R == x.R);
      // symmetry: neither the Bessel sum nor the Fourier route is symmetric in form
      if (a < b) {
        ClosedForm g = closed_form_fourier(b, a);
        bool ok = x.P == g.P && x.Q == g.Q && x.R == g.R;
        if (x.even()) ok = ok && bessel_sum_P(a, b) == bessel_sum_P(b, a);
        record("symmetry", a, b, ok);
      }
      Integer dfab = double_factorial(int(a + b) - 1), dfa = double_factorial(int(a) - 1),
              dfb = double_factorial(int(b) - 1);
      if (x.even()) {
        // J(0) = m_{a+b}: P(1)/2 = (a+b-1)!!/2
        record("value-0", a, b, x.P(Rational(1)) == Rational(dfab));
        // J(pi/2) = m_a m_b: P(0)/4 + Q(0)/(2 pi)
        bool ok = a % 2 == 0 ? (x.P(Rational(0)) == Rational(dfa * dfb) && x.Q(Rational(0)) == 0)
                             : (x.P(Rational(0)) == 0 && x.Q(Rational(0)) == Rational(dfa * dfb));
        record("value-pi/2", a, b, ok);
        // reflection: J(theta) + (-1)^b J(pi - theta) = E[relu(G)^a G'^b] (no pi - theta term survives
        // except the Bessel-sum polynomial): (pi-theta)P(rho) + sQ(rho) + (-1)^b [theta P(-rho) + s Q(-rho)]
        // = pi * P_bessel(rho)  <=>  P(rho) = (-1)^b P(-rho) = P_bessel and Q(rho) + (-1)^b Q(-rho) = 0
        Poly Pm = x.P.reflect(), Qm = x.Q.reflect();
        bool refl = b % 2 ? (x.P == -Pm && x.Q == Qm) : (x.P == Pm && x.Q == -Qm);
        record("reflection", a, b, refl && x.P == bessel_sum_P(a, b));
        if (a == b) {
          auto [A, B] = arc_cosine_kernel(a);
          record("arc-cosine", a, b, A == x.P && B == x.Q);
        }
      } else {
        record("value-0", a, b, x.R(Rational(1)) == Rational(dfab));
        record("value-pi/2", a, b, x.R(Rational(0)) == Rational(dfa * dfb) / 2);
        record("value-pi", a, b, x.R(Rational(-1)) == 0);
        Poly lhs = b % 2 ? x.R - x.R.reflect() : x.R + x.R.reflect();
        record("reflection", a, b, lhs == bessel_sum_P(a, b));
      }
      if (a >= 1 && b >= 1) {
        const ClosedForm& y = prev_row[b - 1];
        Rational ab(Integer(a) * b);
        bool ok = x.even() ? (x.P.derivative() == y.P * ab &&
                              one_minus_x2() * x.Q.derivative() - Poly::x() * x.Q + x.P == one_minus_x2() * y.Q * ab)
                           : x.R.derivative() == y.R * ab;
        record("price", a, b, ok);
      }
      if (b == 0 && a >= 1) {
        // d J_{a,0}/d rho = a m_{a-1} (1 - rho^2)^{(a-1)/2} / sqrt(2 pi)
        Poly w = one_minus_x2().pow(a / 2);
        bool ok = x.even()
                      // 2 pi dJ/drho = P' (pi - theta) + [P - rho Q + (1 - rho^2) Q'] / s = a!! s^{a-1}
                      ? (x.P.derivative().is_zero() &&
                         x.P - Poly::x() * x.Q + one_minus_x2() * x.Q.derivative() == w * Rational(double_factorial(int(a))))
                      : x.R.derivative() == one_minus_x2().pow((a - 1) / 2) * Rational(double_factorial(int(a)), 2);
        record("base-column", a, b, ok);
      }
      if (progress) progress(std::uint64_t(++done), std::uint64_t(total));
    }
    prev_row.swap(row);
  }
  return rep;
}

}  // namespace relumix
