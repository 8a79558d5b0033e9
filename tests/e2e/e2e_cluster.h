// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// E2eCluster: real components on loopback for end-to-end scenarios: an etcd (EtcdCluster), N
// warden-agent processes with generated patroni.yml files (free ports, a temp dir, PostgreSQL 15
// run as `postgres`), each agent's REST API and PostgreSQL reachable from the test. Everything
// it started is stopped by pid when it goes, even when a test fails: agents are SIGKILLed and
// their postmasters (which outlive a killed agent, as in production) are killed from their
// postmaster.pid.

#ifndef WARDEN_TESTS_E2E_E2E_CLUSTER_H_
#define WARDEN_TESTS_E2E_E2E_CLUSTER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "src/pg/subprocess.h"
#include "tests/etcd/etcd_cluster.h"

namespace warden::test {

struct E2eClusterOptions {
  int nodes = 3;
  int ttl_seconds = 10;
  int loop_wait_seconds = 2;
  int retry_timeout_seconds = 3;
  // Extra lines under bootstrap.dcs (YAML, indented by the caller to 4 spaces).
  std::string extra_dcs_yaml = {};
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
  int pg_port(int node) const { return nodes_[node].pg_port; }
  const std::string& config_path(int node) const { return nodes_[node].config; }

  // (Re)starts a node's agent.
  absl::Status StartAgent(int node);
  // SIGTERM and wait for the agent to exit (a leader hands over).
  absl::Status StopAgent(int node, absl::Duration timeout = absl::Seconds(30));
  // SIGKILL the agent, and its postmaster too with `with_postgres`.
  void KillAgent(int node, bool with_postgres);

  // The HTTP status of `method path` on the node's REST API (0 if it did not answer).
  int Http(int node, const std::string& method, const std::string& path,
           const std::string& body = "") const;
  // Runs SQL as the superuser on the node; the first column of the first row, if any.
  absl::StatusOr<std::string> Sql(int node, const std::string& sql) const;

  // The node whose /primary answers 200, or -1 when none or more than one does.
  int Primary() const;
  // Polls `done` every 100 ms until it holds or `timeout` passes (external processes give no
  // events to wait on).
  static bool WaitFor(const std::function<bool()>& done, absl::Duration timeout);
  // One primary and every other running node streaming from it (pg_stat_replication) and
  // answering 200 on /replica.
  bool Healthy() const;

  std::string LogTail(int node) const;

 private:
  struct Node {
    std::string name;
    std::string dir;
    std::string config;
    int rest_port = 0;
    int pg_port = 0;
    std::unique_ptr<pg_internal::ChildProcess> agent;
  };
  explicit E2eCluster(E2eClusterOptions options) : options_(std::move(options)) {}
  absl::Status Init();
  void KillPostmaster(int node);

  const E2eClusterOptions options_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::string dir_;
  std::vector<Node> nodes_;
};

}  // namespace warden::test

#endif  // WARDEN_TESTS_E2E_E2E_CLUSTER_H_
