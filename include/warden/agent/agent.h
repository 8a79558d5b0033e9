// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Agent: a running HA agent for one PostgreSQL node. It binds a Dcs, a Controller and the HA core
// (Decide) with a Boost.Asio runtime: a leased member key kept alive on its own timer, an HA loop
// that runs every loop_wait and at once on relevant watch events (reading the cluster from a
// watch-fed cache while the DCS is known to answer), REST probes of the other members before a
// leader race, and the Patroni-compatible REST API.
//
//   warden::AgentOptions options;  // or LoadAgentConfig("patroni.yml")->agent
//   options.scope = "demo"; options.name = "node1";
//   auto agent = warden::Agent::Create(options, dcs, controller);
//   (*agent)->Run();  // until Stop() or SIGTERM/SIGINT
//
// Shutdown (Stop(), or a signal when handle_signals is set): a primary stops PostgreSQL and
// releases the leader key so a replica takes over at once; the member key is revoked.

#ifndef WARDEN_AGENT_AGENT_H_
#define WARDEN_AGENT_AGENT_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/agent/rest_api.h"
#include "warden/agent/status.h"
#include "warden/core/config.h"
#include "warden/dcs/dcs.h"
#include "warden/pg/controller.h"

namespace warden {

// Scripts run on PostgreSQL events, as Patroni's postgresql.callbacks: each is run as
// `SCRIPT ACTION ROLE SCOPE` (ACTION on_start, on_stop, on_restart, on_reload, on_role_change;
// ROLE primary or replica), killed after `timeout`. Empty: none.
struct CallbackOptions {
  std::string on_start = {};
  std::string on_stop = {};
  std::string on_restart = {};
  std::string on_reload = {};
  std::string on_role_change = {};
  absl::Duration timeout = absl::Seconds(30);
};

// How an agent calls the other members' REST APIs (probes before a leader race, failsafe
// heartbeats), as Patroni's PatroniRequest: basic auth with restapi.authentication; for https
// api_urls the CA of ctl.cacert (or restapi.cafile) to check their certificates with (none: not
// checked, as Patroni), and a client certificate (ctl.certfile, or restapi.certfile) for members
// that ask for one.
struct PeerHttpOptions {
  std::string username = {};
  std::string password = {};
  std::string cacert = {};
  std::string certfile = {};
  std::string keyfile = {};
};

struct AgentOptions {
  std::string scope = {};               // the cluster's name
  std::string namespace_ = "/service";  // DCS key prefix, as Patroni's `namespace`
  std::string name = {};                // this member's name
  // How others reach this node's PostgreSQL: "host:port" (postgresql.connect_address).
  std::string connect_address = {};
  RestApiOptions restapi = {};
  MemberTags tags = {};
  // bootstrap.dcs: written to the config key by the node that initializes the cluster, and used
  // until a config key is read.
  DynamicConfig bootstrap_config = {};
  // bootstrap.dcs as written, a JSON object text: what the initializing node writes to the config
  // key, as Patroni does (only what the file says, no defaults). Empty: bootstrap_config encoded.
  std::string bootstrap_config_json = {};
  // This member's own postgresql.use_pg_rewind and remove_data_directory_on_diverged_timelines:
  // they win over the cluster config's for this member only, as in Patroni. Unset: the cluster's.
  std::optional<bool> use_pg_rewind = {};
  std::optional<bool> remove_data_directory_on_diverged_timelines = {};
  // This member's own postgresql.parameters. Each loop applies the effective parameters, these
  // and the cluster config's by Patroni's precedence (warden/core/pg_parameters.h), through
  // Controller::SetParameters when they change.
  std::map<std::string, std::string> postgresql_parameters = {};
  // bootstrap.initdb.
  BootstrapOptions initdb = {};
  CallbackOptions callbacks = {};
  // Credentials and TLS for calls to the other members' REST APIs.
  PeerHttpOptions peer_http = {};
  // How long a REST probe of another member may take before it counts as unreachable.
  absl::Duration probe_timeout = absl::Seconds(2);
  // Serve the REST API (off in tests that only drive the loop).
  bool serve_rest_api = true;
  // Stop gracefully on SIGTERM and SIGINT (off when the embedder handles signals).
  bool handle_signals = false;
};

// Parses "host:port" (an IPv6 host in brackets). INVALID_ARGUMENT on anything else.
absl::StatusOr<std::pair<std::string, int>> ParseHostPort(const std::string& address);

class Agent {
 public:
  // Checks the options (scope, name, connect_address, timing rule); `dcs` and `controller` must
  // outlive the agent.
  static absl::StatusOr<std::unique_ptr<Agent>> Create(AgentOptions options, Dcs& dcs,
                                                       Controller& controller);
  virtual ~Agent() = default;

  // Runs until Stop() (or a signal with handle_signals). Returns the reason it could not start
  // (REST port taken, ...) or OK after a clean shutdown.
  virtual absl::Status Run() = 0;
  // Asks Run() to shut down gracefully and return. Thread-safe; returns at once.
  virtual void Stop() = 0;

  // Called after every HA loop with the new status, and when a loop has taken a new decision,
  // before its actions (a clone or a promote may take long), on the agent's thread: keep it
  // short.
  virtual void SetObserver(std::function<void(const AgentStatus&)> observer) = 0;
  // Status, switchover, config and restart requests, as the REST API uses them.
  virtual AgentControl& control() = 0;
  // The REST API port actually bound (useful with port 0), 0 before Run() has bound it.
  virtual int rest_port() const = 0;
};

}  // namespace warden

#endif  // WARDEN_AGENT_AGENT_H_
