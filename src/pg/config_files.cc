// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/pg/config_files.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace warden::pg_internal {
namespace {

// pgpass fields escape ':' and '\'.
std::string PgpassField(const std::string& value) {
  return absl::StrReplaceAll(value, {{"\\", "\\\\"}, {":", "\\:"}});
}

// Conninfo values in single quotes, escaping ' and \.
std::string ConninfoValue(const std::string& value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"\\", "\\\\"}, {"'", "\\'"}}), "'");
}

}  // namespace

std::string ConfQuote(const std::string& value) {
  return absl::StrCat("'", absl::StrReplaceAll(value, {{"'", "''"}}), "'");
}

std::string SqlLiteral(const std::string& value) { return ConfQuote(value); }

std::string SqlIdentifier(const std::string& value) {
  return absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\"\""}}), "\"");
}

std::string PrimaryConninfo(const LocalControllerOptions& options, const Upstream& upstream,
                            const std::string& pgpass_path) {
  return absl::StrCat("host=", ConninfoValue(upstream.host), " port=", upstream.port,
                      " user=", ConninfoValue(options.replication.name),
                      " application_name=", ConninfoValue(options.name),
                      " passfile=", ConninfoValue(pgpass_path), " connect_timeout=5");
}

std::string WardenConf(const LocalControllerOptions& options, const std::string& socket_dir,
                       const std::optional<Upstream>& upstream, const std::string& pgpass_path,
                       const std::string& synchronous_standby_names) {
  // Defaults first, then the configured parameters, then what only warden decides: it needs
  // them to reach, replicate and fence this server (the last setting of a name counts).
  std::map<std::string, std::string> settings = {
      {"wal_level", "replica"},
      {"max_wal_senders", "10"},
      {"max_replication_slots", "10"},
      {"wal_keep_size", "'128MB'"},
      // PostgreSQL's default, but written on every node, as Patroni writes it on replicas and
      // keeps it after a promotion: the setting needs a restart, and a promotion that dropped it
      // would leave the new primary pending one.
      {"recovery_target_timeline", "'latest'"},
  };
  for (const auto& [name, value] : options.parameters) settings[name] = ConfQuote(value);
  settings["listen_addresses"] = ConfQuote(options.listen_host);
  settings["port"] = std::to_string(options.port);
  settings["unix_socket_directories"] = ConfQuote(socket_dir);
  settings["cluster_name"] =
      ConfQuote(options.cluster_name.empty() ? options.name : options.cluster_name);
  settings["hot_standby"] = "on";
  settings["wal_log_hints"] = "on";  // pg_rewind needs it (or checksums)
  settings["synchronous_standby_names"] = ConfQuote(synchronous_standby_names);
  settings.erase("primary_conninfo");
  settings.erase("primary_slot_name");
  if (upstream.has_value()) {
    settings["primary_conninfo"] = ConfQuote(PrimaryConninfo(options, *upstream, pgpass_path));
    settings["primary_slot_name"] = ConfQuote(upstream->slot_name);
  }
  std::string out =
      "# Written by warden: changes here are overwritten. Set parameters in warden's "
      "configuration.\n";
  for (const auto& [name, value] : settings) absl::StrAppend(&out, name, " = ", value, "\n");
  return out;
}

std::string PgHba(const LocalControllerOptions& options, const std::string& initdb_hba) {
  std::string out;
  if (!options.pg_hba.empty()) {
    for (const std::string& line : options.pg_hba) absl::StrAppend(&out, line, "\n");
    return out;
  }
  out = initdb_hba;
  if (options.bootstrap_pg_hba.empty()) return out;
  absl::StrAppend(&out, "\n");
  for (const std::string& line : options.bootstrap_pg_hba) absl::StrAppend(&out, line, "\n");
  return out;
}

bool HasInitdbAuthArgument(const std::vector<std::string>& initdb_args) {
  for (const std::string& arg : initdb_args) {
    if (absl::StartsWith(arg, "-A") || absl::StartsWith(arg, "--auth")) return true;
  }
  return false;
}

std::string Pgpass(const LocalControllerOptions& options) {
  return absl::StrCat("*:*:*:", PgpassField(options.superuser.name), ":",
                      PgpassField(options.superuser.password), "\n",
                      "*:*:*:", PgpassField(options.replication.name), ":",
                      PgpassField(options.replication.password), "\n");
}

}  // namespace warden::pg_internal
