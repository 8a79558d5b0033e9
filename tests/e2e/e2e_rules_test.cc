// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Who may become primary: maximum_lag_on_failover, nofailover, failover_priority, synchronous
// mode (strict), and a node whose data belongs to another cluster.

#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_fixture.h"
#include "warden/core/codec.h"

namespace warden::test {
namespace {

// n2's WAL receiver is frozen (SIGSTOP) while the primary writes a few MB, so n2 lags past
// maximum_lag_on_failover (1 MiB); n3 is tagged nofailover. When the primary dies nobody may
// take over: n2 refuses because it lags, n3 because of its tag.
// It once killed the primary as soon as wardenctl list showed n2's lag, which compares with n2's
// member key and may show before the leader has published its position; n2 then rightly raced
// against the older status key (and its promote hung behind the frozen WAL receiver).
TEST_F(E2eTest, MaximumLagOnFailoverAndNofailoverLeaveNoCandidate) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.tags = {"", "", "  nofailover: true\n"}}));
  absl::StatusOr<std::string> receiver = cluster_->Sql(1, "SELECT pid FROM pg_stat_wal_receiver");
  int pid = 0;
  ASSERT_TRUE(receiver.ok() && absl::SimpleAtoi(*receiver, &pid) && pid > 1) << receiver.status();
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  absl::Cleanup resume = [pid] { ::kill(pid, SIGCONT); };  // a stopped process outlives all
  ASSERT_TRUE(cluster_
                  ->Sql(0,
                        "CREATE TABLE big AS SELECT g, repeat('x', 1000) FROM generate_series(1, "
                        "4000) g")
                  .ok());
  // The leader publishes its position in the status key every loop, and that is what n2 will
  // measure itself against: wait until it is 2 MB past what n2 received.
  const std::string status_key = ClusterKeys("/service", "e2e").status();
  ASSERT_TRUE(E2eCluster::WaitFor(
      [&] {
        absl::StatusOr<std::string> received =
            cluster_->Sql(1, "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::bigint");
        absl::StatusOr<std::string> text =
            cluster_->etcd().Etcdctl({"get", status_key, "--print-value-only"});
        int64_t position = 0;
        if (!received.ok() || !absl::SimpleAtoi(*received, &position) || !text.ok()) return false;
        absl::StatusOr<ClusterStatus> status =
            DecodeStatus(std::string(absl::StripAsciiWhitespace(*text)));
        return status.ok() && static_cast<int64_t>(status->optime) - position >= 2 * 1024 * 1024;
      },
      absl::Seconds(20)));
  cluster_->KillAgent(0, /*with_postgres=*/true);
  EXPECT_TRUE(E2eCluster::HoldsFor(
      [&] { return cluster_->Primary() < 0 && cluster_->WritableNodes().empty(); },
      absl::Seconds(8 + 8)))
      << cluster_->Logs();
  EXPECT_TRUE(absl::StrContains(cluster_->LogTail(1, 1 << 20), "maximum_lag_on_failover"))
      << cluster_->LogTail(1);
  EXPECT_TRUE(absl::StrContains(cluster_->LogTail(2, 1 << 20), "tagged nofailover"))
      << cluster_->LogTail(2);
}

// With the same WAL position, the higher failover_priority wins.
TEST_F(E2eTest, FailoverPriorityPicksTheCandidate) {
  ASSERT_NO_FATAL_FAILURE(
      StartCluster({.tags = {"", "  failover_priority: 1\n", "  failover_priority: 5\n"}}));
  cluster_->KillAgent(0, /*with_postgres=*/true);
  const Takeover next = WaitForNewPrimary(0);
  EXPECT_EQ(next.node, 2) << cluster_->Logs();
}

// The sync standby named in the DCS is the one promoted; in strict mode a primary without a
// sync standby blocks commits until one is back.
TEST_F(E2eTest, SynchronousModeStrictPromotesTheSyncStandbyAndBlocksWithoutOne) {
  ASSERT_NO_FATAL_FAILURE(StartCluster(
      {.extra_dcs_yaml = "    synchronous_mode: true\n    synchronous_mode_strict: true\n"}));
  std::string sync;
  ASSERT_TRUE(E2eCluster::WaitFor(
      [&] {
        for (const auto& [member, role] : Roles()) {
          if (role == "Sync Standby") sync = member;
        }
        return !sync.empty();
      },
      absl::Seconds(30)))
      << cluster_->Logs();
  const int sync_node = sync == "n2" ? 1 : 2;
  ASSERT_TRUE(cluster_->Sql(0, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)").ok());
  const absl::Time killed = absl::Now();
  cluster_->KillAgent(0, /*with_postgres=*/true);
  const Takeover next = WaitForNewPrimary(0);
  ASSERT_EQ(next.node, sync_node) << cluster_->Logs();
  Figure("sync strict: kill -9 of the primary -> first write", killed, next.write_at);

  // The other replica is the only standby left; stop it and a commit waits for it.
  const int other = 3 - sync_node;
  ASSERT_TRUE(cluster_->StopAgent(other).ok());
  absl::StatusOr<std::string> blocked_write = absl::UnknownError("not run");
  std::atomic<bool> written = false;
  std::thread writer([&] {
    blocked_write = cluster_->Sql(next.node, "INSERT INTO t VALUES (2)");
    written = true;
  });
  // However the test ends, the writer is released (its backend terminated) and joined.
  absl::Cleanup release = [&] {
    if (!written) {
      (void)cluster_->Sql(next.node,
                          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE wait_event = 'SyncRep'");
    }
    writer.join();
  };
  const bool waits = E2eCluster::WaitFor(
      [&] {
        absl::StatusOr<std::string> n = cluster_->Sql(
            next.node, "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'");
        return n.ok() && *n == "1";
      },
      absl::Seconds(20));
  EXPECT_TRUE(waits) << "a commit did not wait for a synchronous standby";
  ASSERT_TRUE(cluster_->StartAgent(other).ok());
  // The commit returns once the standby is back and named synchronous.
  EXPECT_TRUE(E2eCluster::WaitFor([&] { return written.load(); }, absl::Seconds(60)))
      << "the commit still waits a minute after the standby came back\n"
      << cluster_->Logs();
  std::move(release).Invoke();
  EXPECT_TRUE(blocked_write.ok()) << blocked_write.status();
  ExpectHealthy();
}

// A node whose data directory was initialized on its own (another system identifier) must not
// join: its agent says why and keeps PostgreSQL stopped.
TEST_F(E2eTest, ASystemIdMismatchIsRefusedWithAClearError) {
  ASSERT_NO_FATAL_FAILURE(StartCluster({.nodes = 2}));
  absl::StatusOr<int> stranger = cluster_->AddNode();
  ASSERT_TRUE(stranger.ok()) << stranger.status();
  absl::StatusOr<std::string> initdb =
      E2eCluster::RunAsPostgres({"/usr/lib/postgresql/15/bin/initdb", "-D",
                                 cluster_->data_dir(*stranger), "-A", "trust", "-U", "admin"});
  ASSERT_TRUE(initdb.ok()) << initdb.status();
  ASSERT_TRUE(cluster_->StartAgent(*stranger).ok());
  EXPECT_TRUE(E2eCluster::WaitFor(
      [&] { return absl::StrContains(cluster_->LogTail(*stranger), "system ID mismatch"); },
      absl::Seconds(30)))
      << cluster_->LogTail(*stranger);
  EXPECT_TRUE(E2eCluster::HoldsFor(
      [&] {
        return cluster_->PostmasterPid(*stranger) == 0 &&
               cluster_->Http(*stranger, "GET", "/replica") != 200 && cluster_->Primary() == 0;
      },
      absl::Seconds(3)));
  EXPECT_TRUE(cluster_->AgentRunning(*stranger));
}

}  // namespace
}  // namespace warden::test
