// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Patroni's acceptance scenarios on real components: etcd, three warden-agent processes and
// PostgreSQL 15 on loopback.

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_cluster.h"

namespace warden::test {
namespace {

class E2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<E2eCluster>> cluster = E2eCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    ASSERT_TRUE(E2eCluster::WaitFor([&] { return cluster_->Healthy(); }, absl::Seconds(90)))
        << Logs();
  }

  std::string Logs() const {
    std::string logs;
    for (int i = 0; i < cluster_->size(); ++i) {
      absl::StrAppend(&logs, "--- ", cluster_->name(i), "\n", cluster_->LogTail(i));
    }
    return logs;
  }

  std::unique_ptr<E2eCluster> cluster_;
};

TEST_F(E2eTest, BootstrapsOnePrimaryAndTwoStreamingReplicasThatReplicate) {
  const int primary = cluster_->Primary();
  ASSERT_GE(primary, 0);
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_EQ(cluster_->Http(i, "GET", "/replica"), i == primary ? 503 : 200);
    EXPECT_EQ(cluster_->Http(i, "OPTIONS", "/primary"), i == primary ? 200 : 503);
  }
  ASSERT_TRUE(
      cluster_->Sql(primary, "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)").ok());
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_TRUE(E2eCluster::WaitFor(
        [&] {
          absl::StatusOr<std::string> n = cluster_->Sql(i, "SELECT count(*) FROM t");
          return n.ok() && *n == "2";
        },
        absl::Seconds(10)))
        << cluster_->name(i);
  }
}

TEST_F(E2eTest, AGracefulStopOfThePrimarysAgentHandsOverAtOnce) {
  const int old = cluster_->Primary();
  ASSERT_GE(old, 0);
  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(cluster_->StopAgent(old).ok());
  int next = -1;
  ASSERT_TRUE(E2eCluster::WaitFor(
      [&] {
        next = cluster_->Primary();
        return next >= 0 && next != old &&
               cluster_->Sql(next, "CREATE TABLE IF NOT EXISTS after_stop (id int)").ok();
      },
      absl::Seconds(30)))
      << Logs();
  std::printf("graceful stop of the primary's agent -> first write on %s: %.2f s\n",
              cluster_->name(next).c_str(), absl::ToDoubleSeconds(absl::Now() - stopped));
  // The old node comes back as a replica of the new primary.
  ASSERT_TRUE(cluster_->StartAgent(old).ok());
  EXPECT_TRUE(E2eCluster::WaitFor([&] { return cluster_->Healthy(); }, absl::Seconds(60)))
      << Logs();
  EXPECT_EQ(cluster_->Primary(), next);
}

}  // namespace
}  // namespace warden::test
