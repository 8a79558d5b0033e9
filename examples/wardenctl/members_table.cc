// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Follows patronictl 3.0 (ctl.py output_members, topology_sort; utils.py cluster_as_json).

#include "members_table.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "output.h"
#include "py_json.h"
#include "warden/core/codec.h"

namespace warden::ctl {
namespace {

constexpr int kDefaultPostgresPort = 5432;

// One member as cluster_as_json describes it.
struct MemberInfo {
  std::string name;
  std::string role;  // leader, standby_leader, sync_standby, quorum_standby, replica
  std::string state;
  std::string host;
  std::optional<int> port;
  Json timeline = "";
  Json lag = "";  // bytes, or "unknown"; "" for the leader
  bool pending_restart = false;
  std::string scheduled_restart;
  Json tags;  // the member's tags object, null when it has none
  std::string replicatefrom;
};

// What the member's key holds, as one JSON object (fields the codec does not model included).
Json MemberData(const Member& member) {
  Json data = ParseJsonOrDiscarded(EncodeMember(member));
  return data.is_object() ? data : Json::object();
}

// host and port of "postgres://user@host:port/db?..." (Patroni's urlparse: the host lowercased,
// IPv6 without brackets, the port 5432 when absent).
void HostFromConnUrl(const std::string& url, MemberInfo* info) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return;
  std::string authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);
  }
  std::string port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    info->host = authority.substr(1, close == std::string::npos ? close : close - 1);
    if (close != std::string::npos && authority.compare(close + 1, 1, ":") == 0) {
      port = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.rfind(':');
    info->host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  info->host = absl::AsciiStrToLower(info->host);
  int number = kDefaultPostgresPort;
  if (!port.empty() && !absl::SimpleAtoi(port, &number)) number = kDefaultPostgresPort;
  if (!info->host.empty()) info->port = number;
}

// Newer Patroni members publish conn_kwargs {host, port} instead of conn_url.
void HostFromConnKwargs(const Json& data, MemberInfo* info) {
  const auto kwargs = data.find("conn_kwargs");
  if (kwargs == data.end() || !kwargs->is_object()) return;
  const auto host = kwargs->find("host");
  if (host == kwargs->end() || !host->is_string()) return;
  info->host = host->get<std::string>();
  info->port = kDefaultPostgresPort;
  const auto port = kwargs->find("port");
  int number = 0;
  if (port != kwargs->end() && port->is_number_integer()) {
    info->port = port->get<int>();
  } else if (port != kwargs->end() && port->is_string() &&
             absl::SimpleAtoi(port->get<std::string>(), &number)) {
    info->port = number;
  }
}

bool IsStandbyCluster(const DynamicConfig& config) {
  const Json unknown = ParseJsonOrDiscarded(config.unknown_json);
  if (!unknown.is_object()) return false;
  const auto standby = unknown.find("standby_cluster");
  if (standby == unknown.end() || !standby->is_object()) return false;
  for (const char* key : {"host", "port", "restore_command"}) {
    const auto it = standby->find(key);
    if (it != standby->end() && !it->is_null() && !(it->is_string() && it->empty())) return true;
  }
  return false;
}

bool IsSyncStandby(const ClusterView& view, const std::string& name) {
  if (!view.sync) return false;
  const std::string lower = absl::AsciiStrToLower(name);
  for (const std::string& standby : view.sync->sync_standby) {
    if (absl::AsciiStrToLower(standby) == lower) return true;
  }
  return false;
}

std::string RoleOf(const ClusterView& view, const Member& member) {
  if (view.leader && view.leader->name == member.name) {
    return IsStandbyCluster(view.config) ? "standby_leader" : "leader";
  }
  if (IsSyncStandby(view, member.name)) {
    return view.config.synchronous_mode == SynchronousMode::kQuorum ? "quorum_standby"
                                                                    : "sync_standby";
  }
  return "replica";
}

// The leader's last known WAL position: what the leader published in the status key, or,
// before it has, the position in its member key. 0: unknown.
Lsn ClusterLsn(const ClusterView& view) {
  if (view.status.optime > 0) return view.status.optime;
  if (view.leader) {
    const Member* leader = view.FindMember(view.leader->name);
    if (leader != nullptr && leader->xlog_location) return *leader->xlog_location;
  }
  return 0;
}

// Python's round(): halves go to the even neighbour.
Json LagInMb(Lsn cluster_lsn, const Member& member) {
  if (!member.xlog_location) return "unknown";
  const Lsn position = *member.xlog_location;
  const Lsn lag = cluster_lsn >= position ? cluster_lsn - position : 0;
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(lag) / 1024.0 / 1024.0));
}

void ReadExtras(const Json& data, MemberInfo* info) {
  const auto pending = data.find("pending_restart");
  info->pending_restart = pending != data.end() && pending->is_boolean() && pending->get<bool>();
  const auto scheduled = data.find("scheduled_restart");
  if (scheduled != data.end() && scheduled->is_object()) {
    info->scheduled_restart = scheduled->value("schedule", "");
    const auto version = scheduled->find("postgres_version");
    if (version != scheduled->end() && version->is_string()) {
      absl::StrAppend(&info->scheduled_restart, " if version < ", version->get<std::string>());
    }
  }
  const auto tags = data.find("tags");
  if (tags != data.end() && tags->is_object() && !tags->empty()) info->tags = *tags;
}

MemberInfo Describe(const ClusterView& view, const Member& member, Lsn cluster_lsn) {
  MemberInfo info;
  info.name = member.name;
  info.role = RoleOf(view, member);
  info.state = member.state;
  const Json data = MemberData(member);
  if (!member.conn_url.empty()) {
    HostFromConnUrl(member.conn_url, &info);
  } else {
    HostFromConnKwargs(data, &info);
  }
  if (member.timeline) info.timeline = *member.timeline;
  if (!info.role.ends_with("leader")) info.lag = LagInMb(cluster_lsn, member);
  ReadExtras(data, &info);
  info.replicatefrom = member.tags.replicatefrom;
  return info;
}

std::vector<MemberInfo> DescribeMembers(const ClusterView& view) {
  const Lsn cluster_lsn = ClusterLsn(view);
  std::vector<MemberInfo> members;
  for (const Member& member : view.members) members.push_back(Describe(view, member, cluster_lsn));
  std::sort(members.begin(), members.end(),
            [](const MemberInfo& a, const MemberInfo& b) { return a.name < b.name; });
  return members;
}

// patronictl's topology_sort: the leader, then each replica under the member it replicates
// from (its replicatefrom tag when that names another replica, else the leader), depth-first.
// Unlike patronictl, members caught in a replicatefrom cycle are still shown, under the leader.
class Topology {
 public:
  explicit Topology(const std::vector<MemberInfo>& members) {
    std::set<std::string> replicas;
    for (const MemberInfo& m : members) {
      if (m.role.ends_with("leader")) {
        if (leader_ == nullptr) leader_ = &m;
      } else {
        replicas.insert(m.name);
      }
    }
    const std::string root = leader_ != nullptr ? leader_->name : "";
    for (const MemberInfo& m : members) {
      if (&m == leader_ || m.role.ends_with("leader")) continue;
      const bool upstream_ok =
          !m.replicatefrom.empty() && m.replicatefrom != m.name && replicas.count(m.replicatefrom);
      children_[upstream_ok ? m.replicatefrom : root].push_back(&m);
    }
    members_ = &members;
  }

  // (depth, member) in display order.
  std::vector<std::pair<int, const MemberInfo*>> Order() {
    if (leader_ != nullptr) {
      Visit(0, leader_);
    } else {
      for (const MemberInfo* child : children_[""]) Visit(1, child);
    }
    for (const MemberInfo& m : *members_) {
      if (!shown_.count(m.name)) Visit(1, &m);
    }
    return order_;
  }

 private:
  void Visit(int depth, const MemberInfo* member) {
    if (!shown_.insert(member->name).second) return;
    order_.emplace_back(depth, member);
    for (const MemberInfo* child : children_[member->name]) Visit(depth + 1, child);
  }

  const MemberInfo* leader_ = nullptr;
  const std::vector<MemberInfo>* members_ = nullptr;
  std::map<std::string, std::vector<const MemberInfo*>> children_;
  std::set<std::string> shown_;
  std::vector<std::pair<int, const MemberInfo*>> order_;
};

// "sync_standby" -> "Sync Standby", as Python's str.replace('_', ' ').title().
std::string RoleTitle(const std::string& role) {
  std::string out = role;
  bool word_start = true;
  for (char& c : out) {
    if (c == '_') c = ' ';
    const bool alpha = absl::ascii_isalpha(static_cast<unsigned char>(c));
    c = alpha ? (word_start ? absl::ascii_toupper(c) : absl::ascii_tolower(c)) : c;
    word_start = !alpha;
  }
  return out;
}

// Show Host as host:port when somebody runs on a non-standard port or two members share a host.
bool ShowPorts(const std::vector<MemberInfo>& members) {
  std::set<std::string> hosts;
  size_t with_host = 0;
  bool odd_port = false;
  for (const MemberInfo& m : members) {
    if (m.host.empty()) continue;
    ++with_host;
    hosts.insert(m.host);
    odd_port = odd_port || (m.port && *m.port != kDefaultPostgresPort);
  }
  return odd_port || hosts.size() < with_host;
}

struct Columns {
  bool pending = false;
  bool scheduled = false;
  bool tags = false;
};

Columns OptionalColumns(const std::vector<MemberInfo>& members, bool extended) {
  Columns c{extended, extended, extended};
  for (const MemberInfo& m : members) {
    c.pending = c.pending || m.pending_restart;
    c.scheduled = c.scheduled || !m.scheduled_restart.empty();
    c.tags = c.tags || !m.tags.is_null();
  }
  return c;
}

std::vector<Json> Row(const std::string& cluster, const MemberInfo& m, const std::string& name,
                      bool show_port, const Columns& extra) {
  std::string host = m.host;
  if (show_port && !host.empty() && m.port) absl::StrAppend(&host, ":", *m.port);
  std::vector<Json> row = {cluster, name, host, RoleTitle(m.role), m.state, m.timeline, m.lag};
  if (extra.pending) row.push_back(m.pending_restart ? "*" : "");
  if (extra.scheduled) row.push_back(m.scheduled_restart);
  if (extra.tags) row.push_back(m.tags.is_null() ? Json("") : m.tags);
  return row;
}

std::string InitializeText(const ClusterView& view) {
  if (!view.initialize) return "uninitialized";
  if (*view.initialize == 0) return "initializing";
  return absl::StrCat(*view.initialize);
}

// Python's isoformat() of a UTC time: microseconds only when there are any.
std::string IsoTime(absl::Time time) {
  const bool whole = absl::ToUnixMicros(time) % 1'000'000 == 0;
  return absl::FormatTime(whole ? "%Y-%m-%dT%H:%M:%S+00:00" : "%Y-%m-%dT%H:%M:%E6S+00:00", time,
                          absl::UTCTimeZone());
}

// The lines under the table: maintenance mode and a scheduled switchover.
std::string ServiceInfo(const ClusterView& view) {
  std::vector<std::string> info;
  if (view.config.pause) info.push_back("Maintenance mode: on");
  if (view.failover && view.failover->scheduled_at) {
    std::string line = "Switchover scheduled at: " + IsoTime(*view.failover->scheduled_at);
    if (!view.failover->leader.empty()) {
      absl::StrAppend(&line, absl::StrFormat("\n%24s: %s", "from", view.failover->leader));
    }
    if (!view.failover->candidate.empty()) {
      absl::StrAppend(&line, absl::StrFormat("\n%24s: %s", "to", view.failover->candidate));
    }
    info.push_back(line);
  }
  if (info.empty()) return "";
  return " " + absl::StrJoin(info, "\n ") + "\n";
}

}  // namespace

std::string FormatMembers(const ClusterView& view, const std::string& cluster_name,
                          const std::string& format, bool extended) {
  const std::vector<MemberInfo> members = DescribeMembers(view);
  const Columns extra = OptionalColumns(members, extended);
  const bool show_port = ShowPorts(members);
  Output output;
  output.columns = {"Cluster", "Member", "Host", "Role", "State", "TL", "Lag in MB"};
  if (extra.pending) output.columns.push_back("Pending restart");
  if (extra.scheduled) output.columns.push_back("Scheduled restart");
  if (extra.tags) output.columns.push_back("Tags");
  output.right_aligned = {"TL", "Lag in MB"};
  output.title = absl::StrCat(" Cluster: ", cluster_name, " (", InitializeText(view), ") ");
  if (format == "topology") {
    for (const auto& [depth, m] : Topology(members).Order()) {
      const std::string indent =
          depth > 0 ? std::string(static_cast<size_t>(depth - 1) * 2, ' ') + "+ " : "";
      output.rows.push_back(Row(cluster_name, *m, indent + m->name, show_port, extra));
    }
  } else {
    for (const MemberInfo& m : members) {
      output.rows.push_back(Row(cluster_name, m, m.name, show_port, extra));
    }
  }
  std::string text = FormatOutput(output, format);
  if (format == "pretty" || format == "topology") text += ServiceInfo(view);
  return text;
}

}  // namespace warden::ctl
