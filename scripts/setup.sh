#!/usr/bin/env bash
# Installs relumix's build and run dependencies from Debian packages when any is missing.
set -euo pipefail
PKGS=(g++ cmake ninja-build libgmp-dev libmpfr-dev libmpfi-dev libboost-dev doctest-dev
      libcli11-dev nlohmann-json3-dev librandom123-dev libbenchmark-dev
      libopenmpi-dev openmpi-bin gnuplot-nox ccache libflint-dev libflint-arb-dev python3 python3-jsonschema
      pybind11-dev python3-dev python3-numpy python3-pytest python3-matplotlib python3-mpmath python3-sympy
      clang libclang-rt-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "relumix setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
