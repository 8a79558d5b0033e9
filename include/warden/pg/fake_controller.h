// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// FakeController: a deterministic in-memory model of one PostgreSQL node, for the HA core's unit
// tests and the fault simulator. No I/O, no threads, no clock reads, no randomness: what a call
// does depends only on the calls made before it.
//
//   FakePgNetwork network;
//   FakeController pg1(network, "pg1", "10.0.0.1", 5432);
//   FakeController pg2(network, "pg2", "10.0.0.2", 5432);
//   pg1.Bootstrap({}, deadline);                               // primary, timeline 1
//   pg2.Clone({.host = "10.0.0.1", .port = 5432}, {}, deadline);
//   pg2.Start(deadline);                                       // streams from pg1
//   pg1.Write(100);                                            // pg2 has it at once
//   pg1.Crash();
//   pg2.Promote(deadline);                                     // timeline 2 forks at pg2's LSN
//
// The model:
// - WAL is a byte position (Lsn) on a timeline; the timeline history records where each timeline
//   forked off the one before (a promotion). A node's history is its lineage.
// - Replication takes no time: after every call, every running replica whose upstream runs and
//   is compatible has received and replayed all its upstream has, less its lag
//   (SetReplicationLag). So a result never depends on when State() was asked.
// - Compatible, as PostgreSQL decides it: same system identifier; the replica's history is a
//   prefix of the upstream's; the replica's LSN is not past the point where the upstream left the
//   replica's timeline (or past the upstream's LSN on that timeline); the slot it names, if any,
//   exists on the upstream. A node that wrote WAL on a timeline the upstream abandoned (an old
//   primary after a failover) does not stream until Rewind or Reinitialize.
// - Synchronous replication: a primary's synchronous_standby_names decides the sync_state of its
//   walsenders, and a Write is acknowledged only once the required standbys have it.
// - Deadlines are ignored, except that a hung node (SetHung) fails every call with
//   DEADLINE_EXCEEDED, as if it had blocked until its deadline.
//
// Thread safety: the nodes of a network share one mutex; any method may be called from any
// thread. The network must outlive its nodes.

#ifndef WARDEN_PG_FAKE_CONTROLLER_H_
#define WARDEN_PG_FAKE_CONTROLLER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "warden/pg/controller.h"
#include "warden/pg/types.h"

namespace warden {

class FakeController;

// The address book of a set of FakeControllers: each node registers itself under "host:port"
// while it exists, so that Follow, Clone and Rewind find their upstream. Addresses must be
// unique; a second node on a taken address is unreachable.
class FakePgNetwork {
 public:
  FakePgNetwork() = default;
  FakePgNetwork(const FakePgNetwork&) = delete;
  FakePgNetwork& operator=(const FakePgNetwork&) = delete;

  // The node at host:port, or nullptr.
  FakeController* Find(const std::string& host, int port) const;

 private:
  friend class FakeController;

  FakeController* FindLocked(const std::string& address) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Lets replication catch up until nothing changes (see FakeController::StreamLocked).
  // The analysis cannot see that every node's network_.mu_ is this mu_.
  void SettleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) ABSL_NO_THREAD_SAFETY_ANALYSIS;

  // One lock for the whole network: a node's state depends on its upstream's.
  mutable absl::Mutex mu_;
  std::map<std::string, FakeController*> nodes_ ABSL_GUARDED_BY(mu_);  // by address
};

// A model of one PostgreSQL 15 node; see the top of this file.
class FakeController final : public Controller {
 public:
  // The version every node reports, and where a new cluster's WAL starts.
  static constexpr int kServerVersion = 150005;
  static constexpr Lsn kBootstrapLsn = 0x1000000;

  // Registers the node at host:port in `network`, which must outlive it. `name` is its
  // application_name on the primary. It starts with no data directory.
  FakeController(FakePgNetwork& network, std::string name, std::string host, int port);
  ~FakeController() override;  // unregisters; replicas of this node stop streaming
  FakeController(const FakeController&) = delete;
  FakeController& operator=(const FakeController&) = delete;

  // --- Test controls ---

  // A client write of `bytes` (> 0) on a running primary: its WAL advances. If
  // synchronous_standby_names asks for standbys that do not have the new WAL, the WAL stays
  // written but the commit is not acknowledged: DEADLINE_EXCEEDED, as a client would see once
  // its statement_timeout passed. FAILED_PRECONDITION if not a running primary.
  absl::Status Write(int64_t bytes);
  // A streaming replica stays this many bytes behind its upstream (0: caught up).
  void SetReplicationLag(uint64_t bytes);
  // The postmaster dies: not running at once; pg_controldata says "in production" (primary) or
  // "in archive recovery" (replica). Ends a hang. Nothing happens to a stopped node.
  void Crash();
  // While hung, every call but State() fails DEADLINE_EXCEEDED and changes nothing, the node
  // neither streams nor serves WAL, and State() returns the snapshot of the moment it hung.
  void SetHung(bool hung);
  // The next Promote (Rewind) returns `status` and changes nothing (Rewind still stops the node
  // first, as the real one does before running pg_rewind).
  void FailNextPromote(absl::Status status);
  void FailNextRewind(absl::Status status);
  // Bootstrap derives the system identifier from this seed and the number of earlier bootstraps
  // of this node. The default seed is derived from the node's name.
  void set_system_identifier_seed(uint64_t seed);
  // SetParameters refuses (INVALID_ARGUMENT, nothing changes) any parameters naming `name` with
  // `value`, as PostgreSQL refuses a value it cannot parse.
  void RejectParameterValue(std::string name, std::string value);

  // --- Observation, for tests; valid whether or not the node runs ---

  const std::string& name() const { return name_; }
  const std::string& host() const { return host_; }
  int port() const { return port_; }
  std::string address() const;  // host:port
  int64_t timeline() const;
  Lsn wal_lsn() const;  // end of WAL: written (primary) or received (replica); 0 without data
  uint64_t system_identifier() const;
  std::string synchronous_standby_names() const;
  std::vector<TimelineFork> history() const;
  std::set<std::string> replication_slots() const;
  // The escalate_after of the last Stop (zero before any).
  absl::Duration last_stop_escalation() const;
  // The parameters set by SetParameters, and those the running postmaster started with.
  std::map<std::string, std::string> parameters() const;
  std::map<std::string, std::string> running_parameters() const;

  // --- Controller ---

  absl::Status Bootstrap(const BootstrapOptions& options, absl::Time deadline) override;
  absl::Status Start(absl::Time deadline) override;
  absl::Status Stop(StopMode mode, absl::Duration escalate_after, absl::Time deadline) override;
  absl::Status Restart(absl::Time deadline) override;
  absl::Status Reload(absl::Time deadline) override;
  absl::Status Promote(absl::Time deadline) override;
  absl::Status Follow(const Upstream& upstream, absl::Time deadline) override;
  absl::Status Rewind(const Upstream& source, absl::Time deadline) override;
  absl::Status Clone(const Upstream& source, const CloneProgressCallback& progress,
                     absl::Time deadline) override;
  absl::Status Reinitialize(const Upstream& source, const CloneProgressCallback& progress,
                            absl::Time deadline) override;
  absl::Status SetParameters(const std::map<std::string, std::string>& parameters,
                             absl::Time deadline) override;
  absl::Status SetSynchronousStandbyNames(const SyncStandbys& sync, absl::Time deadline) override;
  absl::Status CreateReplicationSlot(std::string_view name, absl::Time deadline) override;
  absl::Status DropReplicationSlot(std::string_view name, absl::Time deadline) override;
  absl::Status Checkpoint(absl::Time deadline) override;
  absl::StatusOr<LocalPostgres> State(absl::Time deadline) override;

 private:
  friend class FakePgNetwork;

  // Everything below requires network_.mu_ (annotated where the network itself is read).
  absl::Status Error(absl::StatusCode code, std::string_view what) const;
  absl::Status CheckNotHung() const;
  absl::Status CheckHasData(std::string_view action) const;
  absl::Status CheckRunning(std::string_view action) const;
  absl::StatusOr<FakeController*> ReachableSource(const Upstream& source) const
      ABSL_SHARED_LOCKS_REQUIRED(network_.mu_);
  bool RunningPrimary() const { return running_ && !in_recovery_; }
  int64_t TimelineLocked() const;
  void StartLocked();
  void StopLocked(StopMode mode);
  void WipeLocked();
  void CloneFromLocked(const FakeController& source, const Upstream& upstream);
  void ConfigureFollowLocked(const Upstream& upstream);
  bool CanStreamFrom(const FakeController& upstream) const;
  bool StreamLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(network_.mu_);
  std::vector<ReplicationConnection> WalsendersLocked() const
      ABSL_SHARED_LOCKS_REQUIRED(network_.mu_);
  bool AcknowledgedLocked(Lsn lsn) const ABSL_SHARED_LOCKS_REQUIRED(network_.mu_);
  LocalPostgres SnapshotLocked() const ABSL_SHARED_LOCKS_REQUIRED(network_.mu_);

  FakePgNetwork& network_;
  const std::string name_;
  const std::string host_;
  const int port_;

  // The data directory. Without data, everything here is zero or empty.
  bool has_data_ = false;
  uint64_t system_identifier_ = 0;
  std::vector<TimelineFork> history_;  // the current timeline is the last entry's (or 1)
  Lsn lsn_ = 0;                        // end of WAL written or received (= replayed)
  bool standby_signal_ = false;        // starts as a replica; set iff upstream_ is
  std::optional<Upstream> upstream_;
  std::string cluster_state_;  // pg_controldata's view, reported while stopped
  SyncStandbys sync_;
  std::set<std::string> slots_;
  std::map<std::string, std::string> parameters_;  // as configured

  // The postmaster.
  bool running_ = false;
  bool in_recovery_ = false;  // running as a replica
  bool streaming_ = false;    // a WAL receiver is connected to a live upstream
  int64_t starts_ = 0;        // postmaster starts so far, shown as its start time
  // The parameters in force: those of the last start, then each reloadable one as it is set. A
  // restart-only one differing from parameters_ is pending a restart.
  std::map<std::string, std::string> running_parameters_;

  // Test controls.
  uint64_t lag_ = 0;
  bool hung_ = false;
  LocalPostgres hung_snapshot_;
  absl::Status fail_next_promote_;
  absl::Status fail_next_rewind_;
  std::set<std::pair<std::string, std::string>> rejected_parameters_;
  absl::Duration last_stop_escalation_ = absl::ZeroDuration();
  uint64_t seed_;
  int64_t bootstraps_ = 0;
};

}  // namespace warden

#endif  // WARDEN_PG_FAKE_CONTROLLER_H_
