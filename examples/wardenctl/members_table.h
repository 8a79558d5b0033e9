// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// patronictl's output_members(): the members of a cluster as `list` and `topology` (and
// switchover, restart, ...) show them, in Patroni 3.0's columns and wording:
//
//   + Cluster: demo (7218046306071193898) -+---------+----+-----------+
//   | Member | Host     | Role         | State     | TL | Lag in MB |
//   +--------+----------+--------------+-----------+----+-----------+
//   | node1  | 10.0.0.1 | Leader       | running   |  3 |           |
//   | node2  | 10.0.0.2 | Sync Standby | streaming |  3 |         0 |
//   +--------+----------+--------------+-----------+----+-----------+
//    Maintenance mode: on
//
// Host is the conn_url's host, with ":port" when a member runs off 5432 or two share a host.
// Lag in MB is the leader's last known WAL position (the status key's optime, else the leader
// member's xlog_location) minus the member's, rounded; "unknown" when the member publishes none.

#ifndef WARDEN_EXAMPLES_WARDENCTL_MEMBERS_TABLE_H_
#define WARDEN_EXAMPLES_WARDENCTL_MEMBERS_TABLE_H_

#include <string>

#include "warden/core/cluster.h"

namespace warden::ctl {

// `format`: pretty, topology (replicas indented under their upstream), tsv, json, yaml.
// `extended` always shows the Pending restart, Scheduled restart and Tags columns, which are
// otherwise shown only when some member has one.
std::string FormatMembers(const ClusterView& view, const std::string& cluster_name,
                          const std::string& format, bool extended);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_MEMBERS_TABLE_H_
