// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The one HTTP client for calls to the members' REST APIs: the agent's probes and failsafe
// heartbeats, wardenctl, and the tests. Behind a plain function type so that tests answer calls
// without sockets. The real one (CallHttp) is a synchronous Boost.Beast client with one deadline
// over the whole exchange, https when the URL says so (a CA to verify with, a client
// certificate), and basic auth when credentials are given (the agents require it for every
// request that changes something).

#ifndef WARDEN_SRC_AGENT_HTTP_CLIENT_H_
#define WARDEN_SRC_AGENT_HTTP_CLIENT_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace warden {

struct HttpRequest {
  std::string method;    // GET, POST, PATCH, DELETE
  std::string url;       // http(s)://host:port/path
  std::string body;      // JSON, sent when not empty
  std::string username;  // basic auth when not empty
  std::string password;
  absl::Duration timeout = absl::Seconds(5);
  // https only: the CA to verify the server with (empty: the system's), or no verification;
  // whether the certificate must name the host; a client certificate (PEM) for servers that ask.
  std::string cacert;
  bool insecure = false;
  bool verify_hostname = true;
  std::string certfile = {};
  std::string keyfile = {};
  // The User-Agent header.
  std::string user_agent = "warden";
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Any HTTP status is a response. Errors: UNAVAILABLE when the server could not be reached (the
// request was not sent, so falling back to the DCS is safe); DEADLINE_EXCEEDED when the
// answer did not come in time after the request went out (it may have been acted on); others
// for TLS or protocol failures.
using HttpFn = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;

absl::StatusOr<HttpResponse> CallHttp(const HttpRequest& in);

// Patroni's URL rule: the member's api_url (http://10.0.0.1:8008/patroni) with its path
// replaced by the endpoint: http://10.0.0.1:8008/switchover.
std::string EndpointUrl(std::string_view api_url, std::string_view endpoint);

// "Basic dXNlcjpwYXNz".
std::string BasicAuthorization(const std::string& username, const std::string& password);

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_HTTP_CLIENT_H_
