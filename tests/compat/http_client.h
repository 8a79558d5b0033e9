// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// One HTTP/1.1 request to an agent's REST API on 127.0.0.1, optionally with basic auth (which
// tests/common/http_status.h does not send), through the agents' own client.

#ifndef WARDEN_TESTS_COMPAT_HTTP_CLIENT_H_
#define WARDEN_TESTS_COMPAT_HTTP_CLIENT_H_

#include <string>

namespace warden::test {

struct RestReply {
  int status = 0;  // 0 when the exchange failed
  std::string body = {};
};

struct RestRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body = {};
  // "user:password" for an Authorization: Basic header; none when empty.
  std::string basic_auth = {};
};

// The exchange, within 10 s.
RestReply Rest(int port, const RestRequest& request);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_HTTP_CLIENT_H_
