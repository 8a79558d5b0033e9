// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/agent/executor.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace warden {
namespace {

using Type = Action::Type;

// Whether an action is a DCS read or write only (not PostgreSQL's).
bool TouchesOnlyTheDcs(Type type) {
  switch (type) {
    case Type::kBootstrap:
    case Type::kClone:
    case Type::kRewind:
    case Type::kReinitialize:
    case Type::kPromote:
    case Type::kDemote:
    case Type::kRefuseToRun:
    case Type::kStartPostgres:
    case Type::kFollow:
    case Type::kSetSynchronousStandbyNames:
    case Type::kSyncReplicationSlots:
      return false;
    default:
      return true;
  }
}

// Which of the executor's timeouts bounds an action.
absl::Duration TimeoutFor(Type type, const ExecutorOptions& options) {
  switch (type) {
    case Type::kBootstrap:
    case Type::kClone:
    case Type::kRewind:
    case Type::kReinitialize:
      return options.long_timeout;
    default:
      return TouchesOnlyTheDcs(type) ? options.dcs_timeout : options.postgres_timeout;
  }
}

}  // namespace

ActionExecutor::ActionExecutor(Dcs& dcs, Controller& controller, ClusterKeys keys, std::string name,
                               ExecutorOptions options)
    : dcs_(dcs),
      controller_(controller),
      keys_(std::move(keys)),
      name_(std::move(name)),
      options_(std::move(options)) {}

ActionExecutor::Outcome ActionExecutor::Run(const Decision& decision, const ClusterView& view,
                                            const Member& self, LeaseId lease,
                                            absl::Time deadline) {
  Outcome outcome;
  for (const Action& action : decision.actions) {
    absl::Time own = absl::Now() + TimeoutFor(action.type, options_);
    if (TouchesOnlyTheDcs(action.type)) own = std::min(own, options_.dcs_deadline_cap);
    outcome.error = RunOne(action, view, self, lease, std::min(deadline, own));
    if (!outcome.error.ok()) {
      outcome.error = absl::Status(outcome.error.code(), absl::StrCat(ActionName(action.type), ": ",
                                                                      outcome.error.message()));
      break;
    }
    ++outcome.completed;
  }
  return outcome;
}

absl::StatusOr<Upstream> ActionExecutor::UpstreamOf(const ClusterView& view,
                                                    const std::string& member) {
  const Member* m = view.FindMember(member);
  if (m == nullptr) return absl::NotFoundError(absl::StrCat("member ", member, " is unknown"));
  std::string url = m->conn_url;
  if (size_t scheme = url.find("://"); scheme != std::string::npos) url = url.substr(scheme + 3);
  if (size_t at = url.rfind('@'); at != std::string::npos) url = url.substr(at + 1);
  url = url.substr(0, url.find('/'));
  const size_t colon = url.rfind(':');
  Upstream upstream;
  upstream.host = url.substr(0, colon);
  if (colon == std::string::npos) {
    upstream.port = 5432;
  } else if (!absl::SimpleAtoi(url.substr(colon + 1), &upstream.port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("member ", member, " has an unreadable conn_url: ", m->conn_url));
  }
  if (upstream.host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("member ", member, " has no host in its conn_url: ", m->conn_url));
  }
  return upstream;
}

absl::Status ActionExecutor::Cas(const TxnRequest& txn, const char* what, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = dcs_.Txn(txn, deadline);
  if (!result.ok()) return result.status();
  if (!result->succeeded) return absl::FailedPreconditionError(what);
  return absl::OkStatus();
}

absl::Status ActionExecutor::FencedWrite(Revision fence, TxnOp op, absl::Time deadline) {
  TxnRequest txn;
  txn.compares = {Compare::CreateRevision(keys_.leader(), Compare::Op::kEqual, fence),
                  Compare::ValueEquals(keys_.leader(), name_)};
  txn.success = {std::move(op)};
  return Cas(std::move(txn), "the leader key is no longer this node's (fenced)", deadline);
}

absl::Status ActionExecutor::WriteInitialize(uint64_t system_identifier, absl::Time deadline) {
  TxnRequest txn;
  if (system_identifier == 0) {
    // The bootstrap race: an empty value claims the cluster for this node.
    txn.compares = {Compare::Absent(keys_.initialize())};
    txn.success = {TxnOp::Put(keys_.initialize(), "")};
    return Cas(std::move(txn), "another node is bootstrapping the cluster", deadline);
  }
  // Fill in this node's claim, or write a key that was lost; never replace another cluster's.
  const std::string value = std::to_string(system_identifier);
  txn.compares = {Compare::ValueEquals(keys_.initialize(), "")};
  txn.success = {TxnOp::Put(keys_.initialize(), value)};
  txn.failure = {TxnOp::Get(keys_.initialize())};
  absl::StatusOr<TxnResult> claimed = dcs_.Txn(txn, deadline);
  if (!claimed.ok()) return claimed.status();
  if (claimed->succeeded) return absl::OkStatus();
  const std::vector<KeyValue>& existing = claimed->results.front().kvs;
  if (!existing.empty()) {
    if (existing.front().value == value) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat("the initialize key holds system identifier ",
                                                      existing.front().value, ", not ", value));
  }
  TxnRequest create;
  create.compares = {Compare::Absent(keys_.initialize())};
  create.success = {TxnOp::Put(keys_.initialize(), value)};
  return Cas(std::move(create), "the initialize key was written concurrently", deadline);
}

// Every slot is tried: one that cannot be dropped now (a walsender still uses it) does not keep
// the others from being created or dropped; the first error is returned.
absl::Status ActionExecutor::SyncSlots(const Action& action, absl::Time deadline) {
  absl::Status first;
  for (const std::string& slot : action.slots_create) {
    absl::Status s = controller_.CreateReplicationSlot(slot, deadline);
    if (first.ok() && !s.ok()) first = s;
  }
  for (const std::string& slot : action.slots_drop) {
    absl::Status s = controller_.DropReplicationSlot(slot, deadline);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

absl::Status ActionExecutor::RunOne(const Action& action, const ClusterView& view,
                                    const Member& self, LeaseId lease, absl::Time deadline) {
  auto upstream = [&]() { return UpstreamOf(view, action.target); };
  switch (action.type) {
    case Type::kInitializeCluster:
      return WriteInitialize(action.system_identifier, deadline);
    case Type::kBootstrap:
      return controller_.Bootstrap(options_.bootstrap, deadline);
    case Type::kAcquireLeader: {
      TxnRequest txn;
      txn.compares = {Compare::Absent(keys_.leader())};
      txn.success = {TxnOp::Put(keys_.leader(), name_, lease)};
      return Cas(std::move(txn), "another node holds the leader key", deadline);
    }
    case Type::kRefreshLeader:
      return FencedWrite(action.fence, TxnOp::Put(keys_.leader(), name_, lease), deadline);
    case Type::kReleaseLeader:
      return FencedWrite(action.fence, TxnOp::Delete(keys_.leader()), deadline);
    case Type::kWriteStatus:
      return FencedWrite(action.fence,
                         TxnOp::Put(keys_.status(), EncodeStatus(ClusterStatus{action.optime, {}})),
                         deadline);
    case Type::kWriteHistory:
      return FencedWrite(action.fence, TxnOp::Put(keys_.history(), EncodeHistory(action.history)),
                         deadline);
    case Type::kWriteFailsafe:
      if (action.failsafe.empty()) {
        return FencedWrite(action.fence, TxnOp::Delete(keys_.failsafe()), deadline);
      }
      return FencedWrite(action.fence,
                         TxnOp::Put(keys_.failsafe(), EncodeFailsafe(action.failsafe)), deadline);
    case Type::kWriteSyncState:
      return FencedWrite(action.fence, TxnOp::Put(keys_.sync(), EncodeSync(action.sync_state)),
                         deadline);
    case Type::kClearFailover:
      if (action.fence != 0) {
        return FencedWrite(action.fence, TxnOp::Delete(keys_.failover()), deadline);
      }
      return dcs_.Delete(keys_.failover(), deadline).status();
    case Type::kWriteMember:
      return dcs_.Put(keys_.member(name_), EncodeMember(self), lease, deadline).status();
    case Type::kPromote:
      return controller_.Promote(deadline);
    case Type::kDemote:
      return controller_.Stop(action.stop_mode, options_.stop_escalation, deadline);
    case Type::kRefuseToRun:
      return controller_.Stop(StopMode::kFast, options_.stop_escalation, deadline);
    case Type::kStartPostgres:
      return controller_.Start(deadline);
    case Type::kSetSynchronousStandbyNames:
      return controller_.SetSynchronousStandbyNames(action.sync, deadline);
    case Type::kSyncReplicationSlots:
      return SyncSlots(action, deadline);
    case Type::kFollow:
    case Type::kRewind:
    case Type::kReinitialize:
    case Type::kClone: {
      absl::StatusOr<Upstream> target = upstream();
      if (!target.ok()) return target.status();
      target->slot_name = action.slot;
      if (action.type == Type::kFollow) return controller_.Follow(*target, deadline);
      if (action.type == Type::kRewind) return controller_.Rewind(*target, deadline);
      if (action.type == Type::kReinitialize) {
        return controller_.Reinitialize(*target, nullptr, deadline);
      }
      return controller_.Clone(*target, nullptr, deadline);
    }
  }
  return absl::InternalError("unknown action");
}

}  // namespace warden
