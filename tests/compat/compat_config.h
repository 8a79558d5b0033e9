// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The configurations the compat tests run under both agents, and the points of each run at
// which the two clusters are compared. A configuration is cluster options for the e2e harness
// with `same_yaml` set, so that Patroni and warden-agent read the same patroni.yml.

#ifndef WARDEN_TESTS_COMPAT_COMPAT_CONFIG_H_
#define WARDEN_TESTS_COMPAT_COMPAT_CONFIG_H_

#include <string>
#include <vector>

#include "tests/e2e/e2e_cluster.h"

namespace warden::test {

// What happens to the cluster before a comparison; each point starts from the previous one.
enum class Point {
  kBootstrap,   // n1 bootstrapped, n2 and n3 cloned from it
  kSwitchover,  // `patronictl switchover --force --candidate n2`
  kFailover,    // kill -9 of the primary's agent and postmaster, a new primary, the old rejoins
  kEditConfig,  // `patronictl edit-config -p work_mem=8MB -p max_connections=150`, restart
                // --pending
};

// The name known_differences.yaml uses for a point ("bootstrap", "switchover", ...).
std::string PointName(Point point);

struct CompatConfig {
  std::string name = {};  // known_differences.yaml's `config`
  E2eClusterOptions options = {};
  std::vector<Point> points = {};
  // The node the kFailover point expects to take over (the config's tags leave no choice, so
  // that both agents end in the same state).
  int failover_target = -1;
  // restapi.authentication, also used for the probes of unsafe endpoints; empty without.
  std::string rest_user = {};
  std::string rest_password = {};
};

// Patroni's documentation style: initdb auth and a pg_hba list, cluster-wide parameters.
CompatConfig DocsStyleConfig();
// nofailover, noloadbalance + nosync, replicatefrom (a cascade once the primary changes).
CompatConfig TaggedNodesConfig();
// synchronous_mode_strict with one nosync node, so that the synchronous standby is known.
CompatConfig SyncStrictConfig();
// restapi over https (ctl.cacert names the CA) with basic auth, and failsafe_mode: unsafe
// endpoints want the credentials, and peers probe each other over TLS with them.
CompatConfig RestTlsAuthFailsafeConfig();
// All of the above, in that order.
std::vector<CompatConfig> AllCompatConfigs();

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_COMPAT_CONFIG_H_
