// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/cluster_commands.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace warden {
namespace {

using json = nlohmann::json;

bool InSyncKey(const ClusterView& view, const std::string& name) {
  if (!view.sync.has_value()) return false;
  const std::vector<std::string>& standbys = view.sync->sync_standby;
  return std::find(standbys.begin(), standbys.end(), name) != standbys.end();
}

absl::Status CheckSwitchover(const ClusterView& view, const DynamicConfig& config,
                             const SwitchoverRequest& request) {
  const std::string leader = view.leader ? view.leader->name : "";
  if (!request.failover && request.leader.empty()) {
    return absl::InvalidArgumentError("Switchover could be performed only from a specific leader");
  }
  if (request.failover && request.candidate.empty()) {
    return absl::InvalidArgumentError("Failover could be performed only to a specific candidate");
  }
  if (!request.leader.empty() && request.leader != leader) {
    return absl::FailedPreconditionError("leader name does not match");
  }
  if (request.scheduled_at.has_value() && config.pause) {
    return absl::InvalidArgumentError("Can't schedule switchover in the paused state");
  }
  const bool sync_mode = config.synchronous_mode != SynchronousMode::kOff;
  if (!request.candidate.empty()) {
    if (request.candidate == leader) {
      return absl::FailedPreconditionError("candidate name is the current leader");
    }
    if (view.FindMember(request.candidate) == nullptr) {
      return absl::FailedPreconditionError("candidate does not exists");
    }
    if (!request.failover && sync_mode && !InSyncKey(view, request.candidate)) {
      return absl::FailedPreconditionError("candidate name does not match with sync_standby");
    }
    return absl::OkStatus();
  }
  if (sync_mode && (!view.sync.has_value() || view.sync->sync_standby.empty())) {
    return absl::FailedPreconditionError("switchover is not possible: can not find sync_standby");
  }
  for (const Member& m : view.members) {
    if (m.name != leader) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      "switchover is not possible: cluster does not have members except leader");
}

}  // namespace

absl::Status WriteSwitchover(Dcs& dcs, const ClusterKeys& keys, const ClusterView& view,
                             const DynamicConfig& config, const SwitchoverRequest& request,
                             absl::Time deadline) {
  if (absl::Status s = CheckSwitchover(view, config, request); !s.ok()) return s;
  FailoverRequest key;
  key.leader = request.leader;
  key.candidate = request.candidate;
  key.scheduled_at = request.scheduled_at;
  return dcs.Put(keys.failover(), EncodeFailover(key), kNoLease, deadline).status();
}

absl::StatusOr<std::string> ReadConfigJson(Dcs& dcs, const ClusterKeys& keys,
                                           const DynamicConfig& fallback, absl::Time deadline) {
  absl::StatusOr<GetResult> got = dcs.Get(keys.config(), deadline);
  if (!got.ok()) return got.status();
  return got->kv.has_value() ? got->kv->value : EncodeConfig(fallback);
}

absl::StatusOr<std::string> UpdateConfigJson(Dcs& dcs, const ClusterKeys& keys,
                                             const DynamicConfig& fallback, const std::string& text,
                                             bool replace, absl::Time deadline) {
  const json change = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!change.is_object()) return absl::InvalidArgumentError("the body must be a JSON object");
  absl::StatusOr<GetResult> got = dcs.Get(keys.config(), deadline);
  if (!got.ok()) return got.status();
  json config = replace ? change
                        : json::parse(got->kv ? got->kv->value : EncodeConfig(fallback), nullptr,
                                      /*allow_exceptions=*/false);
  if (!config.is_object()) config = json::object();  // an unreadable key is replaced
  if (!replace) config.merge_patch(change);
  const std::string written = config.dump();
  absl::StatusOr<DynamicConfig> decoded = DecodeConfig(written);
  if (!decoded.ok()) return absl::InvalidArgumentError(decoded.status().message());
  if (decoded->loop_wait + 2 * decoded->retry_timeout > decoded->ttl) {
    return absl::InvalidArgumentError(
        "loop_wait + 2 * retry_timeout must not exceed ttl (Patroni's timing rule)");
  }
  TxnRequest txn;
  txn.compares = {got->kv.has_value() ? Compare::ModRevision(keys.config(), Compare::Op::kEqual,
                                                             got->kv->mod_revision)
                                      : Compare::Absent(keys.config())};
  txn.success = {TxnOp::Put(keys.config(), written)};
  absl::StatusOr<TxnResult> result = dcs.Txn(txn, deadline);
  if (!result.ok()) return result.status();
  if (!result->succeeded) return absl::AbortedError("the config changed meanwhile; try again");
  return written;
}

}  // namespace warden
