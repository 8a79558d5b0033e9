// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The HA core: one pure function that decides, from the cluster as the DCS shows it and the
// local node's state, what this node does now. No I/O, no threads, no clock reads, no
// randomness: the runtime gathers the inputs, calls Decide on every tick or watch event, runs the
// actions in order (stopping at the first that fails) and calls Decide again. This is Patroni's
// HA loop (ha.py) as a function that a unit test can drive.
//
// Why there is no split brain (the fencing argument)
// 1. The leader key is created with a compare-and-swap on its absence, attached to the node's
//    lease; etcd deletes it no earlier than the lease's TTL after the last renewal etcd received.
// 2. Every write a leader makes afterwards (refresh, status, sync, history, release, clearing the
//    failover key) is a transaction conditioned on the leader key's create_revision it won
//    (Action::fence). A node that lost the key, even for an instant, can write nothing: its
//    revision no longer matches, because a new holder's key has a new create_revision.
// 3. The runtime keeps, for its lease, a conservative local deadline: the send time of the last
//    keep-alive etcd acknowledged, plus the TTL. etcd received that keep-alive after it was
//    sent, so etcd's expiry, the earliest moment another node can create the key, is never
//    before the local deadline.
// 4. A primary demotes (stops accepting writes) once now + demote_margin reaches its local
//    deadline, whether or not it can reach the DCS, and Decision::recheck_by makes the runtime
//    call Decide again before that moment. With demote_margin at least the time a demotion takes,
//    the old primary has stopped taking writes before any other node can hold the key.
// 5. A new leader promotes only after its CAS created the key. So at any instant at most one
//    node is a writable primary while holding, or within its lease of having held, the key.
// failsafe_mode relaxes (4) only while every member of the failsafe key confirms the primary
// (none of them can then be promoting), as Patroni's failsafe does.

#ifndef WARDEN_CORE_DECIDE_H_
#define WARDEN_CORE_DECIDE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "warden/core/cluster.h"
#include "warden/core/config.h"
#include "warden/pg/controller.h"
#include "warden/pg/types.h"

namespace warden {

// What the runtime learned this tick by asking another member (GET /patroni), as Patroni does
// before racing for the leader key.
struct MemberProbe {
  std::string name;
  bool reachable = false;
  bool running = false;  // its PostgreSQL runs
  PgRole role = PgRole::kUnknown;
  // Primary: current WAL; replica: received (or replayed) position; stopped: the last position
  // its data is known to reach (0 without data).
  Lsn wal_position = 0;
  int64_t timeline = 0;
  // Failsafe: the member answered the primary's failsafe heartbeat and accepts it as primary.
  bool confirms_primary = false;
};

// This node, as the runtime sees it this tick.
struct LocalNode {
  std::string name;
  MemberTags tags;
  LocalPostgres postgres;
  // Stopped: the last WAL position pg_controldata knows (its checkpoint or end of recovery).
  Lsn stopped_lsn = 0;
  // The view was just read from the DCS. False: the last DCS call failed and the view is the
  // last one read.
  bool dcs_reachable = true;
  // The lease the runtime keeps alive for this node, and its conservative local deadline
  // (InfinitePast when it has none). A running primary without a lease, or past the deadline,
  // demotes: the runtime must grant a lease before the node may take the leader key.
  LeaseId lease = kNoLease;
  absl::Time lease_deadline = absl::InfinitePast();
  // How long before the lease deadline a primary must start demoting (at least the time a
  // demotion takes).
  absl::Duration demote_margin = absl::Seconds(2);
  // This tick's probes of the other members.
  std::vector<MemberProbe> probes;
  // The local timeline history (PostgreSQL's pg_wal/*.history): the leader publishes it in the
  // history key, where a former primary finds whether it diverged.
  std::vector<TimelineHistoryEntry> timeline_history;
  // When this node, holding the leader key, first found its PostgreSQL not running
  // (InfinitePast: it is running, or was not seen down).
  absl::Time postgres_down_since = absl::InfinitePast();
  // The member key in the DCS already says what this node would write, under its lease: the
  // tick writes it only when something changed (an idle cluster then costs the DCS little).
  bool member_key_current = false;
};

// One step for the runtime. Leader-side DCS writes carry `fence`: the leader key's
// create_revision they must be conditioned on.
struct Action {
  enum class Type {
    kInitializeCluster,  // CAS-create the initialize key with `system_identifier` (0: bootstrap)
    kBootstrap,          // initdb + start as the first primary
    kAcquireLeader,      // CAS-create the leader key, attached to the node's lease
    kRefreshLeader,      // re-write the leader key, conditioned on `fence`
    kReleaseLeader,      // delete the leader key, conditioned on `fence`
    kPromote,
    kDemote,  // stop accepting writes now (stop with `stop_mode`), to follow later
    kFollow,  // stream from member `target`
    kStartPostgres,
    kRewind,                      // pg_rewind from member `target`
    kReinitialize,                // wipe and clone from member `target`
    kClone,                       // no data yet: clone from member `target`
    kSetSynchronousStandbyNames,  // `sync`
    kWriteSyncState,              // the sync key from `sync_state`, conditioned on `fence`
    kWriteStatus,                 // the status key with `optime`, conditioned on `fence`
    kWriteHistory,                // the history key from `history`, conditioned on `fence`
    kWriteFailsafe,               // the failsafe key from `failsafe` (empty: delete), fenced
    kClearFailover,               // delete the failover key, conditioned on `fence` if leader
    kWriteMember,                 // publish this node's member key
    kRefuseToRun,                 // stop PostgreSQL and do nothing else (see the reason)
    kSyncReplicationSlots,        // create `slots_create`, then drop `slots_drop` (physical)
  };
  Type type = Type::kWriteMember;
  std::string target = {};
  // kFollow, kClone, kRewind, kReinitialize: the slot on `target` to stream through ("" none).
  std::string slot = {};
  std::vector<std::string> slots_create = {};
  std::vector<std::string> slots_drop = {};
  StopMode stop_mode = StopMode::kFast;
  SyncStandbys sync = {};
  SyncState sync_state = {};
  Revision fence = 0;
  Lsn optime = 0;
  uint64_t system_identifier = 0;
  std::vector<TimelineHistoryEntry> history = {};
  std::map<std::string, std::string> failsafe = {};

  friend bool operator==(const Action&, const Action&) = default;
};

const char* ActionName(Action::Type type);

struct Decision {
  std::vector<Action> actions;
  // One line for logs and /patroni, e.g. "no action: I am the leader with the lock".
  std::string reason;
  // Call Decide again no later than this, even without a watch event (a lease deadline, a
  // scheduled switchover). InfiniteFuture: the runtime's tick is soon enough.
  absl::Time recheck_by = absl::InfiniteFuture();

  bool Has(Action::Type type) const {
    for (const Action& a : actions) {
      if (a.type == type) return true;
    }
    return false;
  }
};

// Decides this node's next steps. `config` is the view's config after local adjustments
// (AdjustTiming). Deterministic: the same inputs give the same Decision.
Decision Decide(const ClusterView& view, const LocalNode& local, const DynamicConfig& config,
                absl::Time now);

}  // namespace warden

#endif  // WARDEN_CORE_DECIDE_H_
