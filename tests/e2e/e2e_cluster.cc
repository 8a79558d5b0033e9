// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/e2e/e2e_cluster.h"

#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libpq-fe.h"
#include "tests/common/http_status.h"

namespace warden::test {
namespace {

namespace fs = std::filesystem;

constexpr char kSuperuser[] = "admin";
constexpr char kSuperuserPassword[] = "e2e-admin";

// Patroni replaces the configured hosts by the client URLs etcd advertises (member list)
// unless told they are proxies: without this it would bypass the node's TcpProxy instances,
// reaching etcd by another path than warden does and staying connected through CutFromDcs.
// warden-agent never discovers members (it warns that the setting is ignored, and gets it only
// with same_yaml).
std::string PatroniOnlyEtcdYaml(const E2eClusterOptions& o) {
  return o.agent == AgentKind::kPatroni || o.same_yaml ? "  use_proxies: true\n" : "";
}

std::string InitdbYaml(const E2eClusterOptions& o) {
  return o.initdb_yaml.empty() ? "  - encoding: UTF8\n  - data-checksums\n" : o.initdb_yaml;
}

// restapi's certificate lines and the ctl section naming its CA, for `cert` (none when empty).
std::string TlsYaml(const std::string& cert, const std::string& key) {
  if (cert.empty()) return "";
  return absl::StrCat("  certfile: ", cert, "\n  keyfile: ", key, "\n");
}

std::string Yaml(const E2eClusterOptions& o, const std::string& name, const std::string& dir,
                 const std::string& etcd, int rest_port, int pg_port, const std::string& tags,
                 const std::string& cert, const std::string& key) {
  return absl::StrCat(R"(scope: e2e
name: )",
                      name, R"(
restapi:
  listen: 127.0.0.1:)",
                      rest_port, R"(
  connect_address: 127.0.0.1:)",
                      rest_port, "\n", TlsYaml(cert, key), o.restapi_yaml, R"(etcd3:
  hosts: )",
                      etcd, "\n", PatroniOnlyEtcdYaml(o), R"(bootstrap:
  dcs:
    ttl: )",
                      o.ttl_seconds, R"(
    loop_wait: )",
                      o.loop_wait_seconds, R"(
    retry_timeout: )",
                      o.retry_timeout_seconds, R"(
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
)",
                      o.dcs_postgresql_yaml, o.extra_dcs_yaml, R"(
  initdb:
)",
                      InitdbYaml(o), R"(  pg_hba:
  - host replication replicator 127.0.0.1/32 md5
  - host all all 127.0.0.1/32 md5
postgresql:
  listen: 127.0.0.1:)",
                      pg_port, R"(
  connect_address: 127.0.0.1:)",
                      pg_port, R"(
  data_dir: )",
                      dir, R"(/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: )",
                      dir, R"(/pgpass
  authentication:
    replication:
      username: replicator
      password: e2e-replicator
    superuser:
      username: )",
                      kSuperuser, R"(
      password: )",
                      kSuperuserPassword, R"(
  parameters:
    max_wal_senders: 10
    wal_log_hints: on
tags:
)",
                      tags.empty() ? "  {}\n" : tags,
                      cert.empty() ? "" : absl::StrCat("ctl:\n  cacert: ", cert, "\n"),
                      o.extra_yaml);
}

std::string ConninfoFor(int port) {
  return absl::StrCat("host=127.0.0.1 port=", port, " dbname=postgres user=", kSuperuser,
                      " password=", kSuperuserPassword, " connect_timeout=3");
}

}  // namespace

absl::StatusOr<std::unique_ptr<E2eCluster>> E2eCluster::Start(E2eClusterOptions options) {
  std::unique_ptr<E2eCluster> cluster(new E2eCluster(std::move(options)));
  if (absl::Status s = cluster->Init(); !s.ok()) return s;
  return cluster;
}

absl::Status E2eCluster::Init() {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> etcd =
      EtcdCluster::Start({.members = options_.etcd_members});
  if (!etcd.ok()) return etcd.status();
  etcd_ = *std::move(etcd);
  std::string pattern = (fs::temp_directory_path() / "warden-e2e-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  dir_ = pattern;
  ::chmod(dir_.c_str(), 0755);  // PostgreSQL runs as postgres below it
  if (options_.rest_tls) {
    // The HAProxy config checks over plain http.
    if (options_.haproxy) return absl::InvalidArgumentError("rest_tls with haproxy is not set up");
    if (absl::Status s = MakeRestCertificate(); !s.ok()) return s;
  }
  for (int i = 0; i < options_.nodes; ++i) {
    const std::string tags = i < static_cast<int>(options_.tags.size()) ? options_.tags[i] : "";
    if (absl::StatusOr<int> added = AddNode(tags); !added.ok()) return added.status();
  }
  if (options_.haproxy) {
    if (absl::Status s = StartHaproxy(); !s.ok()) return s;
  }
  if (!options_.start_agents) return absl::OkStatus();
  return StartAll();
}

absl::StatusOr<int> E2eCluster::AddNode(const std::string& tags) {
  const passwd* postgres = ::getpwnam("postgres");
  if (postgres == nullptr) return absl::FailedPreconditionError("no OS user postgres");
  Node node;
  node.name = absl::StrCat("n", nodes_.size() + 1);
  node.dir = absl::StrCat(dir_, "/", node.name);
  node.data_dir = node.dir + "/data";
  node.config = node.dir + ".yml";
  node.rest_port = FreePort();
  node.pg_port = FreePort();
  std::vector<std::string> endpoints;
  for (int m = 0; m < etcd_->size(); ++m) {
    const std::string member = etcd_->ClientEndpoint(m);
    int port = 0;
    if (!absl::SimpleAtoi(member.substr(member.rfind(':') + 1), &port)) {
      return absl::InternalError(absl::StrCat("bad etcd endpoint ", member));
    }
    absl::StatusOr<std::unique_ptr<TcpProxy>> proxy = TcpProxy::Start(port);
    if (!proxy.ok()) return proxy.status();
    endpoints.push_back((*proxy)->endpoint());
    node.etcd_proxies.push_back(*std::move(proxy));
  }
  fs::create_directories(node.dir);
  if (::chown(node.dir.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
    return absl::InternalError("chown failed");
  }
  std::ofstream(node.config) << Yaml(options_, node.name, node.dir, absl::StrJoin(endpoints, ","),
                                     node.rest_port, node.pg_port, tags, rest_cert_, rest_key_);
  nodes_.push_back(std::move(node));
  return size() - 1;
}

absl::Status E2eCluster::StartAll() {
  if (!options_.race_bootstrap) {
    if (absl::Status s = StartAgent(0); !s.ok()) return s;
    if (!WaitFor([&] { return Http(0, "GET", "/primary") == 200; }, absl::Seconds(60))) {
      return absl::DeadlineExceededError(absl::StrCat("n1 did not bootstrap: ", LogTail(0)));
    }
  }
  for (int i = options_.race_bootstrap ? 0 : 1; i < size(); ++i) {
    if (absl::Status s = StartAgent(i); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status E2eCluster::StartHaproxy() {
  std::vector<HaproxyBackend> backends;
  for (const Node& n : nodes_) {
    backends.push_back({.name = n.name, .pg_port = n.pg_port, .rest_port = n.rest_port});
  }
  absl::StatusOr<std::unique_ptr<Haproxy>> haproxy =
      Haproxy::Start(backends, {.check_interval_ms = 500, .fall = 2, .rise = 1, .dir = dir_});
  if (!haproxy.ok()) return haproxy.status();
  haproxy_ = *std::move(haproxy);
  return absl::OkStatus();
}

E2eCluster::~E2eCluster() {
  for (int i = 0; i < size(); ++i) {
    ResumeAgent(i);  // a stopped process group ignores nothing but SIGKILL; be thorough
    KillAgent(i, /*with_postgres=*/true);
  }
  haproxy_.reset();
  if (std::getenv("WARDEN_E2E_KEEP") != nullptr) {  // for a post-mortem of the logs
    std::fprintf(stderr, "e2e: kept %s\n", dir_.c_str());
    return;
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

absl::Status E2eCluster::StartAgent(int node) {
  Node& n = nodes_[node];
  pg_internal::Command command;
  command.argv = {WARDEN_AGENT_BIN, n.config};
  if (options_.agent == AgentKind::kPatroni) {
    // Patroni runs PostgreSQL as its own user; warden-agent switches users itself.
    command.argv = {"/usr/bin/patroni", n.config};
    command.run_as_user = "postgres";
  }
  command.stdout_file = n.dir + ".log";
  // Nothing else from the test's environment: a PGPASSWORD there would break replication logins.
  command.env["PATH"] = "/usr/bin:/bin";
  absl::StatusOr<std::unique_ptr<pg_internal::ChildProcess>> child =
      pg_internal::ChildProcess::Spawn(command, /*die_with_parent=*/true);
  if (!child.ok()) return child.status();
  n.agent = *std::move(child);
  return absl::OkStatus();
}

absl::Status E2eCluster::StopAgent(int node, absl::Duration timeout) {
  Node& n = nodes_[node];
  if (n.agent == nullptr) return absl::OkStatus();
  (void)n.agent->Signal(SIGTERM);
  if (!n.agent->WaitForExit(absl::Now() + timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(n.name, " did not stop: ", LogTail(node)));
  }
  n.agent.reset();
  return absl::OkStatus();
}

void E2eCluster::KillAgent(int node, bool with_postgres) {
  Node& n = nodes_[node];
  n.agent.reset();  // the destructor SIGKILLs its process group and reaps it
  if (with_postgres) KillPostmaster(node);
}

void E2eCluster::KillPostmaster(int node) {
  if (const int pid = PostmasterPid(node); pid > 1) ::kill(pid, SIGKILL);
}

int E2eCluster::PostmasterPid(int node) const {
  std::ifstream pid_file(nodes_[node].data_dir + "/postmaster.pid");
  std::string line;
  int pid = 0;
  if (std::getline(pid_file, line) && absl::SimpleAtoi(line, &pid)) return pid;
  return 0;
}

int E2eCluster::AgentPid(int node) const {
  return nodes_[node].agent != nullptr ? nodes_[node].agent->pid() : 0;
}

void E2eCluster::PauseAgent(int node) {
  if (nodes_[node].agent != nullptr) (void)nodes_[node].agent->Signal(SIGSTOP);
}

void E2eCluster::ResumeAgent(int node) {
  if (nodes_[node].agent != nullptr) (void)nodes_[node].agent->Signal(SIGCONT);
}

bool E2eCluster::AgentRunning(int node) {
  return nodes_[node].agent != nullptr && nodes_[node].agent->Running();
}

std::optional<int> E2eCluster::AgentExitCode(int node) {
  if (nodes_[node].agent == nullptr || nodes_[node].agent->Running()) return std::nullopt;
  return nodes_[node].agent->ExitCode();
}

void E2eCluster::CutFromDcs(int node) {
  for (const std::unique_ptr<TcpProxy>& proxy : nodes_[node].etcd_proxies) proxy->Cut();
}

void E2eCluster::HealDcs(int node) {
  for (const std::unique_ptr<TcpProxy>& proxy : nodes_[node].etcd_proxies) proxy->Heal();
}

absl::StatusOr<std::string> E2eCluster::Wardenctl(const std::vector<std::string>& args) const {
  pg_internal::Command command;
  // Straight to etcd, not through n1's proxies: the test's view survives n1 being cut off.
  command.argv = {WARDENCTL_BIN, "-c", nodes_[0].config, "--dcs",
                  absl::StrCat("etcd3://", absl::StrJoin(etcd_->ClientEndpoints(), ","))};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  absl::StatusOr<pg_internal::CommandResult> result =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(60));
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::UnknownError(absl::StrCat("wardenctl ", absl::StrJoin(args, " "), " exited ",
                                           result->exit_code, ": ", result->output));
  }
  return result->output;
}

absl::StatusOr<std::string> E2eCluster::RunAsPostgres(const std::vector<std::string>& argv) {
  pg_internal::Command command;
  command.argv = argv;
  command.run_as_user = "postgres";
  absl::StatusOr<pg_internal::CommandResult> result =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(120));
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    return absl::UnknownError(
        absl::StrCat(argv[0], " exited ", result->exit_code, ": ", result->output));
  }
  return result->output;
}

int E2eCluster::Http(int node, const std::string& method, const std::string& path,
                     const std::string& body) const {
  return HttpExchange(rest_endpoint(node), method, path, body).status;
}

RestEndpoint E2eCluster::rest_endpoint(int node) const {
  return RestEndpoint{.base_url = absl::StrCat(rest_cert_.empty() ? "http" : "https",
                                               "://127.0.0.1:", rest_port(node)),
                      .cacert = rest_cert_};
}

// One self-signed certificate for every node (they all listen on 127.0.0.1), readable by the OS
// user postgres that Patroni runs as.
absl::Status E2eCluster::MakeRestCertificate() {
  rest_cert_ = dir_ + "/rest-cert.pem";
  rest_key_ = dir_ + "/rest-key.pem";
  pg_internal::Command command;
  command.argv = {"/usr/bin/openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "ec",
                  "-pkeyopt",
                  "ec_paramgen_curve:prime256v1",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=127.0.0.1",
                  "-addext",
                  "subjectAltName=IP:127.0.0.1",
                  "-keyout",
                  rest_key_,
                  "-out",
                  rest_cert_};
  absl::StatusOr<pg_internal::CommandResult> made =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(30));
  if (!made.ok()) return made.status();
  if (made->exit_code != 0) return absl::InternalError("openssl req failed: " + made->output);
  ::chmod(rest_key_.c_str(), 0644);
  return absl::OkStatus();
}

std::string E2eCluster::Conninfo(int node) const { return ConninfoFor(pg_port(node)); }

std::string E2eCluster::WriteConninfo() const {
  return haproxy_ == nullptr ? "" : ConninfoFor(haproxy_->write_port());
}

absl::StatusOr<std::string> E2eCluster::Sql(int node, const std::string& sql) const {
  return SqlAt(Conninfo(node), sql);
}

absl::StatusOr<std::string> E2eCluster::SqlAt(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(error);
  }
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string value;
  absl::Status error;
  if (status == PGRES_TUPLES_OK && PQntuples(result) > 0) {
    value = PQgetvalue(result, 0, 0);
  } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    error = absl::FailedPreconditionError(PQresultErrorMessage(result));
  }
  PQclear(result);
  PQfinish(conn);
  if (!error.ok()) return error;
  return value;
}

int E2eCluster::Primary() const {
  int primary = -1;
  for (int i = 0; i < size(); ++i) {
    if (Http(i, "GET", "/primary") != 200) continue;
    if (primary >= 0) return -1;
    primary = i;
  }
  return primary;
}

bool E2eCluster::WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

bool E2eCluster::HoldsFor(const std::function<bool()>& invariant, absl::Duration duration) {
  const absl::Time end = absl::Now() + duration;
  while (absl::Now() < end) {
    if (!invariant()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::vector<int> E2eCluster::WritableNodes() const {
  std::vector<int> writable;
  for (int i = 0; i < size(); ++i) {
    absl::StatusOr<std::string> recovery = Sql(i, "SELECT pg_is_in_recovery()");
    if (recovery.ok() && *recovery == "f") writable.push_back(i);
  }
  return writable;
}

bool E2eCluster::Healthy() const {
  const int primary = Primary();
  if (primary < 0) return false;
  int others = 0;
  for (int i = 0; i < size(); ++i) {
    if (i == primary || nodes_[i].agent == nullptr) continue;
    if (Http(i, "GET", "/replica") != 200) return false;  // its agent must know it, too
    ++others;
  }
  absl::StatusOr<std::string> streaming =
      Sql(primary, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'");
  return streaming.ok() && *streaming == std::to_string(others);
}

std::string E2eCluster::LogTail(int node, size_t bytes) const {
  std::ifstream log(nodes_[node].dir + ".log");
  std::stringstream text;
  text << log.rdbuf();
  const std::string all = text.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

std::string E2eCluster::Logs() const {
  std::string logs;
  for (int i = 0; i < size(); ++i) absl::StrAppend(&logs, "--- ", name(i), "\n", LogTail(i));
  return logs;
}

}  // namespace warden::test
