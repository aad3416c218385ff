#!/bin/sh
# The whole comparison of issue 18 in one run: relumix's certified values next to a plain Arb
# program (bench_arb: 50 and 1000 digits on grids, the hard cases), the double path of J and of
# mu/sigma^2 (order 1) next to numpy's float64 closed forms (numpy_moments.py), the double path at
# hard angles (bench_eval), and the worst ulp errors of the double paths against the certified
# values (the unit tests' measurements). Each part is preceded by the machine's load (uptime).
# Times are CPU time per value (thread CPU time), single-threaded unless a row says otherwise.
#   tools/bench/speed_table.sh [BUILD_DIR]        (targets: relumix bench_arb bench_eval relumix_tests)
set -eu
build=${1:-build}
here=$(dirname "$0")
for p in tools/relumix tools/bench_arb tools/bench_eval tests/relumix_tests; do
  [ -x "$build/$p" ] || { echo "no $build/$p (configure with -DRELUMIX_BENCHMARKS=ON and build it)" >&2; exit 2; }
done
load() { echo "load: $(uptime | sed 's/.*load average/load average/')"; }
echo "# relumix speed table (issue 18), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores," \
     "$(grep -o -m1 -w 'avx512f' /proc/cpuinfo || grep -o -m1 -w 'avx2' /proc/cpuinfo || echo 'no avx2')"
echo
echo "## certified values: relumix / plain Arb"
load
"$build/tools/bench_arb"
echo
echo "## double path: relumix / numpy float64"
load
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/numpy_moments.py" --build "$build"
echo
echo "## double path at hard angles (one thread, CPU time per value)"
load
"$build/tools/bench_eval" --benchmark_filter='BM_DoubleHard|BM_MuSigma2Hard' --benchmark_min_time=0.3 \
  --benchmark_format=json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print("| benchmark | angles | relumix per value |")
print("|---|---|---|")
for r in json.load(sys.stdin)["benchmarks"]:
    print("| %s | %s | %.1f ns |" % (r["name"].split("/min_time")[0], r.get("label", ""), r["time_per_value"] * 1e9))'
echo
echo "## worst errors of the double paths against the certified values (unit tests)"
load
"$build/tests/relumix_tests" -tc='double path: within 1 ulp*,mu/sigma^2 double path: within 1 ulp*' -s 2>&1 |
  sed -n 's/.*MESSAGE: //p'
