// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// One run of a compat configuration under one agent: start the three nodes, take the cluster
// through the configuration's points (switchover, kill -9, edit-config + restart) with
// patronictl and the harness, and capture a settled snapshot at each. The waits between points
// ask PostgreSQL and etcd, never the agent, so that they mean the same under both agents.

#ifndef WARDEN_TESTS_COMPAT_SCENARIO_H_
#define WARDEN_TESTS_COMPAT_SCENARIO_H_

#include <map>
#include <string>

#include "tests/compat/compat_config.h"
#include "tests/compat/snapshot.h"
#include "tests/e2e/e2e_cluster.h"

namespace warden::test {

// The snapshot entry that says how the run got to the point: "reached", or what went wrong
// ("failed: ..."), which ends the run, later points being "not reached". Steps that did not
// finish in time but need not end the run show as "scenario/<step>" = "timed out".
inline constexpr char kScenarioKey[] = "scenario";

struct ScenarioRun {
  std::map<std::string, Snapshot> snapshots;  // by point name, one per point of the config
  std::string logs;                           // the agents' log tails when a point failed
};

ScenarioRun RunScenario(const CompatConfig& config, AgentKind agent);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_SCENARIO_H_
