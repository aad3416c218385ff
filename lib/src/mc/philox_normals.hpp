#pragma once
// Internal (not installed): scalar standard normals for the collapse and norm Monte Carlo.
// Philox4x64-10 keyed by (seed, stream tag), counter (sample, layer, block, 0); Box-Muller turns
// each block's 4 words into 4 normals. (The angle Monte Carlo has its own vectorized generator,
// mc_kernel.cpp.)
#include <Random123/philox.h>

#include <cmath>
#include <cstdint>

namespace relumix::detail {

class PhiloxNormals {
 public:
  PhiloxNormals(std::uint64_t seed, std::uint64_t tag, std::uint64_t sample, std::uint64_t layer) {
    key_ = {{seed, tag}};
    ctr_ = {{sample, layer, 0, 0}};
  }
  double next() {
    if (left_ == 0) refill();
    return buf_[--left_];
  }

 private:
  void refill() {
    auto r = rng_(ctr_, key_);
    ++ctr_.v[2];
    constexpr double two_pi = 6.283185307179586;
    constexpr double scale = 1.0 / 9007199254740992.0;  // 2^-53
    for (int i = 0; i < 2; ++i) {
      double u1 = double((r.v[2 * i] >> 11) + 1) * scale;  // (0, 1]
      double u2 = double(r.v[2 * i + 1] >> 11) * scale;    // [0, 1)
      double rad = std::sqrt(-2.0 * std::log(u1));
      buf_[2 * i] = rad * std::cos(two_pi * u2);
      buf_[2 * i + 1] = rad * std::sin(two_pi * u2);
    }
    left_ = 4;
  }
  r123::Philox4x64 rng_;
  r123::Philox4x64::key_type key_;
  r123::Philox4x64::ctr_type ctr_;
  double buf_[4] = {0, 0, 0, 0};
  int left_ = 0;
};

}  // namespace relumix::detail
