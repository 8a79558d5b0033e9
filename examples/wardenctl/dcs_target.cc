// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "dcs_target.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace warden::ctl {
namespace {

// The config's etcd3 section, as the agent itself would connect.
void ApplyConfig(const AgentConfig& config, DcsTarget* target) {
  target->scope = config.agent.scope;
  if (!config.agent.namespace_.empty()) target->namespace_ = config.agent.namespace_;
  target->etcd.endpoints = config.dcs.hosts;
  target->etcd.username = config.dcs.username;
  target->etcd.password = config.dcs.password;
  if (absl::AsciiStrToLower(config.dcs.protocol) == "https" || !config.dcs.cacert.empty() ||
      !config.dcs.cert.empty()) {
    target->etcd.tls = EtcdTlsOptions{config.dcs.cacert, config.dcs.cert, config.dcs.key};
  }
  target->rest_username = config.agent.restapi.username;
  target->rest_password = config.agent.restapi.password;
}

absl::Status ApplyCluster(std::string_view cluster, DcsTarget* target) {
  if (cluster.empty()) return absl::OkStatus();
  if (target->scope.empty()) {
    target->scope = std::string(cluster);
    return absl::OkStatus();
  }
  if (target->scope != cluster) {
    return absl::InvalidArgumentError(absl::StrCat("cluster '", std::string(cluster),
                                                   "' is not this configuration's scope '",
                                                   target->scope, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ParseDcsUrl(std::string_view url) {
  std::string_view hosts = url;
  if (const size_t sep = url.find("://"); sep != std::string_view::npos) {
    const std::string scheme = absl::AsciiStrToLower(std::string(url.substr(0, sep)));
    if (scheme != "etcd3" && scheme != "etcd") {
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported DCS '", scheme, "': wardenctl speaks etcd3://HOST:PORT"));
    }
    hosts = url.substr(sep + 3);
  }
  while (!hosts.empty() && hosts.back() == '/') hosts.remove_suffix(1);
  std::vector<std::string> endpoints;
  for (absl::string_view host : absl::StrSplit(std::string(hosts), ',', absl::SkipWhitespace())) {
    std::string endpoint(absl::StripAsciiWhitespace(host));
    const bool has_port = endpoint.starts_with("[") ? endpoint.find("]:") != std::string::npos
                                                    : endpoint.find(':') != std::string::npos;
    if (!has_port) endpoint += ":2379";
    endpoints.push_back(std::move(endpoint));
  }
  if (endpoints.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no etcd host in '", std::string(url), "'"));
  }
  return endpoints;
}

absl::StatusOr<DcsTarget> ResolveTarget(const GlobalOptions& options, std::string_view cluster,
                                        const ConfigLoader& load_config) {
  DcsTarget target;
  if (!options.config_path.empty()) {
    if (!load_config) {
      return absl::FailedPreconditionError("this build cannot read configuration files");
    }
    absl::StatusOr<AgentConfig> config = load_config(options.config_path);
    if (!config.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat(options.config_path, ": ", config.status().message()));
    }
    ApplyConfig(*config, &target);
  }
  if (!options.dcs_url.empty()) {
    absl::StatusOr<std::vector<std::string>> endpoints = ParseDcsUrl(options.dcs_url);
    if (!endpoints.ok()) return endpoints.status();
    target.etcd.endpoints = *std::move(endpoints);
  }
  if (!options.scope.empty()) target.scope = options.scope;
  if (!options.namespace_.empty()) target.namespace_ = options.namespace_;
  if (absl::Status s = ApplyCluster(cluster, &target); !s.ok()) return s;
  if (target.etcd.endpoints.empty()) {
    return absl::InvalidArgumentError(
        "no DCS: give -c /etc/patroni.yml or --dcs etcd3://HOST:PORT");
  }
  if (target.scope.empty()) {
    return absl::InvalidArgumentError(
        "no cluster: give --scope NAME, a config with a scope, or "
        "the cluster name");
  }
  return target;
}

absl::StatusOr<std::unique_ptr<Dcs>> OpenEtcd(const DcsTarget& target) {
  return NewEtcdDcs(target.etcd);
}

}  // namespace warden::ctl
