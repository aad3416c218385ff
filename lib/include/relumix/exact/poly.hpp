#pragma once
// Dense univariate polynomials with rational coefficients (index k = coefficient of x^k).
#include <string>
#include <vector>

#include "relumix/exact/rational.hpp"

namespace relumix {

class Poly {
 public:
  Poly() = default;
  explicit Poly(std::vector<Rational> c) : c_(std::move(c)) { trim(); }
  Poly(const Rational& constant) { if (constant != 0) c_.push_back(constant); }  // NOLINT
  static Poly monomial(unsigned k, const Rational& coeff = 1);
  static Poly x() { return monomial(1); }

  int degree() const { return int(c_.size()) - 1; }  // -1 for the zero polynomial
  bool is_zero() const { return c_.empty(); }
  Rational operator[](std::size_t k) const { return k < c_.size() ? c_[k] : Rational(0); }
  const std::vector<Rational>& coeffs() const { return c_; }

  Poly& operator+=(const Poly& o);
  Poly& operator-=(const Poly& o);
  Poly& operator*=(const Rational& r);
  friend Poly operator+(Poly a, const Poly& b) { return a += b; }
  friend Poly operator-(Poly a, const Poly& b) { return a -= b; }
  friend Poly operator*(Poly a, const Rational& r) { return a *= r; }
  friend Poly operator*(const Poly& a, const Poly& b);
  friend bool operator==(const Poly& a, const Poly& b) { return a.c_ == b.c_; }
  Poly operator-() const { Poly r = *this; r *= Rational(-1); return r; }

  Poly derivative() const;
  Poly integral() const;          // antiderivative with zero constant term
  Poly reflect() const;           // p(-x)
  Poly pow(unsigned e) const;
  Rational operator()(const Rational& x) const;

  // "2*x^2 + 1" with the given variable name; "0" for zero.
  std::string str(const std::string& var = "x") const;
  std::string latex(const std::string& var = "x") const;

 private:
  void trim();
  std::vector<Rational> c_;
};

}  // namespace relumix
