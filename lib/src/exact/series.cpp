#include "relumix/exact/series.hpp"

#include <algorithm>
#include <stdexcept>

#include "relumix/core/interrupt.hpp"

namespace relumix {

Series::Series(int val, std::vector<QPi> c, int prec) : val_(val), c_(std::move(c)), prec_(prec) {
  normalize();
}

void Series::normalize() {
  // drop coefficients at or beyond the precision, then zeros at both ends
  if (int(c_.size()) > prec_ - val_) c_.resize(std::max(0, prec_ - val_));
  while (!c_.empty() && c_.back().is_zero()) c_.pop_back();
  std::size_t lead = 0;
  while (lead < c_.size() && c_[lead].is_zero()) ++lead;
  if (lead) { c_.erase(c_.begin(), c_.begin() + long(lead)); val_ += int(lead); }
  if (c_.empty()) val_ = prec_;
}

int Series::valuation() const { return c_.empty() ? prec_ : val_; }

bool Series::is_zero() const { return c_.empty(); }

QPi Series::operator[](int k) const {
  if (k < val_ || k >= val_ + int(c_.size())) return QPi();
  return c_[std::size_t(k - val_)];
}

Series& Series::operator+=(const Series& o) {
  int prec = std::min(prec_, o.prec_);
  if (is_zero()) { int p = prec; *this = o; prec_ = p; normalize(); return *this; }
  if (o.is_zero()) { prec_ = prec; normalize(); return *this; }
  int lo = std::min(val_, o.val_);
  int hi = std::min(prec, std::max(val_ + int(c_.size()), o.val_ + int(o.c_.size())));
  std::vector<QPi> r(std::size_t(std::max(0, hi - lo)));
  for (int k = lo; k < hi; ++k) r[std::size_t(k - lo)] = (*this)[k] + o[k];
  *this = Series(lo, std::move(r), prec);
  return *this;
}

Series& Series::operator-=(const Series& o) { return *this += -o; }

Series& Series::operator*=(const QPi& r) {
  for (auto& x : c_) x *= r;
  normalize();
  return *this;
}

Series operator*(const Series& a, const Series& b) {
  int va = a.valuation(), vb = b.valuation();
  int prec = std::min(a.prec_ + vb, b.prec_ + va);
  if (a.is_zero() || b.is_zero()) return Series::zero(prec);
  int n = prec - va - vb;
  std::vector<QPi> r(std::size_t(std::max(0, n)));
  for (std::size_t i = 0; i < a.c_.size() && int(i) < n; ++i) {
    throw_if_stopped();  // Ctrl-C inside long exact series (map-series, decay-series)
    for (std::size_t j = 0; j < b.c_.size() && int(i + j) < n; ++j) r[i + j] += a.c_[i] * b.c_[j];
  }
  return Series(va + vb, std::move(r), prec);
}

Series Series::split_leading(Rational& c, int& v) const {
  if (is_zero()) throw std::domain_error("series: leading term of a series known to be O(t^" + std::to_string(prec_) + ")");
  if (!c_[0].is_rational())
    throw std::domain_error("series: leading coefficient " + c_[0].str() + " is not rational");
  c = c_[0].coeff(0);
  v = val_;
  // u = s / (c t^v) - 1
  std::vector<QPi> u(c_.begin(), c_.end());
  for (auto& x : u) x /= c;
  u[0] = QPi();
  return Series(0, std::move(u), prec_ - val_);
}

Series Series::inverse() const {
  Rational c;
  int v;
  Series u = split_leading(c, v);
  int n = prec_ - val_;  // relative precision
  // 1/(1+u) = sum (-u)^k, u has valuation >= 1
  Series r = Series::constant(QPi(1), n), p = Series::constant(QPi(1), n), mu = -u;
  for (int k = 1; k < n; ++k) {
    p = (p * mu).truncate(n);
    if (p.is_zero()) break;
    r += p;
  }
  r *= QPi(Rational(1) / c);
  return r.shift(-v);
}

Series Series::shift(int k) const {
  Series r = *this;
  r.val_ += k;
  r.prec_ += k;
  return r;
}

Series Series::truncate(int prec) const {
  Series r = *this;
  r.prec_ = std::min(prec, prec_);
  r.normalize();
  return r;
}

Series Series::log1p(const Series& u) {
  if (u.valuation() < 1) throw std::domain_error("series: log1p needs valuation >= 1");
  int n = u.prec_;
  Series r = Series::zero(n), p = Series::constant(QPi(1), n);
  for (int k = 1; k < n; ++k) {
    p = (p * u).truncate(n);
    if (p.is_zero()) break;
    r += p * QPi(Rational(k % 2 ? 1 : -1, k));
  }
  return r;
}

Series Series::pow1p(const Series& u, const Rational& alpha) {
  if (u.valuation() < 1) throw std::domain_error("series: pow1p needs valuation >= 1");
  std::vector<Rational> c{Rational(1)};
  Rational binom = 1;
  for (int k = 1; k < u.prec_; ++k) {
    binom = binom * (alpha - (k - 1)) / k;
    c.push_back(binom);
  }
  return compose(c, u);
}

Series Series::compose(const std::vector<Rational>& coeffs, const Series& w) {
  if (w.valuation() < 1) throw std::domain_error("series: compose needs valuation >= 1");
  int n = w.prec_;
  Series r = Series::zero(n), p = Series::constant(QPi(1), n);
  for (std::size_t k = 0; k < coeffs.size(); ++k) {
    if (k) {
      p = (p * w).truncate(n);
      if (p.is_zero()) break;
    }
    if (coeffs[k] != 0) r += p * QPi(coeffs[k]);
  }
  return r;
}

Series Series::derivative() const {
  std::vector<QPi> r;
  for (std::size_t i = 0; i < c_.size(); ++i) r.push_back(c_[i] * Rational(val_ + int(i)));
  return Series(val_ - 1, std::move(r), prec_ - 1);
}

}  // namespace relumix
