// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/compat_config.h"

namespace warden::test {
namespace {

// What every configuration shares: the harness's timing (ttl 8, loop_wait 2, retry_timeout 3,
// which Patroni 3.0.2 accepts) and one YAML for both agents.
E2eClusterOptions Base() {
  E2eClusterOptions options;
  options.same_yaml = true;
  return options;
}

}  // namespace

std::string PointName(Point point) {
  switch (point) {
    case Point::kBootstrap:
      return "bootstrap";
    case Point::kSwitchover:
      return "switchover";
    case Point::kFailover:
      return "failover";
    case Point::kEditConfig:
      return "edit_config";
  }
  return "unknown";
}

CompatConfig DocsStyleConfig() {
  CompatConfig config{.name = "docs_style", .options = Base()};
  config.options.initdb_yaml =
      "  - auth-host: md5\n"
      "  - auth-local: trust\n"
      "  - encoding: UTF8\n"
      "  - data-checksums\n";
  // work_mem differs from the value edit-config sets later, so that the reload shows.
  config.options.dcs_postgresql_yaml =
      "      parameters:\n"
      "        max_connections: 120\n"
      "        work_mem: 16MB\n";
  config.points = {Point::kBootstrap, Point::kSwitchover, Point::kEditConfig};
  return config;
}

CompatConfig TaggedNodesConfig() {
  CompatConfig config{.name = "tagged_nodes", .options = Base()};
  // n1 bootstraps, so it carries the tag that only matters once it is a replica: after the
  // failover it streams from n3, a cascade. n3 may not be promoted, which leaves n2 the only
  // candidate when n1 dies.
  config.options.tags = {
      "  replicatefrom: n3\n",
      "  noloadbalance: true\n  nosync: true\n",
      "  nofailover: true\n",
  };
  config.points = {Point::kBootstrap, Point::kFailover};
  config.failover_target = 1;
  return config;
}

CompatConfig SyncStrictConfig() {
  CompatConfig config{.name = "sync_strict", .options = Base()};
  config.options.extra_dcs_yaml =
      "    synchronous_mode: true\n"
      "    synchronous_mode_strict: true\n";
  // Either replica could be chosen otherwise, and the two agents could choose differently.
  config.options.tags = {"", "", "  nosync: true\n"};
  // Strict mode promotes only the synchronous standby.
  config.points = {Point::kBootstrap, Point::kFailover};
  config.failover_target = 1;
  return config;
}

CompatConfig RestTlsAuthFailsafeConfig() {
  CompatConfig config{.name = "rest_tls_auth_failsafe", .options = Base()};
  config.options.rest_tls = true;
  config.rest_user = "rest";
  config.rest_password = "rest-secret";
  config.options.restapi_yaml =
      "  authentication:\n"
      "    username: rest\n"
      "    password: rest-secret\n";
  config.options.extra_dcs_yaml = "    failsafe_mode: true\n";
  // n3 may not be promoted: after the switchover to n2, n2's death leaves n1 the candidate.
  config.options.tags = {"", "", "  nofailover: true\n"};
  // patronictl's switchover goes through the leader's POST /switchover, over https with the
  // credentials; the leader race probes every member the same way.
  config.points = {Point::kBootstrap, Point::kSwitchover, Point::kFailover};
  config.failover_target = 0;
  return config;
}

std::vector<CompatConfig> AllCompatConfigs() {
  return {DocsStyleConfig(), TaggedNodesConfig(), SyncStrictConfig(), RestTlsAuthFailsafeConfig()};
}

}  // namespace warden::test
