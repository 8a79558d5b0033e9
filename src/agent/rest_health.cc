// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The health checks load balancers and orchestrators poll: 200 when this member is what the
// path asks for, 503 when it is not. Like Patroni, the role checks answer with the /patroni
// document, refine with ?lag= and ?tag_KEY=VALUE, and treat GET / as /primary (HAProxy's default
// `option httpchk` sends OPTIONS /); /liveness and /readiness answer with the code alone.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/agent/rest_internal.h"

namespace warden::rest_internal {
namespace {

enum class Check {
  kPrimary,
  kStandbyLeader,
  kReplica,
  kReadOnly,
  kSynchronous,
  kQuorum,
  kReadOnlySync,
  kReadOnlyQuorum,
  kAsynchronous,
  kHealth,
  kLiveness,
  kReadiness,
};

struct HealthPath {
  std::string_view path;
  Check check;
};

constexpr HealthPath kHealthPaths[] = {
    {"/", Check::kPrimary},
    {"/primary", Check::kPrimary},
    {"/master", Check::kPrimary},
    {"/leader", Check::kPrimary},
    {"/read-write", Check::kPrimary},
    {"/standby-leader", Check::kStandbyLeader},
    {"/standby_leader", Check::kStandbyLeader},
    {"/replica", Check::kReplica},
    {"/read-only", Check::kReadOnly},
    {"/synchronous", Check::kSynchronous},
    {"/sync", Check::kSynchronous},
    {"/quorum", Check::kQuorum},
    {"/read-only-sync", Check::kReadOnlySync},
    {"/read-only-quorum", Check::kReadOnlyQuorum},
    {"/asynchronous", Check::kAsynchronous},
    {"/async", Check::kAsynchronous},
    {"/health", Check::kHealth},
    {"/liveness", Check::kLiveness},
    {"/readiness", Check::kReadiness},
};

std::optional<Check> FindCheck(std::string_view path) {
  for (const HealthPath& entry : kHealthPaths) {
    if (entry.path == path) return entry.check;
  }
  return std::nullopt;
}

// A replica that takes read traffic: running, not excluded from load balancing, not too far
// behind when the client set a limit.
bool ServesReads(const AgentStatus& status, std::optional<uint64_t> max_lag) {
  if (!RunningReplica(status) || status.tags.noloadbalance) return false;
  if (!max_lag) return true;
  const std::optional<uint64_t> lag = ReplicaLagBytes(status);
  return !lag || *lag <= *max_lag;
}

// Patroni tolerates a stuck loop twice as long on a replica: on the primary a stuck loop soon
// costs the leader key, and replicas still see the primary through its API.
bool Alive(const AgentStatus& status, absl::Time now) {
  if (status.config.pause) return true;  // the loop changes nothing in maintenance mode
  const absl::Duration threshold = status.config.ttl * (RunningPrimary(status) ? 1 : 2);
  return status.last_loop != absl::InfinitePast() && now - status.last_loop <= threshold;
}

bool Ready(const AgentStatus& status) {
  if (status.stopping) return false;
  if (status.is_leader && RunningPrimary(status)) return true;
  return RunningReplica(status) && status.postgres.streaming;
}

bool QuorumMode(const AgentStatus& status) {
  return status.config.synchronous_mode == SynchronousMode::kQuorum;
}

bool Passes(Check check, const AgentStatus& status, std::optional<uint64_t> max_lag,
            absl::Time now) {
  switch (check) {
    case Check::kPrimary:
      return status.is_leader && RunningPrimary(status);
    case Check::kStandbyLeader:
      return false;  // standby clusters are not supported
    case Check::kReplica:
      return ServesReads(status, max_lag);
    case Check::kReadOnly:
      return Passes(Check::kPrimary, status, max_lag, now) || ServesReads(status, max_lag);
    // Patroni 4: a standby of the sync key is "sync" in synchronous_mode on and "quorum" in
    // synchronous_mode quorum; the read-only variants also pass on the primary.
    case Check::kSynchronous:
      return ServesReads(status, max_lag) && IsSyncStandby(status) && !QuorumMode(status);
    case Check::kQuorum:
      return ServesReads(status, max_lag) && IsSyncStandby(status) && QuorumMode(status);
    case Check::kReadOnlySync:
      return Passes(Check::kPrimary, status, max_lag, now) ||
             Passes(Check::kSynchronous, status, max_lag, now);
    case Check::kReadOnlyQuorum:
      return Passes(Check::kPrimary, status, max_lag, now) ||
             Passes(Check::kQuorum, status, max_lag, now);
    case Check::kAsynchronous:
      return ServesReads(status, max_lag) && !IsSyncStandby(status);
    case Check::kHealth:
      return status.postgres.running;
    case Check::kLiveness:
      return Alive(status, now);
    case Check::kReadiness:
      return Ready(status);
  }
  return false;
}

// A tag's value as Patroni compares it: strings as written, anything else as Python's
// str(value).lower() spells it.
std::string TagText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return absl::AsciiStrToLower(Dump(value));
}

// ?tag_KEY=VALUE: every tag asked for is set on this member, to that value.
bool TagsMatch(const AgentStatus& status, const Target& target) {
  Json tags;
  bool tags_read = false;
  for (const auto& [key, value] : target.query) {
    if (!key.starts_with("tag_")) continue;
    if (!tags_read) {
      tags = TagsJson(status.tags);
      tags_read = true;
    }
    const auto found = tags.find(key.substr(4));
    if (found == tags.end() || TagText(*found) != value) return false;
  }
  return true;
}

// PostgreSQL's memory units, which Patroni's parse_int accepts, case-sensitive as there.
struct SizeUnit {
  std::string_view name;
  double bytes;
};
constexpr SizeUnit kSizeUnits[] = {
    {"", 1},
    {"B", 1},
    {"kB", 1024.0},
    {"MB", 1024.0 * 1024},
    {"GB", 1024.0 * 1024 * 1024},
    {"TB", 1024.0 * 1024 * 1024 * 1024},
};

}  // namespace

bool IsHealthPath(std::string_view path) { return FindCheck(path).has_value(); }

RestResponse HealthCheck(const AgentStatus& status, const Target& target, absl::Time now) {
  const std::optional<Check> check = FindCheck(target.path);
  if (!check) return TextResponse(404, "not found");
  std::optional<uint64_t> max_lag;
  if (const std::string* lag = target.Param("lag")) {
    absl::StatusOr<uint64_t> parsed = ParseByteSize(*lag);
    if (!parsed.ok()) return TextResponse(400, std::string(parsed.status().message()));
    max_lag = *parsed;
  }
  const bool passes = Passes(*check, status, max_lag, now);
  if (*check == Check::kLiveness || *check == Check::kReadiness) {
    return TextResponse(passes ? 200 : 503, "");
  }
  const int code = passes && TagsMatch(status, target) ? 200 : 503;
  return JsonResponse(code, Dump(PatroniStatusJson(status)));
}

absl::StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  const std::string input(absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
  const auto invalid = [&input] {
    return absl::InvalidArgumentError(
        absl::StrCat("lag \"", input.substr(0, 40),
                     "\" is not a size (bytes, or a number with B, kB, MB, GB, TB)"));
  };
  size_t end = 0;
  while (end < input.size() && (absl::ascii_isdigit(input[end]) || input[end] == '.')) ++end;
  double number = 0;
  if (end == 0 || !absl::SimpleAtod(input.substr(0, end), &number) || !std::isfinite(number)) {
    return invalid();
  }
  const std::string unit(absl::StripLeadingAsciiWhitespace(input.substr(end)));
  const auto known = std::find_if(std::begin(kSizeUnits), std::end(kSizeUnits),
                                  [&unit](const SizeUnit& u) { return unit == u.name; });
  if (known == std::end(kSizeUnits)) return invalid();
  const double multiplier = known->bytes;
  const double bytes = std::round(number * multiplier);
  // 2^63 is exact in a double; anything from there on does not fit comfortably.
  if (bytes >= 9.2e18) return invalid();
  return static_cast<uint64_t>(bytes);
}

}  // namespace warden::rest_internal
