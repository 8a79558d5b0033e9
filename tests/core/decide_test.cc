// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The HA rules, one case each: build a view and a local node, decide, check the steps. Read as a
// specification: the fixture's default is a 3-member cluster (n1, n2, n3) where this node, n1,
// is a streaming replica at LSN 1000 on timeline 1, with no leader key.

#include "warden/core/decide.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "warden/core/slots.h"

namespace warden {
namespace {

using ::testing::HasSubstr;
using T = Action::Type;
using Steps = std::vector<T>;

constexpr uint64_t kSysId = 7218046306071193898u;
constexpr Revision kFence = 100;

class DecideTest : public ::testing::Test {
 protected:
  DecideTest() {
    view.initialize = kSysId;
    view.members = {NewMember("n1"), NewMember("n2"), NewMember("n3")};
    me.name = "n1";
    me.lease = 7;
    me.lease_deadline = now + absl::Hours(1);  // a healthy lease, unless a test says otherwise
    Replica(1000);
  }

  static Member NewMember(const std::string& name) {
    Member m;
    m.name = name;
    m.conn_url = "postgres://10.0.0." + name.substr(1) + ":5432/postgres";
    m.api_url = "http://10.0.0." + name.substr(1) + ":8008/patroni";
    m.state = "running";
    m.role = "replica";
    m.timeline = 1;
    return m;
  }
  Member& Of(const std::string& name) {
    for (Member& m : view.members) {
      if (m.name == name) return m;
    }
    return view.members.front();
  }

  void Leader(const std::string& name) {
    view.leader = LeaderKey{name, kFence, kFence + 5, 77};
    Of(name).role = "primary";
  }
  void Primary(Lsn lsn) {
    me.postgres = LocalPostgres{};
    me.postgres.running = true;
    me.postgres.role = PgRole::kPrimary;
    me.postgres.wal_lsn = lsn;
    me.postgres.timeline = 1;
    me.postgres.system_identifier = kSysId;
  }
  void Replica(Lsn lsn, const std::string& upstream = "10.0.0.2:5432") {
    me.postgres = LocalPostgres{};
    me.postgres.running = true;
    me.postgres.role = PgRole::kReplica;
    me.postgres.received_lsn = lsn;
    me.postgres.replayed_lsn = lsn;
    me.postgres.timeline = 1;
    me.postgres.system_identifier = kSysId;
    me.postgres.upstream = upstream;
    me.postgres.streaming = true;
  }
  void Stopped(PgRole role, Lsn lsn) {
    me.postgres.running = false;
    me.postgres.role = role;
    me.postgres.wal_lsn = me.postgres.received_lsn = me.postgres.replayed_lsn = 0;
    me.stopped_lsn = lsn;
  }
  void NoData() { me.postgres = LocalPostgres{}; }
  MemberProbe& Probe(const std::string& name, Lsn lsn, PgRole role = PgRole::kReplica) {
    me.probes.push_back(MemberProbe{name, true, true, role, lsn, 1, false});
    return me.probes.back();
  }
  void Streaming(const std::string& name, const std::string& sync_state = "async",
                 Lsn flush = 1000) {
    me.postgres.replication.push_back(ReplicationConnection{name, "10.0.0." + name.substr(1),
                                                            "streaming", sync_state, flush, flush,
                                                            flush, flush, "replicator"});
  }

  Decision D() { return Decide(view, me, config, now); }
  // The steps, without the member-key write that (almost) every decision starts with and the
  // slot upkeep that leaders and replicas add at the end (the Slots tests below cover that).
  static Steps S(const Decision& d) {
    Steps steps;
    for (const Action& a : d.actions) {
      if (a.type != T::kWriteMember && a.type != T::kSyncReplicationSlots) {
        steps.push_back(a.type);
      }
    }
    return steps;
  }
  static const Action& Find(const Decision& d, T type) {
    for (const Action& a : d.actions) {
      if (a.type == type) return a;
    }
    static const Action kNone{};
    ADD_FAILURE() << "no " << ActionName(type);
    return kNone;
  }

  ClusterView view;
  LocalNode me;
  DynamicConfig config;
  absl::Time now = absl::FromUnixSeconds(1'700'000'000);
};

// --- Bootstrap and identity -------------------------------------------------------------------

TEST_F(DecideTest, UninitializedClusterWithoutDataRacesToBootstrap) {
  view.initialize.reset();
  NoData();
  EXPECT_EQ(S(D()), (Steps{T::kInitializeCluster, T::kAcquireLeader, T::kBootstrap}));
}

TEST_F(DecideTest, UninitializedNofailoverNodeDoesNotBootstrap) {
  view.initialize.reset();
  NoData();
  me.tags.nofailover = true;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, UninitializedFailoverPriorityZeroDoesNotBootstrap) {
  view.initialize.reset();
  NoData();
  me.tags.failover_priority = 0;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, LostInitializeKeyIsRewrittenByTheRunningPrimary) {
  view.initialize.reset();  // the seed's "delete the keys" fix
  Primary(5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kAcquireLeader, T::kInitializeCluster}));
  EXPECT_EQ(Find(d, T::kInitializeCluster).system_identifier, kSysId);
}

TEST_F(DecideTest, UninitializedReplicaWithDataWaitsForAPrimary) {
  view.initialize.reset();
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, ClaimedInitializeKeyGetsTheSystemIdFromTheLeader) {
  view.initialize = 0;
  Leader("n1");
  Primary(5000);
  Decision d = D();
  EXPECT_TRUE(d.Has(T::kInitializeCluster));
  EXPECT_EQ(Find(d, T::kInitializeCluster).system_identifier, kSysId);
}

TEST_F(DecideTest, SystemIdMismatchRefusesToRun) {
  view.initialize = 1234;
  Decision d = D();
  EXPECT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].type, T::kRefuseToRun);
  EXPECT_NE(d.reason.find("1234"), std::string::npos);
  EXPECT_NE(d.reason.find(std::to_string(kSysId)), std::string::npos);
}

TEST_F(DecideTest, SystemIdMismatchRefusesEvenTheLeader) {
  view.initialize = 1234;
  Leader("n1");
  Primary(5000);
  EXPECT_EQ(S(D()), Steps{T::kRefuseToRun});
}

TEST_F(DecideTest, NodeWithoutDataHasNoSystemIdToMismatch) {
  view.initialize = 1234;
  Leader("n2");
  NoData();
  EXPECT_EQ(S(D()), (Steps{T::kClone, T::kStartPostgres}));
}

TEST_F(DecideTest, EveryDecisionWithTheDcsStartsByPublishingTheMember) {
  Leader("n2");
  Decision d = D();
  ASSERT_FALSE(d.actions.empty());
  EXPECT_EQ(d.actions.front().type, T::kWriteMember);
}

// --- The leader -------------------------------------------------------------------------------

TEST_F(DecideTest, LeaderRefreshesTheKeyAndPublishesItsPosition) {
  Leader("n1");
  Primary(5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRefreshLeader, T::kWriteStatus}));
  EXPECT_EQ(Find(d, T::kWriteStatus).optime, 5000u);
  EXPECT_EQ(d.reason, "no action: I am the leader with the lock");
}

TEST_F(DecideTest, EveryLeaderWriteIsFencedByTheKeysCreateRevision) {
  Leader("n1");
  Primary(5000);
  for (const Action& a : D().actions) {
    if (a.type != T::kWriteMember && a.type != T::kSyncReplicationSlots) {  // not DCS writes
      EXPECT_EQ(a.fence, kFence) << ActionName(a.type);
    }
  }
}

TEST_F(DecideTest, LeaderKeyHolderStillAReplicaPromotes) {
  Leader("n1");
  EXPECT_EQ(S(D()), (Steps{T::kRefreshLeader, T::kPromote}));
}

TEST_F(DecideTest, PromotionClearsTheFailoverKeyThatAskedForIt) {
  Leader("n1");
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  EXPECT_EQ(S(D()), (Steps{T::kRefreshLeader, T::kPromote, T::kClearFailover}));
}

TEST_F(DecideTest, LeaderWhosePostgresIsDownRestartsItInPlace) {
  Leader("n1");
  Primary(5000);
  Stopped(PgRole::kPrimary, 5000);
  EXPECT_EQ(S(D()), (Steps{T::kRefreshLeader, T::kStartPostgres}));
}

TEST_F(DecideTest, RestartInPlaceIsRecheckedWhenPrimaryStartTimeoutEnds) {
  Leader("n1");
  Primary(5000);
  Stopped(PgRole::kPrimary, 5000);
  me.postgres_down_since = now - absl::Seconds(100);
  Decision d = D();
  EXPECT_TRUE(d.Has(T::kStartPostgres));
  EXPECT_EQ(d.recheck_by, now + absl::Seconds(200));
}

TEST_F(DecideTest, LeaderDownPastPrimaryStartTimeoutReleasesTheKey) {
  Leader("n1");
  Primary(5000);
  Stopped(PgRole::kPrimary, 5000);
  me.postgres_down_since = now - absl::Seconds(301);
  EXPECT_EQ(S(D()), Steps{T::kReleaseLeader});
}

TEST_F(DecideTest, ShorterPrimaryStartTimeoutReleasesSooner) {
  Leader("n1");
  Primary(5000);
  Stopped(PgRole::kPrimary, 5000);
  config.primary_start_timeout = absl::Seconds(10);
  me.postgres_down_since = now - absl::Seconds(11);
  EXPECT_EQ(S(D()), Steps{T::kReleaseLeader});
}

TEST_F(DecideTest, LeaderWithoutDataReleasesTheKey) {
  Leader("n1");
  NoData();
  EXPECT_EQ(S(D()), Steps{T::kReleaseLeader});
}

TEST_F(DecideTest, ANewLeaderPublishesItsTimelineHistory) {
  Leader("n1");
  Primary(5000);
  me.postgres.timeline = 2;
  me.timeline_history = {TimelineHistoryEntry{1, 4000, "promoted", "", "n1"}};
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRefreshLeader, T::kWriteStatus, T::kWriteHistory}));
  EXPECT_EQ(Find(d, T::kWriteHistory).history, me.timeline_history);
  EXPECT_EQ(Find(d, T::kWriteHistory).fence, kFence);
}

TEST_F(DecideTest, ADifferentPublishedHistoryOfTheSameLengthIsReplaced) {
  Leader("n1");
  Primary(5000);
  me.timeline_history = {TimelineHistoryEntry{1, 4000, "promoted", "", "n1"}};
  view.history = {TimelineHistoryEntry{1, 3000, "promoted", "", "n3"}};  // another lineage's
  EXPECT_TRUE(D().Has(T::kWriteHistory));
}

TEST_F(DecideTest, APublishedHistoryIsNotWrittenAgain) {
  Leader("n1");
  Primary(5000);
  me.timeline_history = {TimelineHistoryEntry{1, 4000, "promoted", "", "n1"}};
  view.history = me.timeline_history;
  EXPECT_FALSE(D().Has(T::kWriteHistory));
}

TEST_F(DecideTest, FailoverKeyNamingAnotherLeaderIsStaleAndCleared) {
  Leader("n1");
  Primary(5000);
  view.failover = FailoverRequest{"n3", "n2", std::nullopt, 0};
  EXPECT_EQ(S(D()), (Steps{T::kClearFailover, T::kRefreshLeader, T::kWriteStatus}));
}

TEST_F(DecideTest, FailoverKeyNamingMeAsCandidateIsDoneAndCleared) {
  Leader("n1");
  Primary(5000);
  view.failover = FailoverRequest{"", "n1", std::nullopt, 0};
  EXPECT_EQ(S(D()), (Steps{T::kClearFailover, T::kRefreshLeader, T::kWriteStatus}));
}

// --- Fencing: the lease deadline -----------------------------------------------------------------

TEST_F(DecideTest, PrimaryDemotesImmediatelyOnceTheLeaseCannotBeConfirmed) {
  Leader("n1");
  Primary(5000);
  me.lease_deadline = now + absl::Seconds(1);  // inside the 2 s demote margin
  Decision d = D();
  ASSERT_EQ(d.actions.size(), 1u);
  EXPECT_EQ(d.actions[0].type, T::kDemote);
  EXPECT_EQ(d.actions[0].stop_mode, StopMode::kImmediate);
}

TEST_F(DecideTest, PrimaryBeforeTheMarginCarriesOnAndIsRecheckedInTime) {
  Leader("n1");
  Primary(5000);
  me.lease_deadline = now + absl::Seconds(10);
  Decision d = D();
  EXPECT_FALSE(d.Has(T::kDemote));
  EXPECT_EQ(d.recheck_by, now + absl::Seconds(8));
}

TEST_F(DecideTest, ALargerDemoteMarginDemotesEarlier) {
  Leader("n1");
  Primary(5000);
  me.lease_deadline = now + absl::Seconds(4);
  me.demote_margin = absl::Seconds(5);
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(DecideTest, LeaseDeadlineDemotesEvenWhenTheDcsAnswers) {
  Leader("n1");
  Primary(5000);
  me.lease_deadline = now;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(DecideTest, APrimaryWithoutALeaseDemotes) {
  Leader("n1");
  Primary(5000);
  me.lease = kNoLease;
  me.lease_deadline = absl::InfinitePast();
  Decision d = D();
  EXPECT_EQ(S(d), Steps{T::kDemote});
  EXPECT_NE(d.reason.find("without a lease"), std::string::npos);
}

TEST_F(DecideTest, APrimaryWithoutALeaseDemotesEvenWithTheDcsDown) {
  Primary(5000);
  me.dcs_reachable = false;
  me.lease = kNoLease;
  me.lease_deadline = absl::InfinitePast();
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(DecideTest, EvenPausedAPrimaryDemotesWhenItsLeaseRunsOut) {
  // A deliberate difference from Patroni: the pause may end while this node cannot see it.
  config.pause = true;
  Leader("n1");
  Primary(5000);
  me.lease_deadline = now - absl::Seconds(1);
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(DecideTest, ReplicasIgnoreTheLeaseDeadline) {
  Leader("n2");
  me.lease_deadline = now - absl::Seconds(5);
  EXPECT_FALSE(D().Has(T::kDemote));
}

TEST_F(DecideTest, DcsUnreachablePrimaryStaysUntilTheLeaseDeadline) {
  Leader("n1");
  Primary(5000);
  me.dcs_reachable = false;
  me.lease_deadline = now + absl::Seconds(10);
  Decision d = D();
  EXPECT_TRUE(d.actions.empty());
  EXPECT_EQ(d.recheck_by, now + absl::Seconds(8));
}

// An idle leader costs the DCS nothing but its lease keep-alives: its key already rides on its
// lease, the status key already has its position, its member key already says what it would.
TEST_F(DecideTest, AnIdleLeaderRewritesNothing) {
  Leader("n1");
  view.leader->lease = me.lease;
  Primary(5000);
  view.status.optime = 5000;
  me.member_key_current = true;
  const Decision d = D();
  EXPECT_FALSE(d.Has(T::kRefreshLeader));
  EXPECT_FALSE(d.Has(T::kWriteStatus));
  EXPECT_FALSE(d.Has(T::kWriteMember));
}

TEST_F(DecideTest, TheLeaderMovesItsKeyOntoANewLeaseAndPublishesANewPosition) {
  Leader("n1");  // on lease 77, not this node's 7
  Primary(5000);
  view.status.optime = 4000;
  const Decision d = D();
  EXPECT_TRUE(d.Has(T::kRefreshLeader));
  EXPECT_TRUE(d.Has(T::kWriteStatus));
  EXPECT_EQ(Find(d, T::kWriteStatus).optime, 5000u);
  EXPECT_TRUE(d.Has(T::kWriteMember));
}

TEST_F(DecideTest, DcsUnreachablePrimaryDemotesAtTheDeadline) {
  Leader("n1");
  Primary(5000);
  me.dcs_reachable = false;
  me.lease_deadline = now + absl::Seconds(2);
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(DecideTest, DcsUnreachableReplicaChangesNothing) {
  Leader("n2");
  me.dcs_reachable = false;
  EXPECT_TRUE(D().actions.empty());
}

TEST_F(DecideTest, DcsUnreachableWritesNoMemberKey) {
  me.dcs_reachable = false;
  EXPECT_FALSE(D().Has(T::kWriteMember));
}

class FailsafeTest : public DecideTest {
 protected:
  FailsafeTest() {
    config.failsafe_mode = true;
    view.failsafe = {{"n1", "http://10.0.0.1:8008"},
                     {"n2", "http://10.0.0.2:8008"},
                     {"n3", "http://10.0.0.3:8008"}};
    Leader("n1");
    Primary(5000);
    me.dcs_reachable = false;
    me.lease_deadline = now - absl::Seconds(1);  // long past
  }
};

TEST_F(DecideTest, WithFailsafeModeTheLeaderPublishesTheMembers) {
  config.failsafe_mode = true;
  Leader("n1");
  Primary(5000);
  Decision d = D();
  ASSERT_TRUE(d.Has(T::kWriteFailsafe));
  EXPECT_EQ(Find(d, T::kWriteFailsafe).failsafe.size(), 3u);
  EXPECT_EQ(Find(d, T::kWriteFailsafe).failsafe.at("n2"), "http://10.0.0.2:8008/patroni");
  EXPECT_EQ(Find(d, T::kWriteFailsafe).fence, kFence);
}

TEST_F(DecideTest, APublishedFailsafeKeyIsNotWrittenAgain) {
  config.failsafe_mode = true;
  Leader("n1");
  Primary(5000);
  for (const Member& m : view.members) view.failsafe[m.name] = m.api_url;
  EXPECT_FALSE(D().Has(T::kWriteFailsafe));
}

TEST_F(DecideTest, WithoutFailsafeModeTheLeaderRemovesTheKey) {
  Leader("n1");
  Primary(5000);
  view.failsafe = {{"n1", "x"}};
  Decision d = D();
  ASSERT_TRUE(d.Has(T::kWriteFailsafe));
  EXPECT_TRUE(Find(d, T::kWriteFailsafe).failsafe.empty());
}

TEST_F(FailsafeTest, PrimaryStaysWhileEveryMemberConfirms) {
  Probe("n2", 5000).confirms_primary = true;
  Probe("n3", 5000).confirms_primary = true;
  Decision d = D();
  EXPECT_TRUE(d.actions.empty());
  EXPECT_NE(d.reason.find("failsafe"), std::string::npos);
}

TEST_F(FailsafeTest, AConfirmedPrimaryAsksAgainALoopLaterNotAtOnce) {
  Probe("n2", 5000).confirms_primary = true;
  Probe("n3", 5000).confirms_primary = true;
  EXPECT_EQ(D().recheck_by, now + config.loop_wait);
}

TEST_F(FailsafeTest, OneMemberMissingMeansDemotion) {
  Probe("n2", 5000).confirms_primary = true;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(FailsafeTest, OneMemberNotConfirmingMeansDemotion) {
  Probe("n2", 5000).confirms_primary = true;
  Probe("n3", 5000).confirms_primary = false;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(FailsafeTest, OneMemberUnreachableMeansDemotion) {
  Probe("n2", 5000).confirms_primary = true;
  MemberProbe& n3 = Probe("n3", 5000);
  n3.confirms_primary = true;
  n3.reachable = false;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(FailsafeTest, FailsafeModeOffIgnoresConfirmations) {
  config.failsafe_mode = false;
  Probe("n2", 5000).confirms_primary = true;
  Probe("n3", 5000).confirms_primary = true;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(FailsafeTest, APrimaryNotInTheFailsafeKeyIsNotCovered) {
  view.failsafe.erase("n1");
  Probe("n2", 5000).confirms_primary = true;
  Probe("n3", 5000).confirms_primary = true;
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

TEST_F(FailsafeTest, AnEmptyFailsafeKeyCoversNothing) {
  view.failsafe.clear();
  EXPECT_EQ(S(D()), Steps{T::kDemote});
}

// --- Switchover and manual failover ----------------------------------------------------------

class SwitchoverTest : public DecideTest {
 protected:
  SwitchoverTest() {
    Leader("n1");
    Primary(5000);
    view.status.optime = 5000;
  }
};

TEST_F(SwitchoverTest, HealthyCandidateMakesTheLeaderDemoteThenRelease) {
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kDemote, T::kReleaseLeader}));
  EXPECT_EQ(Find(d, T::kDemote).stop_mode, StopMode::kFast);
  EXPECT_EQ(Find(d, T::kReleaseLeader).fence, kFence);
}

TEST_F(SwitchoverTest, UnreachableCandidateDropsTheRequest) {
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000).reachable = false;
  const Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClearFailover, T::kRefreshLeader}));
  EXPECT_THAT(d.reason, HasSubstr("n2: it did not answer GET /patroni"));
}

TEST_F(SwitchoverTest, LaggingCandidateDropsTheRequest) {
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  view.status.optime = 5'000'000;
  Probe("n2", 5000);
  const Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClearFailover, T::kRefreshLeader}));
  EXPECT_THAT(d.reason, HasSubstr("n2: it lags 4995000 bytes behind, more than "
                                  "maximum_lag_on_failover (1048576)"));
}

TEST_F(SwitchoverTest, NofailoverCandidateDropsTheRequest) {
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Of("n2").tags.nofailover = true;
  Probe("n2", 5000);
  const Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClearFailover, T::kRefreshLeader}));
  EXPECT_THAT(d.reason, HasSubstr("n2: it is tagged nofailover"));
}

TEST_F(SwitchoverTest, CandidateWithStoppedPostgresDropsTheRequest) {
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000).running = false;
  const Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClearFailover, T::kRefreshLeader}));
  EXPECT_THAT(d.reason, HasSubstr("n2: its PostgreSQL is not running"));
}

TEST_F(SwitchoverTest, SwitchoverToAnyMemberNeedsOneHealthyMember) {
  view.failover = FailoverRequest{"n1", "", std::nullopt, 0};
  Probe("n3", 5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kDemote, T::kReleaseLeader}));
  EXPECT_NE(d.reason.find("n3"), std::string::npos);
}

TEST_F(SwitchoverTest, ScheduledSwitchoverWaitsForItsTime) {
  view.failover = FailoverRequest{"n1", "n2", now + absl::Minutes(5), 0};
  Probe("n2", 5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRefreshLeader}));  // the status key already has its position
  EXPECT_EQ(d.recheck_by, now + absl::Minutes(5));
}

TEST_F(SwitchoverTest, ScheduledSwitchoverRunsWhenDue) {
  view.failover = FailoverRequest{"n1", "n2", now - absl::Seconds(1), 0};
  Probe("n2", 5000);
  EXPECT_EQ(S(D()), (Steps{T::kDemote, T::kReleaseLeader}));
}

TEST_F(SwitchoverTest, InSynchronousModeOnlyASyncStandbyMayTakeOver) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n1", {"n3"}, std::nullopt, 0};
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000);
  const Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClearFailover, T::kRefreshLeader}));
  EXPECT_THAT(d.reason, HasSubstr("n2: it is not a synchronous standby"));
}

TEST_F(SwitchoverTest, InSynchronousModeAConfirmedSyncStandbyTakesOver) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000);
  EXPECT_EQ(S(D()), (Steps{T::kDemote, T::kReleaseLeader}));
}

TEST_F(SwitchoverTest, InSynchronousModeWithoutASyncKeyNoStandbyMayTakeOver) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;  // under '*' any standby, or none, holds the commits
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 4000);
  EXPECT_EQ(S(D()), (Steps{T::kClearFailover, T::kRefreshLeader}));
}

TEST_F(SwitchoverTest, InSynchronousModeAnotherLeadersSyncKeyConfirmsNothing) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n3", {"n2"}, std::nullopt, 0};  // from before this leader's tenure
  view.failover = FailoverRequest{"n1", "n2", std::nullopt, 0};
  Probe("n2", 5000);
  EXPECT_EQ(S(D()), (Steps{T::kClearFailover, T::kRefreshLeader}));
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyARequestedCandidateBehindAnotherDoesNotTakeOver) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  Of("n3").tags.nofailover = true;
  Probe("n3", 2000);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("n3 may hold acknowledged commits"), std::string::npos);
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyARequestedCandidateNeedsEveryMemberToAnswer) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  Probe("n3", 900).reachable = false;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, QuorumModeARequestedCandidateMustSeeEnoughOfTheSyncSet) {
  config.synchronous_mode = SynchronousMode::kQuorum;
  view.sync = SyncState{"n2", {"n1", "n3", "n4"}, 1, 0};
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  Probe("n3", 900).reachable = false;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, ReplicaWaitsForTheRequestedCandidateToTakeOver) {
  view.failover = FailoverRequest{"n2", "n3", std::nullopt, 0};
  Probe("n3", 900);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("waiting for n3"), std::string::npos);
}

TEST_F(DecideTest, ARequestForANofailoverCandidateDoesNotStopTheRace) {
  view.failover = FailoverRequest{"n2", "n3", std::nullopt, 0};
  Of("n3").tags.nofailover = true;
  Probe("n3", 900);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, ARequestForACandidateOutsideTheSyncSetDoesNotStopTheRace) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n1"}, std::nullopt, 0};
  view.failover = FailoverRequest{"n2", "n3", std::nullopt, 0};
  Probe("n3", 900);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, RequestedCandidateTakesOverEvenIfNotTheMostAdvanced) {
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  Probe("n3", 2000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, ARequestedCandidateLaggingTooFarDoesNotTakeOver) {
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  view.status.optime = 1000 + config.maximum_lag_on_failover + 1;
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("lagging"), std::string::npos);
}

TEST_F(DecideTest, AnUnreachableRequestedCandidateLetsTheHealthiestRace) {
  view.failover = FailoverRequest{"n2", "n3", std::nullopt, 0};
  Probe("n3", 2000).reachable = false;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, RequestedCandidateOutsideTheSyncSetDoesNotTakeOver) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n3"}, std::nullopt, 0};
  view.failover = FailoverRequest{"n2", "n1", std::nullopt, 0};
  EXPECT_EQ(S(D()), Steps{});
}

// --- The leader race ----------------------------------------------------------------------------

TEST_F(DecideTest, HealthiestReplicaTakesTheKeyAndPromotes) {
  Probe("n2", 900);
  Probe("n3", 1000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kAcquireLeader, T::kPromote}));
  EXPECT_EQ(Find(d, T::kAcquireLeader).fence, 0);
}

TEST_F(DecideTest, AMoreAdvancedMemberKeepsThisOneOutOfTheRace) {
  Probe("n2", 1001);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("n2 is further ahead"), std::string::npos);
}

TEST_F(DecideTest, EqualPositionHigherPriorityWins) {
  Of("n2").tags.failover_priority = 5;
  Probe("n2", 1000);
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, EqualPositionEqualPriorityBothRaceAndTheCasDecides) {
  Probe("n2", 1000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, EqualPositionLowerPriorityOtherDoesNotStopThisNode) {
  me.tags.failover_priority = 3;
  Of("n2").tags.failover_priority = 2;
  Probe("n2", 1000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, UnreachableMembersDoNotCount) {
  Probe("n2", 99999).reachable = false;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, AnAheadMemberTaggedNofailoverDoesNotCount) {
  Of("n2").tags.nofailover = true;
  Probe("n2", 5000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, AnAheadMemberWithStoppedPostgresDoesNotCount) {
  Probe("n2", 5000).running = false;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, AnAheadMemberUnknownToTheDcsDoesNotCount) {
  Probe("n9", 5000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, NofailoverNodeNeverRaces) {
  me.tags.nofailover = true;
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("nofailover"), std::string::npos);
}

TEST_F(DecideTest, FailoverPriorityZeroNeverRaces) {
  me.tags.failover_priority = 0;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, LaggingPastMaximumLagOnFailoverDoesNotRace) {
  view.status.optime = 1000 + config.maximum_lag_on_failover + 1;
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("maximum_lag_on_failover"), std::string::npos);
}

TEST_F(DecideTest, LaggingExactlyTheMaximumStillRaces) {
  view.status.optime = 1000 + config.maximum_lag_on_failover;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, ASmallerMaximumLagIsHonoured) {
  config.maximum_lag_on_failover = 10;
  view.status.optime = 1011;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, NoKnownOptimeMeansNoLagCheck) {
  view.status.optime = 0;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, CheckTimelineKeepsAnOlderTimelineOut) {
  config.check_timeline = true;
  Probe("n2", 10).timeline = 2;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, WithoutCheckTimelineTimelinesDoNotMatter) {
  Probe("n2", 10).timeline = 2;
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

TEST_F(DecideTest, AMemberStillRunningAsPrimaryKeepsOthersOut) {
  Probe("n2", 10, PgRole::kPrimary);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("still runs as primary"), std::string::npos);
}

TEST_F(DecideTest, AStoppedReplicaIsStartedReadOnlyBeforeRacing) {
  Stopped(PgRole::kReplica, 1000);
  EXPECT_EQ(S(D()), Steps{T::kStartPostgres});
}

TEST_F(DecideTest, AStoppedPrimaryStartsOnlyAfterWinningTheKey) {
  Stopped(PgRole::kPrimary, 1000);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kStartPostgres}));
}

TEST_F(DecideTest, AStoppedPrimaryThatIsNotTheHealthiestStaysDown) {
  Stopped(PgRole::kPrimary, 1000);
  Probe("n2", 2000);
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, AStoppedNofailoverReplicaStillStartsReadOnly) {
  me.tags.nofailover = true;
  Stopped(PgRole::kReplica, 1000);
  EXPECT_EQ(S(D()), Steps{T::kStartPostgres});
}

TEST_F(DecideTest, NoLeaderAndNoDataWaits) {
  NoData();
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, ARunningPrimaryWithoutTheKeyTakesItBackWithoutPromoting) {
  Primary(5000);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, BehindMembersDoNotStopTheHealthiest) {
  Probe("n2", 10);
  Probe("n3", 999);
  EXPECT_EQ(S(D()), (Steps{T::kAcquireLeader, T::kPromote}));
}

// --- Synchronous replication: who may race ----------------------------------------------------

TEST_F(DecideTest, SynchronousModeOnlySyncStandbysRace) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n3"}, std::nullopt, 0};
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("synchronous"), std::string::npos);
}

TEST_F(DecideTest, SynchronousModeTheSyncStandbyRacesAndPromotesAsKeyHolder) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n1"}, std::nullopt, 0};
  Decision d = D();
  EXPECT_EQ(S(d), Steps{T::kAcquireLeader});
  EXPECT_EQ(d.recheck_by, now);  // decide again at once
}

TEST_F(DecideTest, SynchronousModeKeyHolderNamesItselfInTheSyncKeyBeforePromoting) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n1"}, std::nullopt, 0};
  Leader("n1");
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRefreshLeader, T::kWriteSyncState, T::kPromote}));
  EXPECT_EQ(Find(d, T::kWriteSyncState).sync_state.leader, "n1");
  EXPECT_TRUE(Find(d, T::kWriteSyncState).sync_state.sync_standby.empty());
  EXPECT_EQ(Find(d, T::kWriteSyncState).fence, kFence);
}

TEST_F(DecideTest, SynchronousModeTheFormerLeaderRaces) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n1", {"n3"}, std::nullopt, 0};
  Primary(5000);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyCountsEveryMembersPosition) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  Of("n3").tags.nofailover = true;
  Probe("n3", 2000);  // it may have acknowledged commits under '*'
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyCountsAStoppedMembersData) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  Probe("n2", 2000).running = false;  // a demoted former primary, say: its data reaches 2000
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyNeedsEveryMemberToAnswer) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  Probe("n2", 900).reachable = false;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(DecideTest, StrictModeWithoutASyncKeyRaces) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, StrictModeBootstrapBlocksCommitsBeforeTheFirstClient) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  view.initialize.reset();
  NoData();
  EXPECT_EQ(S(D()), (Steps{T::kInitializeCluster, T::kAcquireLeader, T::kBootstrap,
                           T::kSetSynchronousStandbyNames}));
}

TEST_F(DecideTest, StrictModeKeyHolderBlocksCommitsBeforePromoting) {
  config.synchronous_mode = SynchronousMode::kOn;
  config.synchronous_mode_strict = true;
  Leader("n1");
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRefreshLeader, T::kWriteSyncState, T::kSetSynchronousStandbyNames,
                         T::kPromote}));
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync), "*");
}

TEST_F(DecideTest, NonStrictModeWithoutASyncKeyRaces) {
  config.synchronous_mode = SynchronousMode::kOn;
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, AnAheadMemberOutsideTheSyncSetDoesNotCount) {
  config.synchronous_mode = SynchronousMode::kOn;
  view.sync = SyncState{"n2", {"n1"}, std::nullopt, 0};
  Probe("n3", 5000);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, QuorumModeNeedsToSeeEnoughOfTheSyncSet) {
  config.synchronous_mode = SynchronousMode::kQuorum;
  view.members.push_back(NewMember("n4"));
  // Patroni 4's quorum: how many other voters a candidate must see (ANY 1 of 3 commits: 2).
  view.sync = SyncState{"n2", {"n1", "n3", "n4"}, 2, 0};
  Probe("n3", 900);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("quorum"), std::string::npos);
}

TEST_F(DecideTest, QuorumModeSeeingEnoughRaces) {
  config.synchronous_mode = SynchronousMode::kQuorum;
  view.members.push_back(NewMember("n4"));
  view.sync = SyncState{"n2", {"n1", "n3", "n4"}, 1, 0};  // ANY 2 of 3: one other voter
  Probe("n3", 900);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

// --- Synchronous replication: the leader keeps the sync set ------------------------------------

class SyncLeaderTest : public DecideTest {
 protected:
  SyncLeaderTest() {
    config.synchronous_mode = SynchronousMode::kOn;
    Leader("n1");
    Primary(5000);
  }
  Steps SyncSteps() {
    Steps out;
    for (T t : S(D())) {
      if (t == T::kSetSynchronousStandbyNames || t == T::kWriteSyncState) out.push_back(t);
    }
    return out;
  }
};

TEST_F(SyncLeaderTest, AsyncModeTouchesNothing) {
  config.synchronous_mode = SynchronousMode::kOff;
  Streaming("n2");
  EXPECT_EQ(SyncSteps(), Steps{});
}

TEST_F(SyncLeaderTest, AStreamingStandbyIsNamedBeforeItIsInTheKey) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  Streaming("n2", "async");
  Decision d = D();
  EXPECT_EQ(SyncSteps(), Steps{T::kSetSynchronousStandbyNames});
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync),
            "FIRST 1 (\"n2\")");
}

TEST_F(SyncLeaderTest, ANewLeaderNamesItselfInTheSyncKeyAtOnce) {
  view.sync = SyncState{"n2", {"n1"}, std::nullopt, 0};  // the previous leader's key
  Decision d = D();
  EXPECT_TRUE(d.Has(T::kWriteSyncState));
  EXPECT_EQ(Find(d, T::kWriteSyncState).sync_state.leader, "n1");
  EXPECT_TRUE(Find(d, T::kWriteSyncState).sync_state.sync_standby.empty());
}

TEST_F(SyncLeaderTest, AConfirmedSyncStandbyGoesIntoTheKeyUnderTheSettingInEffect) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  Streaming("n2", "sync");
  Decision d = D();
  EXPECT_EQ(SyncSteps(), Steps{T::kWriteSyncState});
  EXPECT_EQ(Find(d, T::kWriteSyncState).sync_state.sync_standby, std::vector<std::string>{"n2"});
  EXPECT_EQ(Find(d, T::kWriteSyncState).fence, kFence);
}

TEST_F(SyncLeaderTest, AStandbySyncOnlyUnderThePlaceholderWaitsForItsOwnSetting) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "*";
  Streaming("n2", "sync");
  EXPECT_EQ(SyncSteps(), Steps{T::kSetSynchronousStandbyNames});  // the key waits a tick
}

TEST_F(SyncLeaderTest, ANewSyncStandbyJoinsTheKeyOnlyOnceCaughtUp) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  view.status.optime = 5000;
  Streaming("n2", "sync", 4000);  // PostgreSQL calls it sync, but it lacks 1000 bytes
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  EXPECT_EQ(SyncSteps(), Steps{});
  me.postgres.replication.clear();
  Streaming("n2", "sync", 5000);
  EXPECT_EQ(SyncSteps(), Steps{T::kWriteSyncState});
}

TEST_F(SyncLeaderTest, AStandbyAlreadyInTheKeyIsNotDroppedForTrailingALittle) {
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  view.status.optime = 5000;
  Streaming("n2", "sync", 4990);
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  EXPECT_EQ(SyncSteps(), Steps{});
}

TEST_F(SyncLeaderTest, ASteadySyncSetChangesNothing) {
  Streaming("n2", "sync");
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  EXPECT_EQ(SyncSteps(), Steps{});
}

// Under write load an asynchronous standby is now and then a little ahead of the synchronous
// one; that must not move the sync set (each move passes through a key naming neither).
TEST_F(SyncLeaderTest, AStandbyMomentarilyAheadDoesNotDisplaceTheSyncStandby) {
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  Streaming("n2", "sync", 4990);
  Streaming("n3", "async", 5000);
  EXPECT_EQ(SyncSteps(), Steps{});
}

TEST_F(SyncLeaderTest, AStandbyMadeSyncButNotYetConfirmedIsNotDisplacedEither) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  view.status.optime = 6000;  // n3 has not caught up with it yet: not in the key
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n3\")";
  Streaming("n2", "potential", 5000);
  Streaming("n3", "sync", 4990);
  EXPECT_EQ(SyncSteps(), Steps{});
}

TEST_F(SyncLeaderTest, NosyncMembersAreNeverChosen) {
  Of("n2").tags.nosync = true;
  Streaming("n2", "async");
  Streaming("n3", "async");
  Decision d = D();
  EXPECT_EQ(Find(d, T::kSetSynchronousStandbyNames).sync.names, std::vector<std::string>{"n3"});
}

TEST_F(SyncLeaderTest, HigherSyncPriorityIsChosenFirst) {
  Of("n3").tags.sync_priority = 5;
  Streaming("n2");
  Streaming("n3");
  Decision d = D();
  EXPECT_EQ(Find(d, T::kSetSynchronousStandbyNames).sync.names, std::vector<std::string>{"n3"});
}

TEST_F(SyncLeaderTest, SynchronousNodeCountTwoNamesTwo) {
  config.synchronous_node_count = 2;
  Streaming("n2");
  Streaming("n3");
  Decision d = D();
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync),
            "FIRST 2 (\"n2\",\"n3\")");
}

TEST_F(SyncLeaderTest, TheSettingInEffectIsNotWrittenAgain) {
  config.synchronous_mode_strict = true;
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "*";
  EXPECT_EQ(SyncSteps(), Steps{});
}

TEST_F(SyncLeaderTest, StrictModeWithoutStandbysUsesThePlaceholder) {
  config.synchronous_mode_strict = true;
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  Decision d = D();
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync), "*");
}

TEST_F(SyncLeaderTest, ALostStandbyLeavesTheKeyBeforeTheSetting) {
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  Streaming("n3", "async");  // n2 is gone
  EXPECT_EQ(SyncSteps(), (Steps{T::kWriteSyncState, T::kSetSynchronousStandbyNames}));
}

TEST_F(SyncLeaderTest, QuorumModeUsesAnyN) {
  config.synchronous_mode = SynchronousMode::kQuorum;
  Streaming("n2", "quorum");
  Streaming("n3", "quorum");
  Decision d = D();
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync),
            "ANY 1 (\"n2\",\"n3\")");
  // No standby confirmed under the new setting yet: no voters, nothing to see.
  EXPECT_EQ(Find(d, T::kWriteSyncState).sync_state.quorum, 0);
  // Under it, both are voters; Patroni 4's /sync quorum is |voters| - numsync, the other voters
  // a candidate must see.
  me.postgres.synchronous_standby_names = "ANY 1 (\"n2\",\"n3\")";
  const Decision in_effect = D();
  EXPECT_EQ(Find(in_effect, T::kWriteSyncState).sync_state.sync_standby,
            (std::vector<std::string>{"n2", "n3"}));
  EXPECT_EQ(Find(in_effect, T::kWriteSyncState).sync_state.quorum, 1);
}

TEST_F(SyncLeaderTest, TurningSyncOffClearsTheKeyThenTheSetting) {
  config.synchronous_mode = SynchronousMode::kOff;
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 0};
  me.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  Decision d = D();
  EXPECT_EQ(SyncSteps(), (Steps{T::kWriteSyncState, T::kSetSynchronousStandbyNames}));
  EXPECT_EQ(FormatSynchronousStandbyNames(Find(d, T::kSetSynchronousStandbyNames).sync), "");
}

TEST_F(SyncLeaderTest, OnlyStreamingStandbysAreChosen) {
  view.sync = SyncState{"n1", {}, std::nullopt, 0};
  me.postgres.replication.push_back(
      ReplicationConnection{"n2", "10.0.0.2", "catchup", "async", 10, 10, 10, 10, "replicator"});
  EXPECT_EQ(SyncSteps(), Steps{});
}

// --- Followers -----------------------------------------------------------------------------------

TEST_F(DecideTest, APrimaryThatSeesAnotherLeaderDemotesAndFollows) {
  Leader("n2");
  Primary(5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kDemote, T::kFollow}));
  EXPECT_EQ(Find(d, T::kFollow).target, "n2");
}

TEST_F(DecideTest, AReplicaStreamingFromTheLeaderDoesNothing) {
  Leader("n2");
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_EQ(d.reason, "no action: replica of n2, streaming");
}

TEST_F(DecideTest, AReplicaOfTheWrongUpstreamFollowsTheLeader) {
  Leader("n3");
  Decision d = D();
  EXPECT_EQ(S(d), Steps{T::kFollow});
  EXPECT_EQ(Find(d, T::kFollow).target, "n3");
}

TEST_F(DecideTest, AStoppedReplicaIsConfiguredAndStarted) {
  Leader("n2");
  Stopped(PgRole::kReplica, 1000);
  EXPECT_EQ(S(D()), (Steps{T::kFollow, T::kStartPostgres}));
}

TEST_F(DecideTest, ANodeWithoutDataClonesFromTheLeader) {
  Leader("n2");
  NoData();
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kClone, T::kStartPostgres}));
  EXPECT_EQ(Find(d, T::kClone).target, "n2");
}

TEST_F(DecideTest, ANodeWithoutDataPrefersAClonefromMember) {
  Leader("n2");
  NoData();
  Of("n3").tags.clonefrom = true;
  Probe("n3", 900);
  EXPECT_EQ(Find(D(), T::kClone).target, "n3");
}

TEST_F(DecideTest, ADownClonefromMemberIsSkipped) {
  Leader("n2");
  NoData();
  Of("n3").tags.clonefrom = true;
  Probe("n3", 900).running = false;
  EXPECT_EQ(Find(D(), T::kClone).target, "n2");
}

TEST_F(DecideTest, ReplicatefromPicksTheUpstream) {
  Leader("n2");
  me.tags.replicatefrom = "n3";
  Decision d = D();
  EXPECT_EQ(S(d), Steps{T::kFollow});
  EXPECT_EQ(Find(d, T::kFollow).target, "n3");
}

TEST_F(DecideTest, ReplicatefromADownMemberFallsBackToTheLeader) {
  Leader("n2");
  me.tags.replicatefrom = "n3";
  Probe("n3", 900).reachable = false;
  EXPECT_EQ(S(D()), Steps{});
}

class RejoinTest : public DecideTest {
 protected:
  RejoinTest() {
    Leader("n2");
    Of("n2").timeline = 2;
    view.history = {TimelineHistoryEntry{1, 4000, "no recovery target specified", "", "n2"}};
  }
};

TEST_F(RejoinTest, AFormerPrimaryAheadOfTheForkIsRewound) {
  config.use_pg_rewind = true;
  Stopped(PgRole::kPrimary, 5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kRewind, T::kStartPostgres}));
  EXPECT_EQ(Find(d, T::kRewind).target, "n2");
}

TEST_F(RejoinTest, WithoutPgRewindTheNodeSaysWhatToDo) {
  Stopped(PgRole::kPrimary, 5000);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("use_pg_rewind"), std::string::npos);
}

TEST_F(RejoinTest, ANodeBehindTheForkSimplyFollows) {
  config.use_pg_rewind = true;
  Stopped(PgRole::kReplica, 3000);
  EXPECT_EQ(S(D()), (Steps{T::kFollow, T::kStartPostgres}));
}

TEST_F(RejoinTest, ANodeAlreadyOnTheNewTimelineNeverRewinds) {
  config.use_pg_rewind = true;
  Replica(9000);
  me.postgres.timeline = 2;
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(RejoinTest, ANodeOnATimelineTheLeaderNeverHadIsRewound) {
  config.use_pg_rewind = true;
  Of("n2").timeline = 1;  // the leader stayed on timeline 1
  Stopped(PgRole::kPrimary, 5000);
  me.postgres.timeline = 2;
  EXPECT_EQ(S(D()), (Steps{T::kRewind, T::kStartPostgres}));
}

TEST_F(RejoinTest, AheadOfTheLeaderOnTheSameTimelineNumberIsReinitializedWhenAllowed) {
  config.remove_data_directory_on_diverged_timelines = true;
  Of("n2").timeline = 1;
  Probe("n2", 4000, PgRole::kPrimary);
  Stopped(PgRole::kPrimary, 5000);
  Decision d = D();
  EXPECT_EQ(S(d), (Steps{T::kReinitialize, T::kStartPostgres}));
  EXPECT_EQ(Find(d, T::kReinitialize).target, "n2");
}

TEST_F(RejoinTest, AheadOfTheLeaderOnTheSameTimelineNumberOtherwiseSaysWhatToDo) {
  Of("n2").timeline = 1;
  Probe("n2", 4000, PgRole::kPrimary);
  Stopped(PgRole::kPrimary, 5000);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("wardenctl reinit"), std::string::npos);
}

TEST_F(RejoinTest, AheadOfTheLeadersPublishedPositionIsNotEnoughToReinitialize) {
  config.remove_data_directory_on_diverged_timelines = true;
  Of("n2").timeline = 1;
  Of("n2").xlog_location = 4000;  // stale: published a tick ago
  Stopped(PgRole::kReplica, 5000);
  EXPECT_EQ(S(D()), (Steps{T::kFollow, T::kStartPostgres}));
}

TEST_F(RejoinTest, BehindTheLeaderOnTheSameTimelineSimplyFollows) {
  Of("n2").timeline = 1;
  Of("n2").xlog_location = 6000;
  Stopped(PgRole::kReplica, 5000);
  EXPECT_EQ(S(D()), (Steps{T::kFollow, T::kStartPostgres}));
}

TEST_F(RejoinTest, TheSameTimelineNumberForkedElsewhereIsRewound) {
  config.use_pg_rewind = true;
  Of("n2").timeline = 2;
  view.history = {TimelineHistoryEntry{1, 4000, "", "", "n2"}};
  Stopped(PgRole::kReplica, 3900);  // behind the leader, but on another "timeline 2"
  me.postgres.timeline = 2;
  me.timeline_history = {TimelineHistoryEntry{1, 3500, "", "", "n1"}};
  EXPECT_EQ(S(D()), (Steps{T::kRewind, T::kStartPostgres}));
}

TEST_F(RejoinTest, AHistoryTheLeaderHasNotPublishedYetIsNoDivergence) {
  config.use_pg_rewind = true;
  view.history.clear();
  Of("n2").timeline = 2;
  Replica(4500);
  me.postgres.timeline = 2;
  me.postgres.streaming = false;
  me.timeline_history = {TimelineHistoryEntry{1, 4000, "", "", "n2"}};
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(RejoinTest, AStreamingReplicaIsNeverRewound) {
  config.use_pg_rewind = true;
  Replica(4500);
  EXPECT_EQ(S(D()), Steps{});
}

TEST_F(RejoinTest, ARunningReplicaAheadOfTheForkIsRewound) {
  config.use_pg_rewind = true;
  Replica(4500);
  me.postgres.streaming = false;
  EXPECT_EQ(S(D()), (Steps{T::kRewind, T::kStartPostgres}));
}

// --- Pause
// ----------------------------------------------------------------------------------------

TEST_F(DecideTest, PausedLeaderOnlyKeepsItsKey) {
  config.pause = true;
  Leader("n1");
  Primary(5000);
  EXPECT_EQ(S(D()), (Steps{T::kRefreshLeader, T::kWriteStatus}));
}

TEST_F(DecideTest, PausedLeaderWithPostgresDownDoesNotRestartIt) {
  config.pause = true;
  Leader("n1");
  Primary(5000);
  Stopped(PgRole::kPrimary, 5000);
  EXPECT_EQ(S(D()), Steps{T::kRefreshLeader});
}

TEST_F(DecideTest, PausedRunningPrimaryTakesAFreeKey) {
  config.pause = true;
  Primary(5000);
  EXPECT_EQ(S(D()), Steps{T::kAcquireLeader});
}

TEST_F(DecideTest, PausedReplicaNeverFailsOver) {
  config.pause = true;
  Probe("n2", 10);
  Decision d = D();
  EXPECT_EQ(S(d), Steps{});
  EXPECT_NE(d.reason.find("paused"), std::string::npos);
}

TEST_F(DecideTest, PausedPrimaryIsNotDemotedBySomeoneElsesKey) {
  config.pause = true;
  Leader("n2");
  Primary(5000);
  EXPECT_EQ(S(D()), Steps{});
}

// --- Properties -------------------------------------------------------------------------------

TEST_F(DecideTest, SameInputsGiveTheSameDecision) {
  Leader("n1");
  Primary(5000);
  Streaming("n2", "sync");
  config.synchronous_mode = SynchronousMode::kOn;
  Decision a = D();
  Decision b = D();
  EXPECT_EQ(a.actions, b.actions);
  EXPECT_EQ(a.reason, b.reason);
}

TEST(ActionNameTest, EveryActionHasItsOwnName) {
  std::set<std::string> names;
  for (int t = 0; t <= static_cast<int>(T::kRefuseToRun); ++t) {  // the last enumerator
    names.insert(ActionName(static_cast<T>(t)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(T::kRefuseToRun) + 1);
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST_F(DecideTest, EveryDecisionHasAReason) {
  for (bool leader : {false, true}) {
    view.leader.reset();
    if (leader) Leader("n2");
    EXPECT_FALSE(D().reason.empty());
  }
}

// --- Replication slots (use_slots), Patroni's sync_replication_slots -------------------------

TEST_F(DecideTest, SlotsTheLeaderHoldsOneSlotPerOtherMemberNamedAsPatroniNamesThem) {
  Leader("n1");
  Primary(5000);
  view.members.push_back(NewMember("Db-2.east"));
  const Decision d = D();
  const Action& a = Find(d, T::kSyncReplicationSlots);
  EXPECT_EQ(a.slots_create, (std::vector<std::string>{"db_2_east", "n2", "n3"}));
  EXPECT_TRUE(a.slots_drop.empty());
}

TEST_F(DecideTest, SlotsTheLeaderDropsASlotNoMemberWantsButNotAnIgnoredOne) {
  Leader("n1");
  Primary(5000);
  me.postgres.replication_slots = {"gone", "kept", "n2", "n3"};
  config.ignore_slots = {SlotMatcher{.name = "kept"},
                         SlotMatcher{.name = "gone", .type = "logical"}};
  const Decision d = D();
  const Action& a = Find(d, T::kSyncReplicationSlots);
  EXPECT_TRUE(a.slots_create.empty());
  EXPECT_EQ(a.slots_drop, (std::vector<std::string>{"gone"}));
}

TEST_F(DecideTest, SlotsAllInPlaceMeansNoSlotAction) {
  Leader("n1");
  Primary(5000);
  me.postgres.replication_slots = {"n2", "n3"};
  EXPECT_FALSE(D().Has(T::kSyncReplicationSlots));
}

TEST_F(DecideTest, SlotsAMemberStreamingFromAnotherReplicaHasItsSlotThere) {
  Leader("n1");
  Primary(5000);
  Of("n3").tags.replicatefrom = "n2";
  const Decision leader = D();
  EXPECT_EQ(Find(leader, T::kSyncReplicationSlots).slots_create, (std::vector<std::string>{"n2"}));
  // n2, a replica, holds n3's slot and drops the others it kept from an earlier life.
  me.name = "n2";
  Leader("n1");
  Replica(5000, "10.0.0.1:5432");
  me.postgres.replication_slots = {"n1", "n3"};
  const Decision d = D();
  const Action& a = Find(d, T::kSyncReplicationSlots);
  EXPECT_TRUE(a.slots_create.empty());
  EXPECT_EQ(a.slots_drop, (std::vector<std::string>{"n1"}));
}

TEST_F(DecideTest, SlotsANewLeaderCreatesItsMembersSlotsRightAfterPromoting) {
  Leader("n1");
  const Decision d = D();
  EXPECT_EQ(d.actions.back().type, T::kSyncReplicationSlots);
  EXPECT_EQ(d.actions.back().slots_create, (std::vector<std::string>{"n2", "n3"}));
}

TEST_F(DecideTest, SlotsAReplicaStreamsThroughTheSlotNamedAfterItself) {
  me.name = "Node-1";
  view.members.push_back(NewMember("Node-1"));
  Leader("n2");
  Replica(1000, "10.0.0.3:5432");  // following the wrong node: re-follow
  const Decision with_slots = D();
  EXPECT_EQ(Find(with_slots, T::kFollow).slot, "node_1");
  config.use_slots = false;
  const Decision without = D();
  EXPECT_EQ(Find(without, T::kFollow).slot, "");
}

TEST_F(DecideTest, SlotsInPauseAreCreatedButNeverDropped) {
  Leader("n1");
  Primary(5000);
  config.pause = true;
  me.postgres.replication_slots = {"gone"};
  const Decision d = D();
  const Action& a = Find(d, T::kSyncReplicationSlots);
  EXPECT_EQ(a.slots_create, (std::vector<std::string>{"n2", "n3"}));
  EXPECT_TRUE(a.slots_drop.empty());
}

TEST(SlotNameTest, IsPatronisSlotNameFromMemberName) {
  EXPECT_EQ(SlotNameForMember("pg-node.1"), "pg_node_1");
  EXPECT_EQ(SlotNameForMember("PG_Node2"), "pg_node2");
  EXPECT_EQ(SlotNameForMember("a b"), "au0032b");
  EXPECT_EQ(SlotNameForMember("数"), "u25968");
  EXPECT_EQ(SlotNameForMember(std::string(70, 'x')).size(), 63u);
}

}  // namespace
}  // namespace warden
