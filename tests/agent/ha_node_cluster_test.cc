// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Three HaNodes (the agent's HA loop, lease keeper and probes, minus Asio) over one in-memory DCS
// and FakeControllers, driven in virtual time on a ManualClock: bootstrap, graceful handover,
// crash failover, switchover.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/agent/ha_node.h"
#include "src/agent/lease_keeper.h"
#include "src/agent/member_prober.h"
#include "warden/clock.h"
#include "warden/core/codec.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

namespace warden {
namespace {

constexpr absl::Duration kStep = absl::Milliseconds(250);

struct Node {
  std::string name;
  std::unique_ptr<MemoryDcs> dcs;
  std::unique_ptr<FakeController> pg;
  std::unique_ptr<LeaseKeeper> lease;
  std::unique_ptr<MemberProber> prober;
  std::unique_ptr<HaNode> ha;
  bool up = true;
  absl::Time next_loop = absl::InfinitePast();
  absl::Time next_renewal = absl::InfinitePast();
};

// Answers probes from the other nodes' controllers, as their REST API would.
class ClusterProber final : public MemberProber {
 public:
  explicit ClusterProber(const std::vector<std::unique_ptr<Node>>& nodes) : nodes_(nodes) {}
  std::vector<MemberProbe> Probe(const ClusterView& /*view*/, const std::string& self,
                                 absl::Duration /*timeout*/, bool /*ask_failsafe*/) override {
    std::vector<MemberProbe> probes;
    for (const auto& n : nodes_) {
      if (n->name == self) continue;
      MemberProbe p;
      p.name = n->name;
      p.reachable = n->up;
      if (n->up) {
        const LocalPostgres s = *n->pg->State(absl::InfiniteFuture());
        p.running = s.running;
        p.role = s.role;
        p.wal_position = s.role == PgRole::kPrimary ? s.wal_lsn : s.received_lsn;
        p.timeline = s.timeline;
        p.confirms_primary = true;
      }
      probes.push_back(p);
    }
    return probes;
  }

 private:
  const std::vector<std::unique_ptr<Node>>& nodes_;
};

class HaNodeClusterTest : public ::testing::Test {
 protected:
  HaNodeClusterTest() {
    options_.scope = "virtual";
    options_.bootstrap_config.ttl = absl::Seconds(20);
    options_.bootstrap_config.loop_wait = absl::Seconds(2);
    options_.bootstrap_config.retry_timeout = absl::Seconds(5);
    for (int i = 1; i <= 3; ++i) Add(absl::StrCat("n", i));
  }

  void Add(const std::string& name) {
    auto n = std::make_unique<Node>();
    const std::string host = absl::StrCat("10.0.0.", nodes_.size() + 1);
    n->name = name;
    n->dcs = store_.NewClient(name);
    n->pg = std::make_unique<FakeController>(network_, name, host, 5432);
    n->lease = std::make_unique<LeaseKeeper>(*n->dcs, clock_);
    n->prober = std::make_unique<ClusterProber>(nodes_);
    AgentOptions options = options_;
    options.name = name;
    options.connect_address = host + ":5432";
    n->ha = std::make_unique<HaNode>(options, "http://" + host + ":8008/patroni", *n->dcs, *n->pg,
                                     *n->lease, *n->prober, clock_, nullptr);
    nodes_.push_back(std::move(n));
  }

  // Advances virtual time, renewing leases and running HA loops when due.
  void Run(absl::Duration duration) {
    const absl::Time end = clock_.Now() + duration;
    while (clock_.Now() < end) {
      for (auto& n : nodes_) {
        if (!n->up) continue;
        if (clock_.Now() >= n->next_renewal) {
          n->next_renewal = n->lease->RenewIfDue(absl::Seconds(1));
        }
        if (clock_.Now() >= n->next_loop)
          n->next_loop = std::max(n->ha->RunOnce(), clock_.Now() + kStep);
      }
      clock_.Advance(kStep);
    }
  }

  // Runs until `done` holds, at most `limit` of virtual time; returns the time it took.
  template <typename Pred>
  absl::Duration RunUntil(Pred done, absl::Duration limit = absl::Minutes(2)) {
    const absl::Time start = clock_.Now();
    while (!done()) {
      if (clock_.Now() - start > limit) {
        ADD_FAILURE() << "not reached within " << limit;
        break;
      }
      Run(kStep);
    }
    return clock_.Now() - start;
  }

  Node* Primary() {
    Node* found = nullptr;
    for (auto& n : nodes_) {
      const LocalPostgres s = *n->pg->State(absl::InfiniteFuture());
      if (s.running && s.role == PgRole::kPrimary) {
        if (found != nullptr) ADD_FAILURE() << "two primaries: " << found->name << " " << n->name;
        found = n.get();
      }
    }
    return found;
  }

  // One primary, every other up node streaming from it.
  bool Converged() {
    Node* primary = Primary();
    if (primary == nullptr) return false;
    for (auto& n : nodes_) {
      if (n.get() == primary || !n->up) continue;
      const LocalPostgres s = *n->pg->State(absl::InfiniteFuture());
      if (!s.running || s.role != PgRole::kReplica || !s.streaming ||
          s.upstream != primary->pg->address()) {
        return false;
      }
    }
    return primary->ha->Status().is_leader;
  }

  std::string LeaderKey() {
    absl::StatusOr<GetResult> got =
        nodes_[0]->dcs->Get(ClusterKeys("/service", "virtual").leader(), absl::InfiniteFuture());
    return got.ok() && got->kv.has_value() ? got->kv->value : "";
  }

  ManualClock clock_;
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_}};
  FakePgNetwork network_;
  AgentOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(HaNodeClusterTest, BootstrapsOnePrimaryAndTwoStreamingReplicas) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  EXPECT_EQ(LeaderKey(), Primary()->name);
}

TEST_F(HaNodeClusterTest, TheInitializingNodeWritesTheBootstrapConfig) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  absl::StatusOr<GetResult> got =
      nodes_[0]->dcs->Get(ClusterKeys("/service", "virtual").config(), absl::InfiniteFuture());
  ASSERT_TRUE(got.ok() && got->kv.has_value());
  absl::StatusOr<DynamicConfig> config = DecodeConfig(got->kv->value);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->loop_wait, absl::Seconds(2));
}

TEST_F(HaNodeClusterTest, AGracefulShutdownOfTheLeaderHandsOverWithinALoop) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  old->ha->Shutdown();
  old->up = false;
  EXPECT_FALSE(old->pg->State(absl::InfiniteFuture())->running);
  const absl::Duration took = RunUntil([&] { return Converged(); });
  EXPECT_NE(Primary(), old);
  // The key was released, not left to expire: the takeover needs no ttl (20 s).
  EXPECT_LE(took, options_.bootstrap_config.loop_wait + absl::Seconds(2));
}

TEST_F(HaNodeClusterTest, ACrashedLeaderIsReplacedAfterItsLeaseExpires) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  old->up = false;
  old->pg->Crash();
  const absl::Duration took = RunUntil([&] { return Converged(); });
  EXPECT_NE(Primary(), old);
  EXPECT_GE(took, absl::Seconds(10));  // the old lease had to run out first
  EXPECT_LE(took, options_.bootstrap_config.ttl + 2 * options_.bootstrap_config.loop_wait);
}

TEST_F(HaNodeClusterTest, ACrashedLeaderRejoinsAsAReplica) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  old->up = false;
  old->pg->Crash();
  RunUntil([&] { return Converged(); });
  old->up = true;
  RunUntil([&] {
    const LocalPostgres s = *old->pg->State(absl::InfiniteFuture());
    return Converged() && s.running && s.role == PgRole::kReplica;
  });
}

TEST_F(HaNodeClusterTest, ASwitchoverMovesTheLeaderToTheCandidate) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  const std::string candidate = old->name == "n1" ? "n2" : "n1";
  FailoverRequest request{old->name, candidate, std::nullopt, 0};
  ASSERT_TRUE(nodes_[0]
                  ->dcs
                  ->Put(ClusterKeys("/service", "virtual").failover(), EncodeFailover(request),
                        kNoLease, absl::InfiniteFuture())
                  .ok());
  RunUntil([&] { return Converged() && Primary()->name == candidate; });
}

TEST_F(HaNodeClusterTest, MembersShowMaintenanceModeInTheirKeysAsPatroniDoes) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig paused = options_.bootstrap_config;
  paused.pause = true;
  const ClusterKeys keys("/service", "virtual");
  ASSERT_TRUE(nodes_[0]
                  ->dcs->Put(keys.config(), EncodeConfig(paused), kNoLease, absl::InfiniteFuture())
                  .ok());
  Run(2 * options_.bootstrap_config.loop_wait);
  absl::StatusOr<GetResult> member = nodes_[0]->dcs->Get(keys.member("n2"), absl::InfiniteFuture());
  ASSERT_TRUE(member.ok() && member->kv.has_value());
  EXPECT_NE(member->kv->value.find(R"("pause":true)"), std::string::npos) << member->kv->value;
}

TEST_F(HaNodeClusterTest, AMemberKeyShowsPostgresAfterTheLoopsActions) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));  // the replicas cloned and started
  for (const auto& n : nodes_) {
    absl::StatusOr<GetResult> got = nodes_[0]->dcs->Get(
        ClusterKeys("/service", "virtual").member(n->name), absl::InfiniteFuture());
    ASSERT_TRUE(got.ok() && got->kv.has_value());
    EXPECT_NE(got->kv->value.find(R"("state":"running")"), std::string::npos) << got->kv->value;
  }
}

TEST_F(HaNodeClusterTest, StatusShowsTheLastDecisionAndCounts) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  const AgentStatus status = Primary()->ha->Status();
  EXPECT_TRUE(status.is_leader);
  EXPECT_TRUE(status.dcs_reachable);
  EXPECT_GT(status.counters.ha_loops, 0);
  EXPECT_EQ(status.counters.leader_changes, 1);
  EXPECT_FALSE(status.last_decision.empty());
  EXPECT_EQ(status.state, "running");
  EXPECT_EQ(status.config_adjustment, "");  // 20/2/5 keeps the timing rule
}

TEST_F(HaNodeClusterTest, StatusSaysHowTheTimingsWereAdjusted) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig config = Primary()->ha->Status().config;
  config.ttl = absl::Seconds(2);  // as `wardenctl edit-config` could not write, but etcdctl can
  ASSERT_TRUE(nodes_[0]
                  ->dcs
                  ->Put(ClusterKeys("/service", "virtual").config(), EncodeConfig(config), kNoLease,
                        absl::InfiniteFuture())
                  .ok());
  Run(absl::Seconds(5));
  const AgentStatus status = nodes_[1]->ha->Status();
  EXPECT_EQ(status.config.ttl, absl::Seconds(5));
  EXPECT_THAT(status.config_adjustment, ::testing::HasSubstr("ttl 2s -> 5s"));
}

}  // namespace
}  // namespace warden
