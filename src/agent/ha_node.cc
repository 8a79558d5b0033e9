// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/ha_node.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "src/agent/version.h"
#include "warden/core/config.h"
#include "warden/core/pg_parameters.h"

namespace warden {
namespace {

using Type = Action::Type;

constexpr absl::Duration kNoLeaderRecheck = absl::Seconds(1);
// How long a loop waits for the watch to deliver this node's own last write before it lists the
// keys instead (on loopback the event follows the write within a millisecond or two).
constexpr absl::Duration kOwnWritePatience = absl::Milliseconds(250);

// The role word of members' keys and callbacks.
const char* RoleWord(PgRole role) { return role == PgRole::kPrimary ? "primary" : "replica"; }

// Patroni's member state words.
std::string StateWord(const LocalPostgres& pg) {
  if (pg.running) return "running";
  if (pg.system_identifier != 0 && pg.cluster_state == "in production") return "crashed";
  return "stopped";
}

bool ChangesPostgres(Type type) {
  switch (type) {
    case Type::kBootstrap:
    case Type::kPromote:
    case Type::kDemote:
    case Type::kRefuseToRun:
    case Type::kStartPostgres:
    case Type::kFollow:
    case Type::kRewind:
    case Type::kReinitialize:
    case Type::kClone:
      return true;
    default:
      return false;
  }
}

// Whether the first `completed` actions of `decision` include one of `type`.
bool Completed(const Decision& decision, size_t completed, Type type) {
  for (size_t i = 0; i < completed && i < decision.actions.size(); ++i) {
    if (decision.actions[i].type == type) return true;
  }
  return false;
}

// What the member shows while a long action runs.
const char* BusyState(const Decision& decision) {
  for (const Action& a : decision.actions) {
    if (a.type == Type::kBootstrap) return "initializing new cluster";
    if (a.type == Type::kClone || a.type == Type::kReinitialize) return "creating replica";
    if (a.type == Type::kStartPostgres) return "starting";
    if (a.type == Type::kDemote) return "stopping";
  }
  return nullptr;
}

// The local timeline history as history-key entries. Entries the key already has keep their
// reason, time and leader; a new one is this node's promotion, stamped now.
std::vector<TimelineHistoryEntry> HistoryEntries(const LocalPostgres& pg, const std::string& name,
                                                 const std::vector<TimelineHistoryEntry>& known,
                                                 absl::Time now) {
  std::vector<TimelineHistoryEntry> entries;
  int64_t parent = 1;
  for (const TimelineFork& fork : pg.timeline_history) {
    TimelineHistoryEntry entry{parent, fork.fork_lsn, "no recovery target specified",
                               absl::FormatTime("%Y-%m-%dT%H:%M:%E6S%Ez", now, absl::UTCTimeZone()),
                               name};
    for (const TimelineHistoryEntry& k : known) {
      if (k.timeline == entry.timeline && k.lsn == entry.lsn) entry = k;
    }
    entries.push_back(std::move(entry));
    parent = fork.timeline;
  }
  return entries;
}

}  // namespace

HaNode::HaNode(const AgentOptions& options, std::string api_url, Dcs& dcs, Controller& controller,
               LeaseKeeper& lease, MemberProber& prober, const Clock& clock,
               CallbackRunner* callbacks, ClusterCache* cache)
    : options_(options),
      api_url_(std::move(api_url)),
      keys_(options.namespace_, options.scope),
      dcs_(dcs),
      controller_(controller),
      lease_(lease),
      prober_(prober),
      clock_(clock),
      callbacks_(callbacks),
      cache_(cache),
      wall_offset_(dynamic_cast<const ManualClock*>(&clock) != nullptr
                       ? absl::ZeroDuration()
                       : absl::Now() - clock.Now()) {
  status_.name = options_.name;
  status_.scope = options_.scope;
  status_.api_url = api_url_;
  status_.conn_url = absl::StrCat("postgres://", options_.connect_address, "/postgres");
  status_.tags = options_.tags;
  status_.config =
      WithLocalOverrides(AdjustTiming(options_.bootstrap_config, &status_.config_adjustment));
}

DynamicConfig HaNode::WithLocalOverrides(DynamicConfig config) const {
  if (options_.use_pg_rewind) config.use_pg_rewind = *options_.use_pg_rewind;
  if (options_.remove_data_directory_on_diverged_timelines) {
    config.remove_data_directory_on_diverged_timelines =
        *options_.remove_data_directory_on_diverged_timelines;
  }
  return config;
}

DynamicConfig HaNode::EffectiveConfig() const {
  absl::MutexLock lock(&mu_);
  return status_.config;
}

// DCS calls get retry_timeout; PostgreSQL's quick actions at least a minute (a fast shutdown
// flushes, a promote checkpoints); bootstrap, clone, rewind and reinit a day.
// primary_stop_timeout bounds each stop mode of a demotion. Patroni applies it in synchronous
// mode only and otherwise waits for the stop as long as it takes; warden escalates after 5 s
// when it is 0, so that a stuck client cannot hold a demoting primary up.
ExecutorOptions HaNode::ExecutorOptionsFor(const DynamicConfig& config) const {
  ExecutorOptions options{.dcs_timeout = config.retry_timeout,
                          .postgres_timeout = std::max(config.retry_timeout, absl::Seconds(60)),
                          .long_timeout = absl::Hours(24),
                          .bootstrap = options_.initdb,
                          .dcs_deadline_cap = dcs_cap_};
  if (config.primary_stop_timeout > absl::ZeroDuration()) {
    options.stop_escalation = config.primary_stop_timeout;
  }
  return options;
}

absl::Time HaNode::Deadline(const DynamicConfig& config) const {
  return absl::Now() + config.retry_timeout;
}

absl::Time HaNode::DcsDeadline(const DynamicConfig& config) const {
  return std::min(Deadline(config), dcs_cap_);
}

bool HaNode::WasRunningPrimary() const {
  absl::MutexLock lock(&mu_);
  return IsRunningPrimary(status_.postgres);
}

absl::Time HaNode::PrimaryDcsCap() const {
  const LeaseState lease = lease_.Current();
  if (!WasRunningPrimary() || lease.id == kNoLease) return absl::InfiniteFuture();
  const absl::Time demote_at = lease.deadline + wall_offset_ - LocalNode{}.demote_margin;
  return absl::Now() + (demote_at - Now());  // from the monotonic clock's time to real time
}

absl::Time HaNode::RunOnce() {
  const absl::Time started = Now();
  DynamicConfig config = EffectiveConfig();
  lease_.SetTtl(config.ttl);
  dcs_cap_ = PrimaryDcsCap();
  const bool has_lease = lease_.Ensure(config.retry_timeout).ok();
  int64_t dcs_errors = has_lease ? 0 : 1;
  absl::StatusOr<Observation> seen = Observe(config);
  // The DCS came back between the grant and the read (an etcd resumed from a pause, say): a
  // primary without a lease would demote now, and a failsafe primary in particular, whose old
  // lease expired while all members vouched for it, must get a new one and keep the cluster.
  if (!has_lease && seen.ok() && seen->dcs_ok) {
    (void)lease_.Ensure(config.retry_timeout);
  }
  if (!seen.ok()) {
    absl::MutexLock lock(&mu_);
    status_.last_decision =
        absl::StrCat("cannot read PostgreSQL's state: ", seen.status().message());
    status_.counters.dcs_errors += dcs_errors;
    return clock_.Now() + std::min(config.loop_wait, absl::Seconds(1));
  }
  if (!seen->dcs_ok) ++dcs_errors;
  std::string adjustment;
  if (seen->view.config_revision != 0) {
    config = WithLocalOverrides(AdjustTiming(seen->view.config, &adjustment));
  }
  ApplyParameters(config);
  LocalNode local = BuildLocalNode(*seen, config);
  const Member self = SelfMember(seen->postgres, config.pause);
  const std::string self_json = EncodeMember(self);
  local.member_key_current = MemberKeyCurrent(*seen, self_json, local.lease);
  const Decision decision = Decide(seen->view, local, config, Now());
  if (const char* busy = BusyState(decision); busy != nullptr) SetState(busy);
  AnnounceDecision(decision);

  ActionExecutor executor(dcs_, controller_, keys_, options_.name, ExecutorOptionsFor(config));
  const ActionExecutor::Outcome outcome =
      executor.Run(decision, seen->view, self, local.lease, absl::InfiniteFuture());
  NoteMemberWrite(decision, outcome.completed, self_json, local.lease);
  // Publish what PostgreSQL is now, not what it was before this loop's actions, in the status
  // and in the member key (which the loop wrote first thing).
  if (std::optional<LocalPostgres> after =
          AfterActions(decision, outcome.completed, seen->postgres);
      after.has_value()) {
    seen->postgres = *std::move(after);
    if (seen->dcs_ok && local.lease != kNoLease) {
      const std::string json = EncodeMember(SelfMember(seen->postgres, config.pause));
      const bool written =
          dcs_.Put(keys_.member(options_.name), json, local.lease, DcsDeadline(config)).ok();
      RememberMemberKey(written, json, local.lease);
    }
  }
  Publish(*seen, config, decision, Now() - started);
  {
    absl::MutexLock lock(&mu_);
    status_.counters.dcs_errors += dcs_errors;
    if (seen->view.config_revision != 0) status_.config_adjustment = std::move(adjustment);
    if (!outcome.error.ok()) {
      absl::StrAppend(&status_.last_decision, " (", outcome.error.message(), ")");
    }
  }
  absl::Time next = std::min(started + config.loop_wait, decision.recheck_by);
  // The status just published still shows the view from before the key was won: /primary would
  // answer 503 for a whole loop after the promotion. Look again at once.
  if (Completed(decision, outcome.completed, Type::kAcquireLeader)) next = started;
  // Without a leader every second counts: look again soon rather than after loop_wait (a member
  // that was still stopping, say, may be done by then).
  if ((seen->dcs_ok && !seen->view.leader.has_value()) || !outcome.error.ok()) {
    // ...and after a failed action (a clone from a primary still bootstrapping, a lost race),
    // try again soon too.
    next = std::min(next, started + kNoLeaderRecheck);
  }
  return next - wall_offset_;
}

// The member key as read this tick is the one this node last wrote, under its current lease:
// writing it again would change nothing.
bool HaNode::MemberKeyCurrent(const Observation& seen, const std::string& json,
                              LeaseId lease) const {
  if (!seen.dcs_ok || lease == kNoLease || json != last_member_json_ ||
      lease != last_member_lease_) {
    return false;
  }
  const Member* mine = seen.view.FindMember(options_.name);
  return mine != nullptr && mine->lease == lease;
}

void HaNode::NoteMemberWrite(const Decision& decision, size_t completed, const std::string& json,
                             LeaseId lease) {
  for (size_t i = 0; i < decision.actions.size(); ++i) {
    if (decision.actions[i].type != Type::kWriteMember) continue;
    RememberMemberKey(i < completed, json, lease);
    return;
  }
}

void HaNode::RememberMemberKey(bool written, const std::string& json, LeaseId lease) {
  last_member_json_ = written ? json : std::string();
  last_member_lease_ = written ? lease : kNoLease;
}

// Whether the cache's view is as good as a List now. A running primary's demotion and failsafe
// mode depend on noticing a silent DCS within a loop, as a List each loop would: it trusts the
// cache only while the DCS answered it (a keep-alive, or its last List) within the last loop,
// and lists otherwise. (A keep-alive each loop would prove that as well, but would extend the
// lease and so delay the failover after a crash of the primary.) Other members take their lease
// keeper's word that the DCS answered on schedule: a stale view costs them no more than a lost
// compare-and-swap, and the watch wakes them on every change that matters.
bool HaNode::CacheTrusted(const DynamicConfig& config) const {
  if (cache_ == nullptr || !cache_->live()) return false;
  if (WasRunningPrimary()) {
    const absl::Time answered = std::max(lease_.LastAnswer(), last_list_);
    return clock_.Now() - answered < config.loop_wait;
  }
  return lease_.OnSchedule(config.retry_timeout);
}

// The cluster's keys: from the watch-fed cache when it is trusted (an idle replica's loop then
// sends no request at all), else by a List, which also refreshes the cache.
absl::StatusOr<ListResult> HaNode::ReadCluster(const DynamicConfig& config) {
  if (CacheTrusted(config)) {
    if (std::optional<ListResult> cached = cache_->Read(kOwnWritePatience); cached.has_value()) {
      return *std::move(cached);
    }
  }
  const absl::Time sent = clock_.Now();
  absl::StatusOr<ListResult> listing = dcs_.List(keys_.prefix(), DcsDeadline(config));
  if (listing.ok()) last_list_ = sent;
  if (listing.ok() && cache_ != nullptr) cache_->Refresh(*listing);
  return listing;
}

absl::StatusOr<HaNode::Observation> HaNode::Observe(const DynamicConfig& config) {
  Observation seen;
  absl::StatusOr<ListResult> listing = ReadCluster(config);
  seen.dcs_ok = listing.ok();
  if (seen.dcs_ok) {
    if (view_revision_ == 0 || listing->revision != view_revision_) {
      view_ = DecodeCluster(keys_, *listing);
      view_revision_ = listing->revision;
    }
  }
  seen.view = view_;
  absl::StatusOr<LocalPostgres> pg = controller_.State(Deadline(config));
  if (!pg.ok()) return pg.status();
  seen.postgres = *std::move(pg);
  return seen;
}

bool HaNode::NeedsProbes(const Observation& seen, const DynamicConfig& config) const {
  const LocalPostgres& pg = seen.postgres;
  if (!seen.dcs_ok) return config.failsafe_mode && IsRunningPrimary(pg);
  if (!seen.view.leader.has_value() || seen.view.failover.has_value()) return true;
  // A replica that is not streaming may have to decide between follow, rewind and reinit.
  return !pg.running || (pg.role == PgRole::kReplica && !pg.streaming);
}

LocalNode HaNode::BuildLocalNode(const Observation& seen, const DynamicConfig& config) {
  LocalNode local;
  local.name = options_.name;
  local.tags = options_.tags;
  local.postgres = seen.postgres;
  local.stopped_lsn = seen.postgres.stopped_lsn;
  local.dcs_reachable = seen.dcs_ok;
  const LeaseState lease = lease_.Current();
  local.lease = lease.id;
  local.lease_deadline =
      lease.id == kNoLease ? absl::InfinitePast() : lease.deadline + wall_offset_;
  local.timeline_history = HistoryEntries(seen.postgres, options_.name, seen.view.history, Now());
  const bool leader = seen.view.leader.has_value() && seen.view.leader->name == options_.name;
  if (leader && !seen.postgres.running) {
    if (postgres_down_since_ == absl::InfinitePast()) postgres_down_since_ = Now();
  } else {
    postgres_down_since_ = absl::InfinitePast();
  }
  local.postgres_down_since = postgres_down_since_;
  if (NeedsProbes(seen, config)) {
    const bool failsafe = !seen.dcs_ok && config.failsafe_mode;
    local.probes = prober_.Probe(seen.view, options_.name, options_.probe_timeout, failsafe);
  }
  return local;
}

Member HaNode::SelfMember(const LocalPostgres& pg, bool paused) const {
  Member m;
  m.name = options_.name;
  m.conn_url = absl::StrCat("postgres://", options_.connect_address, "/postgres");
  m.api_url = api_url_;
  m.state = StateWord(pg);
  m.role = RoleWord(pg.role);
  m.version = kWardenVersion;
  if (pg.running) m.xlog_location = WalPosition(pg);
  if (pg.timeline > 0) m.timeline = pg.timeline;
  m.tags = options_.tags;
  // Patroni shows maintenance mode in each member key (`patronictl pause --wait` reads it), and
  // a parameter change waiting for a restart (patronictl list's "Pending restart" column).
  if (pg.pending_restart && paused) {
    m.unknown_json = R"({"pending_restart":true,"pause":true})";
  } else if (pg.pending_restart) {
    m.unknown_json = R"({"pending_restart":true})";
  } else if (paused) {
    m.unknown_json = R"({"pause":true})";
  }
  return m;
}

std::optional<LocalPostgres> HaNode::AfterActions(const Decision& decision, size_t completed,
                                                  const LocalPostgres& before) {
  bool changed_postgres = false;
  for (size_t i = 0; i < completed; ++i) {
    const Type type = decision.actions[i].type;
    if (type == Type::kInitializeCluster) EnsureConfigKey();
    changed_postgres = changed_postgres || ChangesPostgres(type);
  }
  if (!changed_postgres) return std::nullopt;
  absl::StatusOr<LocalPostgres> after = controller_.State(Deadline(EffectiveConfig()));
  if (!after.ok()) return std::nullopt;
  if (callbacks_ != nullptr) {
    const std::string role = RoleWord(after->role);
    if (!before.running && after->running) {
      callbacks_->Fire("on_start", role);
    } else if (before.running && !after->running) {
      callbacks_->Fire("on_stop", role);
    } else if (before.running && before.role != after->role) {
      callbacks_->Fire("on_role_change", role);
    }
  }
  return *std::move(after);
}

void HaNode::ApplyParameters(const DynamicConfig& config) {
  std::vector<std::string> ignored;
  std::map<std::string, std::string> wanted = EffectivePostgresParameters(
      config.postgresql_parameters, options_.postgresql_parameters, &ignored);
  if (wanted == applied_parameters_ || wanted == rejected_parameters_) return;
  const absl::Status status = controller_.SetParameters(wanted, Deadline(config));
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument) return;  // next loop
  absl::MutexLock lock(&mu_);
  status_.parameters_ignored = std::move(ignored);
  if (status.ok()) {
    applied_parameters_ = std::move(wanted);
    rejected_parameters_.clear();
    status_.parameters_error.clear();
  } else {
    rejected_parameters_ = std::move(wanted);
    status_.parameters_error = std::string(status.message());
  }
}

// The node that initialized the cluster writes bootstrap.dcs as the cluster's config, unless a
// config key exists already (written by an operator before the first start, say).
void HaNode::EnsureConfigKey() {
  const DynamicConfig& config = options_.bootstrap_config;
  const std::string value = options_.bootstrap_config_json.empty() ? EncodeConfig(config)
                                                                   : options_.bootstrap_config_json;
  TxnRequest txn;
  txn.compares = {Compare::Absent(keys_.config())};
  txn.success = {TxnOp::Put(keys_.config(), value)};
  (void)dcs_.Txn(txn, DcsDeadline(config));
}

void HaNode::Publish(const Observation& seen, const DynamicConfig& config, const Decision& decision,
                     absl::Duration took) {
  absl::MutexLock lock(&mu_);
  const std::string old_leader = status_.view.leader ? status_.view.leader->name : "";
  const std::string new_leader = seen.view.leader ? seen.view.leader->name : "";
  if (!new_leader.empty() && new_leader != old_leader) ++status_.counters.leader_changes;
  status_.view = seen.view;
  status_.dcs_reachable = seen.dcs_ok;
  if (seen.dcs_ok) status_.dcs_last_seen = Now();
  status_.config = config;
  status_.postgres = seen.postgres;
  status_.state = StateWord(seen.postgres);
  status_.is_leader = new_leader == options_.name && seen.dcs_ok;
  status_.last_decision = decision.reason;
  status_.last_loop = Now();
  ++status_.counters.ha_loops;
  status_.counters.last_loop_duration = took;
  status_.counters.total_loop_duration += took;
}

void HaNode::AnnounceDecision(const Decision& decision) {
  {
    absl::MutexLock lock(&mu_);
    if (status_.last_decision == decision.reason) return;
    status_.last_decision = decision.reason;
  }
  if (decision_observer_) decision_observer_(Status());
}

void HaNode::SetState(const std::string& state) {
  absl::MutexLock lock(&mu_);
  status_.state = state;
}

void HaNode::MarkStopping() {
  absl::MutexLock lock(&mu_);
  status_.stopping = true;
}

std::string HaNode::KnownLeader() const {
  absl::MutexLock lock(&mu_);
  return status_.view.leader.has_value() ? status_.view.leader->name : "";
}

bool HaNode::AwaitingLeader() const {
  absl::MutexLock lock(&mu_);
  const LocalPostgres& pg = status_.postgres;
  return !pg.running || (pg.role == PgRole::kReplica && !pg.streaming);
}

AgentStatus HaNode::Status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

bool HaNode::AcceptFailsafe(const std::string& leader) const {
  absl::MutexLock lock(&mu_);
  // Like Patroni: a member running as primary itself does not accept another one.
  return leader == options_.name || !IsRunningPrimary(status_.postgres);
}

void HaNode::Shutdown() {
  MarkStopping();
  const DynamicConfig config = EffectiveConfig();
  absl::StatusOr<ListResult> listing = dcs_.List(keys_.prefix(), Deadline(config));
  if (listing.ok()) {
    view_ = DecodeCluster(keys_, *listing);
    view_revision_ = listing->revision;
  }
  const bool leader =
      listing.ok() && view_.leader.has_value() && view_.leader->name == options_.name;
  absl::StatusOr<LocalPostgres> before = controller_.State(Deadline(config));
  const Member self = SelfMember(before.ok() ? *before : LocalPostgres{}, config.pause);
  ActionExecutor executor(dcs_, controller_, keys_, options_.name, ExecutorOptionsFor(config));
  // Writes stop first. The status must say so before the key goes: the replicas that race for
  // it ask this node's REST API whether it still runs as primary.
  Decision stop;
  stop.actions.push_back(Action{.type = Type::kDemote, .stop_mode = StopMode::kFast});
  ActionExecutor::Outcome outcome =
      executor.Run(stop, view_, self, lease_.Current().id, absl::InfiniteFuture());
  if (before.ok()) (void)AfterActions(stop, outcome.completed, *before);
  absl::StatusOr<LocalPostgres> after = controller_.State(Deadline(config));
  {
    absl::MutexLock lock(&mu_);
    if (after.ok()) status_.postgres = *after;
    status_.is_leader = false;
    status_.state = after.ok() ? StateWord(*after) : "stopped";
    status_.last_decision = outcome.error.ok() ? "shutting down: PostgreSQL stopped"
                                               : std::string(outcome.error.message());
  }
  if (leader && outcome.error.ok()) {
    // A replica takes over at once instead of waiting for the lease to expire.
    Decision release;
    release.actions.push_back(
        Action{.type = Type::kReleaseLeader, .fence = view_.leader->create_revision});
    outcome = executor.Run(release, view_, self, lease_.Current().id, absl::InfiniteFuture());
  }
  lease_.Revoke(config.retry_timeout);
}

absl::StatusOr<std::string> HaNode::Restart() {
  const DynamicConfig config = EffectiveConfig();
  absl::Status s = controller_.Restart(absl::Now() + ExecutorOptionsFor(config).postgres_timeout);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("restart failed: ", s.message()));
  if (callbacks_ != nullptr) {
    callbacks_->Fire("on_restart", RoleWord(Status().postgres.role));
  }
  return std::string("restarted successfully");
}

absl::StatusOr<std::string> HaNode::Reload() {
  const DynamicConfig config = EffectiveConfig();
  absl::Status s = controller_.Reload(Deadline(config));
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("reload failed: ", s.message()));
  if (callbacks_ != nullptr) {
    callbacks_->Fire("on_reload", RoleWord(Status().postgres.role));
  }
  return std::string("reload scheduled");
}

// `force` is accepted for Patroni's API (it cancels a running async action there); warden runs
// the reinit synchronously between HA loops, so there is nothing to cancel.
absl::StatusOr<std::string> HaNode::Reinitialize(bool /*force*/) {
  const AgentStatus status = Status();
  if (status.view.leader.has_value() && status.view.leader->name == options_.name) {
    return absl::FailedPreconditionError("I am the leader, can not reinitialize");
  }
  if (!status.view.leader.has_value()) {
    return absl::FailedPreconditionError("Cluster has no leader, can not reinitialize");
  }
  absl::StatusOr<Upstream> source =
      ActionExecutor::UpstreamOf(status.view, status.view.leader->name);
  if (!source.ok()) return source.status();
  SetState("creating replica");
  absl::Status s = controller_.Reinitialize(
      *source, nullptr, absl::Now() + ExecutorOptionsFor(EffectiveConfig()).long_timeout);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("reinitialize failed: ", s.message()));
  return std::string("reinitialize finished");
}

}  // namespace warden
