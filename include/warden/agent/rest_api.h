// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The Patroni-compatible REST API as a plain function from a request to a response, so that it
// can be tested (and fuzzed) without sockets and mounted in an embedder's own HTTP server. The
// agent serves it with Boost.Beast; see Agent.
//
// Paths and status codes follow Patroni's: GET/HEAD/OPTIONS /primary (/master, /leader),
// /replica (?lag=, ?tag_key=value), /read-only, /standby-leader, /synchronous (/sync),
// /asynchronous (/async), /health, /liveness, /readiness, /patroni, /cluster, /history, /config,
// /metrics; POST /switchover, /failover, /restart, /reload, /reinitialize, /failsafe; PATCH and
// PUT /config; DELETE /switchover. Health checks answer 200 when the member is what was asked
// and 503 otherwise. Writes require basic auth when a username is configured; reads never do.

#ifndef WARDEN_AGENT_REST_API_H_
#define WARDEN_AGENT_REST_API_H_

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "warden/agent/status.h"

namespace warden {

struct RestApiOptions {
  // Where the server listens, "host:port". Port 0 picks a free port (tests).
  std::string listen = "127.0.0.1:8008";
  // How other members and clients reach this API ("host:port"); empty: `listen`.
  std::string connect_address;
  // Basic auth for requests that change something (restapi.authentication). Empty: none.
  std::string username;
  std::string password;
  // TLS (restapi.certfile / restapi.keyfile, PEM). Empty: plain HTTP.
  std::string certfile;
  std::string keyfile;
  // Larger request bodies are refused with 413.
  size_t max_body_bytes = size_t{64} * 1024;
};

struct RestRequest {
  std::string method;  // "GET", "HEAD", "OPTIONS", "POST", "PATCH", "PUT", "DELETE"
  std::string target;  // path and query, e.g. "/replica?lag=16MB&tag_dc=east"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct RestResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;                                          // empty for HEAD and OPTIONS
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// Answers one request. Reads (GET, HEAD, OPTIONS) use only agent.Status() and never block;
// writes call the agent and may wait on its DCS or PostgreSQL I/O. Never throws; a malformed
// request gets 400 with a reason.
RestResponse HandleRestRequest(AgentControl& agent, const RestApiOptions& options,
                               const RestRequest& request);

}  // namespace warden

#endif  // WARDEN_AGENT_REST_API_H_
