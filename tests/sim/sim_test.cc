// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The deterministic simulator in CI: thousands of seeded fault schedules must hold the invariants,
// a deliberately broken rule must be caught, and a seed must replay identically.

#include <cstdio>
#include <limits>
#include <string>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/sim/simulator.h"

namespace warden::sim {
namespace {

std::string Report(const SimResult& r) { return r.violation + "\n" + absl::StrJoin(r.trace, "\n"); }

TEST(SimulatorTest, AsynchronousClusterHoldsTheInvariantsOver1500Seeds) {
  SimResult r = RunSeeds(SimOptions{}, 1, 1500);
  ASSERT_TRUE(r.ok) << Report(r);
  std::printf("async: 1500 seeds, %lld steps, %d failovers, %d acknowledged writes\n",
              static_cast<long long>(r.steps), r.failovers, r.acknowledged_writes);
  EXPECT_GT(r.failovers, 1500);  // the faults really force failovers
}

TEST(SimulatorTest, StrictSynchronousClusterLosesNoAcknowledgedWriteOver500Seeds) {
  SimOptions options;
  options.synchronous_mode_strict = true;
  SimResult r = RunSeeds(options, 100001, 500);
  ASSERT_TRUE(r.ok) << Report(r);
  std::printf("strict: 500 seeds, %lld steps, %d failovers, %d acknowledged writes\n",
              static_cast<long long>(r.steps), r.failovers, r.acknowledged_writes);
  EXPECT_GT(r.failovers, 100);
}

// A decision function that forgets maximum_lag_on_failover: the simulator must notice.
Decision DecideIgnoringLag(const ClusterView& view, const LocalNode& local,
                           const DynamicConfig& config, absl::Time now) {
  DynamicConfig careless = config;
  careless.maximum_lag_on_failover = std::numeric_limits<int64_t>::max();
  ClusterView blind = view;
  blind.config.maximum_lag_on_failover = careless.maximum_lag_on_failover;
  return Decide(blind, local, careless, now);
}

TEST(SimulatorTest, SkippingTheLagCheckIsCaughtWithin2000Seeds) {
  SimOptions options;
  options.decide = &DecideIgnoringLag;
  SimResult r = RunSeeds(options, 1, 2000);
  ASSERT_FALSE(r.ok) << "the broken rule went unnoticed";
  EXPECT_NE(r.violation.find("lagging"), std::string::npos) << r.violation;
  std::printf("broken lag rule caught: %s\n", r.violation.c_str());
}

TEST(SimulatorTest, ASeedReplaysIdentically) {
  SimOptions options;
  options.seed = 42;
  options.full_trace = true;
  SimResult a = RunSimulation(options);
  SimResult b = RunSimulation(options);
  EXPECT_EQ(a.trace, b.trace);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_FALSE(a.trace.empty());
}

}  // namespace
}  // namespace warden::sim
