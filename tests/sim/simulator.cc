// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/sim/simulator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "warden/agent/executor.h"
#include "warden/clock.h"
#include "warden/core/codec.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

namespace warden::sim {
namespace {

constexpr size_t kTraceLines = 300;
constexpr int64_t kMaxLag = int64_t{1024} * 1024;

// One simulated machine: the agent's state, its PostgreSQL, its DCS client.
struct Node {
  std::string name;
  std::unique_ptr<FakeController> pg;
  std::unique_ptr<MemoryDcs> dcs;
  std::unique_ptr<ActionExecutor> executor;
  MemberTags tags;
  bool agent_up = true;
  bool probes_lost = false;  // its REST API is unreachable
  LeaseId lease = kNoLease;
  absl::Time lease_deadline = absl::InfinitePast();
  absl::Time next_keepalive = absl::InfinitePast();
  absl::Time next_tick = absl::InfinitePast();
  absl::Time down_since = absl::InfinitePast();
  absl::Time restart_at = absl::InfiniteFuture();
  absl::Time heal_at = absl::InfiniteFuture();
  absl::Time probes_back_at = absl::InfiniteFuture();
  ClusterView view;
  std::string last_reason;
  // maximum_lag_on_failover when this node last won the leader key: a promotion is judged by
  // the rules in force when the node decided to take over.
  int64_t max_lag_when_acquired = 0;
};

LocalPostgres StateOf(FakeController& pg) {
  return pg.State(absl::InfiniteFuture()).value_or(LocalPostgres{});
}

class Simulation {
 public:
  explicit Simulation(const SimOptions& options)
      : options_(options),
        store_(MemoryStoreOptions{.clock = &clock_, .manual_delivery = true}),
        rng_(options.seed),
        keys_("/service", "sim"),
        start_(clock_.Now()) {
    config_.ttl = absl::Seconds(10);
    config_.loop_wait = absl::Seconds(2);
    config_.retry_timeout = absl::Seconds(3);
    config_.maximum_lag_on_failover = kMaxLag;
    config_.use_pg_rewind = true;
    // Two nodes promoted from one timeline get the same next number (no shared WAL archive
    // here); the loser can only be re-copied, as Patroni's option of this name does.
    config_.remove_data_directory_on_diverged_timelines = true;
    if (options.synchronous_mode_strict) {
      config_.synchronous_mode = SynchronousMode::kOn;
      config_.synchronous_mode_strict = true;
    }
    admin_ = store_.NewClient("admin");
    (void)admin_->Put(keys_.config(), EncodeConfig(config_), kNoLease, absl::InfiniteFuture());
    for (int i = 0; i < options.nodes; ++i) {
      auto node = std::make_unique<Node>();
      node->name = absl::StrCat("n", i + 1);
      node->pg = std::make_unique<FakeController>(network_, node->name,
                                                  absl::StrCat("10.0.0.", i + 1), 5432);
      node->dcs = store_.NewClient(node->name);
      node->executor = std::make_unique<ActionExecutor>(*node->dcs, *node->pg, keys_, node->name);
      // The last node never fails over, so that rule is exercised in every run.
      node->tags.nofailover = i == options.nodes - 1 && options.nodes > 2;
      node->next_tick = clock_.Now() + absl::Milliseconds(100 * i);
      nodes_.push_back(std::move(node));
    }
  }

  SimResult Run() {
    const absl::Time fault_end = start_ + options_.fault_phase;
    const absl::Time end = fault_end + options_.calm_phase;
    bool healed = false;
    while (clock_.Now() < end && result_.ok) {
      clock_.Advance(options_.step);
      ++result_.steps;
      const absl::Time now = clock_.Now();
      if (now < fault_end) {
        InjectFaults(now);
        ClientWrite();
      } else if (!healed) {
        HealAll(now);
        healed = true;
      }
      Recover(now);
      std::vector<Node*> order;
      for (auto& n : nodes_) order.push_back(n.get());
      std::shuffle(order.begin(), order.end(), rng_);
      for (Node* node : order) {
        if (!node->agent_up) continue;
        if (now >= node->next_keepalive) KeepAlive(*node, now);
        if (now >= node->next_tick) Tick(*node, now);
      }
      CheckNoSplitBrain();
    }
    if (result_.ok) CheckConverged();
    return std::move(result_);
  }

 private:
  // --- Randomness
  // ---------------------------------------------------------------------------------

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  absl::Duration Between(absl::Duration lo, absl::Duration hi) {
    return lo + absl::Milliseconds(std::uniform_int_distribution<int64_t>(
                    0, absl::ToInt64Milliseconds(hi - lo))(rng_));
  }
  Node& AnyNode() {
    return *nodes_[std::uniform_int_distribution<size_t>(0, nodes_.size() - 1)(rng_)];
  }

  void Log(const std::string& line) {
    result_.trace.push_back(
        absl::StrFormat("t=%7.2fs %s", absl::ToDoubleSeconds(clock_.Now() - start_), line));
    if (!options_.full_trace && result_.trace.size() > kTraceLines) {
      result_.trace.erase(result_.trace.begin());
    }
  }

  void Fail(const std::string& violation) {
    if (!result_.ok) return;
    result_.ok = false;
    result_.violation = absl::StrCat("seed ", options_.seed, ": ", violation);
    Log("VIOLATION: " + violation);
  }

  // --- Faults
  // -------------------------------------------------------------------------------------

  void InjectFaults(absl::Time now) {
    if (Chance(0.004)) {
      Node& n = AnyNode();
      if (n.agent_up) {
        n.pg->Crash();
        n.agent_up = false;
        n.restart_at = now + Between(absl::Seconds(5), absl::Seconds(40));
        Log(absl::StrCat("FAULT ", n.name, " machine crashes (agent and PostgreSQL)"));
      }
    }
    if (Chance(0.003)) {
      Node& n = AnyNode();
      n.pg->Crash();
      Log(absl::StrCat("FAULT ", n.name, " PostgreSQL crashes"));
    }
    if (Chance(0.003)) {
      Node& n = AnyNode();
      n.dcs->Partition();
      n.heal_at = now + Between(absl::Seconds(5), absl::Seconds(30));
      Log(absl::StrCat("FAULT ", n.name, " cut off from the DCS"));
    }
    if (Chance(0.001)) {
      const absl::Time back = now + Between(absl::Seconds(5), absl::Seconds(25));
      for (auto& n : nodes_) {
        n->dcs->Partition();
        n->heal_at = back;
      }
      Log("FAULT DCS outage");
    }
    if (Chance(0.003)) {
      Node& n = AnyNode();
      n.probes_lost = true;
      n.probes_back_at = now + Between(absl::Seconds(3), absl::Seconds(20));
      Log(absl::StrCat("FAULT ", n.name, " REST API unreachable"));
    }
    if (Chance(0.003)) {
      Node& n = AnyNode();
      n.pg->FailNextPromote(absl::DeadlineExceededError("slow promote"));
      Log(absl::StrCat("FAULT ", n.name, " next promote times out"));
    }
    if (Chance(0.004)) {
      Node& n = AnyNode();
      const uint64_t lag = Chance(0.5) ? 0 : 2 * kMaxLag;
      n.pg->SetReplicationLag(lag);
      Log(absl::StrCat("FAULT ", n.name, " replication lag ", lag));
    }
    if (Chance(0.002)) RequestSwitchover();
    if (Chance(0.0015)) ChangeConfig(now);
  }

  // A config change through the config key, as wardenctl edit-config makes: pause for a while,
  // or a new maximum_lag_on_failover.
  void ChangeConfig(absl::Time now) {
    DynamicConfig changed = config_;
    if (Chance(0.5)) {
      changed.pause = true;
      unpause_at_ = now + Between(absl::Seconds(5), absl::Seconds(30));
      Log("CONFIG pause");
    } else {
      changed.maximum_lag_on_failover = Chance(0.5) ? kMaxLag / 2 : kMaxLag;
      Log(absl::StrCat("CONFIG maximum_lag_on_failover ", changed.maximum_lag_on_failover));
    }
    WriteConfig(changed);
  }

  void WriteConfig(const DynamicConfig& config) {
    config_ = config;
    (void)admin_->Put(keys_.config(), EncodeConfig(config_), kNoLease, absl::InfiniteFuture());
  }

  void RequestSwitchover() {
    absl::StatusOr<GetResult> leader = admin_->Get(keys_.leader(), absl::InfiniteFuture());
    if (!leader.ok() || !leader->kv.has_value()) return;
    Node& candidate = AnyNode();
    if (candidate.name == leader->kv->value) return;
    FailoverRequest request{leader->kv->value, candidate.name, std::nullopt, 0};
    (void)admin_->Put(keys_.failover(), EncodeFailover(request), kNoLease, absl::InfiniteFuture());
    Log(absl::StrCat("REQUEST switchover from ", request.leader, " to ", request.candidate));
  }

  void Recover(absl::Time now) {
    if (now >= unpause_at_) {
      unpause_at_ = absl::InfiniteFuture();
      DynamicConfig resumed = config_;
      resumed.pause = false;
      WriteConfig(resumed);
      Log("CONFIG resume");
    }
    for (auto& n : nodes_) {
      if (now >= n->restart_at) {
        n->restart_at = absl::InfiniteFuture();
        n->agent_up = true;
        n->lease = kNoLease;
        n->lease_deadline = absl::InfinitePast();
        n->down_since = absl::InfinitePast();
        n->view = ClusterView{};
        n->next_tick = now;
        Log(absl::StrCat(n->name, " agent restarts"));
      }
      if (now >= n->heal_at) {
        n->heal_at = absl::InfiniteFuture();
        n->dcs->Heal();
        Log(absl::StrCat(n->name, " reaches the DCS again"));
      }
      if (now >= n->probes_back_at) {
        n->probes_back_at = absl::InfiniteFuture();
        n->probes_lost = false;
      }
    }
  }

  void HealAll(absl::Time now) {
    unpause_at_ = std::min(unpause_at_, now);
    for (auto& n : nodes_) {
      if (!n->agent_up) n->restart_at = now;
      n->heal_at = std::min(n->heal_at, now);
      n->probes_back_at = std::min(n->probes_back_at, now);
      n->pg->SetReplicationLag(0);
    }
    Log("faults stop");
  }

  // --- Clients
  // ------------------------------------------------------------------------------------

  void ClientWrite() {
    if (!Chance(0.3)) return;
    Node* primary = nullptr;
    for (auto& n : nodes_) {
      if (IsRunningPrimary(StateOf(*n->pg))) primary = n.get();
    }
    if (primary == nullptr) return;
    const int64_t bytes = std::uniform_int_distribution<int64_t>(8 << 10, 128 << 10)(rng_);
    if (primary->pg->Write(bytes).ok()) {
      ++result_.acknowledged_writes;
      Lsn& acked = acked_[primary->pg->timeline()];
      acked = std::max(acked, primary->pg->wal_lsn());
    }
  }

  // --- The agent
  // ----------------------------------------------------------------------------------

  void KeepAlive(Node& n, absl::Time now) {
    if (n.lease == kNoLease) return;
    absl::StatusOr<absl::Duration> ttl = n.dcs->KeepAlive(n.lease, absl::InfiniteFuture());
    if (ttl.ok()) {
      n.lease_deadline = now + *ttl;  // sent and acknowledged at the same virtual instant
      n.next_keepalive = now + *ttl / 3;
    } else if (ttl.status().code() == absl::StatusCode::kNotFound) {
      n.lease = kNoLease;
      n.next_keepalive = absl::InfiniteFuture();
    } else {
      n.next_keepalive = now + absl::Seconds(1);
    }
  }

  LocalNode Local(Node& n, bool dcs_ok, absl::Time now) {
    LocalNode local;
    local.name = n.name;
    local.tags = n.tags;
    local.postgres = StateOf(*n.pg);
    if (!local.postgres.running) local.stopped_lsn = n.pg->wal_lsn();
    local.dcs_reachable = dcs_ok;
    local.lease = n.lease;
    local.lease_deadline = n.lease == kNoLease ? absl::InfinitePast() : n.lease_deadline;
    const bool leader = n.view.leader.has_value() && n.view.leader->name == n.name;
    if (leader && !local.postgres.running) {
      if (n.down_since == absl::InfinitePast()) n.down_since = now;
    } else {
      n.down_since = absl::InfinitePast();
    }
    local.postgres_down_since = n.down_since;
    int64_t parent = 1;
    for (const TimelineFork& fork : n.pg->history()) {
      local.timeline_history.push_back(
          TimelineHistoryEntry{parent, fork.fork_lsn, "promoted", "", n.name});
      parent = fork.timeline;
    }
    for (auto& other : nodes_) {
      if (other.get() == &n) continue;
      MemberProbe probe;
      probe.name = other->name;
      probe.reachable = other->agent_up && !other->probes_lost && !n.probes_lost;
      if (probe.reachable) {
        const LocalPostgres s = StateOf(*other->pg);
        probe.running = s.running;
        probe.role = s.role;
        probe.wal_position = WalPosition(s);
        probe.timeline = s.timeline;
        probe.confirms_primary = true;
      }
      local.probes.push_back(probe);
    }
    return local;
  }

  Member SelfMember(const Node& n, const LocalPostgres& s) const {
    Member m;
    m.name = n.name;
    m.conn_url = absl::StrCat("postgres://", n.pg->host(), ":5432/postgres");
    m.api_url = absl::StrCat("http://", n.pg->host(), ":8008/patroni");
    m.state = s.running ? "running" : "stopped";
    m.role = s.role == PgRole::kPrimary ? "primary" : "replica";
    m.version = "warden-sim";
    if (s.running) m.xlog_location = WalPosition(s);
    if (s.timeline > 0) m.timeline = s.timeline;
    m.tags = n.tags;
    return m;
  }

  void Tick(Node& n, absl::Time now) {
    // A lease whose local deadline passed is as good as gone: never write with it again.
    if (n.lease != kNoLease && now >= n.lease_deadline) n.lease = kNoLease;
    if (n.lease == kNoLease) {
      absl::StatusOr<Lease> lease = n.dcs->GrantLease(config_.ttl, absl::InfiniteFuture());
      if (lease.ok()) {
        n.lease = lease->id;
        n.lease_deadline = now + lease->ttl;
        n.next_keepalive = now + lease->ttl / 3;
      }
    }
    absl::StatusOr<ListResult> listing = n.dcs->List(keys_.prefix(), absl::InfiniteFuture());
    if (listing.ok()) n.view = DecodeCluster(keys_, *listing);
    LocalNode local = Local(n, listing.ok(), now);
    const DynamicConfig& config = n.view.config_revision != 0 ? n.view.config : config_;
    const DecideFn& decide = options_.decide ? options_.decide : DecideFn(&Decide);
    Decision decision = decide(n.view, local, config, now);
    std::vector<std::string> names;
    for (const Action& a : decision.actions) {
      if (a.type == Action::Type::kWriteMember) continue;
      std::string name = ActionName(a.type);
      if (a.type == Action::Type::kSetSynchronousStandbyNames) {
        absl::StrAppend(&name, "='", FormatSynchronousStandbyNames(a.sync), "'");
      } else if (a.type == Action::Type::kWriteSyncState) {
        absl::StrAppend(&name, "={", absl::StrJoin(a.sync_state.sync_standby, ","), "}");
      } else if (!a.target.empty()) {
        absl::StrAppend(&name, "(", a.target, ")");
      }
      names.push_back(name);
    }
    if (!names.empty() || decision.reason != n.last_reason) {
      Log(absl::StrCat(n.name, ": ", decision.reason,
                       names.empty() ? "" : " [" + absl::StrJoin(names, ", ") + "]"));
      n.last_reason = decision.reason;
    }
    const LocalPostgres before = local.postgres;
    const bool dcs_ok = listing.ok();
    ActionExecutor::Outcome outcome =
        n.executor->Run(decision, n.view, SelfMember(n, before), n.lease, absl::InfiniteFuture());
    if (!outcome.error.ok() && dcs_ok) Log(absl::StrCat(n.name, ": ", outcome.error.message()));
    for (size_t i = 0; i < outcome.completed; ++i) {
      if (decision.actions[i].type == Action::Type::kAcquireLeader) {
        n.max_lag_when_acquired = config.maximum_lag_on_failover;
      }
    }
    const LocalPostgres after = StateOf(*n.pg);
    if (!IsRunningPrimary(before) && IsRunningPrimary(after) && after.timeline > 1 &&
        after.timeline != before.timeline) {
      OnPromotion(n, after, config);
    }
    n.next_tick =
        std::max(now + options_.step, std::min(now + config.loop_wait, decision.recheck_by));
  }

  // --- Invariants
  // ---------------------------------------------------------------------------------

  void OnPromotion(Node& n, const LocalPostgres& after, const DynamicConfig& config) {
    ++result_.failovers;
    const std::vector<TimelineFork> history = n.pg->history();
    const Lsn fork = history.empty() ? 0 : history.back().fork_lsn;
    Log(absl::StrCat(n.name, " PROMOTED to timeline ", after.timeline, " at ", FormatLsn(fork)));
    if (!n.tags.CanFailover()) Fail(absl::StrCat(n.name, " is tagged nofailover but was promoted"));
    absl::StatusOr<GetResult> status = admin_->Get(keys_.status(), absl::InfiniteFuture());
    if (status.ok() && status->kv.has_value()) {
      absl::StatusOr<ClusterStatus> decoded = DecodeStatus(status->kv->value);
      const int64_t max_lag =
          n.max_lag_when_acquired > 0 ? n.max_lag_when_acquired : config.maximum_lag_on_failover;
      if (decoded.ok() && decoded->optime > fork &&
          static_cast<int64_t>(decoded->optime - fork) > max_lag) {
        Fail(absl::StrCat(n.name, " was promoted lagging ", decoded->optime - fork,
                          " bytes behind the last leader position (maximum_lag_on_failover ",
                          max_lag, ")"));
      }
    }
    if (options_.synchronous_mode_strict) {
      const int64_t parent = history.size() >= 2 ? history[history.size() - 2].timeline : 1;
      if (auto it = acked_.find(parent); it != acked_.end() && it->second > fork) {
        Fail(absl::StrCat("acknowledged writes up to ", FormatLsn(it->second), " on timeline ",
                          parent, " lost: ", n.name, " forked at ", FormatLsn(fork)));
      }
    }
  }

  void CheckNoSplitBrain() {
    std::vector<std::string> primaries;
    for (auto& n : nodes_) {
      if (IsRunningPrimary(StateOf(*n->pg))) primaries.push_back(n->name);
    }
    if (primaries.size() > 1) {
      Fail("split brain: writable primaries " + absl::StrJoin(primaries, " and "));
    }
  }

  void CheckConverged() {
    std::string primary_address;
    std::string primary;
    for (auto& n : nodes_) {
      if (IsRunningPrimary(StateOf(*n->pg))) {
        primary = n->name;
        primary_address = n->pg->address();
      }
    }
    if (primary.empty()) {
      Fail("no primary after the calm phase");
      return;
    }
    for (auto& n : nodes_) {
      if (n->name == primary) continue;
      const LocalPostgres s = StateOf(*n->pg);
      if (!s.running || s.role != PgRole::kReplica || !s.streaming ||
          s.upstream != primary_address) {
        auto history = [](const FakeController& pg) {
          std::vector<std::string> forks;
          for (const TimelineFork& f : pg.history()) {
            forks.push_back(absl::StrCat(f.timeline, "@", FormatLsn(f.fork_lsn)));
          }
          return absl::StrCat("tl ", pg.timeline(), " at ", FormatLsn(pg.wal_lsn()), " [",
                              absl::StrJoin(forks, " "), "]");
        };
        Node* leader = nullptr;
        for (auto& m : nodes_) {
          if (m->name == primary) leader = m.get();
        }
        Fail(absl::StrCat(n->name, " is not streaming from the primary ", primary,
                          " after the calm phase (running=", s.running, ", role=",
                          PgRoleName(s.role), ", upstream=", s.upstream, ", ", history(*n->pg),
                          "; primary ", history(*leader->pg), "; reason: ", n->last_reason, ")"));
        return;
      }
    }
  }

  const SimOptions options_;
  ManualClock clock_;
  MemoryStore store_;
  FakePgNetwork network_;
  std::mt19937_64 rng_;
  ClusterKeys keys_;
  const absl::Time start_;
  DynamicConfig config_;
  std::unique_ptr<MemoryDcs> admin_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<int64_t, Lsn> acked_;  // highest acknowledged write, by timeline
  absl::Time unpause_at_ = absl::InfiniteFuture();
  SimResult result_;
};

}  // namespace

SimResult RunSimulation(const SimOptions& options) { return Simulation(options).Run(); }

SimResult RunSeeds(SimOptions options, uint64_t first, uint64_t count) {
  SimResult total;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    options.seed = seed;
    SimResult r = RunSimulation(options);
    if (!r.ok) return r;
    total.steps += r.steps;
    total.failovers += r.failovers;
    total.acknowledged_writes += r.acknowledged_writes;
  }
  return total;
}

}  // namespace warden::sim
