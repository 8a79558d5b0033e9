// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/pg/fake_controller.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace warden {
namespace {

// "Not left yet": the lineage is still on that timeline.
constexpr Lsn kNoEnd = std::numeric_limits<Lsn>::max();

std::string AddressOf(const std::string& host, int port) { return absl::StrCat(host, ":", port); }

// SplitMix64's finaliser: nearby seeds give unrelated identifiers, as real ones look.
uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// FNV-1a: a hash of the name that, unlike std::hash, is the same in every build.
uint64_t Fnv1a(const std::string& text) {
  uint64_t hash = 0xCBF29CE484222325ull;
  for (unsigned char c : text) hash = (hash ^ c) * 0x100000001B3ull;
  return hash;
}

size_t CommonPrefix(const std::vector<TimelineFork>& a, const std::vector<TimelineFork>& b) {
  size_t k = 0;
  while (k < a.size() && k < b.size() && a[k] == b[k]) ++k;
  return k;
}

// Where two lineages part: the earlier of the points where either leaves the last timeline they
// share. kNoEnd if both are still on it (pg_rewind: "no rewind required").
Lsn DivergencePoint(const std::vector<TimelineFork>& a, const std::vector<TimelineFork>& b) {
  const size_t k = CommonPrefix(a, b);
  const Lsn a_leaves = k < a.size() ? a[k].fork_lsn : kNoEnd;
  const Lsn b_leaves = k < b.size() ? b[k].fork_lsn : kNoEnd;
  return std::min(a_leaves, b_leaves);
}

// PostgreSQL's rule for slot names, so that the fake refuses what the server would.
bool ValidSlotName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

absl::Status CheckUpstream(const Upstream& upstream) {
  if (upstream.host.empty() || upstream.port <= 0 || upstream.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("bad upstream address \"", upstream.host, ":",
                                                   upstream.port, "\"; give host and port"));
  }
  return absl::OkStatus();
}

// Position of `application_name` in synchronous_standby_names (matched without regard to case, as
// PostgreSQL does), or -1 if it is not listed.
int Priority(const std::vector<std::string>& names, const std::string& application_name) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (absl::EqualsIgnoreCase(names[i], application_name)) return static_cast<int>(i);
  }
  return -1;
}

// The parameters a reload cannot change (context postmaster in pg_settings), of those warden's
// tests use.
bool NeedsRestart(const std::string& name) {
  static const std::set<std::string>* const kPostmaster =
      new std::set<std::string>{"max_connections",
                                "max_wal_senders",
                                "max_worker_processes",
                                "max_prepared_transactions",
                                "max_locks_per_transaction",
                                "max_replication_slots",
                                "wal_level",
                                "track_commit_timestamp",
                                "shared_buffers",
                                "shared_preload_libraries"};
  return kPostmaster->contains(name);
}

}  // namespace

// --- FakePgNetwork ---

FakeController* FakePgNetwork::Find(const std::string& host, int port) const {
  absl::ReaderMutexLock lock(&mu_);
  return FindLocked(AddressOf(host, port));
}

FakeController* FakePgNetwork::FindLocked(const std::string& address) const {
  auto it = nodes_.find(address);
  return it == nodes_.end() ? nullptr : it->second;
}

void FakePgNetwork::SettleLocked() {
  // Streaming only moves LSNs forward and lengthens histories, up to what the primaries have, so
  // this reaches a fixed point; a chain of n cascading replicas needs at most n passes.
  for (size_t pass = 0; pass <= nodes_.size(); ++pass) {
    bool changed = false;
    for (auto& [address, node] : nodes_) changed |= node->StreamLocked();
    if (!changed) return;
  }
}

// --- FakeController: construction and test controls ---

FakeController::FakeController(FakePgNetwork& network, std::string name, std::string host, int port)
    : network_(network),
      name_(std::move(name)),
      host_(std::move(host)),
      port_(port),
      seed_(Fnv1a(name_)) {
  absl::MutexLock lock(&network_.mu_);
  const bool added = network_.nodes_.emplace(address(), this).second;
  assert(added && "two FakeControllers on one address");
  (void)added;
}

FakeController::~FakeController() {
  absl::MutexLock lock(&network_.mu_);
  auto it = network_.nodes_.find(address());
  if (it != network_.nodes_.end() && it->second == this) network_.nodes_.erase(it);
  network_.SettleLocked();
}

absl::Status FakeController::Write(int64_t bytes) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status hung = CheckNotHung(); !hung.ok()) return hung;
  if (!RunningPrimary()) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 "cannot write: not a running primary (write to the leader)");
  }
  if (bytes <= 0) return Error(absl::StatusCode::kInvalidArgument, "write a positive byte count");
  lsn_ += static_cast<Lsn>(bytes);
  network_.SettleLocked();
  if (!AcknowledgedLocked(lsn_)) {
    // PostgreSQL writes the commit record locally, then waits for the standbys.
    return Error(absl::StatusCode::kDeadlineExceeded,
                 absl::StrCat("commit at ", FormatLsn(lsn_),
                              " is written but waits for synchronous standbys (",
                              FormatSynchronousStandbyNames(sync_),
                              "); start or catch up a synchronous standby, or change the list"));
  }
  return absl::OkStatus();
}

void FakeController::SetReplicationLag(uint64_t bytes) {
  absl::MutexLock lock(&network_.mu_);
  lag_ = bytes;
  network_.SettleLocked();
}

void FakeController::Crash() {
  absl::MutexLock lock(&network_.mu_);
  hung_ = false;
  StopLocked(StopMode::kImmediate);  // the control file is left as a crash leaves it
  network_.SettleLocked();
}

void FakeController::SetHung(bool hung) {
  absl::MutexLock lock(&network_.mu_);
  if (hung && !hung_) hung_snapshot_ = SnapshotLocked();
  hung_ = hung;
  network_.SettleLocked();  // its replicas lose (or regain) their upstream
}

void FakeController::FailNextPromote(absl::Status status) {
  absl::MutexLock lock(&network_.mu_);
  fail_next_promote_ = std::move(status);
}

void FakeController::FailNextRewind(absl::Status status) {
  absl::MutexLock lock(&network_.mu_);
  fail_next_rewind_ = std::move(status);
}

void FakeController::set_system_identifier_seed(uint64_t seed) {
  absl::MutexLock lock(&network_.mu_);
  seed_ = seed;
}

// --- Observation ---

std::string FakeController::address() const { return AddressOf(host_, port_); }

int64_t FakeController::timeline() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return TimelineLocked();
}

Lsn FakeController::wal_lsn() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return lsn_;
}

uint64_t FakeController::system_identifier() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return system_identifier_;
}

std::string FakeController::synchronous_standby_names() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return FormatSynchronousStandbyNames(sync_);
}

std::vector<TimelineFork> FakeController::history() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return history_;
}

std::set<std::string> FakeController::replication_slots() const {
  absl::ReaderMutexLock lock(&network_.mu_);
  return slots_;
}

// --- Controller ---

absl::Status FakeController::Bootstrap(const BootstrapOptions& /*options*/,
                                       absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status hung = CheckNotHung(); !hung.ok()) return hung;
  if (has_data_) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 "cannot bootstrap: the data directory is not empty (Reinitialize or wipe it)");
  }
  has_data_ = true;
  // Counting bootstraps makes a re-created cluster a different cluster, as in reality.
  system_identifier_ = std::max<uint64_t>(Mix(seed_ + static_cast<uint64_t>(bootstraps_++)), 1);
  history_.clear();
  lsn_ = kBootstrapLsn;
  cluster_state_ = "shut down";
  StartLocked();
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Start(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckHasData("start"); !s.ok()) return s;
  if (running_) return absl::OkStatus();
  StartLocked();
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Stop(StopMode mode, absl::Duration escalate_after,
                                  absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  last_stop_escalation_ = escalate_after;
  StopLocked(mode);
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Restart(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckHasData("restart"); !s.ok()) return s;
  StopLocked(StopMode::kFast);
  StartLocked();
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Reload(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  return CheckRunning("reload");
}

absl::Status FakeController::Promote(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (!fail_next_promote_.ok()) return std::exchange(fail_next_promote_, absl::OkStatus());
  if (!running_ || !in_recovery_) {
    return Error(absl::StatusCode::kFailedPrecondition,
                 "cannot promote: not a running replica (start it as a replica first)");
  }
  // The new timeline forks where replay stopped; PostgreSQL picks the next number.
  history_.push_back({TimelineLocked() + 1, lsn_});
  in_recovery_ = false;
  standby_signal_ = false;
  upstream_.reset();
  streaming_ = false;
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Follow(const Upstream& upstream, absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckUpstream(upstream); !s.ok()) return s;
  if (AddressOf(upstream.host, upstream.port) == address()) {
    return Error(absl::StatusCode::kInvalidArgument, "cannot follow itself");
  }
  if (absl::Status s = CheckHasData("follow"); !s.ok()) return s;
  ConfigureFollowLocked(upstream);
  if (RunningPrimary()) {  // demotion is a restart into recovery; a replica just reloads
    StopLocked(StopMode::kFast);
    StartLocked();
  }
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Rewind(const Upstream& source, absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckUpstream(source); !s.ok()) return s;
  if (absl::Status s = CheckHasData("rewind"); !s.ok()) return s;
  StopLocked(StopMode::kFast);
  network_.SettleLocked();
  if (!fail_next_rewind_.ok()) return std::exchange(fail_next_rewind_, absl::OkStatus());
  absl::StatusOr<FakeController*> found = ReachableSource(source);
  if (!found.ok()) return found.status();
  const FakeController& from = **found;
  if (from.system_identifier_ != system_identifier_) {
    return Error(
        absl::StatusCode::kFailedPrecondition,
        absl::StrCat("cannot rewind: ", from.address(),
                     " belongs to another cluster (system identifier ", from.system_identifier_,
                     ", ours ", system_identifier_, "); Reinitialize from it instead"));
  }
  // On the same timeline there is nothing to undo, even if this node is ahead.
  if (const Lsn diverged = DivergencePoint(history_, from.history_); diverged != kNoEnd) {
    if (lsn_ > diverged) {
      lsn_ = diverged;
      cluster_state_ = "in archive recovery";  // what pg_rewind writes into pg_control
    }
    history_ = from.history_;
  }
  ConfigureFollowLocked(source);
  network_.SettleLocked();
  return absl::OkStatus();
}

absl::Status FakeController::Clone(const Upstream& source, const CloneProgressCallback& progress,
                                   absl::Time /*deadline*/) {
  int64_t total = 0;
  {
    absl::MutexLock lock(&network_.mu_);
    if (absl::Status s = CheckNotHung(); !s.ok()) return s;
    if (absl::Status s = CheckUpstream(source); !s.ok()) return s;
    if (has_data_) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   "cannot clone: the data directory is not empty (use Reinitialize)");
    }
    absl::StatusOr<FakeController*> found = ReachableSource(source);
    if (!found.ok()) return found.status();
    CloneFromLocked(**found, source);
    total = static_cast<int64_t>(lsn_);
    network_.SettleLocked();
  }
  // Outside the lock, so that the callback may look at the nodes.
  if (progress) progress(CloneProgress{total, total});
  return absl::OkStatus();
}

absl::Status FakeController::Reinitialize(const Upstream& source,
                                          const CloneProgressCallback& progress,
                                          absl::Time /*deadline*/) {
  int64_t total = 0;
  {
    absl::MutexLock lock(&network_.mu_);
    if (absl::Status s = CheckNotHung(); !s.ok()) return s;
    if (absl::Status s = CheckUpstream(source); !s.ok()) return s;
    // Checked before deleting anything: an unreachable source leaves the data directory intact.
    absl::StatusOr<FakeController*> found = ReachableSource(source);
    if (!found.ok()) return found.status();
    StopLocked(StopMode::kFast);
    WipeLocked();
    CloneFromLocked(**found, source);
    total = static_cast<int64_t>(lsn_);
    network_.SettleLocked();
  }
  if (progress) progress(CloneProgress{total, total});
  return absl::OkStatus();
}

absl::Status FakeController::SetParameters(const std::map<std::string, std::string>& parameters,
                                           absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  for (const auto& [name, value] : parameters) {
    if (rejected_parameters_.contains({name, value})) {
      return Error(absl::StatusCode::kInvalidArgument,
                   absl::StrCat("invalid value for parameter \"", name, "\": \"", value, "\""));
    }
  }
  parameters_ = parameters;
  if (!running_) return absl::OkStatus();
  // A reload applies what it can; the rest waits for a restart.
  for (const auto& [name, value] : parameters_) {
    if (!NeedsRestart(name)) running_parameters_[name] = value;
  }
  for (auto it = running_parameters_.begin(); it != running_parameters_.end();) {
    it = !NeedsRestart(it->first) && !parameters_.contains(it->first)
             ? running_parameters_.erase(it)
             : std::next(it);
  }
  return absl::OkStatus();
}

void FakeController::RejectParameterValue(std::string name, std::string value) {
  absl::MutexLock lock(&network_.mu_);
  rejected_parameters_.emplace(std::move(name), std::move(value));
}

absl::Duration FakeController::last_stop_escalation() const {
  absl::MutexLock lock(&network_.mu_);
  return last_stop_escalation_;
}

std::map<std::string, std::string> FakeController::parameters() const {
  absl::MutexLock lock(&network_.mu_);
  return parameters_;
}

std::map<std::string, std::string> FakeController::running_parameters() const {
  absl::MutexLock lock(&network_.mu_);
  return running_parameters_;
}

absl::Status FakeController::SetSynchronousStandbyNames(const SyncStandbys& sync,
                                                        absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckHasData("set synchronous_standby_names"); !s.ok()) return s;
  const bool empty_name =
      std::any_of(sync.names.begin(), sync.names.end(), [](const auto& n) { return n.empty(); });
  if (!sync.names.empty() && (sync.count < 1 || empty_name)) {
    return Error(absl::StatusCode::kInvalidArgument,
                 "synchronous standbys need a count of at least 1 and non-empty names");
  }
  sync_ = sync;
  return absl::OkStatus();
}

absl::Status FakeController::CreateReplicationSlot(std::string_view name, absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckRunning("create a replication slot"); !s.ok()) return s;
  const std::string slot(name);
  if (!ValidSlotName(slot)) {
    return Error(absl::StatusCode::kInvalidArgument,
                 absl::StrCat("bad slot name \"", slot,
                              "\": use 1 to 63 lower-case letters, digits and underscores"));
  }
  slots_.insert(slot);
  network_.SettleLocked();  // a replica waiting for this slot starts streaming
  return absl::OkStatus();
}

absl::Status FakeController::DropReplicationSlot(std::string_view name, absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  if (absl::Status s = CheckRunning("drop a replication slot"); !s.ok()) return s;
  const std::string slot(name);
  for (const auto& [where, node] : network_.nodes_) {
    if (node->streaming_ && node->upstream_ && node->upstream_->slot_name == slot &&
        AddressOf(node->upstream_->host, node->upstream_->port) == address()) {
      return Error(absl::StatusCode::kFailedPrecondition,
                   absl::StrCat("slot \"", slot, "\" is active for ", node->name_,
                                "; stop that replica or make it follow elsewhere first"));
    }
  }
  slots_.erase(slot);
  return absl::OkStatus();
}

absl::Status FakeController::Checkpoint(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  if (absl::Status s = CheckNotHung(); !s.ok()) return s;
  return CheckRunning("checkpoint");
}

absl::StatusOr<LocalPostgres> FakeController::State(absl::Time /*deadline*/) {
  absl::MutexLock lock(&network_.mu_);
  // Every change settles the network before it returns, so there is nothing to compute here.
  return hung_ ? hung_snapshot_ : SnapshotLocked();
}

// --- Private helpers (network_.mu_ held) ---

absl::Status FakeController::Error(absl::StatusCode code, std::string_view what) const {
  return absl::Status(code, absl::StrCat(name_, ": ", std::string(what)));
}

absl::Status FakeController::CheckNotHung() const {
  if (!hung_) return absl::OkStatus();
  return Error(absl::StatusCode::kDeadlineExceeded,
               "PostgreSQL does not answer (hung); the call blocked until its deadline");
}

absl::Status FakeController::CheckHasData(std::string_view action) const {
  if (has_data_) return absl::OkStatus();
  return Error(absl::StatusCode::kFailedPrecondition,
               absl::StrCat("cannot ", std::string(action),
                            ": no data directory (Bootstrap or Clone first)"));
}

absl::Status FakeController::CheckRunning(std::string_view action) const {
  if (running_) return absl::OkStatus();
  return Error(
      absl::StatusCode::kFailedPrecondition,
      absl::StrCat("cannot ", std::string(action), ": PostgreSQL is not running (Start it)"));
}

absl::StatusOr<FakeController*> FakeController::ReachableSource(const Upstream& source) const {
  const std::string where = AddressOf(source.host, source.port);
  if (where == address()) {
    return Error(absl::StatusCode::kInvalidArgument, "cannot use itself as the source");
  }
  FakeController* node = network_.FindLocked(where);
  if (node == nullptr || !node->running_) {
    return Error(absl::StatusCode::kUnavailable, absl::StrCat("no PostgreSQL runs at ", where,
                                                              "; start it or pick another source"));
  }
  if (node->hung_) {
    return Error(absl::StatusCode::kDeadlineExceeded,
                 absl::StrCat(where, " does not answer (hung); pick another source"));
  }
  return node;
}

int64_t FakeController::TimelineLocked() const {
  if (!has_data_) return 0;
  return history_.empty() ? 1 : history_.back().timeline;
}

void FakeController::StartLocked() {
  running_ = true;
  running_parameters_ = parameters_;
  in_recovery_ = standby_signal_;
  streaming_ = false;
  ++starts_;
}

void FakeController::StopLocked(StopMode mode) {
  if (!running_) return;
  // An immediate stop skips the shutdown checkpoint: pg_control looks as after a crash.
  if (mode == StopMode::kImmediate) {
    cluster_state_ = in_recovery_ ? "in archive recovery" : "in production";
  } else {
    cluster_state_ = in_recovery_ ? "shut down in recovery" : "shut down";
  }
  running_ = false;
  in_recovery_ = false;
  streaming_ = false;
}

void FakeController::WipeLocked() {
  has_data_ = false;
  system_identifier_ = 0;
  history_.clear();
  lsn_ = 0;
  standby_signal_ = false;
  upstream_.reset();
  cluster_state_.clear();
  sync_ = SyncStandbys{};
  slots_.clear();
}

void FakeController::CloneFromLocked(const FakeController& source, const Upstream& upstream) {
  has_data_ = true;
  system_identifier_ = source.system_identifier_;
  history_ = source.history_;
  lsn_ = source.lsn_;
  // pg_basebackup copies pg_control from a running server; slots and settings are not copied.
  cluster_state_ = source.in_recovery_ ? "in archive recovery" : "in production";
  sync_ = SyncStandbys{};
  slots_.clear();
  ConfigureFollowLocked(upstream);
}

void FakeController::ConfigureFollowLocked(const Upstream& upstream) {
  standby_signal_ = true;
  upstream_ = upstream;
}

bool FakeController::CanStreamFrom(const FakeController& upstream) const {
  if (upstream.system_identifier_ != system_identifier_) return false;
  if (!upstream_->slot_name.empty() && !upstream.slots_.contains(upstream_->slot_name)) {
    return false;  // "replication slot does not exist"
  }
  const size_t k = CommonPrefix(history_, upstream.history_);
  if (k != history_.size()) return false;  // our timeline is not in its history
  // Where the upstream's WAL leaves our timeline; past it, ours holds WAL the upstream lacks.
  const Lsn end = k < upstream.history_.size() ? upstream.history_[k].fork_lsn : upstream.lsn_;
  return lsn_ <= end;
}

// One step of the WAL receiver: returns whether anything changed. A hung node is frozen.
bool FakeController::StreamLocked() {
  if (hung_) return false;
  const bool was_streaming = streaming_;
  FakeController* from = nullptr;
  if (running_ && in_recovery_ && upstream_) {
    from = network_.FindLocked(AddressOf(upstream_->host, upstream_->port));
  }
  if (from == nullptr || from == this || !from->running_ || from->hung_ || !CanStreamFrom(*from)) {
    streaming_ = false;
    return was_streaming;
  }
  const Lsn target = from->lsn_ > lag_ ? from->lsn_ - lag_ : 0;
  const bool changed = !was_streaming || target > lsn_ || history_ != from->history_;
  streaming_ = true;
  lsn_ = std::max(lsn_, target);
  history_ = from->history_;  // the receiver fetches the upstream's timeline history files
  return changed;
}

std::vector<ReplicationConnection> FakeController::WalsendersLocked() const {
  std::vector<const FakeController*> standbys;
  for (const auto& [where, node] : network_.nodes_) {
    if (node->running_ && node->in_recovery_ && node->streaming_ &&
        AddressOf(node->upstream_->host, node->upstream_->port) == address()) {
      standbys.push_back(node);
    }
  }
  std::stable_sort(standbys.begin(), standbys.end(),
                   [](const auto* a, const auto* b) { return a->name_ < b->name_; });

  std::vector<ReplicationConnection> out;
  out.reserve(standbys.size());
  for (const FakeController* node : standbys) {
    out.push_back({.application_name = node->name_,
                   .client_addr = node->host_,
                   .state = "streaming",
                   .sync_state = "async",
                   .sent_lsn = node->lsn_,
                   .write_lsn = node->lsn_,
                   .flush_lsn = node->lsn_,
                   .replay_lsn = node->lsn_,
                   .usename = "replicator"});
  }
  if (sync_.names.empty()) {
    // '*' (strict, no candidate) is FIRST 1 (*): any standby will do, the first one is sync.
    for (size_t i = 0; sync_.strict_placeholder && i < out.size(); ++i) {
      out[i].sync_state = i == 0 ? "sync" : "potential";
    }
    return out;
  }
  if (sync_.method == SyncStandbys::Method::kAny) {
    for (auto& conn : out) {
      if (Priority(sync_.names, conn.application_name) >= 0) conn.sync_state = "quorum";
    }
    return out;
  }
  // FIRST n: the n connected standbys listed earliest are sync, other listed ones potential.
  std::vector<ReplicationConnection*> listed;
  for (auto& conn : out) {
    if (Priority(sync_.names, conn.application_name) >= 0) listed.push_back(&conn);
  }
  std::stable_sort(listed.begin(), listed.end(), [this](const auto* a, const auto* b) {
    return Priority(sync_.names, a->application_name) < Priority(sync_.names, b->application_name);
  });
  for (size_t i = 0; i < listed.size(); ++i) {
    listed[i]->sync_state = static_cast<int>(i) < sync_.count ? "sync" : "potential";
  }
  return out;
}

bool FakeController::AcknowledgedLocked(Lsn lsn) const {
  if (sync_.names.empty() && !sync_.strict_placeholder) return true;
  const int required = sync_.names.empty() ? 1 : sync_.count;
  int confirmed = 0;
  for (const ReplicationConnection& conn : WalsendersLocked()) {
    const bool counts = conn.sync_state == "sync" || conn.sync_state == "quorum";
    if (counts && conn.flush_lsn >= lsn) ++confirmed;
  }
  return confirmed >= required;
}

LocalPostgres FakeController::SnapshotLocked() const {
  LocalPostgres state;
  if (!has_data_) return state;
  state.system_identifier = system_identifier_;
  state.timeline = TimelineLocked();
  state.server_version = kServerVersion;
  if (upstream_) state.upstream = AddressOf(upstream_->host, upstream_->port);
  state.timeline_history = history_;
  if (!running_) {
    state.role = standby_signal_ ? PgRole::kReplica : PgRole::kPrimary;  // how it would start
    state.cluster_state = cluster_state_;
    state.stopped_lsn = lsn_;
    return state;
  }
  state.synchronous_standby_names = FormatSynchronousStandbyNames(sync_);
  state.replication_slots.assign(slots_.begin(), slots_.end());
  for (const auto& [name, value] : parameters_) {
    auto running = running_parameters_.find(name);
    if (NeedsRestart(name) && (running == running_parameters_.end() || running->second != value)) {
      state.pending_restart = true;
    }
  }
  for (const auto& [name, value] : running_parameters_) {
    if (NeedsRestart(name) && !parameters_.contains(name)) state.pending_restart = true;
  }
  state.running = true;
  // No clock here: the start time counts starts, so that a restart shows as a change.
  state.postmaster_start_time = absl::UnixEpoch() + absl::Seconds(starts_);
  if (in_recovery_) {
    state.role = PgRole::kReplica;
    state.received_lsn = lsn_;
    state.replayed_lsn = lsn_;
    state.streaming = streaming_;
  } else {
    state.role = PgRole::kPrimary;
    state.wal_lsn = lsn_;
  }
  state.replication = WalsendersLocked();
  return state;
}

}  // namespace warden
