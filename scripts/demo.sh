#!/usr/bin/env bash
# The first thing to run: builds warden if needed and shows a leader election with a failover,
# three nodes on the in-memory DCS in virtual time.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
warden_install_deps

cmake_args=(-G Ninja)
if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
[[ -f build/CMakeCache.txt ]] || cmake -S . -B build "${cmake_args[@]}" >/dev/null
cmake --build build --target leader_election >/dev/null
echo "== Three nodes elect a leader through the DCS; the leader crashes; another takes over =="
./build/examples/leader_election
