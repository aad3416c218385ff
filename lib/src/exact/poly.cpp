#include "relumix/exact/poly.hpp"

namespace relumix {

void Poly::trim() {
  while (!c_.empty() && c_.back() == 0) c_.pop_back();
}

Poly Poly::monomial(unsigned k, const Rational& coeff) {
  std::vector<Rational> c(k + 1);
  c[k] = coeff;
  return Poly(std::move(c));
}

Poly& Poly::operator+=(const Poly& o) {
  if (o.c_.size() > c_.size()) c_.resize(o.c_.size());
  for (std::size_t k = 0; k < o.c_.size(); ++k) c_[k] += o.c_[k];
  trim();
  return *this;
}

Poly& Poly::operator-=(const Poly& o) {
  if (o.c_.size() > c_.size()) c_.resize(o.c_.size());
  for (std::size_t k = 0; k < o.c_.size(); ++k) c_[k] -= o.c_[k];
  trim();
  return *this;
}

Poly& Poly::operator*=(const Rational& r) {
  if (r == 0) { c_.clear(); return *this; }
  for (auto& x : c_) x *= r;
  return *this;
}

Poly operator*(const Poly& a, const Poly& b) {
  if (a.is_zero() || b.is_zero()) return Poly();
  std::vector<Rational> r(a.c_.size() + b.c_.size() - 1);
  for (std::size_t i = 0; i < a.c_.size(); ++i)
    if (a.c_[i] != 0)
      for (std::size_t j = 0; j < b.c_.size(); ++j) r[i + j] += a.c_[i] * b.c_[j];
  return Poly(std::move(r));
}

Poly Poly::derivative() const {
  std::vector<Rational> r;
  for (std::size_t k = 1; k < c_.size(); ++k) r.push_back(c_[k] * long(k));
  return Poly(std::move(r));
}

Poly Poly::integral() const {
  std::vector<Rational> r(c_.size() + 1);
  for (std::size_t k = 0; k < c_.size(); ++k) r[k + 1] = c_[k] / long(k + 1);
  return Poly(std::move(r));
}

Poly Poly::reflect() const {
  Poly r = *this;
  for (std::size_t k = 1; k < r.c_.size(); k += 2) r.c_[k] = -r.c_[k];
  return r;
}

Poly Poly::pow(unsigned e) const {
  Poly r(Rational(1)), b = *this;
  while (e) {
    if (e & 1) r = r * b;
    e >>= 1;
    if (e) b = b * b;
  }
  return r;
}

Rational Poly::operator()(const Rational& x) const {
  Rational r = 0;
  for (std::size_t k = c_.size(); k-- > 0;) r = r * x + c_[k];
  return r;
}

namespace {
std::string render(const std::vector<Rational>& c, const std::string& var, bool latex) {
  if (c.empty()) return "0";
  std::string out;
  for (std::size_t k = c.size(); k-- > 0;) {
    if (c[k] == 0) continue;
    Rational a = abs(c[k]);
    if (out.empty()) out = c[k] < 0 ? "-" : "";
    else out += c[k] < 0 ? " - " : " + ";
    std::string coef;
    if (latex && denominator(a) != 1)
      coef = "\\frac{" + numerator(a).str() + "}{" + denominator(a).str() + "}";
    else
      coef = to_string(a);
    std::string mono = k == 0 ? "" : k == 1 ? var : var + "^" + (latex ? "{" + std::to_string(k) + "}" : std::to_string(k));
    if (k == 0) out += coef;
    else if (a == 1) out += mono;
    else out += coef + (latex ? " " : "*") + mono;
  }
  return out;
}
}  // namespace

std::string Poly::str(const std::string& var) const { return render(c_, var, false); }
std::string Poly::latex(const std::string& var) const { return render(c_, var, true); }

}  // namespace relumix
