#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace relumix {

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& body,
                  const std::function<void()>& on_worker_exit) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = unsigned(std::min<std::size_t>(threads, count));
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr err;
  std::mutex err_mu;
  auto worker = [&] {
    struct AtExit {
      const std::function<void()>& f;
      ~AtExit() { if (f) f(); }
    } at_exit{on_worker_exit};
    try {
      for (;;) {
        std::size_t i = next.fetch_add(1);
        if (i >= count) return;
        body(i);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(err_mu);
      if (!err) err = std::current_exception();
      next.store(count);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (err) std::rethrow_exception(err);
}

}  // namespace relumix
