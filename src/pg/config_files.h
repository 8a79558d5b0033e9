// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The files warden writes into (or next to) a data directory: warden.conf (its settings,
// included from postgresql.conf), pg_hba.conf at bootstrap, the pgpass file, standby.signal.

#ifndef WARDEN_SRC_PG_CONFIG_FILES_H_
#define WARDEN_SRC_PG_CONFIG_FILES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "warden/pg/controller.h"
#include "warden/pg/local_controller.h"

namespace warden::pg_internal {

// Quotes a value for postgresql.conf: 'it''s'.
std::string ConfQuote(const std::string& value);
// Quotes a SQL literal and an identifier.
std::string SqlLiteral(const std::string& value);
std::string SqlIdentifier(const std::string& value);

// libpq connection string for streaming from `upstream` as the replication user.
std::string PrimaryConninfo(const LocalControllerOptions& options, const Upstream& upstream,
                            const std::string& pgpass_path);

// The whole text of warden.conf.
std::string WardenConf(const LocalControllerOptions& options, const std::string& socket_dir,
                       const std::optional<Upstream>& upstream, const std::string& pgpass_path,
                       const std::string& synchronous_standby_names);

// pg_hba.conf as Patroni writes it: exactly options.pg_hba when it is set (postgresql.pg_hba);
// otherwise what initdb wrote (`initdb_hba`) with options.bootstrap_pg_hba appended
// (bootstrap.pg_hba), after an empty line.
std::string PgHba(const LocalControllerOptions& options, const std::string& initdb_hba);

// Whether initdb's arguments choose an authentication method (-A, --auth, --auth-local,
// --auth-host): then warden adds none of its own, since initdb derives password_encryption from
// them (md5 there makes warden's scram-sha-256 logins fail).
bool HasInitdbAuthArgument(const std::vector<std::string>& initdb_args);

// The pgpass file: the superuser and the replication user, on any host.
std::string Pgpass(const LocalControllerOptions& options);

// The line that makes postgresql.conf include warden.conf.
inline constexpr char kIncludeLine[] = "include_if_exists = 'warden.conf'";

}  // namespace warden::pg_internal

#endif  // WARDEN_SRC_PG_CONFIG_FILES_H_
