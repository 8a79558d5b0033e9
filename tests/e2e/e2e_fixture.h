// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The fixture the scenario files share: a running E2eCluster and the few waits every scenario
// needs (a new primary that takes writes, the cluster healthy again), with figures printed as
// "figure: ..." lines for the benchmark notes.

#ifndef WARDEN_TESTS_E2E_E2E_FIXTURE_H_
#define WARDEN_TESTS_E2E_E2E_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_cluster.h"

namespace warden::test {

// When a new primary showed up after a fault.
struct Takeover {
  int node = -1;                                   // the new primary, -1 if none in time
  absl::Time primary_at = absl::InfiniteFuture();  // its GET /primary answered 200
  absl::Time write_at = absl::InfiniteFuture();    // its first write committed
};

class E2eTest : public ::testing::Test {
 protected:
  // Starts the cluster and waits until it is healthy (fails the test otherwise).
  void StartCluster(E2eClusterOptions options = {});
  // Waits for one primary other than `old` (any other node when old < 0) that answers 200 on
  // GET /primary and commits a write.
  Takeover WaitForNewPrimary(int old, absl::Duration timeout = absl::Seconds(60)) const;
  // Waits until the cluster is healthy: one primary, every running node streaming from it.
  void ExpectHealthy(absl::Duration timeout = absl::Seconds(90)) const;
  // The member rows of `wardenctl list --format json` by member name ({"Role": "Leader",
  // "State": "streaming", "Lag in MB": 0, ...}); empty on error.
  std::map<std::string, nlohmann::json> Members() const;
  // Members() reduced to name -> role ("Leader", "Replica", "Sync Standby", ...).
  std::map<std::string, std::string> Roles() const;
  // Prints "figure: <what>: 1.23 s" (from `from` to `to`).
  static void Figure(const std::string& what, absl::Time from, absl::Time to);

  std::unique_ptr<E2eCluster> cluster_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_E2E_FIXTURE_H_
