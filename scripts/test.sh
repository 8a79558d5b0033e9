#!/usr/bin/env bash
# Installs what warden needs (Debian 12), configures, builds, and runs the whole test suite.
#
#   scripts/test.sh                 # everything; extra arguments go to ctest (e.g. -L unit)
#   WARDEN_SANITIZE=1 scripts/test.sh   # the same under AddressSanitizer + UBSan (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
warden_install_deps

build_dir=build
cmake_args=(-G Ninja -DWARDEN_WERROR=ON)
if [[ ${WARDEN_SANITIZE:-0} == 1 ]]; then
  build_dir=build-asan
  cmake_args+=(-DWARDEN_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

jobs=$(nproc)
cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$jobs"
ctest --test-dir "$build_dir" --output-on-failure --parallel "$jobs" "$@"
