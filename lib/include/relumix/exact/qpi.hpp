#pragma once
// Elements of Q[1/pi]: c_0 + c_1/pi + c_2/pi^2 + ... with rational c_k.
#include <map>
#include <string>
#include <vector>

#include "relumix/exact/rational.hpp"

namespace relumix {

class QPi {
 public:
  QPi() = default;
  QPi(const Rational& r) { if (r != 0) c_.push_back(r); }  // NOLINT: implicit on purpose
  QPi(long r) : QPi(Rational(r)) {}                        // NOLINT
  static QPi inv_pi_power(unsigned k, const Rational& coeff = 1);

  // coefficient of pi^{-k}
  Rational coeff(unsigned k) const { return k < c_.size() ? c_[k] : Rational(0); }
  unsigned degree() const { return c_.empty() ? 0 : unsigned(c_.size() - 1); }
  bool is_zero() const { return c_.empty(); }
  bool is_rational() const { return c_.size() <= 1; }
  const std::vector<Rational>& coeffs() const { return c_; }

  QPi& operator+=(const QPi& o);
  QPi& operator-=(const QPi& o);
  QPi& operator*=(const QPi& o);
  QPi& operator*=(const Rational& r);
  QPi operator-() const;
  friend QPi operator+(QPi a, const QPi& b) { return a += b; }
  friend QPi operator-(QPi a, const QPi& b) { return a -= b; }
  friend QPi operator*(QPi a, const QPi& b) { return a *= b; }
  friend QPi operator*(QPi a, const Rational& b) { return a *= b; }
  friend bool operator==(const QPi& a, const QPi& b) { return a.c_ == b.c_; }

  // Exact division by a rational (throws std::domain_error on zero).
  QPi& operator/=(const Rational& r);
  // "3/2 + 1/pi - 1/(3 pi^2)" for humans.
  std::string str() const;
  // JSON "terms": basis name ("1", "1/pi", "1/pi^2", ...) -> rational string, zeros omitted.
  std::map<std::string, std::string> terms() const;

 private:
  void trim();
  std::vector<Rational> c_;
};

// Basis name for pi^{-k}: "1", "1/pi", "1/pi^2", ...
std::string inv_pi_basis(unsigned k);

}  // namespace relumix
