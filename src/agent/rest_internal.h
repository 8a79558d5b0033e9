// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The pieces of the REST API (rest_api.h) that its files share: the parsed request target,
// response builders, facts derived from an AgentStatus, and one entry point per group of
// endpoints. Private to warden::agent.

#ifndef WARDEN_AGENT_REST_INTERNAL_H_
#define WARDEN_AGENT_REST_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "src/agent/version.h"
#include "warden/agent/rest_api.h"
#include "warden/agent/status.h"

namespace warden::rest_internal {

// Ordered, so that documents keep the field order Patroni writes.
using Json = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Requests and responses (rest_request.cc).

// Whether answering `request` may wait on DCS or PostgreSQL I/O (writes, and GET /config, which
// reads the config key); the server runs those off its I/O threads (rest_api.cc).
bool MayBlock(const RestRequest& request);

// A request target split into its path and its decoded query parameters, in order.
struct Target {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;

  // The first value of `key`, as Patroni's parse_qs()[key][0]; null when absent.
  const std::string* Param(std::string_view key) const;
};

// INVALID_ARGUMENT unless `target` is an origin-form target ("/path?query").
absl::StatusOr<Target> ParseTarget(const std::string& target);

RestResponse TextResponse(int status, std::string message);
RestResponse JsonResponse(int status, std::string json);
// The HTTP status for an AgentControl error (the table in status.h) and a reply carrying it.
int HttpStatusFor(const absl::Status& status);
RestResponse ErrorResponse(const absl::Status& status);

// A request body as a JSON object. INVALID_ARGUMENT (with a reason) for anything else; an empty
// body is `{}` when `empty_ok`.
absl::StatusOr<Json> ParseJsonObject(const std::string& body, bool empty_ok);
// Compact JSON; never throws (invalid UTF-8 is replaced).
std::string Dump(const Json& json);

// Whether the request carries `Authorization: Basic` with options.username:options.password.
// The comparison takes the same time wherever the credentials differ.
bool Authorized(const RestApiOptions& options, const RestRequest& request);

// ---------------------------------------------------------------------------------------------
// Facts about this member, from its status (rest_status.cc).

bool RunningPrimary(const AgentStatus& status);
bool RunningReplica(const AgentStatus& status);
// A replica listed in the sync key while synchronous replication is on.
bool IsSyncStandby(const AgentStatus& status);
// The leader's last known WAL position: the status key's optime, or the leader member's
// xlog_location when the status key has none; 0 when unknown.
Lsn LeaderOptime(const AgentStatus& status);
// How many bytes this running replica trails LeaderOptime (0 when ahead); nullopt when either
// side is unknown or this is not a running replica.
std::optional<uint64_t> ReplicaLagBytes(const AgentStatus& status);
// This member's tags as Patroni publishes them (false booleans left out).
Json TagsJson(const MemberTags& tags);

// ---------------------------------------------------------------------------------------------
// Endpoint groups. Each returns the full GET response; the caller drops the body for HEAD and
// OPTIONS.

// The health checks (/primary, /replica, /health, /liveness, ...) and GET / (rest_health.cc).
bool IsHealthPath(std::string_view path);
RestResponse HealthCheck(const AgentStatus& status, const Target& target, absl::Time now);

// /patroni, /cluster, /history and GET /failsafe (rest_json.cc).
Json PatroniStatusJson(const AgentStatus& status);
RestResponse PatroniPage(const AgentStatus& status);
RestResponse ClusterPage(const AgentStatus& status);
RestResponse HistoryPage(const AgentStatus& status);
RestResponse FailsafePage(const AgentStatus& status);

// /metrics in Prometheus' text format (rest_metrics.cc).
RestResponse MetricsPage(const AgentStatus& status);

// Requests that change something (rest_switchover.cc, rest_actions.cc).
RestResponse PostSwitchover(AgentControl& agent, const RestRequest& request, bool failover,
                            absl::Time now);
RestResponse DeleteSwitchover(AgentControl& agent);
RestResponse PostRestart(AgentControl& agent, const RestRequest& request);
RestResponse PostReload(AgentControl& agent);
RestResponse PostReinitialize(AgentControl& agent, const RestRequest& request);
RestResponse PostFailsafe(AgentControl& agent, const RestRequest& request);
RestResponse GetConfig(AgentControl& agent);
RestResponse UpdateConfig(AgentControl& agent, const RestRequest& request, bool replace);

// Sizes as PostgreSQL and Patroni spell them: "1024", "16MB", "1kB", "2 GB" (B, kB, MB, GB, TB;
// multiples of 1024). INVALID_ARGUMENT for anything else, negative numbers included.
absl::StatusOr<uint64_t> ParseByteSize(std::string_view text);

}  // namespace warden::rest_internal

#endif  // WARDEN_AGENT_REST_INTERNAL_H_
