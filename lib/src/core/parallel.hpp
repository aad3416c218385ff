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

// A batch of `count` items (the double paths' arrays) in chunks of `chunk`: body(lo, n) does items
// [lo, lo + n) and returns the index of the first bad one among them (or kNoBadItem). The chunks
// run on up to `threads` threads when count >= parallel_min, else in the caller's thread; a stop
// request (Ctrl-C) is checked before each chunk of a batch of more than one chunk. Returns the
// smallest bad index (or kNoBadItem).
constexpr std::size_t kNoBadItem = std::size_t(-1);
std::size_t chunked_batch(std::size_t count, std::size_t chunk, unsigned threads, std::size_t parallel_min,
                          const std::function<std::size_t(std::size_t lo, std::size_t n)>& body);

}  // namespace relumix
