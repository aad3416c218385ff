#!/bin/sh
# The figure-1 Monte Carlo (n = 256, 32 layers, 5000 samples) of relumix on one and two threads
# side by side with the vectorized numpy simulation on one thread (issue 16), repeated; prints
# every run and the ratios of the medians (CPU time for numpy and one thread, wall time for two).
#   tools/bench/mc_speed.sh [BUILD_DIR] [REPEATS]
set -eu
build=${1:-build}
reps=${2:-5}
bench=$build/tools/bench_mc
[ -x "$bench" ] || { echo "no $bench (build the bench_mc target)" >&2; exit 2; }
out=$(mktemp)
for i in $(seq "$reps"); do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$(dirname "$0")/numpy_baseline.py" --dense-samples 0 |
    sed -n 's/.* \([0-9.]*\) s wall, \([0-9.]*\) s cpu.*/numpy \1 \2/p' >> "$out"
  "$bench" --benchmark_filter='Figure1' --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null |
    awk -F, '/Figure1\/threads:1/ {print "one", $3 / 1000, $4 / 1000} /Figure1\/threads:2/ {print "two", $3 / 1000, $4 / 1000}' >> "$out"
done
cat "$out"
awk '
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  $1 == "numpy" { nw[++n] = $2; nc[n] = $3 }
  $1 == "one" { ow[++o] = $2; oc[o] = $3 }
  $1 == "two" { tw[++t] = $2 }
  END {
    printf "medians: numpy %.3f s cpu (%.3f s wall); relumix one thread %.4f s cpu (%.4f s wall), two threads %.4f s wall\n",
           median(nc, n), median(nw, n), median(oc, o), median(ow, o), median(tw, t)
    printf "one thread vs numpy (cpu): %.1fx; two threads vs one thread (wall): %.2fx\n",
           median(nc, n) / median(oc, o), median(ow, o) / median(tw, t)
  }' "$out"
rm -f "$out"
