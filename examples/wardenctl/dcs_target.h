// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Which cluster wardenctl talks to, and how: from the agent's own patroni.yml (-c), as
// patronictl reads it (scope, namespace, the etcd3 section, restapi.authentication), and/or
// from --dcs etcd3://host:port[,host:port] --scope NAME [--namespace PATH], which win over the
// file. A cluster name given to the command must be the scope (or gives it, when none is set).

#ifndef WARDEN_EXAMPLES_WARDENCTL_DCS_TARGET_H_
#define WARDEN_EXAMPLES_WARDENCTL_DCS_TARGET_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "args.h"
#include "warden/agent/agent_config.h"
#include "warden/dcs/dcs.h"
#include "warden/etcd/etcd.h"

namespace warden::ctl {

struct DcsTarget {
  std::string scope;
  std::string namespace_ = "/service";
  EtcdOptions etcd;
  // restapi.authentication of the config: sent as basic auth on every REST call.
  std::string rest_username;
  std::string rest_password;
};

using ConfigLoader = std::function<absl::StatusOr<AgentConfig>(const std::string& path)>;

// INVALID_ARGUMENT for a usage error (no DCS, no scope, a bad URL, a cluster name that is not
// the scope); FAILED_PRECONDITION when the config file cannot be loaded. `cluster` is the
// command's CLUSTER argument, empty when not given.
absl::StatusOr<DcsTarget> ResolveTarget(const GlobalOptions& options, std::string_view cluster,
                                        const ConfigLoader& load_config);

// "etcd3://h1:2379,h2:2379" (or etcd://, or no scheme) -> {"h1:2379", "h2:2379"}; the port
// defaults to 2379.
absl::StatusOr<std::vector<std::string>> ParseDcsUrl(std::string_view url);

// The etcd client for a target.
absl::StatusOr<std::unique_ptr<Dcs>> OpenEtcd(const DcsTarget& target);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_DCS_TARGET_H_
