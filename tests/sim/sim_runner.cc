// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// sim_runner: runs many seeds of the simulator, for soak runs beyond CI's.
//   sim_runner --seeds 100000 [--first 1] [--strict] [--trace]
// Reports after every 1,000 seeds, so a long run shows how far it got. Exits 1 on the first
// violation, printing its seed and trace (re-run that seed alone with --first SEED --seeds 1
// --trace to replay it).

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/sim/simulator.h"

int main(int argc, char** argv) {
  warden::sim::SimOptions options;
  uint64_t first = 1;
  uint64_t seeds = 2000;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seeds" && i + 1 < argc) {
      seeds = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--first" && i + 1 < argc) {
      first = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--strict") {
      options.synchronous_mode_strict = true;
    } else if (arg == "--trace") {
      options.full_trace = true;
    } else {
      std::fprintf(stderr, "usage: sim_runner [--seeds N] [--first S] [--strict] [--trace]\n");
      return 2;
    }
  }
  constexpr uint64_t kChunk = 1000;
  warden::sim::SimResult total;
  for (uint64_t start = first; start < first + seeds; start += kChunk) {
    const uint64_t count = std::min(kChunk, first + seeds - start);
    warden::sim::SimResult r = warden::sim::RunSeeds(options, start, count);
    if (!r.ok) {
      std::printf("VIOLATION %s\n", r.violation.c_str());
      for (const std::string& line : r.trace) std::printf("  %s\n", line.c_str());
      return 1;
    }
    total.steps += r.steps;
    total.failovers += r.failovers;
    total.acknowledged_writes += r.acknowledged_writes;
    std::printf("%llu seeds from %llu: 0 violations, %lld steps, %d failovers, %d acknowledged "
                "writes\n",
                static_cast<unsigned long long>(start + count - first),
                static_cast<unsigned long long>(first), static_cast<long long>(total.steps),
                total.failovers, total.acknowledged_writes);
    std::fflush(stdout);
  }
  return 0;
}
