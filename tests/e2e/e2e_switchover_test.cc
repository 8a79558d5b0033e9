// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Planned changes of the primary (switchover via REST and wardenctl, a scheduled one, a manual
// failover to a named candidate) and maintenance mode (pause, resume).

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"

namespace warden::test {
namespace {

TEST_F(E2eTest, SwitchoversViaRestWardenctlAndScheduledAndAManualFailover) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());

  // REST, as `curl -XPOST /switchover` or patronictl does: answered once it is done.
  absl::Time start = absl::Now();
  ASSERT_EQ(cluster_->Http(0, "POST", "/switchover", R"({"leader": "n1", "candidate": "n2"})"), 200)
      << cluster_->Logs();
  Takeover next = WaitForNewPrimary(0, absl::Seconds(30));
  ASSERT_EQ(next.node, 1) << cluster_->Logs();
  Figure("switchover via REST -> first write", start, next.write_at);
  ExpectHealthy();

  start = absl::Now();
  absl::StatusOr<std::string> out =
      cluster_->Wardenctl({"switchover", "--leader", "n2", "--candidate", "n3", "--force"});
  ASSERT_TRUE(out.ok()) << out.status();
  next = WaitForNewPrimary(1, absl::Seconds(30));
  ASSERT_EQ(next.node, 2) << cluster_->Logs();
  Figure("switchover via wardenctl -> first write", start, next.write_at);
  ExpectHealthy();

  // Scheduled: nothing happens before the time, then the switchover does.
  const absl::Time at = absl::Now() + absl::Seconds(6);
  out = cluster_->Wardenctl({"switchover", "--leader", "n3", "--candidate", "n1", "--scheduled",
                             absl::FormatTime(absl::RFC3339_full, at, absl::UTCTimeZone()),
                             "--force"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(E2eCluster::HoldsFor([&] { return cluster_->Primary() == 2; },
                                   at - absl::Now() - absl::Milliseconds(500)))
      << "switched over before the scheduled time";
  next = WaitForNewPrimary(2, absl::Seconds(30));
  ASSERT_EQ(next.node, 0) << cluster_->Logs();
  EXPECT_GE(next.primary_at, at);
  Figure("scheduled switchover: scheduled time -> first write", at, next.write_at);
  ExpectHealthy();

  // A manual failover names the member to promote.
  start = absl::Now();
  out = cluster_->Wardenctl({"failover", "--candidate", "n3", "--force"});
  ASSERT_TRUE(out.ok()) << out.status();
  next = WaitForNewPrimary(0, absl::Seconds(30));
  ASSERT_EQ(next.node, 2) << cluster_->Logs();
  Figure("manual failover via wardenctl -> first write", start, next.write_at);
  ExpectHealthy();
}

TEST_F(E2eTest, NoFailoverWhilePausedUntilResumed) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  absl::StatusOr<std::string> out = cluster_->Wardenctl({"pause", "--wait"});
  ASSERT_TRUE(out.ok()) << out.status();
  cluster_->KillAgent(0, /*with_postgres=*/true);
  // Well past the leader key's TTL: the replicas leave the cluster without a primary.
  EXPECT_TRUE(E2eCluster::HoldsFor(
      [&] { return cluster_->Primary() < 0 && cluster_->WritableNodes().empty(); },
      absl::Seconds(8 + 8)))
      << cluster_->Logs();
  const absl::Time resumed = absl::Now();
  out = cluster_->Wardenctl({"resume"});
  ASSERT_TRUE(out.ok()) << out.status();
  const Takeover next = WaitForNewPrimary(0);
  ASSERT_GE(next.node, 1) << cluster_->Logs();
  Figure("resume with no leader -> first write", resumed, next.write_at);
}

}  // namespace
}  // namespace warden::test
