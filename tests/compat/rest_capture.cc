// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/rest_capture.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tests/common/http_status.h"
#include "tests/compat/json_flatten.h"

namespace warden::test {
namespace {

// Every GET endpoint of Patroni 3.0.2's API that a health check, patronictl or a dashboard reads.
const std::vector<std::string>& GetEndpoints() {
  static const auto* const kEndpoints = new std::vector<std::string>{
      "/",
      "/primary",
      "/replica",
      "/read-only",
      "/standby-leader",
      "/synchronous",
      "/asynchronous",
      "/health",
      "/liveness",
      "/readiness",
      "/patroni",
      "/cluster",
      "/history",
      "/config",
      "/metrics",
  };
  return *kEndpoints;
}

std::string EndpointName(const std::string& path) { return path == "/" ? "root" : path.substr(1); }

void CaptureFields(const std::string& prefix, const std::string& body, Snapshot* out) {
  if (body.empty()) {
    (*out)[prefix] = "<empty body>";
    return;
  }
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    (*out)[prefix] = "<not json>";
    return;
  }
  AddFieldTypes(json, prefix, out);
}

void CaptureCluster(const std::string& prefix, const std::string& body, Snapshot* out) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("members") || !json["members"].is_array()) return;
  for (const nlohmann::json& member : json["members"]) {
    if (!member.is_object() || !member.contains("name") || !member["name"].is_string()) continue;
    AddFieldTypes(member,
                  absl::StrCat(prefix, "/members/", member["name"].get<std::string>(), "/fields"),
                  out);
  }
}

// The walsenders come in the order the standbys connected, which is a race.
void SortReplication(nlohmann::json* status) {
  if (!status->contains("replication") || !(*status)["replication"].is_array()) return;
  nlohmann::json& senders = (*status)["replication"];
  std::sort(senders.begin(), senders.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a.value("application_name", "") < b.value("application_name", "");
  });
}

void CaptureGet(const CaptureContext& c, int node, const std::string& path, Snapshot* out) {
  const std::string prefix = absl::StrCat("rest/", c.cluster->name(node), "/", EndpointName(path));
  const HttpReply reply =
      HttpExchange(c.cluster->rest_endpoint(node), "GET", path, "", absl::Seconds(10));
  (*out)[prefix + "/status"] = std::to_string(reply.status);
  if (path == "/metrics") return;  // Prometheus text, compared by status only
  if (path == "/patroni") {
    // Its values too, which say the fields' names and more.
    nlohmann::json json = nlohmann::json::parse(reply.body, nullptr, false);
    if (json.is_object()) {
      SortReplication(&json);
      FlattenJson(json, prefix, *c.normalizer, out);
      return;
    }
  }
  CaptureFields(prefix + "/fields", reply.body, out);
  if (path == "/cluster") CaptureCluster(prefix, reply.body, out);
}

// Requests that change nothing when they are let through: a reload of an unchanged config, the
// cancelling of a switchover nobody scheduled.
void CaptureUnsafe(const CaptureContext& c, int node, Snapshot* out) {
  struct Credentials {
    const char* kind;
    std::string username;
    std::string password;
  };
  const std::vector<Credentials> credentials = {
      {"no", "", ""},
      {"bad", c.config->rest_user, "wrong"},
      {"good", c.config->rest_user, c.config->rest_password}};
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/reload"}, {"DELETE", "/switchover"}}) {
    for (const Credentials& credential : credentials) {
      RestEndpoint endpoint = c.cluster->rest_endpoint(node);
      endpoint.username = credential.username;
      endpoint.password = credential.password;
      const HttpReply reply = HttpExchange(endpoint, method, path, "", absl::Seconds(10));
      (*out)[absl::StrCat("rest/", c.cluster->name(node), "/", method, " ", EndpointName(path),
                          " (", credential.kind, " auth)/status")] = std::to_string(reply.status);
    }
  }
}

}  // namespace

void CaptureRest(const CaptureContext& context, Snapshot* out) {
  for (int node = 0; node < context.cluster->size(); ++node) {
    for (const std::string& path : GetEndpoints()) CaptureGet(context, node, path, out);
    if (!context.config->rest_user.empty()) CaptureUnsafe(context, node, out);
  }
}

}  // namespace warden::test
