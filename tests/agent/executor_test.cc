// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// ActionExecutor on the in-memory DCS and FakeControllers: leader writes are fenced by the leader
// key's create revision, actions stop at the first failure, names resolve to addresses.

#include "warden/agent/executor.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "warden/clock.h"
#include "warden/core/codec.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

namespace warden {
namespace {

using T = Action::Type;

absl::Time Forever() { return absl::InfiniteFuture(); }

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() {
    lease1_ = dcs1_->GrantLease(absl::Seconds(10), Forever())->id;
    lease2_ = dcs2_->GrantLease(absl::Seconds(10), Forever())->id;
    view_.members = {MemberAt("n1", "10.0.0.1"), MemberAt("n2", "10.0.0.2")};
  }

  static Member MemberAt(const std::string& name, const std::string& host) {
    Member m;
    m.name = name;
    m.conn_url = "postgres://" + host + ":5432/postgres";
    return m;
  }

  ActionExecutor::Outcome Run1(std::vector<Action> actions) {
    Decision d;
    d.actions = std::move(actions);
    return executor1_.Run(d, view_, view_.members[0], lease1_, Forever());
  }
  ActionExecutor::Outcome Run2(std::vector<Action> actions) {
    Decision d;
    d.actions = std::move(actions);
    return executor2_.Run(d, view_, view_.members[1], lease2_, Forever());
  }
  std::optional<KeyValue> Read(const std::string& key) { return dcs1_->Get(key, Forever())->kv; }
  Revision LeaderCreateRevision() { return Read(keys_.leader())->create_revision; }

  ManualClock clock_;
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_, .manual_delivery = true}};
  FakePgNetwork network_;
  FakeController pg1_{network_, "n1", "10.0.0.1", 5432};
  FakeController pg2_{network_, "n2", "10.0.0.2", 5432};
  std::unique_ptr<MemoryDcs> dcs1_ = store_.NewClient("n1");
  std::unique_ptr<MemoryDcs> dcs2_ = store_.NewClient("n2");
  ClusterKeys keys_{"/service", "demo"};
  ActionExecutor executor1_{*dcs1_, pg1_, keys_, "n1"};
  ActionExecutor executor2_{*dcs2_, pg2_, keys_, "n2"};
  LeaseId lease1_ = kNoLease;
  LeaseId lease2_ = kNoLease;
  ClusterView view_;
};

TEST_F(ExecutorTest, AcquireIsACreateIfAbsentAttachedToTheLease) {
  EXPECT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  std::optional<KeyValue> leader = Read(keys_.leader());
  ASSERT_TRUE(leader.has_value());
  EXPECT_EQ(leader->value, "n1");
  EXPECT_EQ(leader->lease, lease1_);
  ActionExecutor::Outcome second = Run2({{.type = T::kAcquireLeader}, {.type = T::kPromote}});
  EXPECT_EQ(second.completed, 0u);  // the race was lost, so no promotion either
  EXPECT_EQ(second.error.code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ExecutorTest, FencedWritesSucceedForTheTenureThatWonTheKey) {
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  const Revision fence = LeaderCreateRevision();
  ActionExecutor::Outcome outcome = Run1({{.type = T::kRefreshLeader, .fence = fence},
                                          {.type = T::kWriteStatus, .fence = fence, .optime = 42}});
  EXPECT_TRUE(outcome.error.ok()) << outcome.error;
  absl::StatusOr<ClusterStatus> status = DecodeStatus(Read(keys_.status())->value);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->optime, 42u);
}

TEST_F(ExecutorTest, AFormerLeaderCanWriteNothingOnceTheKeyChangedHands) {
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  const Revision old_tenure = LeaderCreateRevision();
  // n1's lease runs out; n2 wins the key.
  clock_.Advance(absl::Seconds(11));
  lease2_ = dcs2_->GrantLease(absl::Seconds(10), Forever())->id;
  ASSERT_TRUE(Run2({{.type = T::kAcquireLeader}}).error.ok());
  for (T type : {T::kRefreshLeader, T::kReleaseLeader, T::kWriteStatus, T::kWriteSyncState,
                 T::kWriteHistory, T::kWriteFailsafe, T::kClearFailover}) {
    ActionExecutor::Outcome outcome = Run1({{.type = type, .fence = old_tenure}});
    EXPECT_EQ(outcome.error.code(), absl::StatusCode::kFailedPrecondition) << ActionName(type);
  }
  EXPECT_EQ(Read(keys_.leader())->value, "n2");
  EXPECT_FALSE(Read(keys_.status()).has_value());
}

TEST_F(ExecutorTest, TheSameNameInALaterTenureIsStillFencedOut) {
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  const Revision first = LeaderCreateRevision();
  ASSERT_TRUE(Run1({{.type = T::kReleaseLeader, .fence = first}}).error.ok());
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  EXPECT_FALSE(Run1({{.type = T::kRefreshLeader, .fence = first}}).error.ok());
  EXPECT_TRUE(Run1({{.type = T::kRefreshLeader, .fence = LeaderCreateRevision()}}).error.ok());
}

TEST_F(ExecutorTest, TheFailsafeKeyIsWrittenAndRemoved) {
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  const Revision fence = LeaderCreateRevision();
  ASSERT_TRUE(
      Run1({{.type = T::kWriteFailsafe, .fence = fence, .failsafe = {{"n1", "u1"}}}}).error.ok());
  absl::StatusOr<std::map<std::string, std::string>> decoded =
      DecodeFailsafe(Read(keys_.failsafe())->value);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->at("n1"), "u1");
  ASSERT_TRUE(Run1({{.type = T::kWriteFailsafe, .fence = fence}}).error.ok());
  EXPECT_FALSE(Read(keys_.failsafe()).has_value());
}

TEST_F(ExecutorTest, ReleaseDeletesTheKey) {
  ASSERT_TRUE(Run1({{.type = T::kAcquireLeader}}).error.ok());
  ASSERT_TRUE(Run1({{.type = T::kReleaseLeader, .fence = LeaderCreateRevision()}}).error.ok());
  EXPECT_FALSE(Read(keys_.leader()).has_value());
}

TEST_F(ExecutorTest, TheBootstrapRaceHasOneWinner) {
  EXPECT_TRUE(Run1({{.type = T::kInitializeCluster}}).error.ok());
  EXPECT_FALSE(Run2({{.type = T::kInitializeCluster}}).error.ok());
  EXPECT_EQ(Read(keys_.initialize())->value, "");
  // The winner records its system identifier in its claim.
  EXPECT_TRUE(Run1({{.type = T::kInitializeCluster, .system_identifier = 77}}).error.ok());
  EXPECT_EQ(Read(keys_.initialize())->value, "77");
  // Nobody replaces another cluster's identifier.
  EXPECT_FALSE(Run2({{.type = T::kInitializeCluster, .system_identifier = 88}}).error.ok());
  EXPECT_EQ(Read(keys_.initialize())->value, "77");
}

TEST_F(ExecutorTest, ALostInitializeKeyIsWrittenAgain) {
  EXPECT_TRUE(Run1({{.type = T::kInitializeCluster, .system_identifier = 77}}).error.ok());
  EXPECT_EQ(Read(keys_.initialize())->value, "77");
}

TEST_F(ExecutorTest, MemberKeysCarryTheLeaseAndTheCodecsJson) {
  ASSERT_TRUE(Run1({{.type = T::kWriteMember}}).error.ok());
  std::optional<KeyValue> kv = Read(keys_.member("n1"));
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->lease, lease1_);
  absl::StatusOr<Member> decoded = DecodeMember("n1", kv->value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->conn_url, "postgres://10.0.0.1:5432/postgres");
}

TEST_F(ExecutorTest, PostgresActionsReachTheController) {
  ASSERT_TRUE(Run1({{.type = T::kBootstrap}}).error.ok());
  ASSERT_TRUE(Run2({{.type = T::kClone, .target = "n1"}, {.type = T::kStartPostgres}}).error.ok());
  absl::StatusOr<LocalPostgres> replica = pg2_.State(Forever());
  ASSERT_TRUE(replica.ok());
  EXPECT_EQ(replica->role, PgRole::kReplica);
  EXPECT_TRUE(replica->streaming);
  EXPECT_EQ(replica->upstream, "10.0.0.1:5432");
  ASSERT_TRUE(Run1({{.type = T::kDemote, .stop_mode = StopMode::kFast}}).error.ok());
  EXPECT_FALSE(pg1_.State(Forever())->running);
  ASSERT_TRUE(Run2({{.type = T::kPromote}}).error.ok());
  EXPECT_EQ(pg2_.State(Forever())->role, PgRole::kPrimary);
}

TEST_F(ExecutorTest, AnUnknownTargetStopsTheDecision) {
  ActionExecutor::Outcome outcome =
      Run2({{.type = T::kFollow, .target = "n9"}, {.type = T::kStartPostgres}});
  EXPECT_EQ(outcome.completed, 0u);
  EXPECT_EQ(outcome.error.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(outcome.error.message().find("follow"), absl::string_view::npos);
}

TEST_F(ExecutorTest, UpstreamOfReadsConnUrls) {
  view_.members.push_back(MemberAt("n3", "db3.example"));
  view_.members.back().conn_url = "postgres://rep:pw@db3.example:6543/postgres";
  absl::StatusOr<Upstream> upstream = ActionExecutor::UpstreamOf(view_, "n3");
  ASSERT_TRUE(upstream.ok());
  EXPECT_EQ(upstream->host, "db3.example");
  EXPECT_EQ(upstream->port, 6543);
  view_.members.back().conn_url = "postgres://db3.example:notaport/x";
  EXPECT_EQ(ActionExecutor::UpstreamOf(view_, "n3").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ExecutorTest, AClientCutOffFromTheDcsFailsUnavailableAndChangesNothing) {
  dcs1_->Partition();
  ActionExecutor::Outcome outcome = Run1({{.type = T::kAcquireLeader}, {.type = T::kPromote}});
  EXPECT_EQ(outcome.completed, 0u);
  EXPECT_EQ(outcome.error.code(), absl::StatusCode::kUnavailable);
  dcs1_->Heal();
  EXPECT_FALSE(Read(keys_.leader()).has_value());
}

}  // namespace
}  // namespace warden
