// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// ClusterView: the cluster as the DCS holds it under /<namespace>/<scope>/, with Patroni's keys
// (initialize, config, leader, members/<name>, status, failover, sync, history, failsafe) as
// typed values. The codec (warden/core/codec.h) builds it from a DCS listing; the HA core
// (warden/core/decide.h) decides on it. Header-only value types.

#ifndef WARDEN_CORE_CLUSTER_H_
#define WARDEN_CORE_CLUSTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "warden/core/config.h"
#include "warden/dcs/types.h"
#include "warden/pg/types.h"

namespace warden {

// One member's key (members/<name>): what it publishes about itself.
struct Member {
  std::string name;
  std::string conn_url;  // postgres://host:port/postgres
  std::string api_url;   // http://host:port/patroni
  std::string state;     // running, starting, stopped, crashed, ...
  std::string role;      // primary ("master" from old Patroni), replica, standby_leader, ...
  std::string version;   // the agent's version
  // Primary: its WAL position; replica: received (or replayed) position.
  std::optional<Lsn> xlog_location;
  std::optional<int64_t> timeline;
  MemberTags tags;
  // Other fields, as a JSON object text, kept as written.
  std::string unknown_json = "{}";
  // DCS metadata of the key.
  Revision mod_revision = 0;
  LeaseId lease = kNoLease;

  friend bool operator==(const Member&, const Member&) = default;
};

// The leader key: who holds the lock, and the key's revisions. Its create_revision identifies
// one tenure: every write a leader makes is conditioned on it (fencing).
struct LeaderKey {
  std::string name;
  Revision create_revision = 0;
  Revision mod_revision = 0;
  LeaseId lease = kNoLease;

  friend bool operator==(const LeaderKey&, const LeaderKey&) = default;
};

// A switchover (leader set) or failover (only candidate set) request, from the failover key.
struct FailoverRequest {
  std::string leader;     // the member to step down (switchover); empty for a failover
  std::string candidate;  // "member" in Patroni's JSON; empty: any healthy member
  std::optional<absl::Time> scheduled_at;
  Revision mod_revision = 0;

  friend bool operator==(const FailoverRequest&, const FailoverRequest&) = default;
};

// The sync key: which members are synchronous standbys of which leader.
struct SyncState {
  std::string leader = {};
  std::vector<std::string> sync_standby = {};
  // Quorum mode, Patroni 4's meaning: how many of sync_standby (the voters) besides itself a
  // candidate must see to be sure it sees every acknowledged commit (|voters| - the ANY count).
  std::optional<int> quorum = {};
  Revision mod_revision = 0;

  friend bool operator==(const SyncState&, const SyncState&) = default;
};

// One line of the history key: the timeline that ended, where, why, when, who.
struct TimelineHistoryEntry {
  int64_t timeline = 0;
  Lsn lsn = 0;
  std::string reason;
  std::string timestamp;   // as written (ISO 8601), may be empty
  std::string new_leader;  // may be empty

  friend bool operator==(const TimelineHistoryEntry&, const TimelineHistoryEntry&) = default;
};

// The status key: the leader's last published WAL position and slot positions.
struct ClusterStatus {
  Lsn optime = 0;
  std::map<std::string, Lsn> slots;

  friend bool operator==(const ClusterStatus&, const ClusterStatus&) = default;
};

struct ClusterView {
  // The initialize key: the system identifier of the cluster, once bootstrapped. 0: the key
  // exists but holds no identifier yet (Patroni writes "" while the bootstrap runs).
  std::optional<uint64_t> initialize;
  DynamicConfig config;
  Revision config_revision = 0;  // 0: no config key
  std::optional<LeaderKey> leader;
  std::vector<Member> members;  // in name order
  ClusterStatus status;
  std::optional<FailoverRequest> failover;
  std::optional<SyncState> sync;
  std::vector<TimelineHistoryEntry> history;
  // The failsafe key: the members that were alive (name -> api_url) when it was written.
  std::map<std::string, std::string> failsafe;
  // What the codec could not read (a key and why); those keys were skipped.
  std::vector<std::string> decode_errors;
  // The DCS revision the view was read at.
  Revision revision = 0;

  const Member* FindMember(const std::string& name) const {
    for (const Member& m : members) {
      if (m.name == name) return &m;
    }
    return nullptr;
  }

  friend bool operator==(const ClusterView&, const ClusterView&) = default;
};

}  // namespace warden

#endif  // WARDEN_CORE_CLUSTER_H_
