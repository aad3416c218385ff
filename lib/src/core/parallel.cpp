#include "core/parallel.hpp"

#include "relumix/core/interrupt.hpp"

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

std::size_t chunked_batch(std::size_t count, std::size_t chunk, unsigned threads, std::size_t parallel_min,
                          const std::function<std::size_t(std::size_t lo, std::size_t n)>& body) {
  if (count <= chunk) return body(0, count);
  const std::size_t chunks = (count + chunk - 1) / chunk;
  std::vector<std::size_t> bad(chunks, kNoBadItem);
  parallel_for(chunks, count < parallel_min ? 1 : threads, [&](std::size_t c) {
    throw_if_stopped();
    const std::size_t lo = c * chunk;
    bad[c] = body(lo, std::min(chunk, count - lo));
  });
  return *std::min_element(bad.begin(), bad.end());
}

}  // namespace relumix
