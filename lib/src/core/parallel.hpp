#pragma once
// A parallel loop over indices: body(i) for i in [0, count) on up to `threads` threads
// (0: std::thread::hardware_concurrency()), handed out one index at a time. The first exception
// a body throws stops the loop (no new indices are handed out) and is rethrown in the caller.
// on_worker_exit (if set) runs at the end of every worker thread (e.g. to free thread-local
// caches). With one thread (or count <= 1) the loop runs in the caller's thread.
#include <cstddef>
#include <functional>

namespace relumix {

void parallel_for(std::size_t count, unsigned threads, const std::function<void(std::size_t)>& body,
                  const std::function<void()>& on_worker_exit = {});

}  // namespace relumix
