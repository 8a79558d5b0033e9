// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// GET /metrics: Prometheus' text exposition format (0.0.4). The patroni_* series carry Patroni's
// names and meanings, so that existing dashboards and alerts work; warden_* are ours. Every
// series is labelled with the cluster (scope) and the member (name).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "src/agent/rest_internal.h"

namespace warden::rest_internal {
namespace {

// Label values escape backslash, double quote and newline.
std::string EscapeLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Patroni's patroni_version: each part of the version zero-padded to two digits ("3.0.2" is
// 030002), written as that string.
std::string PaddedVersion(absl::string_view version) {
  std::string out;
  for (absl::string_view part : absl::StrSplit(version, '.')) {
    if (part.size() < 2) out += '0';
    absl::StrAppend(&out, part);
  }
  return out;
}

class MetricWriter {
 public:
  explicit MetricWriter(const AgentStatus& status)
      : labels_(absl::StrCat("{scope=\"", EscapeLabel(status.scope), "\",name=\"",
                             EscapeLabel(status.name), "\"}")) {}

  void Gauge(absl::string_view name, absl::string_view help, absl::string_view value) {
    Add(name, help, "gauge", value);
  }
  void Gauge(absl::string_view name, absl::string_view help, int64_t value) {
    Add(name, help, "gauge", absl::StrCat(value));
  }
  void Gauge(absl::string_view name, absl::string_view help, double value) {
    Add(name, help, "gauge", absl::StrFormat("%.6f", value));
  }
  void Counter(absl::string_view name, absl::string_view help, int64_t value) {
    Add(name, help, "counter", absl::StrCat(value));
  }
  // A series whose value is unknown: described, without a sample.
  void Describe(absl::string_view name, absl::string_view help, absl::string_view type) {
    absl::StrAppend(&text_, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
  }

  std::string Take() { return std::move(text_); }

 private:
  void Add(absl::string_view name, absl::string_view help, absl::string_view type,
           absl::string_view value) {
    Describe(name, help, type);
    absl::StrAppend(&text_, name, labels_, " ", value, "\n");
  }

  std::string labels_;
  std::string text_;
};

int64_t Flag(bool value) { return value ? 1 : 0; }

int64_t AsInt(uint64_t value) { return static_cast<int64_t>(value); }

void WritePostgresMetrics(const AgentStatus& status, MetricWriter* w) {
  const LocalPostgres& pg = status.postgres;
  const bool primary = RunningPrimary(status);
  const bool replica = RunningReplica(status);
  w->Gauge("patroni_postgres_running", "Value is 1 if Postgres is running, 0 otherwise.",
           Flag(pg.running));
  const bool started = pg.running && pg.postmaster_start_time != absl::InfinitePast();
  w->Gauge("patroni_postmaster_start_time", "Epoch seconds since Postgres started.",
           started ? absl::ToDoubleSeconds(pg.postmaster_start_time - absl::UnixEpoch()) : 0.0);
  w->Gauge("patroni_master", "Value is 1 if this node is the leader, 0 otherwise.", Flag(primary));
  w->Gauge("patroni_primary", "Value is 1 if this node is the leader, 0 otherwise.", Flag(primary));
  w->Counter("patroni_xlog_location",
             "Current location of the Postgres transaction log, 0 if this node is not the leader.",
             primary ? AsInt(pg.wal_lsn) : 0);
  w->Gauge("patroni_standby_leader", "Value is 1 if this node is the standby_leader, 0 otherwise.",
           int64_t{0});
  w->Gauge("patroni_replica", "Value is 1 if this node is a replica, 0 otherwise.", Flag(replica));
  w->Gauge("patroni_sync_standby",
           "Value is 1 if this node is a sync standby replica, 0 otherwise.",
           Flag(IsSyncStandby(status)));
  const Lsn received = pg.received_lsn != 0 ? pg.received_lsn : pg.replayed_lsn;
  w->Counter("patroni_xlog_received_location",
             "Current location of the received Postgres transaction log, 0 if this node is not "
             "a replica.",
             replica ? AsInt(received) : 0);
  w->Counter("patroni_xlog_replayed_location",
             "Current location of the replayed Postgres transaction log, 0 if this node is not "
             "a replica.",
             replica ? AsInt(pg.replayed_lsn) : 0);
  w->Gauge("patroni_xlog_replayed_timestamp",
           "Current timestamp of the replayed Postgres transaction log, 0 if null.", int64_t{0});
  w->Gauge("patroni_xlog_paused", "Value is 1 if the Postgres xlog is paused, 0 otherwise.",
           int64_t{0});
  w->Gauge("patroni_postgres_server_version", "Version of Postgres (if running), 0 otherwise.",
           pg.running ? int64_t{pg.server_version} : 0);
  w->Counter("patroni_postgres_timeline",
             "Postgres timeline of this node (if running), 0 otherwise.",
             pg.running ? pg.timeline : 0);
  w->Gauge("patroni_pending_restart", "Value is 1 if the node needs a restart, 0 otherwise.",
           Flag(pg.pending_restart));
}

void WriteClusterMetrics(const AgentStatus& status, MetricWriter* w) {
  w->Gauge("patroni_cluster_unlocked", "Value is 1 if the cluster is unlocked, 0 if locked.",
           Flag(!status.view.leader));
  w->Gauge("patroni_dcs_last_seen",
           "Epoch timestamp when DCS was last contacted successfully by Patroni.",
           status.dcs_last_seen == absl::InfinitePast()
               ? int64_t{0}
               : absl::ToUnixSeconds(status.dcs_last_seen));
  w->Gauge("patroni_is_paused", "Value is 1 if auto failover is disabled, 0 otherwise.",
           Flag(status.config.pause));
}

void WriteWardenMetrics(const AgentStatus& status, MetricWriter* w) {
  const AgentCounters& c = status.counters;
  w->Counter("warden_leader_changes_total",
             "Times the leader key named a different member than before.", c.leader_changes);
  w->Counter("warden_ha_loops_total", "HA loops run.", c.ha_loops);
  w->Gauge("warden_ha_loop_duration_seconds", "How long the last HA loop took.",
           absl::ToDoubleSeconds(c.last_loop_duration));
  w->Counter("warden_dcs_errors_total", "Failed DCS calls (reads, writes, keep-alives).",
             c.dcs_errors);
  constexpr char kLagHelp[] =
      "Bytes this replica trails the leader's last known WAL position (0 on the primary).";
  if (const std::optional<uint64_t> lag = ReplicaLagBytes(status)) {
    w->Gauge("warden_replication_lag_bytes", kLagHelp, AsInt(*lag));
  } else if (RunningPrimary(status)) {
    w->Gauge("warden_replication_lag_bytes", kLagHelp, int64_t{0});
  } else {
    w->Describe("warden_replication_lag_bytes", kLagHelp, "gauge");
  }
}

}  // namespace

RestResponse MetricsPage(const AgentStatus& status) {
  MetricWriter writer(status);
  writer.Gauge("patroni_version", "Patroni semver without periods.",
               absl::string_view(PaddedVersion(kWardenVersion)));
  WritePostgresMetrics(status, &writer);
  WriteClusterMetrics(status, &writer);
  WriteWardenMetrics(status, &writer);
  RestResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = writer.Take();
  return response;
}

}  // namespace warden::rest_internal
