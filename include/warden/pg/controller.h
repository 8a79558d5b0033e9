// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Controller: everything warden does to one PostgreSQL node, behind an interface an embedder can
// replace (an appliance may drive PostgreSQL through its own service manager). The real
// implementation is LocalController (warden/pg/local_controller.h); FakeController
// (warden/pg/fake_controller.h) is a deterministic model for tests and the simulator.
//
// Every call takes a deadline (absolute, wall clock) and never blocks past it; work it started
// (a subprocess) is stopped when the deadline passes. Errors are absl::Status:
//   INVALID_ARGUMENT     bad options or arguments.
//   FAILED_PRECONDITION  the node is not in a state that allows the call (promote a stopped
//                        node, start a data directory that another postmaster runs, bootstrap
//                        over existing data, a data directory of another cluster).
//   NOT_FOUND            a binary, a data directory, a role or a slot that should exist doesn't.
//   DEADLINE_EXCEEDED    the deadline passed first (the operation was stopped).
//   UNAVAILABLE          the server or the upstream cannot be reached.
//   INTERNAL             a tool failed; the message has the tail of its output.
// Messages say what to do, not only what went wrong.
//
// Thread safety: implementations serialise calls; State() may be called at any time.

#ifndef WARDEN_PG_CONTROLLER_H_
#define WARDEN_PG_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/pg/types.h"

namespace warden {

// A database role with a password.
struct PgUser {
  std::string name;
  std::string password;
};

// How to create a new cluster (initdb, then first start).
struct BootstrapOptions {
  // initdb's --encoding and --locale. Empty: none given, so that initdb derives them from the
  // caller's environment (LANG, LC_ALL, LC_*), as under Patroni.
  std::string encoding = "UTF8";
  std::string locale = "C.UTF-8";
  bool data_checksums = true;
  // More initdb arguments, e.g. "--wal-segsize=32".
  std::vector<std::string> initdb_args;
};

// How to stop. Smart waits for clients to leave, fast disconnects them, immediate aborts (crash
// recovery on the next start).
enum class StopMode { kSmart, kFast, kImmediate };

// The node to clone from, rewind from or follow.
struct Upstream {
  std::string host;
  int port = 5432;
  // A physical replication slot on the upstream to stream through; empty for none.
  std::string slot_name;
};

// synchronous_standby_names, in the forms Patroni writes.
struct SyncStandbys {
  enum class Method { kFirst, kAny };
  Method method = Method::kFirst;
  int count = 1;                        // how many of `names` must confirm
  std::vector<std::string> names = {};  // application_names (member names)
  // synchronous_mode_strict with no candidate: '*' makes every commit wait for any standby.
  bool strict_placeholder = false;

  friend bool operator==(const SyncStandbys&, const SyncStandbys&) = default;
};

// Renders SyncStandbys as the value of synchronous_standby_names: "" (off), "*" (strict, no
// candidate), or FIRST/ANY n ("name", ...) with each name double-quoted.
inline std::string FormatSynchronousStandbyNames(const SyncStandbys& sync) {
  if (sync.names.empty()) return sync.strict_placeholder ? "*" : "";
  std::string out = sync.method == SyncStandbys::Method::kAny ? "ANY " : "FIRST ";
  out += std::to_string(sync.count) + " (";
  for (size_t i = 0; i < sync.names.size(); ++i) {
    if (i > 0) out += ",";
    out += '"';
    for (char c : sync.names[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out + ")";
}

// Progress of a clone: bytes copied so far of an estimated total.
struct CloneProgress {
  int64_t done_bytes = 0;
  int64_t total_bytes = 0;
};
using CloneProgressCallback = std::function<void(const CloneProgress&)>;

class Controller {
 public:
  virtual ~Controller() = default;

  // Creates a new cluster in an empty data directory, starts it as a primary, creates the
  // configured superuser and replication users, and writes pg_hba (replication entries
  // included). FAILED_PRECONDITION if the data directory is not empty.
  virtual absl::Status Bootstrap(const BootstrapOptions& options, absl::Time deadline) = 0;

  // Starts PostgreSQL on the existing data directory (as a replica if it has a standby.signal)
  // and waits until it accepts connections. OK if it already runs under this controller.
  virtual absl::Status Start(absl::Time deadline) = 0;

  // Stops PostgreSQL with `mode`; if it has not stopped after `escalate_after`, escalates (smart
  // to fast to immediate to SIGKILL). OK if it is not running.
  virtual absl::Status Stop(StopMode mode, absl::Duration escalate_after, absl::Time deadline) = 0;

  // Stop (fast) then Start.
  virtual absl::Status Restart(absl::Time deadline) = 0;

  // Makes PostgreSQL re-read its configuration.
  virtual absl::Status Reload(absl::Time deadline) = 0;

  // Promotes a replica and waits until it accepts writes.
  virtual absl::Status Promote(absl::Time deadline) = 0;

  // Makes this node a replica of `upstream`: writes primary_conninfo (and the slot) and the
  // standby signal, then reloads a running replica or restarts a primary (demotes it). A stopped
  // node is left stopped, ready to start as a replica.
  virtual absl::Status Follow(const Upstream& upstream, absl::Time deadline) = 0;

  // Rewinds this (stopped or running; it is stopped first) node's data directory to `source`
  // with pg_rewind, so that it can follow a primary whose timeline forked from its own. Leaves
  // the node stopped and configured to follow `source`. On failure the data directory is left
  // as pg_rewind left it; nothing is deleted.
  virtual absl::Status Rewind(const Upstream& source, absl::Time deadline) = 0;

  // Creates this node's data directory as a copy of `source` (pg_basebackup) and configures it
  // to follow `source`. The data directory must be empty or absent. Does not start it.
  virtual absl::Status Clone(const Upstream& source, const CloneProgressCallback& progress,
                             absl::Time deadline) = 0;

  // Stops the node, deletes its data directory and clones it again from `source`.
  virtual absl::Status Reinitialize(const Upstream& source, const CloneProgressCallback& progress,
                                    absl::Time deadline) = 0;

  // Replaces the postgresql.conf parameters this node runs with (the effective
  // postgresql.parameters: see warden/core/pg_parameters.h) and, when they changed, checks them
  // and reloads a running server. Parameters that need a restart show as
  // LocalPostgres::pending_restart until one. The controller's own settings (port,
  // listen_addresses, the replication and synchronous settings) are not among them and win over
  // any that are. INVALID_ARGUMENT when PostgreSQL rejects a value: nothing changes (a running
  // server keeps its configuration, a restart starts with it), and the message names the value.
  virtual absl::Status SetParameters(const std::map<std::string, std::string>& parameters,
                                     absl::Time deadline) = 0;

  // Sets synchronous_standby_names and reloads.
  virtual absl::Status SetSynchronousStandbyNames(const SyncStandbys& sync,
                                                  absl::Time deadline) = 0;

  // Creates or drops a physical replication slot on this (running) node. Creating an existing
  // slot and dropping an absent one succeed.
  virtual absl::Status CreateReplicationSlot(std::string_view name, absl::Time deadline) = 0;
  virtual absl::Status DropReplicationSlot(std::string_view name, absl::Time deadline) = 0;

  // Runs CHECKPOINT.
  virtual absl::Status Checkpoint(absl::Time deadline) = 0;

  // A snapshot of the node. A dead postmaster is reported as not running at once.
  virtual absl::StatusOr<LocalPostgres> State(absl::Time deadline) = 0;

  // State() for readers that must not wait behind a long operation (a clone, a start, a stop):
  // UNAVAILABLE, soon and well before `deadline`, while another call is in progress. The REST
  // API answers its peers' GET /patroni with it, so that they decide on positions read now, not
  // a loop ago. The default calls State(); a controller whose operations may take long should
  // override it.
  virtual absl::StatusOr<LocalPostgres> StateIfIdle(absl::Time deadline) { return State(deadline); }
};

}  // namespace warden

#endif  // WARDEN_PG_CONTROLLER_H_
