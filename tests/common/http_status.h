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

// `method target` on 127.0.0.1:`port`.
inline HttpReply HttpExchange(int port, const std::string& method, const std::string& target,
                              const std::string& body = "") {
  HttpRequest request;
  request.method = method;
  request.url = "http://127.0.0.1:" + std::to_string(port) + target;
  request.body = body;
  request.timeout = absl::Seconds(30);
  absl::StatusOr<HttpResponse> response = CallHttp(request);
  if (!response.ok()) return HttpReply{};
  return HttpReply{response->status, std::move(response->body)};
}

// The status code of `method target` on 127.0.0.1:`port`, 0 if the exchange failed.
inline int HttpStatus(int port, const std::string& method, const std::string& target,
                      const std::string& body = "") {
  return HttpExchange(port, method, target, body).status;
}

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMMON_HTTP_STATUS_H_
