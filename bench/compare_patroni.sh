#!/usr/bin/env bash
# Runs warden side by side with Patroni on loopback (issue 8) and prints the raw figures and a
# table of medians with the ratio warden/Patroni. One command, from a fresh Debian 12 machine:
#
#   bench/compare_patroni.sh              # the full run: 5 trials, profiles 30/10/10, 10/2/3, 5/1/2
#   bench/compare_patroni.sh --quick      # a smoke test: 1 trial of the short profiles
#   bench/compare_patroni.sh --only=failover,switchover --trials=3
#
# Arguments go to the compare_patroni program (--help lists them). It installs what warden
# builds with plus Debian's patroni and wrk with apt-get if missing, configures and builds
# compare_patroni, warden-agent and wardenctl in build/ (as scripts/test.sh does; WARDEN_BUILD_DIR
# picks another directory) and runs it. It takes a quiet machine: the figures are times and CPU
# of processes that share the cores with whatever else runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
WARDEN_PACKAGES+=(patroni wrk)
warden_install_deps

build_dir=${WARDEN_BUILD_DIR:-build}
cmake_args=(-G Ninja -DWARDEN_WERROR=ON)
if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake -S . -B "$build_dir" "${cmake_args[@]}"
cmake --build "$build_dir" --parallel "$(nproc)" --target compare_patroni warden-agent wardenctl
exec "$build_dir/bench/compare_patroni" "$@"
