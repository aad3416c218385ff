#!/usr/bin/env bash
# The main job: install what is missing, build relumix (Release: the library, the command line and,
# when its dependencies are there, the Python module in build/release/python), run the tour.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRELUMIX_TESTS=OFF -DRELUMIX_BENCHMARKS=OFF >/dev/null
cmake --build build/release
./build/release/tools/relumix demo "$@"
