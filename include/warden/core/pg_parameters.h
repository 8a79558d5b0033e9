// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The postgresql.conf parameters a member runs with, from the cluster's config key
// (postgresql.parameters there: bootstrap.dcs, `edit-config -p`, PATCH /config) and the member's
// own postgresql.parameters, by Patroni's rules (config.py's _build_effective_configuration and
// ConfigHandler.CMDLINE_OPTIONS):
//
// - Some parameters must be the same on every member, because a replica cannot replay WAL from a
//   primary with higher values (max_connections, max_worker_processes, max_wal_senders,
//   max_prepared_transactions, max_locks_per_transaction, ...) or because replication needs them
//   (wal_level, max_replication_slots, wal_keep_size). They start at Patroni's defaults, take the
//   cluster's value where it passes Patroni's check (max_connections >= 25, ...), and are never
//   taken from a member's own section.
// - listen_addresses, port, cluster_name, hot_standby and wal_log_hints are warden's, as in
//   Patroni, and so are unix_socket_directories, synchronous_standby_names, primary_conninfo and
//   primary_slot_name (Patroni manages the last three too, and lets a user move the socket):
//   taken from neither section.
// - Every other parameter: the cluster's, overridden by the member's own.
//
// Names are case-insensitive in PostgreSQL; they are compared and returned in lower case.

#ifndef WARDEN_CORE_PG_PARAMETERS_H_
#define WARDEN_CORE_PG_PARAMETERS_H_

#include <map>
#include <string>
#include <vector>

namespace warden {

// The effective parameters, as postgresql.conf text values. Each parameter left out is named in
// `ignored` (may be null) with the reason, e.g. "postgresql.parameters.max_connections: ...".
std::map<std::string, std::string> EffectivePostgresParameters(
    const std::map<std::string, std::string>& cluster,
    const std::map<std::string, std::string>& local, std::vector<std::string>* ignored);

// Whether a member's own postgresql.parameters.`name` is left out: one every member must share,
// or one warden sets itself.
bool IsLocalParameterIgnored(const std::string& name);

}  // namespace warden

#endif  // WARDEN_CORE_PG_PARAMETERS_H_
