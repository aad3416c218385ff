#pragma once
// Cooperative cancellation: a SIGINT handler calls request_stop(); long loops poll
// stop_requested() and throw Interrupted to unwind cleanly.
#include <atomic>
#include <stdexcept>

namespace relumix {

struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

inline std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}
inline void request_stop() { stop_flag().store(true, std::memory_order_relaxed); }
inline bool stop_requested() { return stop_flag().load(std::memory_order_relaxed); }
inline void throw_if_stopped() { if (stop_requested()) throw Interrupted(); }

}  // namespace relumix
