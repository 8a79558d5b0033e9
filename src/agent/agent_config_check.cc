// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// After the file: PATRONI_* variables, then every check that needs the final values (required
// keys, the DCS, host:port addresses), so that nothing starts on a config that cannot work and a
// file may leave out whatever the environment provides.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "src/agent/agent_config_internal.h"
#include "warden/agent/agent.h"

namespace warden::agent_config_internal {
namespace {

constexpr int kEtcdDefaultPort = 2379;
constexpr int kPostgresDefaultPort = 5432;

absl::Status Invalid(const std::string& where, const std::string& what) {
  return absl::InvalidArgumentError(where.empty() ? what : absl::StrCat(where, ": ", what));
}

// host:port with a port in [min_port, 65535]; IPv6 in brackets.
absl::StatusOr<std::pair<std::string, int>> HostPort(const std::string& address, int min_port) {
  absl::StatusOr<std::pair<std::string, int>> parsed = ParseHostPort(address);
  if (!parsed.ok()) return parsed.status();
  if (parsed->first.empty() || parsed->second < min_port) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "' is not host:port with a port in ", min_port, "..65535"));
  }
  return parsed;
}

// "line 12: 'restapi.listen'" or "PATRONI_RESTAPI_LISTEN: 'restapi.listen'".
std::string Where(const ParseState& state, const std::string& path) {
  auto it = state.origin.find(path);
  const std::string at = it == state.origin.end() ? "" : it->second;
  return at.empty() ? absl::StrCat("'", path, "'") : absl::StrCat(at, ": '", path, "'");
}

absl::Status CheckAddress(const ParseState& state, const std::string& path,
                          const std::string& address, int min_port) {
  absl::StatusOr<std::pair<std::string, int>> parsed = HostPort(address, min_port);
  if (parsed.ok()) return absl::OkStatus();
  return Invalid(Where(state, path), std::string(parsed.status().message()));
}

absl::Status Missing(const ParseState& state, const std::string& path, const std::string& env) {
  const size_t dot = path.rfind('.');
  std::string in;
  if (dot != std::string::npos) {
    auto section = state.origin.find(path.substr(0, dot));
    if (section != state.origin.end() && !section->second.empty()) {
      in = absl::StrCat(" in the '", path.substr(0, dot), "' section at ", section->second);
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("missing required key '", path, "'", in, " (or set ", env, ")"));
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

// Patroni's postgresql.listen is "host[,host...][:port]" (port 5432 when left out), and
// listen_addresses takes the whole list. LocalControllerOptions holds one address, which also
// goes into a pg_hba line, so we keep the one that matters to other nodes and say so.
absl::Status ApplyPostgresListen(ParseState* state) {
  const std::string where = Where(*state, "postgresql.listen");
  std::string hosts = state->postgres_listen;
  int port = kPostgresDefaultPort;
  const size_t colon = hosts.rfind(':');
  if (colon != std::string::npos && hosts.find(']', colon) == std::string::npos) {
    if (!absl::SimpleAtoi(hosts.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return Invalid(where, absl::StrCat("'", state->postgres_listen,
                                         "' is not host:port with a port in 1..65535"));
    }
    hosts = hosts.substr(0, colon);
  }
  std::vector<std::string> list;
  for (absl::string_view host : absl::StrSplit(hosts, ',')) {
    host = absl::StripAsciiWhitespace(host);
    if (absl::ConsumePrefix(&host, "[")) absl::ConsumeSuffix(&host, "]");
    if (!host.empty()) list.emplace_back(host);
  }
  if (list.empty()) {
    return Invalid(where, "no address: PostgreSQL would accept no TCP connection");
  }
  LocalControllerOptions& pg = state->config.postgres;
  pg.port = port;
  pg.listen_host = list[0];
  for (const std::string& host : list) {
    if (host == "*" || host == "0.0.0.0") {
      pg.listen_host = "0.0.0.0";
      break;
    }
    if (IsLoopback(pg.listen_host) && !IsLoopback(host)) pg.listen_host = host;
  }
  if (pg.listen_host == "localhost") pg.listen_host = "127.0.0.1";
  if (list.size() > 1 || list[0] == "*") {
    state->config.warnings.push_back(absl::StrCat(where, ": warden listens on one address; using ",
                                                  pg.listen_host, " (all IPv4 if 0.0.0.0)"));
  }
  return absl::OkStatus();
}

// "" and "/" are the root; otherwise one leading slash and no trailing one.
std::string NormalizeNamespace(std::string ns) {
  ns = std::string(absl::StripAsciiWhitespace(ns));
  while (!ns.empty() && ns.back() == '/') ns.pop_back();
  while (!ns.empty() && ns.front() == '/') ns.erase(0, 1);
  return "/" + ns;
}

absl::Status CheckRequired(const ParseState& state) {
  const AgentConfig& c = state.config;
  const std::pair<const std::string*, std::pair<const char*, const char*>> required[] = {
      {&c.agent.scope, {"scope", "PATRONI_SCOPE"}},
      {&c.agent.name, {"name", "PATRONI_NAME"}},
      {&state.postgres_listen, {"postgresql.listen", "PATRONI_POSTGRESQL_LISTEN"}},
      {&c.agent.connect_address,
       {"postgresql.connect_address", "PATRONI_POSTGRESQL_CONNECT_ADDRESS"}},
      {&c.postgres.data_dir, {"postgresql.data_dir", "PATRONI_POSTGRESQL_DATA_DIR"}},
  };
  for (const auto& [value, key] : required) {
    if (value->empty()) return Missing(state, key.first, key.second);
  }
  return absl::OkStatus();
}

absl::Status CheckDcs(const ParseState& state) {
  const DcsSettings& dcs = state.config.dcs;
  if (dcs.hosts.empty() && !state.other_dcs.empty()) {
    return Invalid(state.origin.at(state.other_dcs),
                   absl::StrCat("only etcd3 is supported: rename the '", state.other_dcs,
                                "' section to 'etcd3' and point its hosts at an etcd cluster"));
  }
  if (dcs.hosts.empty()) {
    return absl::InvalidArgumentError(
        "no DCS configured: add an 'etcd3' (or 'etcd') section with hosts, or set "
        "PATRONI_ETCD3_HOSTS");
  }
  if (dcs.protocol != "http" && dcs.protocol != "https") {
    return Invalid(Where(state, state.dcs_section + ".protocol"),
                   absl::StrCat("protocol must be http or https, got '", dcs.protocol, "'"));
  }
  return absl::OkStatus();
}

absl::Status CheckAddresses(ParseState* state) {
  AgentConfig& c = state->config;
  // A bare ":8008" binds every interface in Patroni.
  if (absl::StartsWith(c.agent.restapi.listen, ":")) {
    c.agent.restapi.listen = "0.0.0.0" + c.agent.restapi.listen;
  }
  // Port 0 lets the REST server pick a free port (tests); nobody can connect to port 0.
  if (absl::Status s = CheckAddress(*state, "restapi.listen", c.agent.restapi.listen, 0); !s.ok()) {
    return s;
  }
  if (!c.agent.restapi.connect_address.empty()) {
    absl::Status s =
        CheckAddress(*state, "restapi.connect_address", c.agent.restapi.connect_address, 1);
    if (!s.ok()) return s;
  }
  if (absl::Status s =
          CheckAddress(*state, "postgresql.connect_address", c.agent.connect_address, 1);
      !s.ok()) {
    return s;
  }
  return ApplyPostgresListen(state);
}

// One PATRONI_* variable and the value it replaces.
struct EnvBinding {
  std::string var;
  std::string path;
  std::string* field;
};

std::vector<EnvBinding> Bindings(ParseState* state) {
  AgentConfig& c = state->config;
  RestApiOptions& api = c.agent.restapi;
  LocalControllerOptions& pg = c.postgres;
  std::vector<EnvBinding> out = {
      {"PATRONI_NAME", "name", &c.agent.name},
      {"PATRONI_SCOPE", "scope", &c.agent.scope},
      {"PATRONI_NAMESPACE", "namespace", &c.agent.namespace_},
      {"PATRONI_RESTAPI_LISTEN", "restapi.listen", &api.listen},
      {"PATRONI_RESTAPI_CONNECT_ADDRESS", "restapi.connect_address", &api.connect_address},
      {"PATRONI_RESTAPI_USERNAME", "restapi.authentication.username", &api.username},
      {"PATRONI_RESTAPI_PASSWORD", "restapi.authentication.password", &api.password},
      {"PATRONI_RESTAPI_CERTFILE", "restapi.certfile", &api.certfile},
      {"PATRONI_RESTAPI_KEYFILE", "restapi.keyfile", &api.keyfile},
      {"PATRONI_POSTGRESQL_LISTEN", "postgresql.listen", &state->postgres_listen},
      {"PATRONI_POSTGRESQL_CONNECT_ADDRESS", "postgresql.connect_address",
       &c.agent.connect_address},
      {"PATRONI_POSTGRESQL_DATA_DIR", "postgresql.data_dir", &pg.data_dir},
      {"PATRONI_POSTGRESQL_BIN_DIR", "postgresql.bin_dir", &pg.bin_dir},
      {"PATRONI_POSTGRESQL_PGPASS", "postgresql.pgpass", &pg.pgpass_path},
      {"PATRONI_SUPERUSER_USERNAME", "postgresql.authentication.superuser.username",
       &pg.superuser.name},
      {"PATRONI_SUPERUSER_PASSWORD", "postgresql.authentication.superuser.password",
       &pg.superuser.password},
      {"PATRONI_REPLICATION_USERNAME", "postgresql.authentication.replication.username",
       &pg.replication.name},
      {"PATRONI_REPLICATION_PASSWORD", "postgresql.authentication.replication.password",
       &pg.replication.password},
  };
  // PATRONI_ETCD_* first, so PATRONI_ETCD3_* wins when both are set.
  for (const char* prefix : {"PATRONI_ETCD_", "PATRONI_ETCD3_"}) {
    DcsSettings& dcs = c.dcs;
    const std::pair<const char*, std::string*> fields[] = {
        {"PROTOCOL", &dcs.protocol}, {"USERNAME", &dcs.username}, {"PASSWORD", &dcs.password},
        {"CACERT", &dcs.cacert},     {"CERT", &dcs.cert},         {"KEY", &dcs.key}};
    for (const auto& [suffix, field] : fields) {
      out.push_back({absl::StrCat(prefix, suffix),
                     absl::StrCat(state->dcs_section, ".", absl::AsciiStrToLower(suffix)), field});
    }
  }
  return out;
}

// The host variables replace the file's list; the most specific spelling wins (ETCD3 over
// ETCD, a list over one host, as Patroni reads them).
absl::Status ApplyEtcdHosts(const std::map<std::string, std::string>& env, ParseState* state) {
  for (const char* prefix : {"PATRONI_ETCD_", "PATRONI_ETCD3_"}) {
    for (const char* suffix : {"HOST", "HOSTS", "URL", "URLS"}) {
      const std::string var = absl::StrCat(prefix, suffix);
      auto it = env.find(var);
      if (it == env.end() || it->second.empty()) continue;
      state->config.dcs.hosts.clear();
      if (absl::Status s = AddEtcdHostList(it->second, var, state); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddEtcdHost(const std::string& entry, const std::string& where, ParseState* state) {
  absl::string_view host = absl::StripAsciiWhitespace(entry);
  const size_t scheme_end = host.find("://");
  if (scheme_end != absl::string_view::npos) {
    const std::string scheme = absl::AsciiStrToLower(host.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") {
      return Invalid(where, absl::StrCat("'", entry, "': the scheme must be http or https"));
    }
    if (!state->dcs_protocol_set) state->config.dcs.protocol = scheme;
    host.remove_prefix(scheme_end + 3);
    host = host.substr(0, host.find('/'));
  }
  std::string address(host);
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || address.find(']', colon) != std::string::npos) {
    absl::StrAppend(&address, ":", kEtcdDefaultPort);
  }
  absl::StatusOr<std::pair<std::string, int>> parsed = HostPort(address, 1);
  if (!parsed.ok()) return Invalid(where, std::string(parsed.status().message()));
  state->config.dcs.hosts.push_back(address);
  return absl::OkStatus();
}

absl::Status AddEtcdHostList(const std::string& list, const std::string& where, ParseState* state) {
  absl::string_view hosts = absl::StripAsciiWhitespace(list);
  // Patroni's environment form quotes each host ("'h1:2379','h2:2379'"), maybe as a YAML list
  // in brackets; a bracket followed by a host is an IPv6 address instead.
  if ((absl::StartsWith(hosts, "['") || absl::StartsWith(hosts, "[\"")) &&
      absl::EndsWith(hosts, "]")) {
    hosts = hosts.substr(1, hosts.size() - 2);
  }
  for (absl::string_view item : absl::StrSplit(hosts, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    for (const char* quote : {"'", "\""}) {
      if (absl::ConsumePrefix(&item, quote)) absl::ConsumeSuffix(&item, quote);
    }
    if (absl::Status s = AddEtcdHost(std::string(item), where, state); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ApplyEnvironment(const std::map<std::string, std::string>& env, ParseState* state) {
  for (const EnvBinding& binding : Bindings(state)) {
    auto it = env.find(binding.var);
    if (it == env.end() || it->second.empty()) continue;
    *binding.field = it->second;
    state->origin[binding.path] = binding.var;
    if (binding.path == state->dcs_section + ".protocol") state->dcs_protocol_set = true;
  }
  return ApplyEtcdHosts(env, state);
}

absl::Status Finish(ParseState* state) {
  if (absl::Status s = CheckRequired(*state); !s.ok()) return s;
  if (absl::Status s = CheckDcs(*state); !s.ok()) return s;
  if (absl::Status s = CheckAddresses(state); !s.ok()) return s;
  AgentConfig& c = state->config;
  c.agent.namespace_ = NormalizeNamespace(c.agent.namespace_);
  c.postgres.name = c.agent.name;
  c.postgres.cluster_name = c.agent.scope;  // as Patroni sets it
  return absl::OkStatus();
}

}  // namespace warden::agent_config_internal
