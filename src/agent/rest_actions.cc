// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The requests that act on this member or the cluster's config: POST /restart, /reload,
// /reinitialize, /failsafe and GET, PATCH, PUT /config. Checks and messages follow Patroni's
// handlers; the work is the agent's.

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/agent/rest_internal.h"

namespace warden::rest_internal {
namespace {

// Patroni's parse_bool: true/false, numbers, and on/off, true/false, yes/no, 1/0 as text.
std::optional<bool> ParseBool(const Json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (!value.is_string()) return std::nullopt;
  const std::string text = absl::AsciiStrToLower(value.get<std::string>());
  if (text == "on" || text == "true" || text == "yes" || text == "1") return true;
  if (text == "off" || text == "false" || text == "no" || text == "0") return false;
  return std::nullopt;
}

// Patroni's postgres_version_to_int: "15.4" is 150004, "9.6.24" 90624.
std::optional<int> ParsePostgresVersion(const std::string& text) {
  std::vector<int> parts;
  for (absl::string_view part : absl::StrSplit(text, '.')) {
    int value = 0;
    if (!absl::SimpleAtoi(part, &value) || value < 0 || value > 99) return std::nullopt;
    parts.push_back(value);
  }
  if (parts.size() == 2 && parts[0] >= 10) parts.insert(parts.begin() + 1, 0);
  if (parts.size() != 3) return std::nullopt;
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

// The conditions a POST /restart may carry (patronictl restart --role, --pending, --pg-version).
struct RestartConditions {
  std::optional<std::string> role;  // "primary" or "replica"
  bool pending = false;
  std::optional<int> below_version;
};

absl::StatusOr<RestartConditions> ParseRestartConditions(const Json& body) {
  RestartConditions conditions;
  for (const auto& [key, value] : body.items()) {
    if (key == "schedule") {
      return absl::InvalidArgumentError("scheduled restarts are not supported");
    } else if (key == "role") {
      const std::string role = value.is_string() ? value.get<std::string>() : "";
      if (role != "master" && role != "primary" && role != "replica") {
        return absl::InvalidArgumentError("PostgreSQL role should be either primary or replica");
      }
      conditions.role = role == "replica" ? "replica" : "primary";
    } else if (key == "restart_pending") {
      const std::optional<bool> pending = ParseBool(value);
      if (!pending) return absl::InvalidArgumentError("restart_pending must be a boolean");
      conditions.pending = *pending;
    } else if (key == "postgres_version") {
      conditions.below_version =
          value.is_string() ? ParsePostgresVersion(value.get<std::string>()) : std::nullopt;
      if (!conditions.below_version) {
        return absl::InvalidArgumentError(
            "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted");
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("Unknown filter for the scheduled restart: ", key));
    }
  }
  return conditions;
}

// Patroni's restart_matches: a restart asked only of a role, only when a restart is pending, or
// only below a version is skipped on a member that does not qualify.
bool ConditionsHold(const RestartConditions& conditions, const LocalPostgres& postgres) {
  if (conditions.role && *conditions.role != PgRoleName(postgres.role)) return false;
  if (conditions.pending && !postgres.pending_restart) return false;
  if (conditions.below_version && *conditions.below_version <= postgres.server_version) {
    return false;
  }
  return true;
}

RestResponse OkOr(const absl::StatusOr<std::string>& result, int ok_status,
                  const char* default_message) {
  if (!result.ok()) return ErrorResponse(result.status());
  return TextResponse(ok_status, result->empty() ? default_message : *result);
}

}  // namespace

RestResponse PostRestart(AgentControl& agent, const RestRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/true);
  if (!body.ok()) return TextResponse(400, std::string(body.status().message()));
  absl::StatusOr<RestartConditions> conditions = ParseRestartConditions(*body);
  if (!conditions.ok()) return TextResponse(400, std::string(conditions.status().message()));
  if (!ConditionsHold(*conditions, agent.Status().postgres)) {
    return TextResponse(412, "restart conditions are not satisfied");
  }
  return OkOr(agent.Restart(), 200, "restarted successfully");
}

RestResponse PostReload(AgentControl& agent) {
  return OkOr(agent.Reload(), 202, "reload scheduled");
}

RestResponse PostReinitialize(AgentControl& agent, const RestRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/true);
  if (!body.ok()) return TextResponse(400, std::string(body.status().message()));
  const std::optional<bool> force = ParseBool(body->value("force", Json(nullptr)));
  if (!force) return TextResponse(400, "force must be a boolean");
  absl::StatusOr<std::string> result = agent.Reinitialize(*force);
  // Patroni answers every refusal of a reinitialize with 503.
  if (!result.ok()) return TextResponse(503, std::string(result.status().message()));
  return TextResponse(200, result->empty() ? "reinitialize started" : *result);
}

RestResponse PostFailsafe(AgentControl& agent, const RestRequest& request) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/false);
  if (!body.ok()) return TextResponse(400, std::string(body.status().message()));
  const Json name = body->value("name", Json(nullptr));
  if (!name.is_string() || name.get<std::string>().empty()) {
    return TextResponse(400, "\"name\" must name the leader");
  }
  if (!agent.AcceptFailsafe(name.get<std::string>())) return TextResponse(500, "Rejected");
  return TextResponse(200, "Accepted");
}

RestResponse GetConfig(AgentControl& agent) {
  absl::StatusOr<std::string> json = agent.ConfigJson();
  if (!json.ok()) return TextResponse(503, std::string(json.status().message()));
  return JsonResponse(200, *std::move(json));
}

RestResponse UpdateConfig(AgentControl& agent, const RestRequest& request, bool replace) {
  absl::StatusOr<Json> body = ParseJsonObject(request.body, /*empty_ok=*/false);
  if (!body.ok()) return TextResponse(400, std::string(body.status().message()));
  absl::StatusOr<std::string> json = agent.UpdateConfig(request.body, replace);
  if (!json.ok()) return ErrorResponse(json.status());
  return JsonResponse(200, *std::move(json));
}

}  // namespace warden::rest_internal
