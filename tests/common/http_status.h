// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// One HTTP/1.1 request to 127.0.0.1 for tests, through the agent library's client (the one the
// agents and wardenctl use), 30 s at most. Link warden::agent.

#ifndef WARDEN_TESTS_COMMON_HTTP_STATUS_H_
#define WARDEN_TESTS_COMMON_HTTP_STATUS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "src/agent/http_client.h"

namespace warden::test {

// The status code and body of one exchange; status 0 if the exchange failed.
struct HttpReply {
  int status = 0;
  std::string body;
};

// Where a REST API answers: its base URL ("https://127.0.0.1:8008"), the CA that signed its
// certificate (https; empty: the system's) and basic-auth credentials (none when empty).
struct RestEndpoint {
  std::string base_url;
  std::string cacert = {};
  std::string username = {};
  std::string password = {};
};

// `method target` on `endpoint`.
inline HttpReply HttpExchange(const RestEndpoint& endpoint, const std::string& method,
                              const std::string& target, const std::string& body = "",
                              absl::Duration timeout = absl::Seconds(30)) {
  HttpRequest request;
  request.method = method;
  request.url = endpoint.base_url + target;
  request.body = body;
  request.username = endpoint.username;
  request.password = endpoint.password;
  request.cacert = endpoint.cacert;
  request.timeout = timeout;
  absl::StatusOr<HttpResponse> response = CallHttp(request);
  if (!response.ok()) return HttpReply{};
  return HttpReply{response->status, std::move(response->body)};
}

// `method target` on http://127.0.0.1:`port`.
inline HttpReply HttpExchange(int port, const std::string& method, const std::string& target,
                              const std::string& body = "") {
  return HttpExchange(RestEndpoint{.base_url = "http://127.0.0.1:" + std::to_string(port)}, method,
                      target, body);
}

// The status code of `method target` on 127.0.0.1:`port`, 0 if the exchange failed.
inline int HttpStatus(int port, const std::string& method, const std::string& target,
                      const std::string& body = "") {
  return HttpExchange(port, method, target, body).status;
}

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMMON_HTTP_STATUS_H_
