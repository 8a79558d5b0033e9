// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What the REST API derives from an AgentStatus: role, sync membership, lag and tags, computed
// one way for the health checks, /patroni and /metrics alike.

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "src/agent/rest_internal.h"
#include "warden/core/codec.h"

namespace warden::rest_internal {

bool RunningPrimary(const AgentStatus& status) {
  return status.postgres.running && status.postgres.role == PgRole::kPrimary;
}

bool RunningReplica(const AgentStatus& status) {
  return status.postgres.running && status.postgres.role == PgRole::kReplica;
}

bool IsSyncStandby(const AgentStatus& status) {
  if (!RunningReplica(status) || status.config.synchronous_mode == SynchronousMode::kOff ||
      !status.view.sync) {
    return false;
  }
  // Patroni compares member names in the sync key case-insensitively.
  const std::string name = absl::AsciiStrToLower(status.name);
  return std::any_of(status.view.sync->sync_standby.begin(), status.view.sync->sync_standby.end(),
                     [&name](const std::string& s) { return absl::AsciiStrToLower(s) == name; });
}

Lsn LeaderOptime(const AgentStatus& status) {
  const ClusterView& view = status.view;
  if (view.status.optime != 0) return view.status.optime;
  if (!view.leader) return 0;
  const Member* leader = view.FindMember(view.leader->name);
  return leader != nullptr && leader->xlog_location ? *leader->xlog_location : 0;
}

std::optional<uint64_t> ReplicaLagBytes(const AgentStatus& status) {
  const Lsn optime = LeaderOptime(status);
  if (!RunningReplica(status) || optime == 0) return std::nullopt;
  const Lsn mine = std::max(status.postgres.received_lsn, status.postgres.replayed_lsn);
  return optime > mine ? optime - mine : 0;
}

Json TagsJson(const MemberTags& tags) {
  // The codec owns how tags are spelled in JSON; borrow it through a member document.
  Member member;
  member.tags = tags;
  const Json encoded = Json::parse(EncodeMember(member), nullptr, /*allow_exceptions=*/false);
  if (encoded.is_object() && encoded.contains("tags") && encoded["tags"].is_object()) {
    return encoded["tags"];
  }
  return Json::object();
}

}  // namespace warden::rest_internal
