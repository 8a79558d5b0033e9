// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Decide: Patroni's HA loop as a pure function. The rules run in the order of Run(); each branch
// ends the decision with a one-line reason. See warden/core/decide.h for the safety argument.

#include "warden/core/decide.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "warden/core/slots.h"

namespace warden {
namespace {

using Type = Action::Type;

bool HasData(const LocalPostgres& pg) { return pg.system_identifier != 0; }

// Two timeline histories record the same forks (timelines and LSNs; reasons and times aside).
bool SameForks(const std::vector<TimelineHistoryEntry>& a,
               const std::vector<TimelineHistoryEntry>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const TimelineHistoryEntry& x, const TimelineHistoryEntry& y) {
                      return x.timeline == y.timeline && x.lsn == y.lsn;
                    });
}

// host:port of a member, from its conn_url (postgres://host:port/db).
std::string Address(const Member& member) {
  std::string url = member.conn_url;
  if (size_t scheme = url.find("://"); scheme != std::string::npos) url = url.substr(scheme + 3);
  if (size_t at = url.rfind('@'); at != std::string::npos) url = url.substr(at + 1);
  return url.substr(0, url.find('/'));
}

class Decider {
 public:
  Decider(const ClusterView& view, const LocalNode& local, const DynamicConfig& config,
          absl::Time now)
      : view_(view), me_(local), pg_(local.postgres), config_(config), now_(now) {}

  Decision Run() {
    if (view_.initialize.has_value() && *view_.initialize != 0 && HasData(pg_) &&
        *view_.initialize != pg_.system_identifier) {
      Add({.type = Type::kRefuseToRun});
      return Done(absl::StrCat("system ID mismatch: this node's data belongs to cluster ",
                               pg_.system_identifier, " but the cluster is ", *view_.initialize,
                               "; refusing to run (reinitialize this node or fix the scope)"));
    }
    // A writable primary needs a lease it can vouch for: none at all counts as expired. Unlike
    // Patroni, this holds in pause too: a paused primary cut off from the DCS cannot see the
    // pause end, after which another node may take the expired key.
    if (IsRunningPrimary(pg_)) {
      const absl::Time demote_at = me_.lease_deadline - me_.demote_margin;
      if (me_.lease_deadline != absl::InfinitePast()) decision_.recheck_by = demote_at;
      if (now_ >= demote_at) {
        if (!FailsafeConfirmed()) {
          Add({.type = Type::kDemote, .stop_mode = StopMode::kImmediate});
          return Done(me_.lease_deadline == absl::InfinitePast()
                          ? "demoting: a primary without a lease may not take writes"
                          : "demoting: the leader lease can no longer be confirmed before its "
                            "deadline");
        }
        // Confirmed by every member: ask them again a loop later, not at once (the deadline is
        // past, and rechecking by it would spin the loop and flood the members with probes).
        decision_.recheck_by = now_ + config_.loop_wait;
      }
    }
    if (!me_.dcs_reachable) return DcsUnreachable();
    if (!me_.member_key_current) Add({.type = Type::kWriteMember});
    if (!view_.initialize.has_value()) return Uninitialized();
    if (config_.pause) return Paused();
    if (IAmLeader()) return AsLeader();
    if (view_.leader.has_value()) return AsFollower();
    return NoLeader();
  }

 private:
  // --- Helpers ----------------------------------------------------------------------------------

  // In synchronous_mode_strict a node must not acknowledge a commit without a standby from its
  // very first write: '*' before bootstrap's first client and before each promotion.
  void StrictPlaceholderFirst() {
    if (config_.synchronous_mode != SynchronousMode::kOff && config_.synchronous_mode_strict) {
      Add({.type = Type::kSetSynchronousStandbyNames,
           .sync = SyncStandbys{SyncStandbys::Method::kFirst, 1, {}, true}});
    }
  }

  void Add(Action action) { decision_.actions.push_back(std::move(action)); }

  Decision Done(std::string reason) {
    decision_.reason = std::move(reason);
    return std::move(decision_);
  }

  bool IAmLeader() const { return view_.leader.has_value() && view_.leader->name == me_.name; }

  // The leader key lives as long as the lease it is attached to, which the runtime keeps
  // alive: it is rewritten only to move it onto this node's current lease.
  void RefreshLeader(Revision fence) {
    if (view_.leader.has_value() && view_.leader->lease == me_.lease && me_.lease != kNoLease) {
      return;
    }
    Add({.type = Type::kRefreshLeader, .fence = fence});
  }

  // Patroni's sync_replication_slots: the member slots this node must hold created, physical
  // slots no member wants dropped (not in pause, nor those ignore_slots lists). `as_leader`: the
  // slots of the primary (also right after a promotion, before the replicas re-attach).
  void SyncSlots(bool as_leader) {
    const std::set<std::string> wanted = WantedMemberSlots(view_, me_.name, as_leader, config_);
    const std::set<std::string> held(pg_.replication_slots.begin(), pg_.replication_slots.end());
    Action action{.type = Type::kSyncReplicationSlots};
    for (const std::string& slot : wanted) {
      if (!held.contains(slot)) action.slots_create.push_back(slot);
    }
    for (const std::string& slot : held) {
      if (!wanted.contains(slot) && !config_.pause && !IgnoredSlot(config_.ignore_slots, slot)) {
        action.slots_drop.push_back(slot);
      }
    }
    if (!action.slots_create.empty() || !action.slots_drop.empty()) Add(std::move(action));
  }

  // The slot this node streams through on `upstream`, when slots are in use: named after this
  // node, whichever member holds it (the leader, or the one replicatefrom names).
  std::string SlotOn(const std::string& /*upstream*/) const {
    return config_.use_slots ? SlotNameForMember(me_.name) : "";
  }

  // The status key's optime, written when it moved.
  void WriteStatus(Revision fence) {
    if (Position() == view_.status.optime) return;
    Add({.type = Type::kWriteStatus, .fence = fence, .optime = Position()});
  }
  Revision Fence() const { return view_.leader.has_value() ? view_.leader->create_revision : 0; }

  // This node's WAL position: what it wrote (primary) or received (replica).
  Lsn Position() const {
    if (!pg_.running) return me_.stopped_lsn;
    return pg_.role == PgRole::kPrimary ? pg_.wal_lsn
                                        : std::max(pg_.received_lsn, pg_.replayed_lsn);
  }

  const MemberProbe* Probe(const std::string& name) const {
    for (const MemberProbe& p : me_.probes) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  // Every other member of the failsafe key answered and accepts this node as primary.
  bool FailsafeConfirmed() const {
    if (!config_.failsafe_mode || view_.failsafe.empty() || !view_.failsafe.contains(me_.name)) {
      return false;
    }
    for (const auto& [name, api_url] : view_.failsafe) {
      if (name == me_.name) continue;
      const MemberProbe* probe = Probe(name);
      if (probe == nullptr || !probe->reachable || !probe->confirms_primary) return false;
    }
    return true;
  }

  // A member that could take over: reachable, running, not too far behind, allowed to.
  bool Eligible(const std::string& name) const { return WhyNotEligible(name).empty(); }

  // Why `name` may not take over (empty: it may), in the words the log shows.
  std::string WhyNotEligible(const std::string& name) const {
    const Member* member = view_.FindMember(name);
    if (member == nullptr) return "it has no member key";
    const MemberProbe* probe = Probe(name);
    if (probe == nullptr || !probe->reachable) return "it did not answer GET /patroni";
    if (!probe->running) return "its PostgreSQL is not running";
    if (!member->tags.CanFailover()) return "it is tagged nofailover";
    if (LagsTooMuch(probe->wal_position)) {
      return absl::StrCat("it lags ", view_.status.optime - probe->wal_position,
                          " bytes behind, more than maximum_lag_on_failover (",
                          config_.maximum_lag_on_failover, ")");
    }
    return "";
  }

  bool LagsTooMuch(Lsn position) const {
    return view_.status.optime > position &&
           static_cast<int64_t>(view_.status.optime - position) > config_.maximum_lag_on_failover;
  }

  // --- DCS unreachable --------------------------------------------------------------------------

  Decision DcsUnreachable() {
    if (!IsRunningPrimary(pg_)) return Done("DCS unreachable: no change until it answers again");
    if (FailsafeConfirmed()) {
      return Done(absl::StrCat("DCS unreachable; failsafe: all ", view_.failsafe.size() - 1,
                               " other members confirm this primary"));
    }
    return Done("DCS unreachable: staying primary until the lease deadline, then demoting");
  }

  // --- Bootstrap --------------------------------------------------------------------------------

  Decision Uninitialized() {
    if (HasData(pg_)) {
      if (pg_.role == PgRole::kPrimary) {
        Add({.type = Type::kAcquireLeader});
        Add({.type = Type::kInitializeCluster, .system_identifier = pg_.system_identifier});
        return Done(
            "no initialize key, but this node has a primary's data: taking over the "
            "cluster with it");
      }
      return Done("no initialize key; this node is a replica: waiting for a primary");
    }
    if (!me_.tags.CanFailover())
      return Done("cluster not initialized; nofailover: not bootstrapping");
    Add({.type = Type::kInitializeCluster, .system_identifier = 0});
    Add({.type = Type::kAcquireLeader});
    Add({.type = Type::kBootstrap});
    StrictPlaceholderFirst();
    return Done("cluster not initialized: racing to bootstrap it");
  }

  // --- Pause ------------------------------------------------------------------------------------

  Decision Paused() {
    if (IAmLeader()) {
      RefreshLeader(Fence());
      if (IsRunningPrimary(pg_)) {
        WriteStatus(Fence());
        SyncSlots(/*as_leader=*/true);
      }
      return Done("paused: keeping the leader key, PostgreSQL left alone");
    }
    if (!view_.leader.has_value() && IsRunningPrimary(pg_)) {
      Add({.type = Type::kAcquireLeader});
      return Done("paused: the running primary takes the free leader key");
    }
    return Done("paused: no action");
  }

  // --- Leader -----------------------------------------------------------------------------------

  Decision AsLeader() {
    const Revision fence = Fence();
    if (!pg_.running) {
      if (!HasData(pg_)) {
        Add({.type = Type::kReleaseLeader, .fence = fence});
        return Done("leader without data: releasing the leader key");
      }
      const bool within = me_.postgres_down_since == absl::InfinitePast() ||
                          now_ - me_.postgres_down_since < config_.primary_start_timeout;
      if (within) {
        RefreshLeader(fence);
        Add({.type = Type::kStartPostgres});
        if (me_.postgres_down_since != absl::InfinitePast()) {
          decision_.recheck_by = std::min(decision_.recheck_by,
                                          me_.postgres_down_since + config_.primary_start_timeout);
        }
        return Done("PostgreSQL is down on the leader: restarting it in place");
      }
      Add({.type = Type::kReleaseLeader, .fence = fence});
      return Done(
          "PostgreSQL did not come back within primary_start_timeout: releasing the "
          "leader key");
    }
    if (pg_.role != PgRole::kPrimary) {
      RefreshLeader(fence);
      if (config_.synchronous_mode != SynchronousMode::kOff &&
          (!view_.sync.has_value() || view_.sync->leader != me_.name ||
           !view_.sync->sync_standby.empty())) {
        // Before the first write: the sync key names this leader and no standby, so that no
        // earlier leader's standby (or that leader) may take over from a newer timeline.
        Add({.type = Type::kWriteSyncState, .sync_state = {.leader = me_.name}, .fence = fence});
      }
      StrictPlaceholderFirst();
      Add({.type = Type::kPromote});
      if (view_.failover.has_value()) Add({.type = Type::kClearFailover, .fence = fence});
      SyncSlots(/*as_leader=*/true);
      return Done("promoting: this node holds the leader key");
    }
    if (view_.failover.has_value()) {
      if (std::optional<Decision> d = Switchover(); d.has_value()) return std::move(*d);
    }
    RefreshLeader(fence);
    WriteStatus(fence);
    PublishFailsafe();
    if (!SameForks(me_.timeline_history, view_.history)) {
      Add({.type = Type::kWriteHistory, .fence = fence, .history = me_.timeline_history});
    }
    if (view_.initialize.has_value() && *view_.initialize == 0) {
      Add({.type = Type::kInitializeCluster, .system_identifier = pg_.system_identifier});
    }
    ManageSync();
    SyncSlots(/*as_leader=*/true);
    return Done("no action: I am the leader with the lock");
  }

  // failsafe_mode: the leader keeps the failsafe key listing every member (name -> api_url),
  // whose confirmations later keep it primary through a DCS outage; off, the key goes.
  void PublishFailsafe() {
    std::map<std::string, std::string> members;
    if (config_.failsafe_mode) {
      for (const Member& m : view_.members) members[m.name] = m.api_url;
    }
    if (members != view_.failsafe) {
      Add({.type = Type::kWriteFailsafe, .fence = Fence(), .failsafe = std::move(members)});
    }
  }

  // A switchover or failover request seen by the leader. nullopt: carry on as leader.
  std::optional<Decision> Switchover() {
    const FailoverRequest& request = *view_.failover;
    const Revision fence = Fence();
    if ((!request.leader.empty() && request.leader != me_.name) || request.candidate == me_.name) {
      Add({.type = Type::kClearFailover, .fence = fence});
      return std::nullopt;  // stale, or already done: drop it and carry on
    }
    if (request.scheduled_at.has_value() && *request.scheduled_at > now_) {
      decision_.recheck_by = std::min(decision_.recheck_by, *request.scheduled_at);
      return std::nullopt;
    }
    std::vector<std::string> candidates;
    std::vector<std::string> refusals;
    for (const Member& m : view_.members) {
      if (m.name == me_.name) continue;
      if (!request.candidate.empty() && m.name != request.candidate) continue;
      std::string why = WhyNotEligible(m.name);
      if (why.empty() && !ConfirmedSyncStandby(m.name)) why = "it is not a synchronous standby";
      if (why.empty()) {
        candidates.push_back(m.name);
      } else {
        refusals.push_back(absl::StrCat(m.name, ": ", why));
      }
    }
    if (candidates.empty()) {
      Add({.type = Type::kClearFailover, .fence = fence});
      RefreshLeader(fence);
      return Done(absl::StrCat(
          "switchover requested but ",
          request.candidate.empty() ? std::string("no member") : request.candidate,
          " is not healthy enough to take over: request dropped",
          refusals.empty() ? "" : absl::StrCat(" (", absl::StrJoin(refusals, "; "), ")")));
    }
    // Stop taking writes first, then free the key: never two writable primaries.
    Add({.type = Type::kDemote, .stop_mode = StopMode::kFast});
    Add({.type = Type::kReleaseLeader, .fence = fence});
    return Done(absl::StrCat("switchover to ", absl::StrJoin(candidates, " or "),
                             ": demoting and releasing the leader key"));
  }

  // Synchronous replication on the leader: choose the standbys, then change the sync key and
  // synchronous_standby_names in the order that never claims a standby is synchronous before it
  // is, and never drops one from the key while commits still wait for it.
  void ManageSync() {
    const Revision fence = Fence();
    std::vector<std::string> current;
    if (view_.sync.has_value() && view_.sync->leader == me_.name)
      current = view_.sync->sync_standby;
    if (config_.synchronous_mode == SynchronousMode::kOff) {
      if (!current.empty()) {
        Add({.type = Type::kWriteSyncState, .sync_state = {.leader = me_.name}, .fence = fence});
      }
      if (!pg_.synchronous_standby_names.empty()) {
        Add({.type = Type::kSetSynchronousStandbyNames});
      }
      return;
    }
    const bool quorum = config_.synchronous_mode == SynchronousMode::kQuorum;
    std::vector<const ReplicationConnection*> streaming;
    for (const ReplicationConnection& r : pg_.replication) {
      const Member* member = view_.FindMember(r.application_name);
      if (r.state == "streaming" && member != nullptr && !member->tags.nosync) {
        streaming.push_back(&r);
      }
    }
    // Standbys in the key, then those PostgreSQL already calls synchronous, keep their place
    // while they stream: choosing by flush position alone flipped the choice whenever another
    // standby was momentarily ahead, and each change passes through a key without the old
    // standby, in which a primary's death leaves no one allowed to take over in strict mode.
    const auto rank = [&current](const ReplicationConnection* r) {
      if (std::find(current.begin(), current.end(), r->application_name) != current.end()) {
        return 2;
      }
      return r->sync_state == "sync" || r->sync_state == "quorum" ? 1 : 0;
    };
    std::sort(streaming.begin(), streaming.end(), [&](auto* a, auto* b) {
      const int pa = view_.FindMember(a->application_name)->tags.sync_priority;
      const int pb = view_.FindMember(b->application_name)->tags.sync_priority;
      if (pa != pb) return pa > pb;
      if (rank(a) != rank(b)) return rank(a) > rank(b);
      if (a->flush_lsn != b->flush_lsn) return a->flush_lsn > b->flush_lsn;
      return a->application_name < b->application_name;
    });
    const size_t want =
        quorum ? streaming.size()
               : std::min(streaming.size(), static_cast<size_t>(config_.synchronous_node_count));
    SyncStandbys names{quorum ? SyncStandbys::Method::kAny : SyncStandbys::Method::kFirst,
                       config_.synchronous_node_count,
                       {},
                       config_.synchronous_mode_strict};
    for (size_t i = 0; i < want; ++i) names.names.push_back(streaming[i]->application_name);
    // New members join the key only under the setting already in effect (changed in an earlier
    // tick), so that the optime published then covers every commit acknowledged before it.
    const bool setting_in_effect =
        FormatSynchronousStandbyNames(names) == pg_.synchronous_standby_names;
    std::vector<std::string> confirmed;
    for (size_t i = 0; i < want; ++i) {
      const ReplicationConnection& standby = *streaming[i];
      if (standby.sync_state != "sync" && standby.sync_state != "quorum") continue;
      // A standby joins the key (and may then take over) only once it has flushed everything
      // the leader had published: commits acknowledged by its predecessor included. One already
      // in the key stays while PostgreSQL calls it synchronous.
      const bool in_key =
          std::find(current.begin(), current.end(), standby.application_name) != current.end();
      if (in_key || (setting_in_effect && standby.flush_lsn >= view_.status.optime)) {
        confirmed.push_back(standby.application_name);
      }
    }
    if (quorum) names.count = std::min<int>(config_.synchronous_node_count, static_cast<int>(want));
    std::sort(confirmed.begin(), confirmed.end());
    std::vector<std::string> sorted_current = current;
    std::sort(sorted_current.begin(), sorted_current.end());
    // The key must always name this leader, even with no standby: in strict mode it is how the
    // others know that only this node may take the key back.
    const bool key_stale = !view_.sync.has_value() || view_.sync->leader != me_.name;
    const bool key_changes = key_stale || confirmed != sorted_current;
    const bool setting_changes =
        FormatSynchronousStandbyNames(names) != pg_.synchronous_standby_names;
    SyncState state{me_.name, confirmed, std::nullopt, 0};
    // Patroni 4's quorum: how many voters (the key's standbys) besides itself a candidate must
    // see, so that any `names.count` of them that acknowledged a commit include one it sees.
    if (quorum) {
      state.quorum = std::max(0, static_cast<int>(confirmed.size()) - names.count);
    }
    const bool removing = !std::includes(confirmed.begin(), confirmed.end(), sorted_current.begin(),
                                         sorted_current.end());
    // Removing a standby: out of the key first (it may no longer take over), then out of the
    // setting. Adding one: into the setting first; the key follows once it is confirmed sync.
    if (key_changes && removing) {
      Add({.type = Type::kWriteSyncState, .sync_state = state, .fence = fence});
    }
    if (setting_changes) Add({.type = Type::kSetSynchronousStandbyNames, .sync = names});
    if (key_changes && !removing) {
      Add({.type = Type::kWriteSyncState, .sync_state = state, .fence = fence});
    }
  }

  // --- Follower ---------------------------------------------------------------------------------

  Decision AsFollower() {
    const std::string& leader = view_.leader->name;
    if (IsRunningPrimary(pg_)) {
      Add({.type = Type::kDemote, .stop_mode = StopMode::kFast});
      Add({.type = Type::kFollow, .target = leader, .slot = SlotOn(leader)});
      return Done(absl::StrCat("demoting: ", leader, " holds the leader key"));
    }
    if (!HasData(pg_)) {
      const std::string source = CloneSource(leader);
      Add({.type = Type::kClone, .target = source, .slot = SlotOn(source)});
      Add({.type = Type::kStartPostgres});
      return Done(absl::StrCat("no data: cloning from ", source));
    }
    if (AheadOnTheSameTimeline(leader)) {
      if (!config_.remove_data_directory_on_diverged_timelines) {
        return Done(absl::StrCat("this node has WAL that ", leader,
                                 " never had on the same timeline; pg_rewind cannot repair it: "
                                 "reinitialize it (wardenctl reinit) or set "
                                 "remove_data_directory_on_diverged_timelines"));
      }
      Add({.type = Type::kReinitialize, .target = leader, .slot = SlotOn(leader)});
      Add({.type = Type::kStartPostgres});
      return Done(
          absl::StrCat("reinitializing from ", leader, ": diverged on the same timeline number"));
    }
    if (Diverged(leader)) {
      if (!config_.use_pg_rewind) {
        return Done(absl::StrCat("this node's timeline diverged from ", leader,
                                 "'s; set use_pg_rewind or reinitialize it (wardenctl reinit)"));
      }
      Add({.type = Type::kRewind, .target = leader, .slot = SlotOn(leader)});
      Add({.type = Type::kStartPostgres});
      return Done(absl::StrCat("rewinding to rejoin ", leader, " on its timeline"));
    }
    const std::string upstream = Upstream(leader);
    const Member* target = view_.FindMember(upstream);
    if (!pg_.running) {
      Add({.type = Type::kFollow, .target = upstream, .slot = SlotOn(upstream)});
      Add({.type = Type::kStartPostgres});
      return Done(absl::StrCat("starting as a replica of ", upstream));
    }
    SyncSlots(/*as_leader=*/false);
    if (target != nullptr && pg_.upstream != Address(*target)) {
      Add({.type = Type::kFollow, .target = upstream, .slot = SlotOn(upstream)});
      return Done(absl::StrCat("following ", upstream, " (was ",
                               pg_.upstream.empty() ? std::string("none") : pg_.upstream, ")"));
    }
    return Done(absl::StrCat("no action: replica of ", upstream,
                             pg_.streaming ? ", streaming" : ", not streaming yet"));
  }

  // The member to stream from: replicatefrom if it is a running member, else the leader.
  std::string Upstream(const std::string& leader) const {
    const std::string& wanted = me_.tags.replicatefrom;
    if (!wanted.empty() && wanted != me_.name && view_.FindMember(wanted) != nullptr) {
      const MemberProbe* probe = Probe(wanted);
      if (probe == nullptr || (probe->reachable && probe->running)) return wanted;
    }
    return leader;
  }

  // A running replica tagged clonefrom, else the leader.
  std::string CloneSource(const std::string& leader) const {
    for (const Member& m : view_.members) {
      const MemberProbe* probe = Probe(m.name);
      if (m.name != me_.name && m.tags.clonefrom && probe != nullptr && probe->reachable &&
          probe->running) {
        return m.name;
      }
    }
    return leader;
  }

  // This node's WAL left the leader's history: it wrote past the point where its timeline and
  // the leader's parted, so it must be rewound before it can stream. A streaming replica has,
  // by definition, not diverged.
  bool Diverged(const std::string& leader) const {
    if (pg_.running && pg_.streaming) return false;
    // Histories that part somewhere (the same timeline number forked at different points, as
    // two independent promotions produce) mean different WAL, whatever the numbers say. Only
    // positions both histories have are compared: the leader publishes its history a tick late.
    const size_t common = std::min(me_.timeline_history.size(), view_.history.size());
    for (size_t i = 0; i < common; ++i) {
      if (me_.timeline_history[i].timeline != view_.history[i].timeline ||
          me_.timeline_history[i].lsn != view_.history[i].lsn) {
        return true;
      }
    }
    const Member* member = view_.FindMember(leader);
    if (member == nullptr || !member->timeline.has_value() || pg_.timeline == 0 ||
        pg_.timeline == *member->timeline) {
      return false;
    }
    // On a branch the leader never had (a former primary promoted on a timeline that lost).
    if (pg_.timeline > *member->timeline) return true;
    for (const TimelineHistoryEntry& entry : view_.history) {
      if (entry.timeline == pg_.timeline) return Position() > entry.lsn;
    }
    return false;
  }

  // Two nodes promoted independently from one timeline both name the next one alike: a node on
  // the leader's timeline number, ahead of the leader and not streaming, holds WAL the leader
  // never wrote. Histories match, so pg_rewind sees nothing to do; only a new copy helps.
  bool AheadOnTheSameTimeline(const std::string& leader) const {
    if (pg_.running && pg_.streaming) return false;
    const Member* member = view_.FindMember(leader);
    if (member == nullptr || !member->timeline.has_value() || pg_.timeline != *member->timeline) {
      return false;
    }
    // Only a fresh answer from the running leader counts: its published position trails by up to
    // a tick, and a replica that was streaming may well be past it.
    const MemberProbe* probe = Probe(leader);
    if (probe == nullptr || !probe->reachable || !probe->running ||
        probe->role != PgRole::kPrimary) {
      return false;
    }
    return Position() > probe->wal_position;
  }

  // --- No leader: the race ----------------------------------------------------------------------

  Decision NoLeader() {
    if (!HasData(pg_)) return Done("no leader and no data: waiting for a leader to clone from");
    if (view_.failover.has_value() && !view_.failover->candidate.empty() &&
        view_.failover->candidate != me_.name) {
      // Wait for the requested candidate only if it can take over; a request for a member that
      // cannot (nofailover, down, lagging) must not leave the cluster without a leader.
      if (Eligible(view_.failover->candidate) && SyncAllows(view_.failover->candidate)) {
        return Done(absl::StrCat("no leader: waiting for ", view_.failover->candidate,
                                 " to take over as requested"));
      }
    }
    const bool stopped_primary = !pg_.running && pg_.role == PgRole::kPrimary;
    if (!pg_.running && !stopped_primary) {
      // A replica starts read-only: safe with or without a leader.
      Add({.type = Type::kStartPostgres});
      return Done("no leader; PostgreSQL not running: starting it as a replica before racing");
    }
    if (!me_.tags.CanFailover()) {
      return Done("no leader; this node is tagged nofailover: not racing");
    }
    const bool requested = view_.failover.has_value() && view_.failover->candidate == me_.name;
    if (!requested) {
      if (std::string why = NotHealthiest(); !why.empty())
        return Done("no leader; not racing: " + why);
    } else if (LagsTooMuch(Position())) {
      return Done("no leader; requested as candidate but lagging past maximum_lag_on_failover");
    } else if (std::string why = MayLackCommits(); !why.empty()) {
      return Done("no leader; requested as candidate but not racing: " + why);
    }
    Add({.type = Type::kAcquireLeader});
    if (stopped_primary) {
      // A primary's data starts writable: only once the key is this node's.
      Add({.type = Type::kStartPostgres});
      return Done(
          "no leader: this stopped primary is the healthiest: taking the key, then "
          "starting");
    }
    if (pg_.role != PgRole::kPrimary) {
      if (config_.synchronous_mode != SynchronousMode::kOff) {
        // The sync key must name this node before it promotes, and that write is fenced by the
        // key just won: decide again at once, as the key holder.
        decision_.recheck_by = now_;
        return Done("no leader: this node is the healthiest: taking the key, promoting next");
      }
      Add({.type = Type::kPromote});
    }
    if (IsRunningPrimary(pg_))
      return Done("no leader: the running primary takes the leader key back");
    return Done(absl::StrCat("no leader: this node is the healthiest (WAL at ", Position(),
                             ", the last leader's at ", view_.status.optime, "): taking the key"));
  }

  // Empty if this node may race now; otherwise why not.
  std::string NotHealthiest() const {
    const Lsn mine = Position();
    if (LagsTooMuch(mine)) {
      return absl::StrCat("lagging ", view_.status.optime - mine,
                          " bytes behind the last leader position (maximum_lag_on_failover ",
                          config_.maximum_lag_on_failover, ")");
    }
    if (std::string why = MayLackCommits(); !why.empty()) return why;
    for (const MemberProbe& probe : me_.probes) {
      if (probe.name == me_.name || !probe.reachable) continue;
      const Member* member = view_.FindMember(probe.name);
      if (probe.running && probe.role == PgRole::kPrimary) {
        return probe.name + " still runs as primary";
      }
      if (config_.check_timeline && probe.timeline > pg_.timeline) {
        return probe.name + " is on a newer timeline";
      }
      if (member == nullptr || !member->tags.CanFailover() || !probe.running) continue;
      if (!SyncAllows(probe.name)) continue;
      if (probe.wal_position > mine) return probe.name + " is further ahead";
      if (probe.wal_position == mine && member->tags.Priority() > me_.tags.Priority()) {
        return probe.name + " is as far ahead with a higher failover_priority";
      }
    }
    return "";
  }

  // Empty if this node is known to hold every commit a synchronous mode acknowledged; otherwise
  // why it may not. Asked of every racer, requested candidates included.
  std::string MayLackCommits() const {
    if (!SyncAllows(me_.name)) return "not a synchronous standby of the last leader";
    if (!QuorumReachable()) return "cannot see enough of the synchronous quorum";
    // Strict mode before any sync key: '*' let any standby acknowledge commits, so every member
    // must answer and none may be further ahead, whether or not it could take over itself.
    if (config_.synchronous_mode == SynchronousMode::kOff || !config_.synchronous_mode_strict ||
        view_.sync.has_value()) {
      return "";
    }
    const Lsn mine = Position();
    for (const MemberProbe& probe : me_.probes) {
      if (probe.name == me_.name) continue;
      if (!probe.reachable) return probe.name + " cannot be asked whether it holds commits";
      // Stopped members count too: they report the last position their data is known to reach.
      if (probe.wal_position > mine) {
        return probe.name + " may hold acknowledged commits this node lacks";
      }
    }
    return "";
  }

  // The leader's view for a switchover: in synchronous mode only a standby this leader has
  // confirmed in its own sync key holds every acknowledged commit (Patroni's rule too). Without
  // such a key no standby qualifies, so the request is dropped rather than risk commits.
  bool ConfirmedSyncStandby(const std::string& name) const {
    if (config_.synchronous_mode == SynchronousMode::kOff) return true;
    if (!view_.sync.has_value() || view_.sync->leader != me_.name) return false;
    const std::vector<std::string>& standbys = view_.sync->sync_standby;
    return std::find(standbys.begin(), standbys.end(), name) != standbys.end();
  }

  // In synchronous mode only the standbys in the sync key (and the leader it names) may take
  // over: only they are known to have every acknowledged commit.
  bool SyncAllows(const std::string& name) const {
    if (config_.synchronous_mode == SynchronousMode::kOff) return true;
    // No key: no leader ever established a sync set, so none is owed; the usual rules decide.
    if (!view_.sync.has_value()) return true;
    const SyncState& sync = *view_.sync;
    if (sync.leader == name) return true;
    return std::find(sync.sync_standby.begin(), sync.sync_standby.end(), name) !=
           sync.sync_standby.end();
  }

  // Quorum mode, as Patroni 4 writes the key: a candidate must see `quorum` of the sync set
  // besides itself (quorum = |set| - the commits' ANY count), so that it sees every committed
  // transaction.
  bool QuorumReachable() const {
    if (config_.synchronous_mode != SynchronousMode::kQuorum || !view_.sync.has_value())
      return true;
    const SyncState& sync = *view_.sync;
    const int set = static_cast<int>(sync.sync_standby.size());
    const int needed = sync.quorum.value_or(set - 1) + 1;  // no quorum field: all of them
    int seen = 0;
    for (const std::string& name : sync.sync_standby) {
      const MemberProbe* probe = Probe(name);
      if (name == me_.name || (probe != nullptr && probe->reachable)) ++seen;
    }
    return seen >= needed;
  }

  const ClusterView& view_;
  const LocalNode& me_;
  const LocalPostgres& pg_;
  const DynamicConfig& config_;
  const absl::Time now_;
  Decision decision_;
};

}  // namespace

const char* ActionName(Action::Type type) {
  switch (type) {
    case Type::kInitializeCluster:
      return "initialize_cluster";
    case Type::kBootstrap:
      return "bootstrap";
    case Type::kAcquireLeader:
      return "acquire_leader";
    case Type::kRefreshLeader:
      return "refresh_leader";
    case Type::kReleaseLeader:
      return "release_leader";
    case Type::kPromote:
      return "promote";
    case Type::kDemote:
      return "demote";
    case Type::kFollow:
      return "follow";
    case Type::kStartPostgres:
      return "start_postgres";
    case Type::kRewind:
      return "rewind";
    case Type::kReinitialize:
      return "reinitialize";
    case Type::kClone:
      return "clone";
    case Type::kSetSynchronousStandbyNames:
      return "set_synchronous_standby_names";
    case Type::kWriteSyncState:
      return "write_sync_state";
    case Type::kWriteFailsafe:
      return "write_failsafe";
    case Type::kWriteHistory:
      return "write_history";
    case Type::kWriteStatus:
      return "write_status";
    case Type::kClearFailover:
      return "clear_failover";
    case Type::kWriteMember:
      return "write_member";
    case Type::kRefuseToRun:
      return "refuse_to_run";
    case Type::kSyncReplicationSlots:
      return "sync_replication_slots";
  }
  return "unknown";
}

Decision Decide(const ClusterView& view, const LocalNode& local, const DynamicConfig& config,
                absl::Time now) {
  return Decider(view, local, config, now).Run();
}

}  // namespace warden
