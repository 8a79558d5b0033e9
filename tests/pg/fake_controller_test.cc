// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// FakeController, the model of a PostgreSQL node that the HA core is tested against. Each case is
// one rule of the model.

#include "warden/pg/fake_controller.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

// The fake never reads a clock, so no deadline can pass.
constexpr absl::Time kDeadline = absl::InfiniteFuture();

Upstream UpstreamOf(const FakeController& node, std::string slot = "") {
  return Upstream{.host = node.host(), .port = node.port(), .slot_name = std::move(slot)};
}

// An address where no node is.
Upstream Nowhere() {
  Upstream upstream;
  upstream.host = "10.9.9.9";
  return upstream;
}

SyncStandbys Sync(SyncStandbys::Method method, int count, std::vector<std::string> names) {
  SyncStandbys sync;
  sync.method = method;
  sync.count = count;
  sync.names = std::move(names);
  return sync;
}

LocalPostgres StateOf(FakeController& node) {
  absl::StatusOr<LocalPostgres> state = node.State(kDeadline);
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : LocalPostgres{};
}

// Three nodes on one network; pg1 is usually the first primary.
class FakeControllerTest : public ::testing::Test {
 protected:
  void BootstrapPg1() { ASSERT_TRUE(pg1_.Bootstrap({}, kDeadline).ok()); }

  void CloneAndStart(FakeController& node, const FakeController& from) {
    ASSERT_TRUE(node.Clone(UpstreamOf(from), {}, kDeadline).ok());
    ASSERT_TRUE(node.Start(kDeadline).ok());
  }

  // pg1 primary with pg2 and pg3 streaming from it, caught up.
  void ThreeNodeCluster() {
    BootstrapPg1();
    CloneAndStart(pg2_, pg1_);
    CloneAndStart(pg3_, pg1_);
  }

  absl::Status Stop(FakeController& node) {
    return node.Stop(StopMode::kFast, absl::Seconds(10), kDeadline);
  }

  FakePgNetwork network_;
  FakeController pg1_{network_, "pg1", "10.0.0.1", 5432};
  FakeController pg2_{network_, "pg2", "10.0.0.2", 5432};
  FakeController pg3_{network_, "pg3", "10.0.0.3", 5432};
};

// --- Bootstrap, start, stop ---

TEST_F(FakeControllerTest, BootstrapStartsAPrimaryOnTimelineOne) {
  EXPECT_EQ(StateOf(pg1_), LocalPostgres{});  // no data directory yet
  BootstrapPg1();
  LocalPostgres state = StateOf(pg1_);
  EXPECT_TRUE(state.running);
  EXPECT_EQ(state.role, PgRole::kPrimary);
  EXPECT_EQ(state.timeline, 1);
  EXPECT_EQ(state.wal_lsn, FakeController::kBootstrapLsn);
  EXPECT_NE(state.system_identifier, 0u);
  EXPECT_EQ(state.server_version, 150005);
  EXPECT_TRUE(pg1_.history().empty());
}

TEST_F(FakeControllerTest, SystemIdentifierComesFromTheSeed) {
  pg1_.set_system_identifier_seed(7);
  pg2_.set_system_identifier_seed(7);
  BootstrapPg1();
  ASSERT_TRUE(pg2_.Bootstrap({}, kDeadline).ok());
  EXPECT_EQ(pg1_.system_identifier(), pg2_.system_identifier());

  FakePgNetwork other;
  FakeController again(other, "again", "10.0.0.9", 5432);
  again.set_system_identifier_seed(8);
  ASSERT_TRUE(again.Bootstrap({}, kDeadline).ok());
  EXPECT_NE(again.system_identifier(), pg1_.system_identifier());
}

TEST_F(FakeControllerTest, BootstrapOverExistingDataIsRefused) {
  BootstrapPg1();
  ASSERT_TRUE(Stop(pg1_).ok());
  const uint64_t id = pg1_.system_identifier();
  absl::Status again = pg1_.Bootstrap({}, kDeadline);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
  EXPECT_EQ(pg1_.system_identifier(), id);
}

TEST_F(FakeControllerTest, WriteAdvancesThePrimaryWalOnly) {
  BootstrapPg1();
  ASSERT_TRUE(pg1_.Write(100).ok());
  EXPECT_EQ(StateOf(pg1_).wal_lsn, FakeController::kBootstrapLsn + 100);
  CloneAndStart(pg2_, pg1_);
  EXPECT_EQ(pg2_.Write(1).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Stop(pg1_).ok());
  EXPECT_EQ(pg1_.Write(1).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FakeControllerTest, StartNeedsData) {
  EXPECT_EQ(pg1_.Start(kDeadline).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FakeControllerTest, StopLeavesAShutDownClusterState) {
  ThreeNodeCluster();
  ASSERT_TRUE(Stop(pg1_).ok());
  ASSERT_TRUE(Stop(pg2_).ok());
  ASSERT_TRUE(pg3_.Stop(StopMode::kImmediate, absl::Seconds(1), kDeadline).ok());
  EXPECT_FALSE(StateOf(pg1_).running);
  EXPECT_EQ(StateOf(pg1_).cluster_state, "shut down");
  EXPECT_EQ(StateOf(pg1_).wal_lsn, 0u);  // LSNs of a stopped server are not reported
  EXPECT_EQ(StateOf(pg2_).cluster_state, "shut down in recovery");
  EXPECT_EQ(StateOf(pg3_).cluster_state, "in archive recovery");  // no shutdown checkpoint
  EXPECT_TRUE(Stop(pg1_).ok());                                   // already stopped
}

TEST_F(FakeControllerTest, CrashIsSeenAtOnceAndStopsReplication) {
  ThreeNodeCluster();
  pg1_.Crash();
  LocalPostgres state = StateOf(pg1_);
  EXPECT_FALSE(state.running);
  EXPECT_EQ(state.cluster_state, "in production");
  EXPECT_FALSE(StateOf(pg2_).streaming);
  pg2_.Crash();
  EXPECT_EQ(StateOf(pg2_).cluster_state, "in archive recovery");
}

TEST_F(FakeControllerTest, RestartCountsAsANewPostmaster) {
  BootstrapPg1();
  const absl::Time first = StateOf(pg1_).postmaster_start_time;
  ASSERT_TRUE(pg1_.Restart(kDeadline).ok());
  EXPECT_GT(StateOf(pg1_).postmaster_start_time, first);
}

// --- Streaming ---

TEST_F(FakeControllerTest, ACloneStreamsAndConverges) {
  BootstrapPg1();
  ASSERT_TRUE(pg1_.Write(500).ok());
  std::vector<CloneProgress> progress;
  ASSERT_TRUE(
      pg2_.Clone(
              UpstreamOf(pg1_), [&](const CloneProgress& p) { progress.push_back(p); }, kDeadline)
          .ok());
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().done_bytes, progress.back().total_bytes);
  EXPECT_FALSE(StateOf(pg2_).running);  // a clone is not started
  EXPECT_EQ(pg2_.system_identifier(), pg1_.system_identifier());

  ASSERT_TRUE(pg2_.Start(kDeadline).ok());
  ASSERT_TRUE(pg1_.Write(300).ok());
  LocalPostgres replica = StateOf(pg2_);
  EXPECT_EQ(replica.role, PgRole::kReplica);
  EXPECT_TRUE(replica.streaming);
  EXPECT_EQ(replica.upstream, "10.0.0.1:5432");
  EXPECT_EQ(replica.received_lsn, pg1_.wal_lsn());
  EXPECT_EQ(replica.replayed_lsn, pg1_.wal_lsn());

  LocalPostgres primary = StateOf(pg1_);
  ASSERT_EQ(primary.replication.size(), 1u);
  EXPECT_EQ(primary.replication[0].application_name, "pg2");
  EXPECT_EQ(primary.replication[0].client_addr, "10.0.0.2");
  EXPECT_EQ(primary.replication[0].state, "streaming");
  EXPECT_EQ(primary.replication[0].sync_state, "async");
  EXPECT_EQ(primary.replication[0].replay_lsn, primary.wal_lsn);
}

TEST_F(FakeControllerTest, CloneOverExistingDataIsRefused) {
  BootstrapPg1();
  CloneAndStart(pg2_, pg1_);
  ASSERT_TRUE(Stop(pg2_).ok());
  EXPECT_EQ(pg2_.Clone(UpstreamOf(pg1_), {}, kDeadline).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(pg3_.Clone(UpstreamOf(pg2_), {}, kDeadline).code(),  // pg2 is not running
            absl::StatusCode::kUnavailable);
}

TEST_F(FakeControllerTest, LagHoldsTheReplicaBack) {
  ThreeNodeCluster();
  pg2_.SetReplicationLag(1000);
  ASSERT_TRUE(pg1_.Write(5000).ok());
  EXPECT_EQ(StateOf(pg2_).replayed_lsn, pg1_.wal_lsn() - 1000);
  EXPECT_EQ(StateOf(pg3_).replayed_lsn, pg1_.wal_lsn());
  pg2_.SetReplicationLag(0);
  EXPECT_EQ(StateOf(pg2_).replayed_lsn, pg1_.wal_lsn());
}

TEST_F(FakeControllerTest, ACascadingReplicaNeverPassesItsUpstream) {
  BootstrapPg1();
  CloneAndStart(pg2_, pg1_);
  CloneAndStart(pg3_, pg2_);
  pg2_.SetReplicationLag(100);
  ASSERT_TRUE(pg1_.Write(1000).ok());
  EXPECT_EQ(StateOf(pg3_).received_lsn, pg2_.wal_lsn());
  EXPECT_EQ(pg3_.wal_lsn(), pg1_.wal_lsn() - 100);
  EXPECT_EQ(StateOf(pg1_).replication.size(), 1u);  // only its own walsenders
}

// --- Failover ---

TEST_F(FakeControllerTest, PromoteForksTheTimeline) {
  ThreeNodeCluster();
  const Lsn fork = pg1_.wal_lsn();
  pg1_.Crash();
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  EXPECT_EQ(pg2_.timeline(), 2);
  EXPECT_THAT(pg2_.history(), ElementsAre(TimelineFork{.timeline = 2, .fork_lsn = fork}));
  LocalPostgres state = StateOf(pg2_);
  EXPECT_EQ(state.role, PgRole::kPrimary);
  EXPECT_EQ(state.upstream, "");
  EXPECT_TRUE(pg2_.Write(10).ok());
}

TEST_F(FakeControllerTest, PromoteNeedsARunningReplica) {
  ThreeNodeCluster();
  EXPECT_EQ(pg1_.Promote(kDeadline).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Stop(pg2_).ok());
  EXPECT_EQ(pg2_.Promote(kDeadline).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FakeControllerTest, FailNextPromoteFailsOnceAndChangesNothing) {
  ThreeNodeCluster();
  pg2_.FailNextPromote(absl::InternalError("pg_ctl promote: timed out"));
  EXPECT_EQ(pg2_.Promote(kDeadline).code(), absl::StatusCode::kInternal);
  EXPECT_EQ(StateOf(pg2_).role, PgRole::kReplica);
  EXPECT_EQ(pg2_.timeline(), 1);
  EXPECT_TRUE(pg2_.Promote(kDeadline).ok());
}

TEST_F(FakeControllerTest, ReplicasOfTheOldPrimaryFollowTheNewOne) {
  ThreeNodeCluster();
  pg1_.Crash();
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  ASSERT_TRUE(pg3_.Follow(UpstreamOf(pg2_), kDeadline).ok());
  ASSERT_TRUE(pg2_.Write(100).ok());
  LocalPostgres state = StateOf(pg3_);
  EXPECT_TRUE(state.streaming);
  EXPECT_EQ(state.upstream, "10.0.0.2:5432");
  EXPECT_EQ(state.timeline, 2);  // adopted with the history
  EXPECT_EQ(state.replayed_lsn, pg2_.wal_lsn());
}

TEST_F(FakeControllerTest, AStoppedReplicaThatDidNotDivergeFollowsWithoutRewind) {
  ThreeNodeCluster();
  ASSERT_TRUE(Stop(pg3_).ok());  // on timeline 1, behind
  ASSERT_TRUE(pg1_.Write(100).ok());
  ASSERT_TRUE(Stop(pg1_).ok());  // a switchover: pg2 has everything
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  ASSERT_TRUE(pg2_.Write(100).ok());
  for (FakeController* old : {&pg1_, &pg3_}) {
    ASSERT_TRUE(old->Follow(UpstreamOf(pg2_), kDeadline).ok());
    EXPECT_FALSE(StateOf(*old).running);  // Follow leaves a stopped node stopped
    ASSERT_TRUE(old->Start(kDeadline).ok());
    EXPECT_TRUE(StateOf(*old).streaming) << old->name();
    EXPECT_EQ(old->wal_lsn(), pg2_.wal_lsn()) << old->name();
  }
}

TEST_F(FakeControllerTest, ADivergedOldPrimaryStreamsOnlyAfterRewind) {
  ThreeNodeCluster();
  pg2_.SetReplicationLag(100);
  ASSERT_TRUE(pg1_.Write(1000).ok());  // the last 100 bytes never reach pg2
  pg1_.Crash();
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  const Lsn fork = pg2_.history().back().fork_lsn;
  EXPECT_EQ(fork, pg1_.wal_lsn() - 100);

  ASSERT_TRUE(pg1_.Follow(UpstreamOf(pg2_), kDeadline).ok());
  ASSERT_TRUE(pg1_.Start(kDeadline).ok());
  EXPECT_FALSE(StateOf(pg1_).streaming);  // it wrote WAL on the timeline pg2 abandoned
  EXPECT_EQ(StateOf(pg1_).timeline, 1);

  ASSERT_TRUE(pg1_.Rewind(UpstreamOf(pg2_), kDeadline).ok());
  EXPECT_FALSE(StateOf(pg1_).running);  // Rewind leaves it stopped
  EXPECT_EQ(pg1_.wal_lsn(), fork);
  EXPECT_EQ(pg1_.timeline(), 2);
  ASSERT_TRUE(pg1_.Start(kDeadline).ok());
  ASSERT_TRUE(pg2_.Write(10).ok());
  EXPECT_TRUE(StateOf(pg1_).streaming);
  EXPECT_EQ(pg1_.wal_lsn(), pg2_.wal_lsn());
}

TEST_F(FakeControllerTest, FollowDemotesARunningPrimary) {
  ThreeNodeCluster();
  ASSERT_TRUE(pg1_.Write(100).ok());
  // A split brain in the making: pg2 promoted while pg1 still runs.
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  ASSERT_TRUE(pg1_.Write(100).ok());
  ASSERT_TRUE(pg1_.Follow(UpstreamOf(pg2_), kDeadline).ok());
  LocalPostgres state = StateOf(pg1_);
  EXPECT_TRUE(state.running);
  EXPECT_EQ(state.role, PgRole::kReplica);
  EXPECT_FALSE(state.streaming);  // diverged: needs a rewind
  EXPECT_EQ(pg1_.Write(1).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(FakeControllerTest, RewindNeedsAReachableSource) {
  ThreeNodeCluster();
  pg1_.Crash();
  EXPECT_EQ(pg2_.Rewind(UpstreamOf(pg1_), kDeadline).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pg2_.Rewind(Nowhere(), kDeadline).code(), absl::StatusCode::kUnavailable);
}

TEST_F(FakeControllerTest, FailNextRewindFailsOnceLeavingTheNodeStopped) {
  ThreeNodeCluster();
  ASSERT_TRUE(pg1_.Write(100).ok());
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  ASSERT_TRUE(pg1_.Write(100).ok());
  const Lsn before = pg1_.wal_lsn();
  pg1_.FailNextRewind(absl::InternalError("pg_rewind: could not find common ancestor"));
  EXPECT_EQ(pg1_.Rewind(UpstreamOf(pg2_), kDeadline).code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(StateOf(pg1_).running);
  EXPECT_EQ(pg1_.wal_lsn(), before);
  EXPECT_EQ(pg1_.timeline(), 1);
  EXPECT_TRUE(pg1_.Rewind(UpstreamOf(pg2_), kDeadline).ok());
  EXPECT_EQ(pg1_.timeline(), 2);
}

TEST_F(FakeControllerTest, ReinitializeReplacesDivergedData) {
  ThreeNodeCluster();
  ASSERT_TRUE(pg2_.Promote(kDeadline).ok());
  ASSERT_TRUE(pg1_.Write(100).ok());  // pg1 diverges
  const Lsn diverged = pg1_.wal_lsn();
  // An unreachable source is noticed before anything is deleted.
  EXPECT_EQ(pg1_.Reinitialize(Nowhere(), {}, kDeadline).code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(StateOf(pg1_).running);
  EXPECT_EQ(pg1_.wal_lsn(), diverged);

  int calls = 0;
  ASSERT_TRUE(pg1_.Reinitialize(
                      UpstreamOf(pg2_), [&](const CloneProgress&) { ++calls; }, kDeadline)
                  .ok());
  EXPECT_GE(calls, 1);
  EXPECT_FALSE(StateOf(pg1_).running);
  ASSERT_TRUE(pg1_.Start(kDeadline).ok());
  EXPECT_TRUE(StateOf(pg1_).streaming);
  EXPECT_EQ(pg1_.timeline(), 2);
}

// --- Synchronous replication ---

TEST_F(FakeControllerTest, FirstNMakesTheEarliestConnectedListedStandbysSync) {
  ThreeNodeCluster();
  ASSERT_TRUE(pg1_.SetSynchronousStandbyNames(Sync(SyncStandbys::Method::kFirst, 1, {"pg3", "pg2"}),
                                              kDeadline)
                  .ok());
  EXPECT_EQ(pg1_.synchronous_standby_names(), R"(FIRST 1 ("pg3","pg2"))");
  EXPECT_THAT(StateOf(pg1_).replication,
              ElementsAre(Field(&ReplicationConnection::sync_state, "potential"),  // pg2
                          Field(&ReplicationConnection::sync_state, "sync")));     // pg3
  ASSERT_TRUE(Stop(pg3_).ok());
  EXPECT_THAT(StateOf(pg1_).replication,
              ElementsAre(Field(&ReplicationConnection::sync_state, "sync")));  // pg2 takes over
}

TEST_F(FakeControllerTest, AnyNMakesListedStandbysQuorumAndOthersAsync) {
  ThreeNodeCluster();
  ASSERT_TRUE(
      pg1_.SetSynchronousStandbyNames(Sync(SyncStandbys::Method::kAny, 1, {"pg2"}), kDeadline)
          .ok());
  EXPECT_THAT(StateOf(pg1_).replication,
              ElementsAre(Field(&ReplicationConnection::sync_state, "quorum"),
                          Field(&ReplicationConnection::sync_state, "async")));
}

TEST_F(FakeControllerTest, AWriteIsAcknowledgedOnlyWhenSynchronousStandbysHaveIt) {
  ThreeNodeCluster();
  ASSERT_TRUE(
      pg1_.SetSynchronousStandbyNames(Sync(SyncStandbys::Method::kFirst, 1, {"pg2"}), kDeadline)
          .ok());
  EXPECT_TRUE(pg1_.Write(100).ok());
  pg2_.SetReplicationLag(10);
  const Lsn before = pg1_.wal_lsn();
  absl::Status lagging = pg1_.Write(100);
  EXPECT_EQ(lagging.code(), absl::StatusCode::kDeadlineExceeded) << lagging;
  EXPECT_THAT(lagging.message(), HasSubstr("synchronous"));
  EXPECT_EQ(pg1_.wal_lsn(), before + 100);  // written locally all the same

  pg2_.SetReplicationLag(0);
  EXPECT_TRUE(pg1_.Write(100).ok());

  // Strict mode with no candidate: '*' accepts any one standby, and waits while there is none.
  SyncStandbys strict;
  strict.strict_placeholder = true;
  ASSERT_TRUE(pg1_.SetSynchronousStandbyNames(strict, kDeadline).ok());
  EXPECT_EQ(pg1_.synchronous_standby_names(), "*");
  ASSERT_TRUE(Stop(pg2_).ok());
  EXPECT_TRUE(pg1_.Write(100).ok());  // pg3 confirms
  ASSERT_TRUE(Stop(pg3_).ok());
  EXPECT_EQ(pg1_.Write(100).code(), absl::StatusCode::kDeadlineExceeded);
}

// --- Slots and faults ---

TEST_F(FakeControllerTest, SlotsAreIdempotentAndNeededByReplicasThatNameThem) {
  BootstrapPg1();
  ASSERT_TRUE(pg2_.Clone(UpstreamOf(pg1_, "pg2"), {}, kDeadline).ok());
  ASSERT_TRUE(pg2_.Start(kDeadline).ok());
  EXPECT_FALSE(StateOf(pg2_).streaming);  // "replication slot does not exist"

  EXPECT_TRUE(pg1_.CreateReplicationSlot("pg2", kDeadline).ok());
  EXPECT_TRUE(pg1_.CreateReplicationSlot("pg2", kDeadline).ok());
  EXPECT_THAT(pg1_.replication_slots(), ElementsAre("pg2"));
  EXPECT_TRUE(StateOf(pg2_).streaming);
  EXPECT_EQ(pg1_.DropReplicationSlot("pg2", kDeadline).code(),  // active
            absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(Stop(pg2_).ok());
  EXPECT_TRUE(pg1_.DropReplicationSlot("pg2", kDeadline).ok());
  EXPECT_TRUE(pg1_.DropReplicationSlot("pg2", kDeadline).ok());
  EXPECT_TRUE(pg1_.replication_slots().empty());
  EXPECT_EQ(pg1_.CreateReplicationSlot("Bad-Name", kDeadline).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pg2_.CreateReplicationSlot("x", kDeadline).code(),  // not running
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(FakeControllerTest, AHungNodeTimesOutEveryCallButState) {
  ThreeNodeCluster();
  pg1_.SetHung(true);
  EXPECT_EQ(pg1_.Checkpoint(kDeadline).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Stop(pg1_).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(pg1_.Write(1).code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(StateOf(pg1_).running);
  EXPECT_FALSE(StateOf(pg2_).streaming);  // a hung upstream serves no WAL
  FakeController pg4(network_, "pg4", "10.0.0.4", 5432);
  EXPECT_EQ(pg4.Clone(UpstreamOf(pg1_), {}, kDeadline).code(), absl::StatusCode::kDeadlineExceeded);

  pg1_.SetHung(false);
  EXPECT_TRUE(pg1_.Checkpoint(kDeadline).ok());
  EXPECT_TRUE(StateOf(pg2_).streaming);

  pg1_.SetHung(true);
  pg1_.Crash();  // killing a hung postmaster works
  EXPECT_FALSE(StateOf(pg1_).running);
  EXPECT_TRUE(pg1_.Start(kDeadline).ok());
}

TEST_F(FakeControllerTest, ANodeThatGoesAwayIsNoLongerAnUpstream) {
  BootstrapPg1();
  {
    FakeController pg4(network_, "pg4", "10.0.0.4", 5432);
    EXPECT_EQ(network_.Find("10.0.0.4", 5432), &pg4);
    CloneAndStart(pg4, pg1_);
    ASSERT_TRUE(pg2_.Clone(UpstreamOf(pg4), {}, kDeadline).ok());
    ASSERT_TRUE(pg2_.Start(kDeadline).ok());
    EXPECT_TRUE(StateOf(pg2_).streaming);
  }
  EXPECT_EQ(network_.Find("10.0.0.4", 5432), nullptr);
  EXPECT_FALSE(StateOf(pg2_).streaming);
}

}  // namespace
}  // namespace warden
