#!/usr/bin/env bash
# The whole test suite: install what is missing, build (Release, with benchmarks and the MPI
# driver) and run every test; then build the tests again with AddressSanitizer and
# UndefinedBehaviorSanitizer and run them there too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
jobs=$(nproc)

cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=Release -DRELUMIX_MPI=ON >/dev/null
cmake --build build/test -j "$jobs"
ctest --test-dir build/test -j "$jobs" --output-on-failure --timeout 900
echo "relumix test.sh: Release build and tests done (${SECONDS} s); now the sanitizer build" >&2

# -O1 -g1 (line tables: sanitizer reports keep file and line): half the compile time of -O2 -g
cmake -S . -B build/sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELUMIX_SANITIZE=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DRELUMIX_BENCHMARKS=OFF -DRELUMIX_MPI=OFF -DRELUMIX_PYTHON=OFF >/dev/null
cmake --build build/sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 RELUMIX_SANITIZED=1 \
  ctest --test-dir build/sanitize -j "$jobs" --output-on-failure --timeout 900
echo "relumix test.sh: every test passed (${SECONDS} s)" >&2
