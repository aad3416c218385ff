#!/usr/bin/env bash
# The main job: install what is missing, build relumix (Release), run the tour.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRELUMIX_TESTS=OFF -DRELUMIX_BENCHMARKS=OFF >/dev/null
cmake --build build/release --target relumix_cli
./build/release/tools/relumix demo "$@"
