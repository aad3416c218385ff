// The arc-cosine kernels (angle/arccos_kernel.hpp): angles from double-double differences, the
// angle recursion, J_{n,n} by the double path (<= pi/2) or at the exact supplement (past pi/2).
#include "relumix/angle/arccos_kernel.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "relumix/angle/angle.hpp"
#include "relumix/core/error.hpp"
#include "relumix/core/interrupt.hpp"
#include "relumix/core/limits.hpp"
#include "relumix/moments/eval.hpp"
#include "relumix/moments/moments.hpp"

namespace relumix {
namespace {

// ---- double-double helpers (error-free transforms; need no contraction beyond explicit fma)
struct DD {
  double hi = 0, lo = 0;
};
inline DD two_sum(double a, double b) {
  double s = a + b, bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
inline DD two_prod(double a, double b) {
  double p = a * b;
  return {p, std::fma(a, b, -p)};
}
inline void dd_add(DD& acc, DD x) {
  DD s = two_sum(acc.hi, x.hi);
  double lo = s.lo + acc.lo + x.lo;
  acc = two_sum(s.hi, lo);
}
inline DD dd_sqrt(DD s) {
  if (s.hi <= 0) return {0, 0};
  double r = std::sqrt(s.hi);
  double e = std::fma(-r, r, s.hi) + s.lo;
  return two_sum(r, e / (2 * r));
}
// |row|, the row scaled by a power of two first (exact) so that nothing over- or underflows.
struct Row {
  std::vector<double> v;  // the row times 2^-scale
  int scale = 0;
  DD norm;                // of v
  bool zero = false;
};
Row make_row(const double* x, std::size_t d) {
  Row r;
  double m = 0;
  for (std::size_t i = 0; i < d; ++i) m = std::max(m, std::fabs(x[i]));
  r.v.assign(x, x + d);
  if (m == 0) {
    r.zero = true;
    return r;
  }
  r.scale = std::ilogb(m);
  DD s;
  for (auto& e : r.v) {
    e = std::ldexp(e, -r.scale);
    dd_add(s, two_prod(e, e));
  }
  r.norm = dd_sqrt(s);
  return r;
}
// |a| b - |b| a component i, in double-double, rounded to double; sign = +1 for |a| b + |b| a.
inline double combo(const Row& a, const Row& b, std::size_t i, double sign) {
  DD p = two_prod(a.norm.hi, b.v[i]);
  DD q = two_prod(b.norm.hi, a.v[i]);
  DD r = two_sum(p.hi, sign * q.hi);
  double lo = r.lo + p.lo + sign * q.lo + a.norm.lo * b.v[i] + sign * (b.norm.lo * a.v[i]);
  return r.hi + lo;
}
VectorAngle angle_of_rows(const Row& a, const Row& b) {
  DD su, sv;
  for (std::size_t i = 0; i < a.v.size(); ++i) {
    double u = combo(a, b, i, -1.0), v = combo(a, b, i, 1.0);
    dd_add(su, two_prod(u, u));
    dd_add(sv, two_prod(v, v));
  }
  double nu = dd_sqrt(su).hi, nv = dd_sqrt(sv).hi;
  return {2 * std::atan2(nu, nv), 2 * std::atan2(nv, nu)};
}
void check_finite(const double* x, std::size_t rows, std::size_t d, const char* name) {
  for (std::size_t i = 0; i < rows * d; ++i)
    require(std::isfinite(x[i]), "row ", i / d, " of ", name, " holds a non-finite value (", x[i], ")");
}

}  // namespace

VectorAngle vector_angle(const double* x, const double* y, std::size_t d) {
  check_finite(x, 1, d, "x");
  check_finite(y, 1, d, "y");
  Row a = make_row(x, d), b = make_row(y, d);
  require(!a.zero && !b.zero, "the angle of a zero vector is undefined");
  return angle_of_rows(a, b);
}

ArccosMap::ArccosMap(unsigned n) : n_(n) {
  require(n <= kMaxArccosOrder, "arc-cosine kernel order ", n, " is too large (at most ", kMaxArccosOrder, ")");
  constexpr unsigned K = 96;  // J_{n,n}(0) - J_{n,n}(theta) from its Taylor series for theta <= 1.2
  MomentSeries s = taylor_series(n, n, K);
  J0_ = enclose(s.coeffs[0], 128).mid_double();
  series_.assign(K + 1, 0.0);
  for (unsigned k = 1; k <= K; ++k) series_[k] = -enclose(s.coeffs[k], 128).mid_double();
}

double ArccosMap::operator()(double theta) const {
  if (n_ == 1) return infinite_map(theta);
  double D;  // J(0) - J(theta) >= 0
  if (theta <= 1.2) {
    double h = 0;
    for (std::size_t k = series_.size() - 1; k >= 1; --k) h = h * theta + series_[k];
    D = h * theta;
  } else {
    D = J0_ - moment_double(n_, n_, theta);
  }
  double s = D / (2 * J0_);  // sin^2(f/2)
  s = std::clamp(s, 0.0, 1.0);
  return 2 * std::asin(std::sqrt(s));
}

void arccos_kernel(const double* X, std::size_t nx, const double* Y, std::size_t ny, std::size_t d, unsigned order,
                   unsigned depth, double* out, double* angles, unsigned threads) {
  require(order <= kMaxArccosOrder, "arc-cosine kernel order ", order, " is too large (at most ", kMaxArccosOrder, ")");
  require(depth >= 1 && long(depth) <= kMaxArccosDepth, "arc-cosine kernel depth ", depth, " is outside 1..",
          kMaxArccosDepth);
  check_finite(X, nx, d, "X");
  const bool self = Y == nullptr;
  if (self) ny = nx;
  else check_finite(Y, ny, d, "Y");
  std::vector<Row> rx(nx), ry(self ? 0 : ny);
  for (std::size_t i = 0; i < nx; ++i) rx[i] = make_row(X + i * d, d);
  for (std::size_t j = 0; j < ry.size(); ++j) ry[j] = make_row(Y + j * d, d);
  const std::vector<Row>& R = self ? rx : ry;

  const ArccosMap f(order);
  const MomentDouble J(order, order);
  const ClosedForm& cf = closed_form(order, order);
  const double n = order;
  const double lndf = std::log(J(0.0) * 2);  // ln (2n-1)!!
  // ln q_{depth-1} of a row (n >= 2; n = 0, 1 need none): ln q_0 = 2 ln|x|, ln q_l = n ln q_{l-1} + ln (2n-1)!!
  auto lnq = [&](const Row& r) {
    double L = 2 * (std::log(r.norm.hi) + std::log1p(r.norm.lo / r.norm.hi) + r.scale * M_LN2);
    for (unsigned l = 1; l < depth; ++l) L = n * L + lndf;
    return L;
  };
  std::vector<double> qx(nx), qy(R.size());
  if (order >= 2 && depth >= 2) {
    for (std::size_t i = 0; i < nx; ++i) qx[i] = rx[i].zero ? 0 : lnq(rx[i]);
    for (std::size_t j = 0; j < R.size(); ++j) qy[j] = R[j].zero ? 0 : lnq(R[j]);
  }
  auto J_at = [&](const VectorAngle& a) {
    if (a.theta <= M_PI / 2) return J(a.theta);
    Theta t = exact_theta(a.supplement);  // theta = pi - supplement, exactly
    t.pi_coeff = 1;
    t.offset = -t.offset;
    return moment_enclosure(cf, t, 64).mid_double();
  };
  // the kernel value, and theta^(depth) in *angle
  auto entry = [&](std::size_t i, std::size_t j, double* angle) -> double {
    const Row &a = rx[i], &b = R[j];
    *angle = 0;
    if (a.zero || b.zero) return 0.0;
    VectorAngle ang = (self && i == j) ? VectorAngle{0.0, M_PI} : angle_of_rows(a, b);
    double mag;  // (q_{depth-1}(x) q_{depth-1}(y))^{n/2}
    if (order == 0) mag = 1;
    else if (depth == 1 || order == 1) {
      double p = a.norm.hi * b.norm.hi * (1 + (a.norm.lo / a.norm.hi + b.norm.lo / b.norm.hi));
      mag = std::ldexp(std::pow(p, n), int(order) * (a.scale + b.scale));
    } else {
      mag = std::exp(n / 2 * (qx[i] + qy[j]));
    }
    for (unsigned l = 1; l < depth; ++l) {
      ang.theta = f(ang.theta);
      ang.supplement = M_PI - ang.theta;  // theta <= pi/2 after one layer: no cancellation
    }
    if (angles) *angle = f(ang.theta);
    return mag * 2 * J_at(ang);
  };

  const std::size_t rows = nx;
  unsigned T = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  const double work = double(nx) * double(ny) * double(d + 8 * depth);
  if (work < 2e6) T = 1;
  T = unsigned(std::min<std::size_t>(T, std::max<std::size_t>(rows, 1)));
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    try {
      for (std::size_t i; (i = next.fetch_add(1)) < rows;) {
        throw_if_stopped();
        for (std::size_t j = 0; j < ny; ++j) {
          if (self && j < i) continue;
          double angle;
          out[i * ny + j] = entry(i, j, &angle);
          if (angles) angles[i * ny + j] = angle;
        }
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(rows);
    }
  };
  if (T == 1) worker();
  else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < T; ++t) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
  if (self)
    for (std::size_t i = 0; i < nx; ++i)
      for (std::size_t j = 0; j < i; ++j) {
        out[i * ny + j] = out[j * ny + i];
        if (angles) angles[i * ny + j] = angles[j * ny + i];
      }
}

}  // namespace relumix
