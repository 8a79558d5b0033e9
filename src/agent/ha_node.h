// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// HaNode: one node's HA loop, synchronous and without threads of its own: read the cluster from
// the DCS, read the local PostgreSQL, probe the other members when the decision may need them,
// Decide, carry the decision out, publish a status. The Agent drives it from Boost.Asio timers
// and watch events; tests drive it step by step on a ManualClock, in virtual time.

#ifndef WARDEN_SRC_AGENT_HA_NODE_H_
#define WARDEN_SRC_AGENT_HA_NODE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "src/agent/callbacks.h"
#include "src/agent/cluster_cache.h"
#include "src/agent/lease_keeper.h"
#include "src/agent/member_prober.h"
#include "warden/agent/agent.h"
#include "warden/agent/executor.h"
#include "warden/agent/status.h"
#include "warden/clock.h"
#include "warden/core/codec.h"
#include "warden/core/decide.h"
#include "warden/dcs/dcs.h"
#include "warden/pg/controller.h"

namespace warden {

class HaNode {
 public:
  // Everything passed must outlive the node; `callbacks` and `cache` may be null. `api_url` is
  // what this member publishes for its REST API. With a `cache` (fed by the agent's watch), a
  // loop reads the cluster from it instead of listing the keys, when the DCS is known to answer.
  HaNode(const AgentOptions& options, std::string api_url, Dcs& dcs, Controller& controller,
         LeaseKeeper& lease, MemberProber& prober, const Clock& clock, CallbackRunner* callbacks,
         ClusterCache* cache = nullptr);

  // One HA loop. Returns when the next one must run at the latest, on `clock`.
  absl::Time RunOnce() ABSL_LOCKS_EXCLUDED(mu_);

  // Graceful shutdown: a leader stops PostgreSQL and releases the leader key, so that a replica
  // takes over at once instead of waiting for the lease to expire.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

  // Between loops, on the same thread as RunOnce: what POST /restart, /reload and
  // /reinitialize ask.
  absl::StatusOr<std::string> Restart() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::string> Reload() ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::string> Reinitialize(bool force) ABSL_LOCKS_EXCLUDED(mu_);

  // Thread-safe.
  AgentStatus Status() const ABSL_LOCKS_EXCLUDED(mu_);
  bool AcceptFailsafe(const std::string& leader) const ABSL_LOCKS_EXCLUDED(mu_);
  // The leader key's holder as of the last loop ("" when none).
  std::string KnownLeader() const ABSL_LOCKS_EXCLUDED(mu_);
  // As of the last loop: PostgreSQL is not running, or is a replica that does not stream. Such a
  // node waits on the leader (to clone, to follow), so a change of the leader's member key
  // matters to it.
  bool AwaitingLeader() const ABSL_LOCKS_EXCLUDED(mu_);
  // The dynamic config in effect: the config key's, else the bootstrap config.
  DynamicConfig EffectiveConfig() const ABSL_LOCKS_EXCLUDED(mu_);
  const ClusterKeys& keys() const { return keys_; }
  void MarkStopping() ABSL_LOCKS_EXCLUDED(mu_);
  // Called on the HA thread with the status once a loop has decided and before it acts, when the
  // decision differs from the last one: a promote or a clone that then takes long (or hangs) is
  // in the log from its start. Set before the first RunOnce.
  void SetDecisionObserver(std::function<void(const AgentStatus&)> observer) {
    decision_observer_ = std::move(observer);
  }

 private:
  struct Observation {
    ClusterView view;
    bool dcs_ok = false;
    LocalPostgres postgres;
  };
  absl::StatusOr<Observation> Observe(const DynamicConfig& config);
  absl::StatusOr<ListResult> ReadCluster(const DynamicConfig& config);
  bool CacheTrusted(const DynamicConfig& config) const;
  bool WasRunningPrimary() const ABSL_LOCKS_EXCLUDED(mu_);
  LocalNode BuildLocalNode(const Observation& seen, const DynamicConfig& config);
  bool NeedsProbes(const Observation& seen, const DynamicConfig& config) const;
  Member SelfMember(const LocalPostgres& pg, bool paused) const;
  bool MemberKeyCurrent(const Observation& seen, const std::string& json, LeaseId lease) const;
  // Remembers whether this tick's member-key write (if any) went through.
  void NoteMemberWrite(const Decision& decision, size_t completed, const std::string& json,
                       LeaseId lease);
  // What this node's member key holds after a write of `json` under `lease` (or after a failed
  // one: unknown, so the next tick writes again).
  void RememberMemberKey(bool written, const std::string& json, LeaseId lease);
  // Writes the config key after an initialization, runs the callbacks, and returns PostgreSQL's
  // state if the actions changed it.
  std::optional<LocalPostgres> AfterActions(const Decision& decision, size_t completed,
                                            const LocalPostgres& before);
  // As Patroni: bootstrap.dcs as written (AgentOptions::bootstrap_config_json), else encoded.
  void EnsureConfigKey();
  // The member's own postgresql settings over the cluster config's (AgentOptions).
  DynamicConfig WithLocalOverrides(DynamicConfig config) const;
  // Gives the controller the effective PostgreSQL parameters when they changed since the last
  // time it took them; a set PostgreSQL rejected is not offered again until it changes.
  void ApplyParameters(const DynamicConfig& config);
  void Publish(const Observation& seen, const DynamicConfig& config, const Decision& decision,
               absl::Duration took) ABSL_LOCKS_EXCLUDED(mu_);
  void SetState(const std::string& state) ABSL_LOCKS_EXCLUDED(mu_);
  // Shows a new decision in the status and tells the decision observer, before the actions.
  void AnnounceDecision(const Decision& decision) ABSL_LOCKS_EXCLUDED(mu_);
  // Deadline of a PostgreSQL call: retry_timeout from now.
  absl::Time Deadline(const DynamicConfig& config) const;
  // Deadline of a DCS call in this loop: retry_timeout from now, but for a running primary no
  // later than the moment it must demote (dcs_cap_).
  absl::Time DcsDeadline(const DynamicConfig& config) const;
  absl::Time PrimaryDcsCap() const ABSL_LOCKS_EXCLUDED(mu_);
  ExecutorOptions ExecutorOptionsFor(const DynamicConfig& config) const;
  // Wall-clock time on the monotonic clock: what Decide, the status and the failover key's
  // scheduled_at use (lease deadlines are converted to it).
  absl::Time Now() const { return clock_.Now() + wall_offset_; }

  const AgentOptions options_;
  const std::string api_url_;
  const ClusterKeys keys_;
  Dcs& dcs_;
  Controller& controller_;
  LeaseKeeper& lease_;
  MemberProber& prober_;
  const Clock& clock_;
  CallbackRunner* const callbacks_;
  ClusterCache* const cache_;
  // Zero on a ManualClock (tests live in its time); else wall time minus the monotonic clock,
  // taken once, so that lease arithmetic never sees a wall-clock step.
  std::function<void(const AgentStatus&)> decision_observer_;
  const absl::Duration wall_offset_;

  // HA-thread state.
  // A running primary must demote before its lease can expire, so no DCS call of its loop may
  // outlast the moment it has to (a hung etcd would otherwise hold the loop, and with it the
  // demotion, past that moment). Real time, as DCS deadlines are; infinite for others.
  absl::Time dcs_cap_ = absl::InfiniteFuture();
  ClusterView view_;
  // The revision view_ was decoded at: a read at the same revision is not decoded again.
  Revision view_revision_ = 0;
  // When the last successful List was sent, on clock_.
  absl::Time last_list_ = absl::InfinitePast();
  absl::Time postgres_down_since_ = absl::InfinitePast();
  // What this node last wrote to its member key, and under which lease (HA thread only).
  std::string last_member_json_;
  LeaseId last_member_lease_ = kNoLease;
  // The parameters the controller last took, and the last set it rejected (HA thread only).
  std::optional<std::map<std::string, std::string>> applied_parameters_;
  std::map<std::string, std::string> rejected_parameters_;

  mutable absl::Mutex mu_;
  AgentStatus status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_HA_NODE_H_
