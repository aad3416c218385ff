#include "relumix/exact/qpi.hpp"

#include <stdexcept>

namespace relumix {

std::string inv_pi_basis(unsigned k) {
  if (k == 0) return "1";
  if (k == 1) return "1/pi";
  return "1/pi^" + std::to_string(k);
}

QPi QPi::inv_pi_power(unsigned k, const Rational& coeff) {
  QPi r;
  if (coeff != 0) { r.c_.assign(k + 1, Rational(0)); r.c_[k] = coeff; }
  return r;
}

void QPi::trim() {
  while (!c_.empty() && c_.back() == 0) c_.pop_back();
}

QPi& QPi::operator+=(const QPi& o) {
  if (o.c_.size() > c_.size()) c_.resize(o.c_.size());
  for (std::size_t k = 0; k < o.c_.size(); ++k) c_[k] += o.c_[k];
  trim();
  return *this;
}

QPi& QPi::operator-=(const QPi& o) {
  if (o.c_.size() > c_.size()) c_.resize(o.c_.size());
  for (std::size_t k = 0; k < o.c_.size(); ++k) c_[k] -= o.c_[k];
  trim();
  return *this;
}

QPi& QPi::operator*=(const QPi& o) {
  if (c_.empty() || o.c_.empty()) { c_.clear(); return *this; }
  if (o.c_.size() == 1) return *this *= o.c_[0];
  std::vector<Rational> r(c_.size() + o.c_.size() - 1);
  for (std::size_t i = 0; i < c_.size(); ++i)
    if (c_[i] != 0)
      for (std::size_t j = 0; j < o.c_.size(); ++j) r[i + j] += c_[i] * o.c_[j];
  c_ = std::move(r);
  trim();
  return *this;
}

QPi& QPi::operator*=(const Rational& r) {
  if (r == 0) { c_.clear(); return *this; }
  for (auto& x : c_) x *= r;
  return *this;
}

QPi& QPi::operator/=(const Rational& r) {
  if (r == 0) throw std::domain_error("QPi: division by zero");
  for (auto& x : c_) x /= r;
  return *this;
}

QPi QPi::operator-() const {
  QPi r = *this;
  for (auto& x : r.c_) x = -x;
  return r;
}

std::string QPi::str() const {
  if (c_.empty()) return "0";
  std::string out;
  for (std::size_t k = 0; k < c_.size(); ++k) {
    if (c_[k] == 0) continue;
    Rational a = abs(c_[k]);
    std::string sign = c_[k] < 0 ? "-" : "+";
    if (out.empty()) out = c_[k] < 0 ? "-" : "";
    else out += " " + sign + " ";
    if (k == 0) { out += to_string(a); continue; }
    std::string pik = k == 1 ? "pi" : "pi^" + std::to_string(k);
    Integer num = numerator(a), den = denominator(a);
    out += num.str() + "/" + (den == 1 ? pik : "(" + den.str() + " " + pik + ")");
  }
  return out;
}

std::map<std::string, std::string> QPi::terms() const {
  std::map<std::string, std::string> t;
  for (std::size_t k = 0; k < c_.size(); ++k)
    if (c_[k] != 0) t[inv_pi_basis(unsigned(k))] = to_string(c_[k]);
  return t;
}

}  // namespace relumix
