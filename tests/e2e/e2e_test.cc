// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Patroni's acceptance scenarios on real components, the life of a cluster: bootstrap,
// replication, graceful and unplanned failover, rejoin through pg_rewind, reinit of a replica.

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"

namespace warden::test {
namespace {

bool Replicated(const E2eCluster& cluster, int node, const std::string& count_sql,
                const std::string& expected) {
  return E2eCluster::WaitFor(
      [&] {
        absl::StatusOr<std::string> n = cluster.Sql(node, count_sql);
        return n.ok() && *n == expected;
      },
      absl::Seconds(20));
}

TEST_F(E2eTest, BootstrapsOnePrimaryAndTwoStreamingReplicasThatReplicate) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.race_bootstrap = true}));
  const int primary = cluster_->Primary();
  ASSERT_GE(primary, 0);
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_EQ(cluster_->Http(i, "GET", "/replica"), i == primary ? 503 : 200);
    EXPECT_EQ(cluster_->Http(i, "OPTIONS", "/primary"), i == primary ? 200 : 503);
  }
  const std::map<std::string, std::string> roles = Roles();
  EXPECT_EQ(roles.size(), 3u);
  EXPECT_EQ(roles.at(cluster_->name(primary)), "Leader");
  ASSERT_TRUE(
      cluster_->Sql(primary, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)").ok());
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_TRUE(Replicated(*cluster_, i, "SELECT count(*) FROM t", "2")) << cluster_->name(i);
  }
  // use_slots (on by default, as in Patroni): each replica streams through its own slot.
  std::vector<std::string> replicas;
  for (int i = 0; i < cluster_->size(); ++i) {
    if (i != primary) replicas.push_back(cluster_->name(i));
  }
  EXPECT_TRUE(E2eCluster::WaitFor(
      [&] {
        absl::StatusOr<std::string> active = cluster_->Sql(
            primary,
            "SELECT string_agg(slot_name, ',' ORDER BY slot_name) FROM pg_replication_slots "
            "WHERE active AND slot_type = 'physical'");
        return active.ok() && *active == absl::StrJoin(replicas, ",");
      },
      absl::Seconds(20)))
      << *cluster_->Sql(primary,
                        "SELECT string_agg(slot_name || ' ' || active, ',') FROM "
                        "pg_replication_slots");
}

TEST_F(E2eTest, AGracefulStopOfThePrimarysAgentHandsOverAtOnce) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(cluster_->StopAgent(0).ok());
  const Takeover next = WaitForNewPrimary(0, absl::Seconds(30));
  ASSERT_GE(next.node, 0) << cluster_->Logs();
  Figure("graceful stop of the primary's agent -> first write", stopped, next.write_at);
  // The old node comes back as a replica of the new primary.
  ASSERT_TRUE(cluster_->StartAgent(0).ok());
  ExpectHealthy();
  EXPECT_EQ(cluster_->Primary(), next.node);
}

TEST_F(E2eTest, KillingThePrimaryNodeFailsOverAndTheOldPrimaryRejoins) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  ASSERT_TRUE(cluster_->Sql(0, "CREATE TABLE t AS SELECT generate_series(1, 1000) AS id").ok());
  for (int i = 1; i < cluster_->size(); ++i) {
    ASSERT_TRUE(Replicated(*cluster_, i, "SELECT count(*) FROM t", "1000"));
  }
  const absl::Time killed = absl::Now();
  cluster_->KillAgent(0, /*with_postgres=*/true);
  const Takeover next = WaitForNewPrimary(0);
  ASSERT_GE(next.node, 0) << cluster_->Logs();
  Figure("kill -9 of the primary (agent + postmaster) -> GET /primary 200", killed,
         next.primary_at);
  Figure("kill -9 of the primary (agent + postmaster) -> first write", killed, next.write_at);
  EXPECT_EQ(cluster_->Sql(next.node, "SELECT count(*) FROM t").value_or("?"), "1000");
  ASSERT_TRUE(cluster_->StartAgent(0).ok());
  ExpectHealthy();
  EXPECT_EQ(cluster_->Primary(), next.node);
}

// An agent that dies while its PostgreSQL runs on leaves a writable old primary: it keeps
// taking writes on the old timeline after another node is promoted. Its agent, back, must stop
// it and rewind it onto the new timeline: the diverged writes disappear.
TEST_F(E2eTest, TheOldPrimaryRejoinsThroughPgRewind) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  cluster_->KillAgent(0, /*with_postgres=*/false);
  const Takeover next = WaitForNewPrimary(0);
  ASSERT_GE(next.node, 0) << cluster_->Logs();
  ASSERT_TRUE(cluster_->Sql(0, "CREATE TABLE diverged AS SELECT generate_series(1, 100) AS id")
                  .ok());  // on the old timeline, after the fork
  ASSERT_TRUE(cluster_->Sql(next.node, "CREATE TABLE after_failover (id int)").ok());
  ASSERT_TRUE(cluster_->StartAgent(0).ok());
  ExpectHealthy(absl::Seconds(120));
  EXPECT_EQ(cluster_->Primary(), next.node);
  EXPECT_TRUE(absl::StrContains(cluster_->LogTail(0, 1 << 20), "rewinding to rejoin"))
      << cluster_->LogTail(0);
  EXPECT_TRUE(Replicated(*cluster_, 0, "SELECT to_regclass('after_failover') IS NOT NULL", "t"));
  EXPECT_EQ(cluster_->Sql(0, "SELECT to_regclass('diverged') IS NULL").value_or("?"), "t");
}

TEST_F(E2eTest, ReinitWipesAReplicaAndClonesItAgain) {
  ASSERT_NO_FATAL_FAILURE(StartCluster());
  ASSERT_TRUE(cluster_->Sql(0, "CREATE TABLE t AS SELECT generate_series(1, 10) AS id").ok());
  const std::string marker = cluster_->data_dir(1) + "/e2e_marker";
  std::ofstream(marker) << "this file goes when the data directory is cloned again\n";
  ASSERT_TRUE(std::filesystem::exists(marker));
  absl::StatusOr<std::string> out = cluster_->Wardenctl({"reinit", "e2e", "n2", "--force"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(
      E2eCluster::WaitFor([&] { return !std::filesystem::exists(marker); }, absl::Seconds(60)))
      << cluster_->Logs();
  ExpectHealthy();
  EXPECT_TRUE(Replicated(*cluster_, 1, "SELECT count(*) FROM t", "10"));
  EXPECT_EQ(cluster_->Primary(), 0);
}

}  // namespace
}  // namespace warden::test
