#pragma once
// Truncated Laurent series in one variable over Q[1/pi]:
//   sum_{k=val}^{prec-1} c_k t^k + O(t^prec).
// The valuation is tracked explicitly, so quotients with poles (1/(1-4J11^2) ~ t^-2)
// are exact; results whose poles must cancel can check valuation() >= 0.
#include <string>
#include <vector>

#include "relumix/exact/qpi.hpp"

namespace relumix {

class Series {
 public:
  Series() = default;
  // Coefficients c[i] of t^{val+i}, known up to O(t^prec).
  Series(int val, std::vector<QPi> c, int prec);
  static Series constant(const QPi& c, int prec) { return Series(0, {c}, prec); }
  static Series variable(int prec) { return Series(1, {QPi(1)}, prec); }  // t + O(t^prec)
  static Series zero(int prec) { return Series(0, {}, prec); }

  int valuation() const;          // index of the first non-zero coefficient (prec if none)
  int precision() const { return prec_; }
  QPi operator[](int k) const;    // coefficient of t^k (0 outside the stored range; k < prec)
  bool is_zero() const;

  Series& operator+=(const Series& o);
  Series& operator-=(const Series& o);
  Series& operator*=(const QPi& r);
  friend Series operator+(Series a, const Series& b) { return a += b; }
  friend Series operator-(Series a, const Series& b) { return a -= b; }
  friend Series operator*(Series a, const QPi& r) { return a *= r; }
  friend Series operator*(const Series& a, const Series& b);
  Series operator-() const { Series r = *this; r *= QPi(-1); return r; }

  // Multiplicative inverse; the leading coefficient must be a non-zero rational.
  Series inverse() const;
  friend Series operator/(const Series& a, const Series& b) { return a * b.inverse(); }
  // Multiply by t^k.
  Series shift(int k) const;
  Series truncate(int prec) const;
  // log(1 + u) for u with valuation >= 1.
  static Series log1p(const Series& u);
  // (1 + u)^alpha for u with valuation >= 1 (generalized binomial series).
  static Series pow1p(const Series& u, const Rational& alpha);
  // sum_k coeffs[k] w^k for w with valuation >= 1 (truncated at w's precision).
  static Series compose(const std::vector<Rational>& coeffs, const Series& w);
  // Leading coefficient (which must be rational) and the rest: s = c t^v (1 + u).
  // Returns u; sets c and v.
  Series split_leading(Rational& c, int& v) const;
  Series derivative() const;

 private:
  void normalize();
  int val_ = 0;
  std::vector<QPi> c_;
  int prec_ = 0;
};

}  // namespace relumix
