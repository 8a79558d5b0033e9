// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// LocalController: the Controller for a PostgreSQL node on this machine, driving initdb,
// pg_basebackup, pg_rewind, pg_controldata and pg_ctl from `bin_dir`, and libpq for SQL.
//
// - The postmaster runs as this process's own child, so its death is seen at once (waitpid),
//   never hidden behind a zombie that looks alive to kill(0) or pg_ctl.
// - When this process runs as root, PostgreSQL and every tool run as `os_user` (postgres).
// - Passwords reach libpq and the tools through a pgpass file with mode 0600, never on a command
//   line, in the environment or in a log.
// - warden writes its settings to `warden.conf` in the data directory (included from
//   postgresql.conf); everything else in the data directory stays the administrator's.

#ifndef WARDEN_PG_LOCAL_CONTROLLER_H_
#define WARDEN_PG_LOCAL_CONTROLLER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/pg/controller.h"

namespace warden {

struct LocalControllerOptions {
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  std::string data_dir;
  // Where the server listens and how other nodes reach it.
  std::string listen_host = "127.0.0.1";
  int port = 5432;
  // The unix socket directory; also where this controller connects. Empty: the directory that
  // holds data_dir (beside the pgpass and log files). Never data_dir itself: pg_rewind copies
  // every file of the source's data directory and fails on a socket there.
  std::string socket_dir;
  // The OS user PostgreSQL runs as when this process is root. Ignored otherwise.
  std::string os_user = "postgres";
  // This node's name: its application_name on the primary, as Patroni uses the member name.
  std::string name;
  // PostgreSQL's cluster_name (in ps output and log lines). Empty: `name`. The agent's config
  // loader sets the scope, as Patroni does.
  std::string cluster_name;
  PgUser superuser{"postgres", ""};
  PgUser replication{"replicator", ""};
  // The pgpass file this controller writes (mode 0600, owned by the OS user). Empty:
  // <data_dir>/../<name>.pgpass.
  std::string pgpass_path;
  // pg_hba.conf as Patroni writes it. `pg_hba` (postgresql.pg_hba) is the whole file when set:
  // written at bootstrap and before every start. Otherwise the file is initdb's, with
  // `bootstrap_pg_hba` (bootstrap.pg_hba) appended at bootstrap. initdb's own lines use
  // scram-sha-256 unless BootstrapOptions::initdb_args choose a method (auth, auth-local,
  // auth-host), which then decide alone, as in Patroni. warden itself connects as the superuser
  // over the unix socket, and replicas as the replication user over TCP: the lines must admit
  // both; Bootstrap and Clone say which line is missing when they do not.
  std::vector<std::string> pg_hba;
  std::vector<std::string> bootstrap_pg_hba;
  // postgresql.conf parameters (postgresql.parameters in patroni.yml).
  std::map<std::string, std::string> parameters;
  // Where the server's log goes. Empty: <data_dir>/../<name>.log.
  std::string log_file;
};

// Checks the options (bin_dir has the tools, data_dir and name are set, the OS user exists when
// running as root) and returns a controller. Nothing is started.
absl::StatusOr<std::unique_ptr<Controller>> NewLocalController(LocalControllerOptions options);

}  // namespace warden

#endif  // WARDEN_PG_LOCAL_CONTROLLER_H_
