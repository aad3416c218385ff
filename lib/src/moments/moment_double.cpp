// The fast double path: MomentDouble and moment_double.
#include "moments/enclosure.hpp"
#include "relumix/core/error.hpp"

namespace relumix {

using detail::dd;

MomentDouble::MomentDouble(unsigned a, unsigned b) : a_(a), b_(b), impl_(&prepared(a, b)) {}

namespace {
// Horner in double-double; also accumulates sum |c_k| |x|^k in double (cancellation estimate).
inline dd dd_horner(const std::vector<dd>& c, dd x, double& mag) {
  if (c.empty()) { mag = 0; return {0, 0}; }
  dd acc = c.back();
  double ax = std::fabs(x.hi), am = std::fabs(c.back().hi);
  for (std::size_t k = c.size() - 1; k-- > 0;) {
    acc = acc * x + c[k];
    am = am * ax + std::fabs(c[k].hi);
  }
  mag = am;
  return acc;
}

double fallback_double(const Prepared& pr, double theta) {
  Theta th;
  th.offset = Rational(theta);  // exact
  Interval v = enclose(pr, th, 64);
  return v.mid_double();
}
}  // namespace

double MomentDouble::operator()(double x) const {
  const Prepared& pr = *impl_;
  const detail::DDConst& c = detail::ddc();
  if (!(x >= 0 && x <= c.pi[0]))  // pi[0] < pi: every double in [0, pi] is <= pi[0]
    throw InputError("angle " + std::to_string(x) + " is outside [0, pi]");
  if (x == 0 && pr.even) return double(pr.at_zero);
  bool near_pi = x > 2.356194490192345;  // 3 pi / 4
  if (!(near_pi ? pr.dd_u_ok() : pr.dd_ok())) return fallback_double(pr, x);
  dd s, rho, u, phi;
  if (x <= 0.7853981633974483) {  // pi/4
    dd vers;
    detail::dd_sin_versin({x, 0}, s, vers);
    rho = dd{1, 0} - vers;
    phi = detail::triple_minus(c.pi, x);
  } else if (x <= 1.5707963267948966) {  // pi/2: w = pi/2 - x in [0, pi/4)
    dd w = detail::triple_minus(c.half_pi, x), vers;
    detail::dd_sin_versin(w, rho, vers);
    s = dd{1, 0} - vers;
    phi = detail::triple_minus(c.pi, x);
  } else if (!near_pi) {  // w = x - pi/2 in (0, pi/4]
    dd w = -detail::triple_minus(c.half_pi, x), vers;
    detail::dd_sin_versin(w, rho, vers);
    rho = -rho;
    s = dd{1, 0} - vers;
    phi = detail::triple_minus(c.pi, x);
  } else {  // t = pi - x in [0, pi/4)
    phi = detail::triple_minus(c.pi, x);
    detail::dd_sin_versin(phi, s, u);  // u = 1 - cos(phi) = 1 + rho
  }
  dd J;
  double mag, cancel;
  if (pr.even) {
    double mp, mq;
    dd p = near_pi ? dd_horner(pr.pu().d, u, mp) : dd_horner(pr.P.d, rho, mp);
    dd q = near_pi ? dd_horner(pr.qu().d, u, mq) : dd_horner(pr.Q.d, rho, mq);
    dd num = phi * p + s * q;
    mag = std::fabs(phi.hi) * mp + std::fabs(s.hi) * mq;
    cancel = mag / std::fabs(num.hi);
    J = num * c.inv_2pi;
  } else {
    dd r = near_pi ? dd_horner(pr.ru().d, u, mag) : dd_horner(pr.R.d, rho, mag);
    cancel = mag / std::fabs(r.hi);
    J = r * c.inv_sqrt_2pi;
  }
  // 2^40 cancellation leaves ~2^-60 relative error; tiny values lose accuracy to underflow
  if (!(cancel <= 1099511627776.0) || std::fabs(J.hi) < 1e-280 || !std::isfinite(J.hi)) return fallback_double(pr, x);
  return J.hi + J.lo;
}

double moment_double(unsigned a, unsigned b, double theta) { return MomentDouble(a, b)(theta); }

}  // namespace relumix
