#pragma once
// Internal: the exact sum of any number of doubles (a fixed-point superaccumulator), so that sums
// merged in any order, split in any way across threads, processes and checkpoints give the same
// bits. Used by the Monte Carlo statistics (mc_state.cpp).
//
// The value is sum_k d[k] 2^(64 (lo + k) - kBias): 64-bit digits held in signed 128-bit
// integers, so a digit takes 2^63 additions of 64-bit parts before it could overflow (more than
// any run makes). The digit range grows on demand: a sum of values of similar size uses 2 or 3.
#include <gmp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relumix::mc_detail {

class ExactSum {
 public:
  // Adds v exactly (v finite; NaN and infinities are not allowed).
  void add(double v);
  // Adds the value of o exactly.
  void merge(const ExactSum& o);
  bool is_zero() const;
  // The exact value as m 2^e (m an initialised mpz_t).
  void get(mpz_t m, long& e) const;
  // Appends a canonical encoding to out; read() reads one back from in (advancing it) and
  // returns false on malformed bytes.
  void write(std::string& out) const;
  bool read(std::string_view& in);

 private:
  static constexpr int kBias = 1152;  // 2^-1074 (the smallest double) lies at bit 78
  void reserve(int k0, int k1);       // digits k0..k1 exist
  void normalize();                   // digits in [0, 2^64) except the top one (canonical)
  std::vector<__int128> d_;
  int lo_ = 0;
};

// Little-endian fixed-size fields for the state encodings (mc_state.cpp, checkpoints).
void put_u64(std::string& out, std::uint64_t v);
bool get_u64(std::string_view& in, std::uint64_t& v);
inline void put_f64(std::string& out, double v) {
  std::uint64_t u;
  __builtin_memcpy(&u, &v, 8);
  put_u64(out, u);
}
inline bool get_f64(std::string_view& in, double& v) {
  std::uint64_t u;
  if (!get_u64(in, u)) return false;
  __builtin_memcpy(&v, &u, 8);
  return true;
}

}  // namespace relumix::mc_detail
