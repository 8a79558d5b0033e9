// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// POST /switchover, POST /failover and DELETE /switchover. The request is checked here the way
// Patroni's do_POST_failover checks it (with its messages, which patronictl prints); whether the
// leader and candidate make sense is the agent's to judge against the cluster.

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "src/agent/rest_internal.h"
#include "warden/core/codec.h"

namespace warden::rest_internal {
namespace {

// A string field; null and absent are the same, as in Patroni.
absl::StatusOr<std::string> StringField(const Json& body, const char* key) {
  const auto found = body.find(key);
  if (found == body.end() || found->is_null()) return std::string();
  if (!found->is_string()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", key, "\" must be a string"));
  }
  return found->get<std::string>();
}

// scheduled_at as ISO 8601 with a time zone, read by the codec that reads the failover key.
absl::StatusOr<absl::Time> ParseSchedule(const std::string& text, const char* action,
                                         absl::Time now) {
  absl::Time local;
  if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", text, &local, nullptr) ||
      absl::ParseTime("%Y-%m-%d %H:%M:%E*S", text, &local, nullptr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Timezone information is mandatory for the scheduled ", action));
  }
  absl::StatusOr<FailoverRequest> decoded = DecodeFailover(Dump(Json{{"scheduled_at", text}}));
  if (!decoded.ok() || !decoded->scheduled_at) {
    return absl::InvalidArgumentError(
        "Unable to parse scheduled timestamp. It should be in an unambiguous format, e.g. ISO "
        "8601");
  }
  if (*decoded->scheduled_at < now) {
    // Patroni's code for a time in the past.
    return absl::OutOfRangeError(absl::StrCat("Cannot schedule ", action, " in the past"));
  }
  return *decoded->scheduled_at;
}

// The request, or the reply that refuses it.
struct Parsed {
  std::optional<SwitchoverRequest> request;
  RestResponse refusal;
};

Parsed Refuse(int status, std::string message) {
  return Parsed{std::nullopt, TextResponse(status, std::move(message))};
}

Parsed ParseRequest(const AgentStatus& status, const RestRequest& http, bool failover,
                    absl::Time now) {
  const char* action = failover ? "failover" : "switchover";
  absl::StatusOr<Json> body = ParseJsonObject(http.body, /*empty_ok=*/false);
  if (!body.ok()) return Refuse(400, std::string(body.status().message()));
  absl::StatusOr<std::string> leader = StringField(*body, "leader");
  absl::StatusOr<std::string> candidate = StringField(*body, "candidate");
  absl::StatusOr<std::string> member = StringField(*body, "member");  // Patroni's older name
  absl::StatusOr<std::string> scheduled = StringField(*body, "scheduled_at");
  for (const auto* field : {&leader, &candidate, &member, &scheduled}) {
    if (!field->ok()) return Refuse(400, std::string(field->status().message()));
  }
  SwitchoverRequest request;
  request.failover = failover;
  request.leader = *leader;
  request.candidate = candidate->empty() ? *member : *candidate;
  if (failover && request.candidate.empty()) {
    return Refuse(400, "Failover could be performed only to a specific candidate");
  }
  if (!failover && request.leader.empty()) {
    return Refuse(400, "Switchover could be performed only from a specific leader");
  }
  if (!scheduled->empty()) {
    if (failover) return Refuse(400, "Failover can't be scheduled");
    if (status.config.pause) return Refuse(400, "Can't schedule switchover in the paused state");
    absl::StatusOr<absl::Time> at = ParseSchedule(*scheduled, action, now);
    if (!at.ok()) {
      const bool past = at.status().code() == absl::StatusCode::kOutOfRange;
      return Refuse(past ? 422 : 400, std::string(at.status().message()));
    }
    request.scheduled_at = *at;
  }
  if (status.config.pause && request.candidate.empty()) {
    return Refuse(400, "Switchover is possible only to a specific candidate in a paused state");
  }
  return Parsed{request, {}};
}

}  // namespace

RestResponse PostSwitchover(AgentControl& agent, const RestRequest& request, bool failover,
                            absl::Time now) {
  Parsed parsed = ParseRequest(agent.Status(), request, failover, now);
  if (!parsed.request) return parsed.refusal;
  absl::StatusOr<std::string> result = agent.RequestSwitchover(*parsed.request);
  if (!result.ok()) return ErrorResponse(result.status());
  return TextResponse(parsed.request->scheduled_at ? 202 : 200, *std::move(result));
}

RestResponse DeleteSwitchover(AgentControl& agent) {
  const absl::Status status = agent.CancelSwitchover();
  if (!status.ok()) return ErrorResponse(status);
  return TextResponse(200, "scheduled switchover deleted");
}

}  // namespace warden::rest_internal
