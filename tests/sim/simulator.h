// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// A deterministic simulator of a warden cluster: N nodes, each the real HA core (Decide), the
// real codec and action executor, a FakeController, and a client of one in-memory DCS, all on
// one virtual clock. A seed drives faults (node and PostgreSQL crashes, partitions from the DCS,
// DCS outages, unreachable REST probes, slow promotes, replication lag, switchovers, pause) and
// client writes; after every step the invariants of DESIGN.md are checked:
//   1. never two writable primaries at once (no split brain);
//   2. with synchronous_mode_strict, no acknowledged write is lost by a failover;
//   3. no promotion of a member tagged nofailover or lagging past maximum_lag_on_failover;
//   4. once faults stop, one primary and every other node streaming from it.
// The same seed gives the same run, so a failing seed is its own replayable trace.

#ifndef WARDEN_TESTS_SIM_SIMULATOR_H_
#define WARDEN_TESTS_SIM_SIMULATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "warden/core/decide.h"

namespace warden::sim {

using DecideFn =
    std::function<Decision(const ClusterView&, const LocalNode&, const DynamicConfig&, absl::Time)>;

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  absl::Duration fault_phase = absl::Minutes(4);  // faults and writes happen here
  absl::Duration calm_phase = absl::Minutes(2);   // then none: the cluster must converge
  absl::Duration step = absl::Milliseconds(250);
  bool synchronous_mode_strict = false;  // synchronous_mode on + strict
  // The decision function under test: warden::Decide, or a deliberately broken one.
  DecideFn decide;
  // Keep the whole trace (not just the last lines) for printing.
  bool full_trace = false;
};

struct SimResult {
  bool ok = true;
  std::string violation;           // empty when ok
  std::vector<std::string> trace;  // what happened, up to the violation
  int64_t steps = 0;
  int failovers = 0;
  int acknowledged_writes = 0;
};

SimResult RunSimulation(const SimOptions& options);

// Runs seeds [first, first + count): returns the first failing result, or an ok one with the
// totals (steps, failovers, writes summed).
SimResult RunSeeds(SimOptions options, uint64_t first, uint64_t count);

}  // namespace warden::sim

#endif  // WARDEN_TESTS_SIM_SIMULATOR_H_
