#pragma once
// Progress reporting, the same shape everywhere in the library: a long computation calls
// progress(done, total) now and then (done <= total, in the computation's own units: samples,
// layers, pairs, ...). An empty function is never called. The callback must be cheap and must not
// throw anything but relumix::Interrupted.
#include <cstdint>
#include <functional>

namespace relumix {

using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

}  // namespace relumix
