// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// HandleRestRequest: routes a request to its endpoint after the checks every request passes
// (target, path, method, body size, auth), and keeps every exception inside.

#include "warden/agent/rest_api.h"

#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "src/agent/rest_internal.h"

namespace warden {
namespace rest_internal {
namespace {

enum class Endpoint {
  kHealth,
  kPatroni,
  kCluster,
  kHistory,
  kMetrics,
  kConfig,
  kSwitchover,
  kFailover,
  kRestart,
  kReload,
  kReinitialize,
  kFailsafe,
};

struct Route {
  std::string_view path;
  Endpoint endpoint;
  std::string_view methods;  // as the Allow header lists them
};

constexpr std::string_view kReadMethods = "GET, HEAD, OPTIONS";

constexpr Route kRoutes[] = {
    {"/patroni", Endpoint::kPatroni, kReadMethods},
    {"/cluster", Endpoint::kCluster, kReadMethods},
    {"/history", Endpoint::kHistory, kReadMethods},
    {"/metrics", Endpoint::kMetrics, kReadMethods},
    {"/config", Endpoint::kConfig, "GET, HEAD, OPTIONS, PATCH, PUT"},
    {"/switchover", Endpoint::kSwitchover, "POST, DELETE"},
    {"/failover", Endpoint::kFailover, "POST"},
    {"/restart", Endpoint::kRestart, "POST"},
    {"/reload", Endpoint::kReload, "POST"},
    {"/reinitialize", Endpoint::kReinitialize, "POST"},
    {"/failsafe", Endpoint::kFailsafe, "GET, HEAD, OPTIONS, POST"},
};

std::optional<Route> FindRoute(std::string_view path) {
  if (IsHealthPath(path)) return Route{path, Endpoint::kHealth, kReadMethods};
  for (const Route& route : kRoutes) {
    if (route.path == path) return route;
  }
  return std::nullopt;
}

bool IsRead(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

bool Allows(const Route& route, const std::string& method) {
  for (absl::string_view allowed :
       absl::StrSplit(absl::string_view(route.methods.data(), route.methods.size()), ", ")) {
    if (allowed == method) return true;
  }
  return false;
}

// Reads never wait: everything but /config and /patroni comes from the status snapshot.
RestResponse Read(AgentControl& agent, Endpoint endpoint, const Target& target) {
  if (endpoint == Endpoint::kConfig) return GetConfig(agent);
  const AgentStatus status = agent.Status();
  switch (endpoint) {
    case Endpoint::kHealth:
      return HealthCheck(status, target, absl::Now());
    case Endpoint::kPatroni:
      return PatroniPage(agent.LiveStatus());
    case Endpoint::kCluster:
      return ClusterPage(status);
    case Endpoint::kHistory:
      return HistoryPage(status);
    case Endpoint::kMetrics:
      return MetricsPage(status);
    case Endpoint::kFailsafe:
      return FailsafePage(status);
    default:
      return TextResponse(500, "no reader for this path");
  }
}

RestResponse Write(AgentControl& agent, Endpoint endpoint, const RestRequest& request) {
  switch (endpoint) {
    case Endpoint::kSwitchover:
      if (request.method == "DELETE") return DeleteSwitchover(agent);
      return PostSwitchover(agent, request, /*failover=*/false, absl::Now());
    case Endpoint::kFailover:
      return PostSwitchover(agent, request, /*failover=*/true, absl::Now());
    case Endpoint::kConfig:
      return UpdateConfig(agent, request, /*replace=*/request.method == "PUT");
    case Endpoint::kRestart:
      return PostRestart(agent, request);
    case Endpoint::kReload:
      return PostReload(agent);
    case Endpoint::kReinitialize:
      return PostReinitialize(agent, request);
    case Endpoint::kFailsafe:
      return PostFailsafe(agent, request);
    default:
      return TextResponse(500, "no writer for this path");
  }
}

RestResponse Unauthorized() {
  RestResponse response = TextResponse(401, "authentication required");
  response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"warden\"");
  return response;
}

RestResponse Handle(AgentControl& agent, const RestApiOptions& options,
                    const RestRequest& request) {
  absl::StatusOr<Target> target = ParseTarget(request.target);
  if (!target.ok()) return TextResponse(400, std::string(target.status().message()));
  const std::optional<Route> route = FindRoute(target->path);
  if (!route) return TextResponse(404, "not found");
  if (!Allows(*route, request.method)) {
    RestResponse response = TextResponse(405, "method not allowed");
    response.headers.emplace_back("Allow", std::string(route->methods));
    return response;
  }
  if (request.body.size() > options.max_body_bytes) {
    return TextResponse(413, "request body too large");
  }
  const bool read = IsRead(request.method);
  if (!read && !Authorized(options, request)) return Unauthorized();
  return read ? Read(agent, route->endpoint, *target) : Write(agent, route->endpoint, request);
}

// HEAD and OPTIONS answer with the status alone, as Patroni's do, errors included.
RestResponse WithoutBodyIfAsked(const RestRequest& request, RestResponse response) {
  if (request.method == "HEAD" || request.method == "OPTIONS") response.body.clear();
  return response;
}

}  // namespace

bool MayBlock(const RestRequest& request) {
  if (!IsRead(request.method)) return true;
  absl::StatusOr<Target> target = ParseTarget(request.target);
  return target.ok() && (target->path == "/config" || target->path == "/patroni");
}

}  // namespace rest_internal

RestResponse HandleRestRequest(AgentControl& agent, const RestApiOptions& options,
                               const RestRequest& request) {
  try {
    return rest_internal::WithoutBodyIfAsked(request,
                                             rest_internal::Handle(agent, options, request));
  } catch (const std::exception& e) {
    return rest_internal::TextResponse(500, std::string("internal error: ") + e.what());
  } catch (...) {
    return rest_internal::TextResponse(500, "internal error");
  }
}

}  // namespace warden
