// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// ActionExecutor: carries out a Decision of the HA core on a Dcs and a Controller. Leader writes
// are transactions conditioned on the leader key's create revision (Action::fence) and on the
// key still naming this node, so a node that lost the key can change nothing. Actions run in
// order; the first that fails stops the rest (a lost leader race must not be followed by a
// promotion). Synchronous and single-threaded: the runtime and the simulator call it from their
// own loop.

#ifndef WARDEN_AGENT_EXECUTOR_H_
#define WARDEN_AGENT_EXECUTOR_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "warden/core/codec.h"
#include "warden/core/decide.h"
#include "warden/dcs/dcs.h"
#include "warden/pg/controller.h"

namespace warden {

// How long each kind of action may take. Every action gets its own deadline: now + its timeout,
// capped by the deadline passed to Run. Infinite by default (the simulator's virtual time).
struct ExecutorOptions {
  absl::Duration dcs_timeout = absl::InfiniteDuration();       // DCS reads and writes
  absl::Duration postgres_timeout = absl::InfiniteDuration();  // start, stop, promote, follow
  absl::Duration long_timeout = absl::InfiniteDuration();      // bootstrap, clone, rewind, reinit
  BootstrapOptions bootstrap;                                  // bootstrap.initdb
  // How long a demotion (or a refusal to run) waits for each stop mode before the next, harder
  // one: primary_stop_timeout when set, else 5 s.
  absl::Duration stop_escalation = absl::Seconds(5);
  // DCS actions end by this time at the latest, whatever dcs_timeout says: a running primary's
  // loop must reach its demotion before its lease can expire, even with a hung DCS.
  absl::Time dcs_deadline_cap = absl::InfiniteFuture();
};

class ActionExecutor {
 public:
  // `dcs` and `controller` must outlive the executor.
  ActionExecutor(Dcs& dcs, Controller& controller, ClusterKeys keys, std::string name,
                 ExecutorOptions options = {});

  struct Outcome {
    size_t completed = 0;  // how many actions succeeded, from the first
    absl::Status error;    // why the next one failed (OK if all ran)
  };

  // Runs `decision`'s actions. `view` resolves member names to addresses; `self` is the member
  // JSON this node publishes; `lease` is the node's lease (leader and member keys attach to it).
  // `deadline` caps every action's own deadline.
  Outcome Run(const Decision& decision, const ClusterView& view, const Member& self, LeaseId lease,
              absl::Time deadline);

  // Where a member's PostgreSQL listens, from its conn_url. NOT_FOUND if the member is unknown,
  // INVALID_ARGUMENT if its conn_url cannot be read.
  static absl::StatusOr<Upstream> UpstreamOf(const ClusterView& view, const std::string& member);

 private:
  absl::Status RunOne(const Action& action, const ClusterView& view, const Member& self,
                      LeaseId lease, absl::Time deadline);
  // A transaction that succeeds only while the leader key is this node's, from tenure `fence`.
  absl::Status FencedWrite(Revision fence, TxnOp op, absl::Time deadline);
  absl::Status SyncSlots(const Action& action, absl::Time deadline);
  absl::Status Cas(const TxnRequest& txn, const char* what, absl::Time deadline);
  // The initialize key: claim it (0) or record the cluster's system identifier.
  absl::Status WriteInitialize(uint64_t system_identifier, absl::Time deadline);

  Dcs& dcs_;
  Controller& controller_;
  const ClusterKeys keys_;
  const std::string name_;
  const ExecutorOptions options_;
};

}  // namespace warden

#endif  // WARDEN_AGENT_EXECUTOR_H_
