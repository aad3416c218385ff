#!/bin/sh
# The figure-1 Monte Carlo (n = 256, 32 layers, 5000 samples) of relumix on one and two threads
# side by side with the vectorized numpy simulation on one thread (issue 16), repeated; prints
# every run and the ratios of the medians (CPU time for numpy and one thread, wall time for two).
# With a second build directory (e.g. a build of an earlier commit), its bench_mc runs in the same
# rounds too, and the script also prints the before/after ratio of the one-thread CPU times.
#   tools/bench/mc_speed.sh [BUILD_DIR] [REPEATS] [OTHER_BUILD_DIR]
set -eu
build=${1:-build}
reps=${2:-5}
other=${3:-}
bench=$build/tools/bench_mc
[ -x "$bench" ] || { echo "no $bench (build the bench_mc target)" >&2; exit 2; }
[ -z "$other" ] || [ -x "$other/tools/bench_mc" ] || { echo "no $other/tools/bench_mc" >&2; exit 2; }
out=$(mktemp)
run_bench() {  # $1: bench_mc, $2: label prefix
  "$1" --benchmark_filter='Figure1' --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null |
    awk -F, -v p="$2" '/Figure1\/threads:1/ {print p "one", $3 / 1000, $4 / 1000} /Figure1\/threads:2/ {print p "two", $3 / 1000, $4 / 1000}' >> "$out"
}
for i in $(seq "$reps"); do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$(dirname "$0")/numpy_baseline.py" --dense-samples 0 |
    sed -n 's/.* \([0-9.]*\) s wall, \([0-9.]*\) s cpu.*/numpy \1 \2/p' >> "$out"
  run_bench "$bench" ""
  [ -z "$other" ] || run_bench "$other/tools/bench_mc" "other_"
done
cat "$out"
awk -v other="$other" '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  $1 == "numpy" { nw[++n] = $2; nc[n] = $3 }
  $1 == "one" { ow[++o] = $2; oc[o] = $3 }
  $1 == "two" { tw[++t] = $2 }
  $1 == "other_one" { xw[++x] = $2; xc[x] = $3 }
  $1 == "other_two" { yw[++y] = $2 }
  END {
    printf "medians: numpy %.3f s cpu (%.3f s wall); relumix one thread %.4f s cpu (%.4f s wall), two threads %.4f s wall\n",
           median(nc, n), median(nw, n), median(oc, o), median(ow, o), median(tw, t)
    printf "one thread vs numpy (cpu): %.1fx; two threads vs one thread (wall): %.2fx\n",
           median(nc, n) / median(oc, o), median(ow, o) / median(tw, t)
    if (other != "") {
      printf "other build (%s): one thread %.4f s cpu, two threads %.4f s wall; vs numpy (cpu) %.1fx\n",
             other, median(xc, x), median(yw, y), median(nc, n) / median(xc, x)
      printf "this build vs the other, one thread (cpu): %.2fx faster\n", median(xc, x) / median(oc, o)
    }
  }' "$out"
rm -f "$out"
