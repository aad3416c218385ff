#include "mc/exact_sum.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace relumix::mc_detail {

void ExactSum::reserve(int k0, int k1) {
  if (d_.empty()) {
    lo_ = k0;
    d_.assign(std::size_t(k1 - k0 + 1), 0);
    return;
  }
  const int hi = lo_ + int(d_.size()) - 1;
  if (k0 < lo_) {
    d_.insert(d_.begin(), std::size_t(lo_ - k0), 0);
    lo_ = k0;
  }
  if (k1 > hi) d_.resize(d_.size() + std::size_t(k1 - hi), 0);
}

void ExactSum::add(double v) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  const int be = int((bits >> 52) & 0x7FF);
  std::uint64_t m = bits & 0x000FFFFFFFFFFFFFull;
  if (be != 0) m |= 1ull << 52;
  if (m == 0) return;
  const int e = (be == 0 ? 1 : be) - 1075;  // v = +-m 2^e
  const int p = e + kBias;                  // >= 78
  const int k = p >> 6, s = p & 63;
  const unsigned __int128 w = (unsigned __int128)m << s;
  reserve(k, k + 1);
  __int128* d = d_.data() + (k - lo_);
  const __int128 lo = __int128(std::uint64_t(w)), hi = __int128(std::uint64_t(w >> 64));
  if (bits >> 63) {
    d[0] -= lo;
    d[1] -= hi;
  } else {
    d[0] += lo;
    d[1] += hi;
  }
}

void ExactSum::merge(const ExactSum& o) {
  if (o.d_.empty()) return;
  reserve(o.lo_, o.lo_ + int(o.d_.size()) - 1);
  for (std::size_t i = 0; i < o.d_.size(); ++i) d_[std::size_t(o.lo_ - lo_) + i] += o.d_[i];
}

bool ExactSum::is_zero() const {
  return std::all_of(d_.begin(), d_.end(), [](__int128 x) { return x == 0; });
}

void ExactSum::normalize() {
  // carry every digit's excess (floor division by 2^64) into the next one
  for (std::size_t i = 0; i + 1 < d_.size(); ++i) {
    const __int128 carry = d_[i] >> 64;  // arithmetic shift: floor
    d_[i] -= carry * (__int128(1) << 64);
    d_[i + 1] += carry;
  }
  // the top digit may hold more than 64 bits (or a negative value): give it room
  if (!d_.empty() && (d_.back() >> 63) != 0 && (d_.back() >> 63) != -1) {
    d_.push_back(0);
    const __int128 carry = d_[d_.size() - 2] >> 64;
    d_[d_.size() - 2] -= carry * (__int128(1) << 64);
    d_.back() += carry;
  }
  // trim zero digits at both ends (the value is unchanged)
  while (!d_.empty() && d_.back() == 0) d_.pop_back();
  std::size_t z = 0;
  while (z < d_.size() && d_[z] == 0) ++z;
  d_.erase(d_.begin(), d_.begin() + long(z));
  lo_ = d_.empty() ? 0 : lo_ + int(z);
}

void ExactSum::get(mpz_t m, long& e) const {
  mpz_set_ui(m, 0);
  mpz_t t;
  mpz_init(t);
  for (std::size_t i = d_.size(); i-- > 0;) {
    // m = m 2^64 + d[i]
    mpz_mul_2exp(m, m, 64);
    const __int128 x = d_[i];
    const unsigned __int128 a = x < 0 ? (unsigned __int128)(-(x + 1)) + 1 : (unsigned __int128)x;
    mpz_set_ui(t, (unsigned long)(a >> 64));
    mpz_mul_2exp(t, t, 64);
    mpz_add_ui(t, t, (unsigned long)(std::uint64_t)a);
    if (x < 0) mpz_sub(m, m, t);
    else mpz_add(m, m, t);
  }
  mpz_clear(t);
  e = 64L * lo_ - kBias;
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xFF));
}

bool get_u64(std::string_view& in, std::uint64_t& v) {
  if (in.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t(static_cast<unsigned char>(in[std::size_t(i)])) << (8 * i);
  in.remove_prefix(8);
  return true;
}

void ExactSum::write(std::string& out) const {
  ExactSum c = *this;
  c.normalize();
  put_u64(out, std::uint64_t(std::int64_t(c.lo_)));
  put_u64(out, c.d_.size());
  for (__int128 x : c.d_) {  // normalized: 64-bit digits, the top one signed
    put_u64(out, std::uint64_t((unsigned __int128)x));
    put_u64(out, std::uint64_t((unsigned __int128)x >> 64));
  }
}

bool ExactSum::read(std::string_view& in) {
  std::uint64_t lo, n;
  if (!get_u64(in, lo) || !get_u64(in, n)) return false;
  const auto slo = std::int64_t(lo);
  if (slo < -64 || slo > 64 || n > 128 || in.size() < 16 * n) return false;
  lo_ = int(slo);
  d_.assign(std::size_t(n), 0);
  for (auto& x : d_) {
    std::uint64_t a = 0, b = 0;
    get_u64(in, a);
    get_u64(in, b);
    x = __int128(((unsigned __int128)b << 64) | a);
  }
  return true;
}

}  // namespace relumix::mc_detail
