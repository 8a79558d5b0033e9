// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The agent's YAML configuration, in Patroni's patroni.yml layout, so a Patroni user's file runs
// with at most its DCS section renamed (etcd3, or etcd, is read as-is). PATRONI_* environment
// variables override the file as Patroni's do (PATRONI_NAME, PATRONI_SCOPE, PATRONI_NAMESPACE,
// PATRONI_RESTAPI_LISTEN, PATRONI_RESTAPI_CONNECT_ADDRESS, PATRONI_POSTGRESQL_DATA_DIR, ...).
//
// Unknown or unsupported keys give a warning naming the key (and its line); a wrong type, a
// missing required key or a broken timing rule is an error naming the YAML line.

#ifndef WARDEN_AGENT_AGENT_CONFIG_H_
#define WARDEN_AGENT_AGENT_CONFIG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "warden/agent/agent.h"
#include "warden/pg/local_controller.h"

namespace warden {

// The etcd3 (or etcd) section.
struct DcsSettings {
  std::vector<std::string> hosts;  // "host:port", from `hosts` (list or comma list) or `host`
  std::string protocol = "http";   // http or https
  std::string username;
  std::string password;
  std::string cacert;
  std::string cert;
  std::string key;
};

struct AgentConfig {
  AgentOptions agent;
  LocalControllerOptions postgres;
  DcsSettings dcs;
  // One line per unknown or unsupported key: "line 12: unknown key 'postgresql.foo' (ignored)".
  std::vector<std::string> warnings;
};

// Parses `yaml`. `env` holds environment variables (PATRONI_* are applied over the file).
absl::StatusOr<AgentConfig> ParseAgentConfig(std::string_view yaml,
                                             const std::map<std::string, std::string>& env = {});
// Reads and parses the file at `path`, with the process environment.
absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path);

// What warden does with one key of the file, for someone moving from Patroni
// (`warden-agent --validate`).
struct ConfigKeyReport {
  int line = 0;
  std::string path = {};  // dotted: "bootstrap.dcs.postgresql.parameters.work_mem"
  // "honoured"; "warned" (ignored, harmless); "refused" (the file is not accepted); "kept"
  // (bootstrap.dcs keys warden does not use but writes to the config key for Patroni members).
  std::string verdict = {};
  std::string why = {};  // the warning or error, for warned and refused keys
};

// Every key of `yaml`, in document order, with its verdict. A file with refused keys still gives
// its report, with the refused keys (its warnings show once it is accepted); an error only for a
// file that is not YAML at all.
absl::StatusOr<std::vector<ConfigKeyReport>> ReportConfigKeys(
    std::string_view yaml, const std::map<std::string, std::string>& env = {});
// The same for the file at `path`, with the process environment.
absl::StatusOr<std::vector<ConfigKeyReport>> ReportConfigFile(const std::string& path);

}  // namespace warden

#endif  // WARDEN_AGENT_AGENT_CONFIG_H_
