// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Value types of the PostgreSQL controller: WAL positions, roles, and the state snapshot that the
// HA core decides on (LocalPostgres). Header-only.

#ifndef WARDEN_PG_TYPES_H_
#define WARDEN_PG_TYPES_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace warden {

// A WAL position (PostgreSQL's pg_lsn): a byte offset in the write-ahead log.
using Lsn = uint64_t;

// Formats an LSN as PostgreSQL does: "16/B374D848".
inline std::string FormatLsn(Lsn lsn) {
  char buffer[24];
  std::snprintf(buffer, sizeof(buffer), "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xFFFFFFFFu));
  return buffer;
}

// Parses "16/B374D848"; nullopt if malformed.
inline std::optional<Lsn> ParseLsn(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() || slash > 8 ||
      text.size() - slash - 1 > 8) {
    return std::nullopt;
  }
  auto hex = [](std::string_view part) -> std::optional<uint64_t> {
    uint64_t value = 0;
    for (char c : part) {
      int digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else {
        return std::nullopt;
      }
      value = value * 16 + static_cast<uint64_t>(digit);
    }
    return value;
  };
  std::optional<uint64_t> high = hex(text.substr(0, slash));
  std::optional<uint64_t> low = hex(text.substr(slash + 1));
  if (!high || !low) return std::nullopt;
  return (*high << 32) | *low;
}

// What a PostgreSQL node is doing.
enum class PgRole {
  kUnknown,        // not running and no data, or not determinable
  kPrimary,        // accepting writes
  kReplica,        // in recovery, streaming (or trying to) from another node
  kStandbyLeader,  // the leader of a standby cluster: in recovery from an outside primary
};
inline const char* PgRoleName(PgRole role) {
  switch (role) {
    case PgRole::kPrimary:
      return "primary";
    case PgRole::kReplica:
      return "replica";
    case PgRole::kStandbyLeader:
      return "standby_leader";
    case PgRole::kUnknown:
      break;
  }
  return "unknown";
}

// One walsender on a primary, as pg_stat_replication (and Patroni's /patroni) shows it.
struct ReplicationConnection {
  std::string application_name;
  std::string client_addr;
  std::string state;       // streaming, catchup, startup, backup
  std::string sync_state;  // async, potential, sync, quorum
  Lsn sent_lsn = 0;
  Lsn write_lsn = 0;
  Lsn flush_lsn = 0;
  Lsn replay_lsn = 0;
  std::string usename = {};  // the role it connected as

  friend bool operator==(const ReplicationConnection&, const ReplicationConnection&) = default;
};

// One line of a timeline history file (pg_wal/<timeline>.history): `timeline` began at `fork_lsn`,
// branching off the timeline of the entry before it (timeline 1 for the first entry).
struct TimelineFork {
  int64_t timeline = 0;
  Lsn fork_lsn = 0;

  friend bool operator==(const TimelineFork&, const TimelineFork&) = default;
};

// A snapshot of the local PostgreSQL node. Fields that make no sense in the current state (the
// LSNs of a stopped server, say) are zero or empty.
struct LocalPostgres {
  bool running = false;
  PgRole role = PgRole::kUnknown;
  // The timeline: of the WAL being written (primary) or received/replayed (replica); of the last
  // checkpoint when stopped.
  int64_t timeline = 0;
  Lsn wal_lsn = 0;       // primary: pg_current_wal_lsn()
  Lsn received_lsn = 0;  // replica: last WAL received from the upstream
  Lsn replayed_lsn = 0;  // replica: last WAL replayed
  // Replica: how far replay trails what was received (bytes), and since when nothing was replayed
  // while WAL was pending.
  uint64_t replay_lag_bytes = 0;
  // pg_controldata's "Database system identifier"; 0 when there is no data directory.
  uint64_t system_identifier = 0;
  // Its walsenders: a primary's standbys, or a replica's cascading ones (as Patroni shows both).
  std::vector<ReplicationConnection> replication;
  std::string upstream;    // replica: host:port it streams from, if any
  bool streaming = false;  // replica: a WAL receiver is connected
  absl::Time postmaster_start_time = absl::InfinitePast();
  int server_version = 0;  // e.g. 150005
  bool pending_restart = false;
  // Running: the physical, non-temporary replication slots it holds, by name.
  std::vector<std::string> replication_slots;
  // Running: the synchronous_standby_names in effect (what the leader compares its choice with).
  std::string synchronous_standby_names;
  // Stopped: "shut down", "shut down in recovery", "in production" (crashed), ... from
  // pg_controldata.
  std::string cluster_state;
  // Stopped: how far its WAL is known to reach, from pg_controldata (the later of the latest
  // checkpoint and the minimum recovery ending location).
  Lsn stopped_lsn = 0;
  // Where each timeline of this data directory forked from its parent (the current timeline's
  // history file); empty on timeline 1.
  std::vector<TimelineFork> timeline_history;

  friend bool operator==(const LocalPostgres&, const LocalPostgres&) = default;
};

// Running, and as a primary: it accepts writes.
inline bool IsRunningPrimary(const LocalPostgres& pg) {
  return pg.running && pg.role == PgRole::kPrimary;
}

// How far this node's WAL reaches: written (primary), received or replayed (replica), or known
// from pg_controldata (stopped).
inline Lsn WalPosition(const LocalPostgres& pg) {
  if (!pg.running) return pg.stopped_lsn;
  return pg.role == PgRole::kPrimary ? pg.wal_lsn : std::max(pg.received_lsn, pg.replayed_lsn);
}

}  // namespace warden

#endif  // WARDEN_PG_TYPES_H_
