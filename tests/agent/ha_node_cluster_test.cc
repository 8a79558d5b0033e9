// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Three HaNodes (the agent's HA loop, lease keeper and probes, minus Asio) over one in-memory DCS
// and FakeControllers, driven in virtual time on a ManualClock: bootstrap, graceful handover,
// crash failover, switchover.

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/agent/cluster_cache.h"
#include "src/agent/ha_node.h"
#include "src/agent/lease_keeper.h"
#include "src/agent/member_prober.h"
#include "src/agent/write_noting_dcs.h"
#include "warden/clock.h"
#include "warden/core/codec.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

namespace warden {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kStep = absl::Milliseconds(250);

struct Node {
  std::string name;
  std::unique_ptr<MemoryDcs> dcs;
  std::unique_ptr<FakeController> pg;
  std::unique_ptr<LeaseKeeper> lease;
  std::unique_ptr<MemberProber> prober;
  // With a watch-fed view (as the Agent runs it): the cache, its watch, and the writing Dcs.
  std::unique_ptr<ClusterCache> cache;
  std::unique_ptr<WriteNotingDcs> noting;
  std::unique_ptr<WatchHandle> watch;
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
  // `watched`: each node reads through a watch-fed ClusterCache, as under the Agent.
  // `customize` changes the options every node is made with.
  explicit HaNodeClusterTest(bool watched = false,
                             const std::function<void(AgentOptions&)>& customize = nullptr)
      : watched_(watched) {
    options_.scope = "virtual";
    options_.bootstrap_config.ttl = absl::Seconds(20);
    options_.bootstrap_config.loop_wait = absl::Seconds(2);
    options_.bootstrap_config.retry_timeout = absl::Seconds(5);
    if (customize) customize(options_);
    for (int i = 1; i <= 3; ++i) Add(absl::StrCat("n", i));
  }
  ~HaNodeClusterTest() override {
    for (auto& n : nodes_) n->watch.reset();  // before the store goes
  }

  // Fills the node's cache from a List and keeps it by a watch from the next revision.
  static void StartWatch(Node& n, const std::string& prefix) {
    absl::StatusOr<ListResult> listing = n.dcs->List(prefix, absl::InfiniteFuture());
    ASSERT_TRUE(listing.ok());
    n.cache->Start(*listing);
    ClusterCache* cache = n.cache.get();
    absl::StatusOr<std::unique_ptr<WatchHandle>> watch = n.dcs->Watch(
        prefix, listing->revision + 1, [cache](const WatchResponse& r) { cache->Apply(r); },
        absl::InfiniteFuture());
    ASSERT_TRUE(watch.ok());
    n.watch = *std::move(watch);
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
    Dcs* dcs = n->dcs.get();
    if (watched_) {
      n->cache = std::make_unique<ClusterCache>();
      n->noting = std::make_unique<WriteNotingDcs>(*n->dcs, *n->cache);
      dcs = n->noting.get();
      StartWatch(*n, ClusterKeys("/service", "virtual").prefix());
    }
    n->ha = std::make_unique<HaNode>(options, "http://" + host + ":8008/patroni", *dcs, *n->pg,
                                     *n->lease, *n->prober, clock_, nullptr, n->cache.get());
    nodes_.push_back(std::move(n));
  }

  // Advances virtual time, renewing leases and running HA loops when due.
  void Run(absl::Duration duration) {
    const absl::Time end = clock_.Now() + duration;
    while (clock_.Now() < end) {
      for (auto& n : nodes_) {
        if (!n->up) continue;
        store_.DeliverPending();  // no-op unless watched
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

  void PutConfig(const DynamicConfig& config) {
    ASSERT_TRUE(nodes_[0]
                    ->dcs
                    ->Put(ClusterKeys("/service", "virtual").config(), EncodeConfig(config),
                          kNoLease, absl::InfiniteFuture())
                    .ok());
  }

  std::string MemberJson(const std::string& name) {
    absl::StatusOr<GetResult> got = nodes_[0]->dcs->Get(
        ClusterKeys("/service", "virtual").member(name), absl::InfiniteFuture());
    return got.ok() && got->kv.has_value() ? got->kv->value : "";
  }

  std::string LeaderKey() {
    absl::StatusOr<GetResult> got =
        nodes_[0]->dcs->Get(ClusterKeys("/service", "virtual").leader(), absl::InfiniteFuture());
    return got.ok() && got->kv.has_value() ? got->kv->value : "";
  }

  const bool watched_;
  ManualClock clock_;
  // A watched cluster gets its watch events when Run hands them out, in virtual time: a store
  // thread would race the loops, which run many virtual seconds in a real millisecond.
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_, .manual_delivery = watched_}};
  FakePgNetwork network_;
  AgentOptions options_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(HaNodeClusterTest, BootstrapsOnePrimaryAndTwoStreamingReplicas) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  EXPECT_EQ(LeaderKey(), Primary()->name);
}

// The loop that wins the leader key publishes the view it read before (no leader), so GET
// /primary would answer 503 until the next loop: that one runs at once, and shows the leader.
TEST_F(HaNodeClusterTest, TheLoopThatWinsTheLeaderKeyIsFollowedAtOnceByOneThatShowsIt) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Primary()->up = false;  // its lease runs out; a replica takes over
  Node* winner = nullptr;
  absl::Time next;
  RunUntil([&] {
    for (auto& n : nodes_) {
      if (!n->up) continue;
      store_.DeliverPending();
      if (clock_.Now() >= n->next_renewal) n->next_renewal = n->lease->RenewIfDue(absl::Seconds(1));
      if (clock_.Now() < n->next_loop) continue;
      next = n->ha->RunOnce();
      n->next_loop = std::max(next, clock_.Now() + kStep);
      if (absl::StrContains(n->ha->Status().last_decision, "taking the key")) {
        winner = n.get();
        return true;
      }
    }
    clock_.Advance(kStep);
    return false;
  });
  ASSERT_NE(winner, nullptr);
  EXPECT_FALSE(winner->ha->Status().is_leader) << "the published view predates the key";
  EXPECT_LE(next, clock_.Now()) << "the next loop must not wait loop_wait";
  winner->ha->RunOnce();
  EXPECT_TRUE(winner->ha->Status().is_leader);
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

// Patroni writes bootstrap.dcs as the file gives it, without defaults; so does warden, and a
// member's own postgresql.use_pg_rewind holds for it alone.
class HaNodeBootstrapJsonTest : public HaNodeClusterTest {
 protected:
  HaNodeBootstrapJsonTest()
      : HaNodeClusterTest(/*watched=*/false, [](AgentOptions& o) {
          o.bootstrap_config_json = R"({"ttl":20,"loop_wait":2,"retry_timeout":5})";
          o.use_pg_rewind = true;
        }) {}
};

TEST_F(HaNodeBootstrapJsonTest, TheConfigKeyIsBootstrapDcsAsWrittenAndLocalOverridesStayLocal) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  absl::StatusOr<GetResult> got =
      nodes_[0]->dcs->Get(ClusterKeys("/service", "virtual").config(), absl::InfiniteFuture());
  ASSERT_TRUE(got.ok() && got->kv.has_value());
  EXPECT_EQ(got->kv->value, R"({"ttl":20,"loop_wait":2,"retry_timeout":5})");
  EXPECT_TRUE(nodes_[0]->ha->Status().config.use_pg_rewind);  // its own setting
  absl::StatusOr<DynamicConfig> key = DecodeConfig(got->kv->value);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->use_pg_rewind);  // not the cluster's
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

// use_slots (Patroni's default): the primary holds a slot per member and each replica streams
// through its own (the fake streams only through an existing slot); after a failover the new
// primary has the slots, and the crashed member's slot goes once its member key has expired.
TEST_F(HaNodeClusterTest, ReplicasStreamThroughTheirSlotsAlsoAfterAFailover) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  std::set<std::string> others;
  for (const auto& n : nodes_) {
    if (n.get() != old) others.insert(n->name);
  }
  EXPECT_EQ(old->pg->replication_slots(), others);
  old->up = false;
  old->pg->Crash();
  RunUntil([&] { return Converged(); });
  Node* now = Primary();
  ASSERT_NE(now, old);
  Run(options_.bootstrap_config.ttl);  // the crashed member's key expires
  std::set<std::string> remaining;
  for (const auto& n : nodes_) {
    if (n.get() != old && n.get() != now) remaining.insert(n->name);
  }
  EXPECT_EQ(now->pg->replication_slots(), remaining);
  EXPECT_TRUE(Converged());
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

// edit-config -p: the cluster's postgresql.parameters reach every member, as Patroni's
// reload_config does; a reloadable one takes effect, a restart-only one waits for a restart and
// says so in the member key (patronictl list's "Pending restart").
TEST_F(HaNodeClusterTest, TheClustersParametersReachEveryMember) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig config = options_.bootstrap_config;
  config.postgresql_parameters = {{"work_mem", "8MB"}};
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  for (const auto& n : nodes_) {
    EXPECT_EQ(n->pg->running_parameters().at("work_mem"), "8MB") << n->name;
    EXPECT_EQ(n->pg->running_parameters().at("max_connections"), "100") << n->name;  // default
    EXPECT_FALSE(n->pg->State(absl::InfiniteFuture())->pending_restart) << n->name;
  }
  config.postgresql_parameters["max_connections"] = "200";
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  for (const auto& n : nodes_) {
    EXPECT_EQ(n->pg->parameters().at("max_connections"), "200") << n->name;
    EXPECT_EQ(n->pg->running_parameters().at("max_connections"), "100") << n->name;
    EXPECT_TRUE(n->pg->State(absl::InfiniteFuture())->pending_restart) << n->name;
    EXPECT_THAT(MemberJson(n->name), HasSubstr(R"("pending_restart":true)"));
  }
  ASSERT_TRUE(nodes_[1]->ha->Restart().ok());
  Run(2 * options_.bootstrap_config.loop_wait);
  EXPECT_EQ(nodes_[1]->pg->running_parameters().at("max_connections"), "200");
  EXPECT_THAT(MemberJson("n2"), Not(HasSubstr("pending_restart")));
}

// A value PostgreSQL rejects changes nothing on any node: the error is in the status (and so in
// /patroni), not retried every loop, and a good value recovers without a restart of the agent.
TEST_F(HaNodeClusterTest, ARejectedParameterLeavesEveryNodeOnItsLastGoodConfiguration) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig config = options_.bootstrap_config;
  config.postgresql_parameters = {{"work_mem", "8MB"}};
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  for (const auto& n : nodes_) n->pg->RejectParameterValue("work_mem", "lots");
  config.postgresql_parameters = {{"work_mem", "lots"}};
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  for (const auto& n : nodes_) {
    EXPECT_EQ(n->pg->parameters().at("work_mem"), "8MB") << n->name;
    EXPECT_THAT(n->ha->Status().parameters_error, HasSubstr("work_mem")) << n->name;
  }
  EXPECT_TRUE(Converged());
  config.postgresql_parameters = {{"work_mem", "4MB"}};
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  for (const auto& n : nodes_) {
    EXPECT_EQ(n->pg->running_parameters().at("work_mem"), "4MB") << n->name;
    EXPECT_EQ(n->ha->Status().parameters_error, "") << n->name;
  }
}

// A member's own postgresql.parameters beat the cluster's, except the ones every member shares.
TEST_F(HaNodeClusterTest, AMembersOwnParametersBeatTheClustersButNotTheSharedOnes) {
  options_.postgresql_parameters = {{"work_mem", "32MB"}, {"max_connections", "500"}};
  Add("n4");
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig config = options_.bootstrap_config;
  config.postgresql_parameters = {{"work_mem", "8MB"}, {"max_connections", "300"}};
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  EXPECT_EQ(nodes_[3]->pg->parameters().at("work_mem"), "32MB");
  EXPECT_EQ(nodes_[3]->pg->parameters().at("max_connections"), "300");
  EXPECT_EQ(nodes_[0]->pg->parameters().at("work_mem"), "8MB");
  EXPECT_THAT(nodes_[3]->ha->Status().parameters_ignored,
              ElementsAre(HasSubstr("postgresql.parameters.max_connections is ignored")));
}

// primary_stop_timeout bounds each stop mode of a demotion (5 s when unset).
TEST_F(HaNodeClusterTest, ASwitchoverDemotesWithinPrimaryStopTimeout) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  DynamicConfig config = options_.bootstrap_config;
  config.primary_stop_timeout = absl::Seconds(17);
  PutConfig(config);
  Run(2 * options_.bootstrap_config.loop_wait);
  Node* old = Primary();
  FailoverRequest request{old->name, "", std::nullopt, 0};
  ASSERT_TRUE(nodes_[0]
                  ->dcs
                  ->Put(ClusterKeys("/service", "virtual").failover(), EncodeFailover(request),
                        kNoLease, absl::InfiniteFuture())
                  .ok());
  RunUntil([&] { return Converged() && Primary() != old; });
  EXPECT_EQ(old->pg->last_stop_escalation(), absl::Seconds(17));
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

namespace warden {
namespace {

class HaNodeWatchedClusterTest : public HaNodeClusterTest {
 protected:
  HaNodeWatchedClusterTest() : HaNodeClusterTest(/*watched=*/true) {}
};

TEST_F(HaNodeWatchedClusterTest, BootstrapsAndFailsOverReadingTheWatchFedView) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* old = Primary();
  old->up = false;
  old->pg->Crash();
  RunUntil([&] { return Primary() != nullptr && Primary() != old && Converged(); });
  EXPECT_EQ(LeaderKey(), Primary()->name);
}

// A replica trusts the cache while its keep-alives are answered on schedule (a third of the ttl
// and then some); the primary must notice a silent DCS within a loop or two, as when it listed
// every loop, whatever its cache says.
TEST_F(HaNodeWatchedClusterTest, APrimaryNoticesASilentDcsWithinTwoLoopsDespiteItsCache) {
  RunUntil([&] { return Converged(); }, absl::Seconds(30));
  Node* primary = Primary();
  const absl::Time renewal = primary->next_renewal;
  RunUntil([&] { return primary->next_renewal != renewal; });  // a keep-alive was just answered
  primary->dcs->FailCalls(absl::StatusCode::kUnavailable);
  const absl::Duration took = RunUntil([&] { return !primary->ha->Status().dcs_reachable; });
  EXPECT_LE(took, 2 * options_.bootstrap_config.loop_wait + kStep);
}

}  // namespace
}  // namespace warden
