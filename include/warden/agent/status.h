// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// AgentStatus and AgentControl: what a running agent shows and what may be asked of it. The REST
// API, the embedding API and tests see an agent only through these two types, so a REST handler
// can be tested against a fake AgentControl without a DCS, a PostgreSQL or a socket.

#ifndef WARDEN_AGENT_STATUS_H_
#define WARDEN_AGENT_STATUS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/core/cluster.h"
#include "warden/core/config.h"
#include "warden/pg/types.h"

namespace warden {

// Counters for /metrics. Monotonic over the agent's life.
struct AgentCounters {
  int64_t ha_loops = 0;
  int64_t leader_changes = 0;  // times the leader key named a different member than before
  int64_t dcs_errors = 0;      // failed DCS calls (reads, writes, keep-alives)
  absl::Duration last_loop_duration = absl::ZeroDuration();
  absl::Duration total_loop_duration = absl::ZeroDuration();
};

// A snapshot of the agent, taken at the end of each HA loop. Cheap to copy; never waits on I/O.
struct AgentStatus {
  std::string name;
  std::string scope;
  std::string api_url;
  std::string conn_url;
  MemberTags tags;
  // The last cluster view read from the DCS, and when (InfinitePast: never).
  ClusterView view;
  absl::Time dcs_last_seen = absl::InfinitePast();
  bool dcs_reachable = false;
  // The dynamic config in effect (the config key, or the bootstrap config before it exists).
  DynamicConfig config;
  // How that config's ttl/loop_wait/retry_timeout were adjusted to the timing rule (see
  // AdjustTiming), e.g. "ttl 2s -> 5s (...)"; empty when they were used as written.
  std::string config_adjustment;
  // PostgreSQL's parameters: what the precedence rules left out of the configured ones (see
  // warden/core/pg_parameters.h), and why PostgreSQL rejected the last change ("" when it took
  // it; the node then runs on with the parameters it had).
  std::vector<std::string> parameters_ignored;
  std::string parameters_error;
  // The local PostgreSQL as last read.
  LocalPostgres postgres;
  // Patroni's member state: "running", "stopped", "starting", "stopping", "restarting",
  // "creating replica", "crashed", "running custom bootstrap script"... as Patroni words it.
  std::string state = "stopped";
  // This node holds the leader key (and its PostgreSQL is, or is becoming, the primary).
  bool is_leader = false;
  // The reason the HA core gave on the last loop (shown in /patroni and logs).
  std::string last_decision;
  absl::Time last_loop = absl::InfinitePast();
  // The agent is shutting down (liveness stays 200, readiness turns 503).
  bool stopping = false;
  AgentCounters counters;
};

// A switchover or failover asked of the cluster (POST /switchover, /failover, wardenctl).
struct SwitchoverRequest {
  std::string leader;     // must name the current leader for a switchover; empty for a failover
  std::string candidate;  // required for a failover; optional for a switchover
  std::optional<absl::Time> scheduled_at;
  bool failover = false;  // true: /failover (may run without a healthy leader)
};

// What the REST API (or an embedder) may ask of a running agent. Thread-safe. Status() returns at
// once from memory; the other calls may do DCS or PostgreSQL I/O bounded by retry_timeout and must
// not be called from a thread that must stay responsive.
//
// Error codes map to HTTP: INVALID_ARGUMENT 400, PERMISSION_DENIED 403, NOT_FOUND 404,
// ABORTED 409 (a concurrent change won the compare-and-swap), FAILED_PRECONDITION 412,
// UNAVAILABLE / DEADLINE_EXCEEDED 503, others 500.
class AgentControl {
 public:
  virtual ~AgentControl() = default;

  virtual AgentStatus Status() const = 0;
  // Status() with PostgreSQL's state read at the call where that does not wait on a running
  // operation (GET /patroni, which peers decide on). May take a query's time.
  virtual AgentStatus LiveStatus() const { return Status(); }

  // Validates the request against the last view (leader named, candidate a healthy member, sync
  // rules) and writes the failover key. Returns a short message for the HTTP reply.
  virtual absl::StatusOr<std::string> RequestSwitchover(const SwitchoverRequest& request) = 0;
  // Removes a scheduled switchover (DELETE /switchover). NOT_FOUND if there is none.
  virtual absl::Status CancelSwitchover() = 0;

  // The dynamic config as JSON (the config key's text, or the bootstrap config).
  virtual absl::StatusOr<std::string> ConfigJson() = 0;
  // PATCH /config (merge: null deletes a key) or PUT /config (replace) with a JSON object; the
  // result is validated (types, timing rule) and written with a compare-and-swap. Returns the new
  // config JSON.
  virtual absl::StatusOr<std::string> UpdateConfig(const std::string& json, bool replace) = 0;

  // Restarts the local PostgreSQL (POST /restart), reloads its configuration (POST /reload),
  // or wipes and re-clones this replica (POST /reinitialize). Run by the HA loop, between ticks.
  virtual absl::StatusOr<std::string> Restart() = 0;
  virtual absl::StatusOr<std::string> Reload() = 0;
  virtual absl::StatusOr<std::string> Reinitialize(bool force) = 0;

  // Failsafe heartbeat from the primary (POST /failsafe). True: this member accepts `leader` as
  // primary while the DCS is unreachable.
  virtual bool AcceptFailsafe(const std::string& leader) = 0;
};

}  // namespace warden

#endif  // WARDEN_AGENT_STATUS_H_
