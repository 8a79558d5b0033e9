// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The cluster-wide dynamic configuration (Patroni's `/config` key, bootstrap.dcs in patroni.yml)
// and the per-member tags, as typed values. The JSON codec (warden/core/codec.h) reads and
// writes them with Patroni's field names and keeps fields it does not model.

#ifndef WARDEN_CORE_CONFIG_H_
#define WARDEN_CORE_CONFIG_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace warden {

enum class SynchronousMode {
  kOff,     // asynchronous replication
  kOn,      // one or more synchronous standbys, named in the sync key
  kQuorum,  // ANY n (...) quorum commit; failover needs a quorum of the sync set
};

// One entry of ignore_slots: a replication slot warden must not drop. Empty fields match any
// slot.
struct SlotMatcher {
  std::string name = {};
  std::string type = {};  // physical or logical
  std::string database = {};
  std::string plugin = {};

  friend bool operator==(const SlotMatcher&, const SlotMatcher&) = default;
};

// The dynamic configuration every member shares. Defaults are Patroni's.
struct DynamicConfig {
  absl::Duration ttl = absl::Seconds(30);
  absl::Duration loop_wait = absl::Seconds(10);
  absl::Duration retry_timeout = absl::Seconds(10);
  // A replica further behind the leader's last known position (bytes) may not become leader.
  int64_t maximum_lag_on_failover = int64_t{1024} * 1024;
  // Also refuse candidates on an older timeline than the leader's.
  bool check_timeline = false;
  SynchronousMode synchronous_mode = SynchronousMode::kOff;
  // With no synchronous standby available, block commits rather than run asynchronously.
  bool synchronous_mode_strict = false;
  int synchronous_node_count = 1;
  // Keep the primary running while the DCS is unreachable, as long as every member answers.
  bool failsafe_mode = false;
  // Maintenance mode: warden changes nothing on PostgreSQL.
  bool pause = false;
  // How long a crashed primary may take to come back in place before the lock is released.
  absl::Duration primary_start_timeout = absl::Seconds(300);
  // How long a demote may wait for a clean stop before it is forced (0: no limit).
  absl::Duration primary_stop_timeout = absl::ZeroDuration();
  bool use_pg_rewind = false;
  // Reinitialize (wipe and clone) a member whose WAL diverged from the leader's where pg_rewind
  // cannot help (postgresql.remove_data_directory_on_diverged_timelines in Patroni).
  bool remove_data_directory_on_diverged_timelines = false;
  // One physical replication slot per member on the primary (see warden/core/slots.h).
  bool use_slots = true;
  // Replication slots that are not warden's to drop.
  std::vector<SlotMatcher> ignore_slots;
  // postgresql.parameters: values as text, as they go into postgresql.conf.
  std::map<std::string, std::string> postgresql_parameters;
  // Every key the codec did not model, as a JSON object text ("{}" when none): written back
  // unchanged, so that a warden member never drops what Patroni or a newer warden wrote.
  std::string unknown_json = "{}";

  friend bool operator==(const DynamicConfig&, const DynamicConfig&) = default;
};

// Patroni's timing rule: loop_wait + 2 * retry_timeout <= ttl, so that a leader that fails one
// DCS call can retry and still refresh its lock in time. Returns the config unchanged when it
// holds, otherwise one adjusted as Patroni adjusts it, with `adjustment` saying what changed.
// Like Patroni it also truncates the three to whole seconds and raises them to minimums (ttl
// 5 s, loop_wait 1 s, retry_timeout 3 s, the last shrunk by the rule when ttl < 7 s);
// `adjustment` is empty when nothing changed and may be null. Patroni 3.0 has no ttl minimum,
// later releases document 20 s because their lock is renewed by the HA loop itself; warden's
// lease is kept alive on its own timer (every ttl / 3), so a 5 s ttl is safe.
DynamicConfig AdjustTiming(DynamicConfig config, std::string* adjustment);

// Per-member tags (tags: in patroni.yml, "tags" in the member JSON).
struct MemberTags {
  bool nofailover = false;
  // Higher wins the leader race among equally healthy candidates; 0 means never (like
  // nofailover). Unset: 1.
  std::optional<int> failover_priority;
  bool nosync = false;
  int sync_priority = 1;
  bool noloadbalance = false;
  bool clonefrom = false;
  std::string replicatefrom;  // a member name: stream from it instead of the leader
  bool nostream = false;
  // Other tags, as a JSON object text, kept as written.
  std::string unknown_json = "{}";

  // Whether this member may ever become leader.
  bool CanFailover() const { return !nofailover && failover_priority.value_or(1) > 0; }
  int Priority() const { return failover_priority.value_or(1); }

  friend bool operator==(const MemberTags&, const MemberTags&) = default;
};

}  // namespace warden

#endif  // WARDEN_CORE_CONFIG_H_
