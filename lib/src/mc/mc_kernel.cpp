// The portable build of the Monte Carlo kernels (baseline ISA, no floating-point contraction: the
// same numbers on every machine and compiler flag), the kernel selection, and the scalar helpers
// that do not depend on the build.
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/cpu.hpp"
#include "relumix/core/error.hpp"

#define RELUMIX_MC_NS portable
#define RELUMIX_MC_NAME "portable"
#define RELUMIX_MC_AVX512 0
#define RELUMIX_MC_AVX2 0
#include "mc/mc_kernel_impl.hpp"
#undef RELUMIX_MC_NS
#undef RELUMIX_MC_NAME
#undef RELUMIX_MC_AVX512
#undef RELUMIX_MC_AVX2

namespace relumix::mc_detail {

namespace avx512 {
extern const KernelTable table;
}
namespace avx2 {
extern const KernelTable table;
}

Key key_of_seed(std::uint64_t seed) { return Key{std::uint32_t(seed), std::uint32_t(seed >> 32)}; }

Step chain_start(double theta0) {
  Step st;
  st.theta = theta0;
  st.c = std::cos(theta0);
  st.s = std::sin(theta0);
  st.x = 2.0 * std::log(st.s);
  return st;
}

bool kernel_available(Kernel k) {
  switch (k) {
    case Kernel::Portable: return true;
    case Kernel::Avx2: return cpu_has_avx2();
    case Kernel::Avx512: return cpu_has_avx512();
  }
  return false;
}

const char* kernel_name(Kernel k) {
  switch (k) {
    case Kernel::Avx2: return "avx2";
    case Kernel::Avx512: return "avx512";
    default: return "portable";
  }
}

const KernelTable& kernel_table(Kernel k) {
  require(kernel_available(k), "this CPU cannot run the requested Monte Carlo kernel");
  switch (k) {
    case Kernel::Avx512: return avx512::table;
    case Kernel::Avx2: return avx2::table;
    default: return portable::table;
  }
}

namespace {
const KernelTable* initial_kernel() {
  if (const char* env = std::getenv("RELUMIX_MC_KERNEL"); env && *env) {
    const std::string name = env;
    for (Kernel k : {Kernel::Portable, Kernel::Avx2, Kernel::Avx512}) {
      if (name != kernel_name(k)) continue;
      require(kernel_available(k), "RELUMIX_MC_KERNEL=" + name + ": this CPU does not support it");
      return &kernel_table(k);
    }
    throw InputError("RELUMIX_MC_KERNEL must be portable, avx2 or avx512 (got '" + name + "')");
  }
  if (kernel_available(Kernel::Avx512)) return &avx512::table;
  return kernel_available(Kernel::Avx2) ? &avx2::table : &portable::table;
}
std::atomic<const KernelTable*>& current() {
  static std::atomic<const KernelTable*> k{initial_kernel()};  // a bad RELUMIX_MC_KERNEL throws here
  return k;
}
}  // namespace

const KernelTable& kernel() { return *current().load(std::memory_order_relaxed); }

void select_kernel(Kernel k) { current().store(&kernel_table(k)); }

}  // namespace relumix::mc_detail
