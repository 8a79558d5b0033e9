// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// When the DCS fails: etcd frozen for longer than the TTL (with and without failsafe_mode), one
// node cut off from etcd alone, and a 3-member etcd losing one member.

#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/common/http_status.h"
#include "tests/e2e/e2e_fixture.h"

namespace warden::test {
namespace {

constexpr int kTtl = 8;  // E2eClusterOptions' default

// etcd is frozen (SIGSTOP: sockets open, no answers) for twice the TTL. Nobody can take the
// leader key meanwhile, but the primary cannot know that: it must stop taking writes before
// its lease could have expired.
TEST_F(E2eTest, ADcsOutageDemotesThePrimaryBeforeItsLeaseCanBeTaken) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  const absl::Time frozen = absl::Now();
  ASSERT_TRUE(cluster_->etcd().Pause(0).ok());
  ASSERT_TRUE(
      E2eCluster::WaitFor([&] { return cluster_->WritableNodes().empty(); }, absl::Seconds(kTtl)))
      << "still a writable primary a TTL after the DCS froze\n"
      << cluster_->Logs();
  const absl::Time demoted = absl::Now();
  Figure("DCS frozen -> the primary stops taking writes", frozen, demoted);
  EXPECT_LT(demoted - frozen, absl::Seconds(kTtl));
  EXPECT_TRUE(E2eCluster::HoldsFor([&] { return cluster_->WritableNodes().empty(); },
                                   frozen + absl::Seconds(2 * kTtl) - absl::Now()))
      << cluster_->Logs();
  ASSERT_TRUE(cluster_->etcd().Resume(0).ok());
  const Takeover back = WaitForNewPrimary(-1);
  ASSERT_GE(back.node, 0) << cluster_->Logs();
  ExpectHealthy();
}

// With failsafe_mode the primary keeps running through the same outage because every member
// answers its POST /failsafe.
TEST_F(E2eTest, FailsafeModeKeepsThePrimaryWhileEveryMemberAnswers) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.extra_dcs_yaml = "    failsafe_mode: true\n"}));
  // The leader must have read back the key with every member in it: it only trusts the
  // members its own last view of the key lists (GET /failsafe shows that view).
  ASSERT_TRUE(E2eCluster::WaitFor(
      [&] {
        const HttpReply failsafe = HttpExchange(cluster_->rest_port(0), "GET", "/failsafe");
        const nlohmann::json members =
            nlohmann::json::parse(failsafe.body, nullptr, /*allow_exceptions=*/false);
        return failsafe.status == 200 && members.is_object() && members.contains("n1") &&
               members.contains("n2") && members.contains("n3");
      },
      absl::Seconds(20)))
      << "the leader did not write and read back the failsafe key";
  ASSERT_TRUE(cluster_->etcd().Pause(0).ok());
  EXPECT_TRUE(E2eCluster::HoldsFor([&] { return cluster_->WritableNodes() == std::vector<int>{0}; },
                                   absl::Seconds(2 * kTtl)))
      << cluster_->Logs();
  EXPECT_TRUE(cluster_->Sql(0, "CREATE TABLE written_in_failsafe (id int)").ok());
  ASSERT_TRUE(cluster_->etcd().Resume(0).ok());
  ExpectHealthy();
  EXPECT_EQ(cluster_->Primary(), 0);
}

// The primary alone loses etcd (its proxy drops every byte): it demotes itself, another node
// takes over, and at no sample are two nodes writable.
TEST_F(E2eTest, APrimaryCutOffFromEtcdDemotesAndAnotherTakesOver) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  const absl::Time cut = absl::Now();
  cluster_->CutFromDcs(0);
  int most_writable = 0;
  int other = -1;
  ASSERT_TRUE(E2eCluster::WaitFor(
      [&] {
        const std::vector<int> writable = cluster_->WritableNodes();
        most_writable = std::max(most_writable, static_cast<int>(writable.size()));
        if (writable.size() == 1 && writable[0] != 0) other = writable[0];
        return other >= 0;
      },
      absl::Seconds(4 * kTtl)))
      << cluster_->Logs();
  Figure("primary cut off from etcd -> another node writable", cut, absl::Now());
  EXPECT_LE(most_writable, 1) << "two writable primaries at once";
  // Stopped, or read-only.
  const absl::StatusOr<std::string> recovery = cluster_->Sql(0, "SELECT pg_is_in_recovery()");
  EXPECT_TRUE(!recovery.ok() || *recovery == "t");
  cluster_->HealDcs(0);
  ExpectHealthy();
  EXPECT_EQ(cluster_->Primary(), other);
}

// A 3-member etcd that loses one member still has a quorum: nothing may change.
TEST_F(E2eTest, A3MemberEtcdLosingOneMemberChangesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.etcd_members = 3}));
  ASSERT_TRUE(cluster_->etcd().Kill(0).ok());
  EXPECT_TRUE(E2eCluster::HoldsFor(
      [&] { return cluster_->Primary() == 0 && cluster_->WritableNodes() == std::vector<int>{0}; },
      absl::Seconds(2 * kTtl)))
      << cluster_->Logs();
  EXPECT_TRUE(cluster_->Sql(0, "CREATE TABLE still_primary (id int)").ok());
  ASSERT_TRUE(cluster_->etcd().Restart(0).ok());
  ExpectHealthy();
  EXPECT_EQ(cluster_->Primary(), 0);
}

}  // namespace
}  // namespace warden::test
