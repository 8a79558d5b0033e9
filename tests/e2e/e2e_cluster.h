// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// E2eCluster: real components on loopback for end-to-end scenarios: an etcd of 1 or 3 members
// (EtcdCluster), N warden-agent processes with generated patroni.yml files (free ports, a temp
// dir, PostgreSQL 15 run as `postgres`), optionally HAProxy in front with the users'
// health-check configuration. Each agent reaches etcd through TcpProxy instances of its own, so
// a test can cut one node off from the DCS alone. Everything it started is stopped by pid when it
// goes, even when a test fails: agents are SIGKILLed and their postmasters (which outlive a
// killed agent, as in production) are killed from their postmaster.pid.

#ifndef WARDEN_TESTS_E2E_E2E_CLUSTER_H_
#define WARDEN_TESTS_E2E_E2E_CLUSTER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/pg/subprocess.h"
#include "tests/common/http_status.h"
#include "tests/e2e/haproxy.h"
#include "tests/e2e/tcp_proxy.h"
#include "tests/etcd/etcd_cluster.h"

namespace warden::test {

// Which agent runs each node: warden-agent, or Patroni (/usr/bin/patroni, Debian's 3.0.2, run
// as the OS user postgres) for the side-by-side benchmarks. Both read the same patroni.yml.
enum class AgentKind { kWarden, kPatroni };

struct E2eClusterOptions {
  AgentKind agent = AgentKind::kWarden;
  int nodes = 3;
  int etcd_members = 1;
  int ttl_seconds = 8;
  int loop_wait_seconds = 2;
  int retry_timeout_seconds = 3;
  // Extra lines under bootstrap.dcs (YAML, indented by the caller to 4 spaces).
  std::string extra_dcs_yaml = {};
  // Per node (by index), lines under `tags:` indented by 2, e.g. "  nofailover: true\n".
  std::vector<std::string> tags = {};
  // Start every agent at once (they race for the initialize key). Otherwise n1 starts first
  // and the others once it is primary, so that tests know which node leads.
  bool race_bootstrap = false;
  // Start HAProxy in front of the nodes (checks every 500 ms, fall 2, rise 1).
  bool haproxy = false;
  // The compat tests' knobs (tests/compat/): with `same_yaml`, both agents get byte-for-byte
  // the same patroni.yml (etcd3.use_proxies too, which warden-agent warns it ignores), so that
  // every difference between the clusters is the agents' own.
  bool same_yaml = false;
  // Lines under bootstrap.initdb (YAML list items indented by 2, "  - encoding: UTF8\n"); empty
  // keeps the default (encoding UTF8, data-checksums).
  std::string initdb_yaml = {};
  // Extra lines under bootstrap.dcs.postgresql (indented by 6, "      parameters:\n...").
  std::string dcs_postgresql_yaml = {};
  // Extra lines under restapi (indented by 2, "  authentication:\n...").
  std::string restapi_yaml = {};
  // Extra top-level sections at the end of the file (indented by 0, "ctl:\n  auth: u:p\n").
  std::string extra_yaml = {};
  // Every REST API serves https with a self-signed certificate for 127.0.0.1 made at Start
  // (openssl), named by restapi.certfile and, as the CA, by ctl.cacert; the harness's own calls
  // check it.
  bool rest_tls = false;
  // Start the agents in Start. Without, Start returns with etcd (and HAProxy) up and every
  // node configured but no agent running, so that a benchmark can time a bootstrap from the
  // moment it starts them (StartAgent) rather than from etcd's start.
  bool start_agents = true;
};

class E2eCluster {
 public:
  static absl::StatusOr<std::unique_ptr<E2eCluster>> Start(E2eClusterOptions options = {});
  ~E2eCluster();
  E2eCluster(const E2eCluster&) = delete;
  E2eCluster& operator=(const E2eCluster&) = delete;

  int size() const { return static_cast<int>(nodes_.size()); }
  std::string name(int node) const { return nodes_[node].name; }
  int rest_port(int node) const { return nodes_[node].rest_port; }
  // How the harness reaches a node's REST API: http or https, with the CA to check it by.
  RestEndpoint rest_endpoint(int node) const;
  int pg_port(int node) const { return nodes_[node].pg_port; }
  const std::string& config_path(int node) const { return nodes_[node].config; }
  const std::string& data_dir(int node) const { return nodes_[node].data_dir; }
  EtcdCluster& etcd() { return *etcd_; }
  const EtcdCluster& etcd() const { return *etcd_; }
  // Null unless options.haproxy.
  const Haproxy* haproxy() const { return haproxy_.get(); }

  // Adds a node (not started) with a config like the others'; returns its index.
  absl::StatusOr<int> AddNode(const std::string& tags = "");

  // (Re)starts a node's agent.
  absl::Status StartAgent(int node);
  // SIGTERM and wait for the agent to exit (a leader hands over).
  absl::Status StopAgent(int node, absl::Duration timeout = absl::Seconds(30));
  // SIGKILL the agent, and its postmaster too with `with_postgres`.
  void KillAgent(int node, bool with_postgres);
  // SIGSTOP / SIGCONT the agent (a hung agent: its PostgreSQL runs on).
  void PauseAgent(int node);
  void ResumeAgent(int node);
  // Whether the node's agent process runs; its exit code once it has exited by itself.
  bool AgentRunning(int node);
  std::optional<int> AgentExitCode(int node);
  // The node's postmaster pid from postmaster.pid, or 0.
  int PostmasterPid(int node) const;
  // The pid of the node's agent process (for Patroni the python interpreter), or 0 when none
  // was started; to read its footprint from /proc.
  int AgentPid(int node) const;
  // Cuts the node off from every etcd member (its proxies drop all bytes), or heals that.
  void CutFromDcs(int node);
  void HealDcs(int node);

  // Runs `wardenctl -c <n1's config> args...`; its output on exit status 0.
  absl::StatusOr<std::string> Wardenctl(const std::vector<std::string>& args) const;
  // Runs `command` as the OS user postgres (e.g. initdb); its output on exit status 0.
  static absl::StatusOr<std::string> RunAsPostgres(const std::vector<std::string>& argv);

  // The HTTP status of `method path` on the node's REST API (0 if it did not answer).
  int Http(int node, const std::string& method, const std::string& path,
           const std::string& body = "") const;
  // Runs SQL as the superuser on the node; the first column of the first row, if any.
  absl::StatusOr<std::string> Sql(int node, const std::string& sql) const;
  // libpq connection strings for the superuser: straight to a node, through HAProxy's write port.
  std::string Conninfo(int node) const;
  std::string WriteConninfo() const;
  static absl::StatusOr<std::string> SqlAt(const std::string& conninfo, const std::string& sql);

  // The node whose /primary answers 200, or -1 when none or more than one does.
  int Primary() const;
  // Polls `done` every 100 ms until it holds or `timeout` passes (external processes give no
  // events to wait on).
  static bool WaitFor(const std::function<bool()>& done, absl::Duration timeout);
  // Polls for `duration` and returns false as soon as `invariant` does not hold.
  static bool HoldsFor(const std::function<bool()>& invariant, absl::Duration duration);
  // Nodes whose PostgreSQL accepts connections and is not in recovery, by direct SQL.
  std::vector<int> WritableNodes() const;
  // One primary and every other running node streaming from it (pg_stat_replication) and
  // answering 200 on /replica.
  bool Healthy() const;

  std::string LogTail(int node, size_t bytes = 2000) const;
  // Every agent's log tail, for failure messages.
  std::string Logs() const;

 private:
  struct Node {
    std::string name;
    std::string dir;
    std::string data_dir;
    std::string config;
    int rest_port = 0;
    int pg_port = 0;
    std::vector<std::unique_ptr<TcpProxy>> etcd_proxies;  // one per etcd member
    std::unique_ptr<pg_internal::ChildProcess> agent;
  };
  explicit E2eCluster(E2eClusterOptions options) : options_(std::move(options)) {}
  absl::Status Init();
  absl::Status StartAll();
  absl::Status StartHaproxy();
  absl::Status MakeRestCertificate();
  void KillPostmaster(int node);

  const E2eClusterOptions options_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<Haproxy> haproxy_;
  std::string dir_;
  std::string rest_cert_;  // with rest_tls: the REST APIs' certificate (also their CA) and key
  std::string rest_key_;
  std::vector<Node> nodes_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_E2E_CLUSTER_H_
