// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What agent_config.cc (the YAML sections) hands to agent_config_check.cc (PATRONI_*
// overrides, required keys, addresses): the config read so far and where each value came from,
// so that a bad value is reported at its line, or at the environment variable that set it.

#ifndef WARDEN_SRC_AGENT_AGENT_CONFIG_INTERNAL_H_
#define WARDEN_SRC_AGENT_AGENT_CONFIG_INTERNAL_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "warden/agent/agent_config.h"

namespace warden::agent_config_internal {

struct ParseState {
  AgentConfig config;
  // Dotted key path -> "line 12" or "PATRONI_NAME". Sections are noted too ("postgresql"), so
  // that a missing key can point at the section that lacks it.
  std::map<std::string, std::string> origin;
  // postgresql.listen as written: it becomes listen_host and port once the environment is in.
  std::string postgres_listen;
  // The DCS section read ("etcd3" or "etcd"), for the key paths in messages.
  std::string dcs_section = "etcd3";
  // Whether `protocol` was given; otherwise a URL's scheme sets it.
  bool dcs_protocol_set = false;
  // A DCS section warden cannot use (consul, ...), named in the error when no etcd is given.
  std::string other_dcs;
  // restapi.cafile: the CA the probes of other members check their certificates with, unless
  // ctl.cacert names one.
  std::string restapi_cafile;
};

// "h:port", "h" (port 2379) or "http(s)://h[:port][/...]" as etcd's "host:port"; a URL's scheme
// sets `state->config.dcs.protocol` unless `protocol` was given. `where` prefixes errors.
absl::Status AddEtcdHost(const std::string& entry, const std::string& where, ParseState* state);
// A comma list ("h1:2379, h2:2379", also Patroni's env form "'h1:2379','h2:2379'").
absl::Status AddEtcdHostList(const std::string& list, const std::string& where, ParseState* state);

// Applies PATRONI_* variables over what the file set.
absl::Status ApplyEnvironment(const std::map<std::string, std::string>& env, ParseState* state);
// Required keys, the DCS, host:port addresses, the namespace form; fills postgres.name and
// listen_host/port. Warnings go to state->config.warnings.
absl::Status Finish(ParseState* state);

}  // namespace warden::agent_config_internal

#endif  // WARDEN_SRC_AGENT_AGENT_CONFIG_INTERNAL_H_
