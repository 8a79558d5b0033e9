// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The JSON documents of /patroni, /cluster and /history, with the field names, spellings and
// order of Patroni 3.0, so that patronictl, dashboards and scripts written for Patroni read them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "src/agent/rest_internal.h"
#include "warden/core/codec.h"

namespace warden::rest_internal {
namespace {

// Patroni 3.0 calls the primary "master" in its API.
std::string PatroniRole(PgRole role) {
  return role == PgRole::kPrimary ? "master" : PgRoleName(role);
}

// As Python's str(datetime) writes an aware time, which is what Patroni's JSON carries:
// "2024-05-01 10:00:00.123456+00:00", the fraction only when there is one.
std::string PythonTime(absl::Time time) {
  time = absl::FromUnixMicros(absl::ToUnixMicros(time));
  const bool whole = absl::ToUnixMicros(time) % 1'000'000 == 0;
  return absl::FormatTime(whole ? "%Y-%m-%d %H:%M:%S+00:00" : "%Y-%m-%d %H:%M:%E6S+00:00", time,
                          absl::UTCTimeZone());
}

// The standby names in synchronous_standby_names ("FIRST 2 (a, b)", "ANY 1 (a,b)", "a, b"),
// lower-cased and unquoted, in order.
std::vector<std::string> SyncStandbyNames(const std::string& setting, bool* quorum) {
  absl::string_view text = absl::StripAsciiWhitespace(setting);
  *quorum = absl::StartsWithIgnoreCase(text, "any ");
  const size_t open = text.find('(');
  if (open != absl::string_view::npos) {
    const size_t close = text.rfind(')');
    text = text.substr(open + 1, close == absl::string_view::npos || close < open
                                     ? absl::string_view::npos
                                     : close - open - 1);
  }
  std::vector<std::string> names;
  for (absl::string_view name : absl::StrSplit(text, ',')) {
    name = absl::StripAsciiWhitespace(name);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      names.emplace_back(name.substr(1, name.size() - 2));
    } else {
      names.push_back(absl::AsciiStrToLower(name));
    }
  }
  return names;
}

// pg_stat_replication's sync_priority: 0 for an asynchronous standby, otherwise its place in
// synchronous_standby_names (1 for every member of a quorum).
int SyncPriority(const LocalPostgres& postgres, const ReplicationConnection& connection) {
  if (connection.sync_state.empty() || connection.sync_state == "async") return 0;
  bool quorum = false;
  const std::vector<std::string> names =
      SyncStandbyNames(postgres.synchronous_standby_names, &quorum);
  const std::string name = absl::AsciiStrToLower(connection.application_name);
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name || names[i] == "*") return quorum ? 1 : static_cast<int>(i) + 1;
  }
  return 0;
}

Json ReplicationJson(const LocalPostgres& postgres) {
  Json list = Json::array();
  for (const ReplicationConnection& connection : postgres.replication) {
    Json entry = Json::object();
    entry["usename"] = connection.usename;
    entry["application_name"] = connection.application_name;
    entry["client_addr"] = connection.client_addr;
    entry["state"] = connection.state;
    entry["sync_state"] = connection.sync_state;
    entry["sync_priority"] = SyncPriority(postgres, connection);
    list.push_back(std::move(entry));
  }
  return list;
}

Json XlogJson(const LocalPostgres& postgres) {
  Json xlog = Json::object();
  if (postgres.role == PgRole::kPrimary) {
    xlog["location"] = postgres.wal_lsn;
    return xlog;
  }
  // Patroni falls back to the replayed position when nothing was received by streaming.
  xlog["received_location"] =
      postgres.received_lsn != 0 ? postgres.received_lsn : postgres.replayed_lsn;
  xlog["replayed_location"] = postgres.replayed_lsn;
  xlog["replayed_timestamp"] = nullptr;
  xlog["paused"] = false;
  return xlog;
}

// Fields only a running server has.
void AddRunningFields(const AgentStatus& status, Json* json) {
  const LocalPostgres& postgres = status.postgres;
  if (postgres.postmaster_start_time != absl::InfinitePast()) {
    (*json)["postmaster_start_time"] = PythonTime(postgres.postmaster_start_time);
  }
  (*json)["role"] = PatroniRole(postgres.role);
  (*json)["server_version"] = postgres.server_version;
  (*json)["xlog"] = XlogJson(postgres);
  (*json)["timeline"] = postgres.timeline;
  if (!postgres.replication.empty()) (*json)["replication"] = ReplicationJson(postgres);
  if (IsSyncStandby(status)) (*json)["sync_standby"] = true;
}

// Host and port of a member's conn_url ("postgres://user@host:5432/postgres"), as Patroni's
// conn_kwargs() reads them; nullopt parts when absent.
void HostAndPort(const std::string& conn_url, std::optional<std::string>* host,
                 std::optional<int>* port) {
  absl::string_view rest(conn_url);
  if (!absl::ConsumePrefix(&rest, "postgres://")) absl::ConsumePrefix(&rest, "postgresql://");
  rest = rest.substr(0, rest.find_first_of("/?"));
  const size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) rest.remove_prefix(at + 1);
  absl::string_view port_text;
  if (absl::ConsumePrefix(&rest, "[")) {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == absl::string_view::npos) return;
    port_text = rest.substr(close + 1);
    rest = rest.substr(0, close);
    if (!absl::ConsumePrefix(&port_text, ":")) port_text = {};
  } else if (const size_t colon = rest.rfind(':'); colon != absl::string_view::npos) {
    port_text = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  if (!rest.empty()) *host = std::string(rest);
  int parsed = 0;
  if (absl::SimpleAtoi(port_text, &parsed) && parsed > 0 && parsed <= 65535) *port = parsed;
}

// A field of the member's JSON that the codec does not model (pending_restart, ...).
void CopyUnknownField(const Member& member, const char* field, Json* out) {
  const Json unknown = Json::parse(member.unknown_json, nullptr, /*allow_exceptions=*/false);
  if (unknown.is_object() && unknown.contains(field)) (*out)[field] = unknown.at(field);
}

bool InSyncKey(const AgentStatus& status, const std::string& name) {
  if (status.config.synchronous_mode == SynchronousMode::kOff || !status.view.sync) return false;
  for (const std::string& standby : status.view.sync->sync_standby) {
    if (absl::EqualsIgnoreCase(standby, name)) return true;
  }
  return false;
}

Json ClusterMemberJson(const AgentStatus& status, const Member& member, Lsn cluster_lsn) {
  const ClusterView& view = status.view;
  const bool leader = view.leader && view.leader->name == member.name;
  Json json = Json::object();
  json["name"] = member.name;
  json["role"] = leader ? "leader" : InSyncKey(status, member.name) ? "sync_standby" : "replica";
  json["state"] = member.state;
  json["api_url"] = member.api_url;
  std::optional<std::string> host;
  std::optional<int> port;
  HostAndPort(member.conn_url, &host, &port);
  if (host) {
    json["host"] = *host;
    if (port) json["port"] = *port;
  }
  if (member.timeline) json["timeline"] = *member.timeline;
  CopyUnknownField(member, "pending_restart", &json);
  CopyUnknownField(member, "scheduled_restart", &json);
  if (Json tags = TagsJson(member.tags); !tags.empty()) json["tags"] = std::move(tags);
  if (!leader) {
    if (!member.xlog_location) {
      json["lag"] = "unknown";
    } else {
      json["lag"] = cluster_lsn > *member.xlog_location ? cluster_lsn - *member.xlog_location : 0;
    }
  }
  return json;
}

// {"at": ISO 8601, "from": leader, "to": candidate}; the time as the codec writes it.
Json ScheduledSwitchoverJson(const FailoverRequest& failover) {
  Json json = Json::object();
  const Json encoded = Json::parse(EncodeFailover(failover), nullptr, false);
  if (encoded.is_object() && encoded.contains("scheduled_at")) {
    json["at"] = encoded.at("scheduled_at");
  }
  if (!failover.leader.empty()) json["from"] = failover.leader;
  if (!failover.candidate.empty()) json["to"] = failover.candidate;
  return json;
}

}  // namespace

Json PatroniStatusJson(const AgentStatus& status) {
  Json json = Json::object();
  json["state"] = status.state;
  if (status.postgres.running) {
    AddRunningFields(status, &json);
  } else {
    json["role"] = PatroniRole(status.postgres.role);
    // warden's addition: where a stopped member's data ends, so that a candidate in strict
    // synchronous mode can tell whether this member may hold commits it lacks.
    if (status.postgres.stopped_lsn != 0) {
      json["xlog"] = {{"location", status.postgres.stopped_lsn}};
      json["timeline"] = status.postgres.timeline;
    }
  }
  if (status.config.pause) json["pause"] = true;
  if (!status.view.leader) json["cluster_unlocked"] = true;
  json["dcs_last_seen"] =
      status.dcs_last_seen == absl::InfinitePast() ? 0 : absl::ToUnixSeconds(status.dcs_last_seen);
  if (Json tags = TagsJson(status.tags); !tags.empty()) json["tags"] = std::move(tags);
  if (status.postgres.system_identifier != 0) {
    json["database_system_identifier"] = std::to_string(status.postgres.system_identifier);
  }
  if (status.postgres.pending_restart) json["pending_restart"] = true;
  json["patroni"] = {{"version", kWardenVersion}, {"scope", status.scope}};
  // Not Patroni's: why the HA loop did what it did last.
  Json warden = Json::object();
  if (!status.last_decision.empty()) warden["last_decision"] = status.last_decision;
  if (!status.parameters_error.empty()) warden["parameters_error"] = status.parameters_error;
  if (!warden.empty()) json["warden"] = std::move(warden);
  return json;
}

// 200 whatever PostgreSQL's state, as Patroni's do_GET_patroni: the page reports the state, it
// does not check a role.
RestResponse PatroniPage(const AgentStatus& status) {
  return JsonResponse(200, Dump(PatroniStatusJson(status)));
}

RestResponse ClusterPage(const AgentStatus& status) {
  const ClusterView& view = status.view;
  const Lsn cluster_lsn = LeaderOptime(status);
  Json members = Json::array();
  for (const Member& member : view.members) {  // the view keeps them in name order
    members.push_back(ClusterMemberJson(status, member, cluster_lsn));
  }
  Json json = Json::object();
  json["members"] = std::move(members);
  if (status.config.pause) json["pause"] = true;
  if (view.failover && view.failover->scheduled_at) {
    json["scheduled_switchover"] = ScheduledSwitchoverJson(*view.failover);
  }
  return JsonResponse(200, Dump(json));
}

RestResponse HistoryPage(const AgentStatus& status) {
  return JsonResponse(200, EncodeHistory(status.view.history));
}

// The failsafe key as this agent last read it (name -> api_url), as Patroni 3.0 answers; 502
// without one, as Patroni's too.
RestResponse FailsafePage(const AgentStatus& status) {
  if (status.view.failsafe.empty()) return TextResponse(502, "no failsafe key");
  Json json = Json::object();
  for (const auto& [name, api_url] : status.view.failsafe) json[name] = api_url;
  return JsonResponse(200, Dump(json));
}

}  // namespace warden::rest_internal
