// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/http_client.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "src/agent/http_client.h"

namespace warden::test {

// Through the agent library's client, the one the agents and wardenctl use.
RestReply Rest(int port, const RestRequest& request) {
  HttpRequest call;
  call.method = request.method;
  call.url = absl::StrCat("http://127.0.0.1:", port, request.target);
  call.body = request.body;
  if (const size_t colon = request.basic_auth.find(':'); colon != std::string::npos) {
    call.username = request.basic_auth.substr(0, colon);
    call.password = request.basic_auth.substr(colon + 1);
  }
  call.timeout = absl::Seconds(10);
  absl::StatusOr<HttpResponse> response = CallHttp(call);
  if (!response.ok()) return RestReply{};
  return RestReply{response->status, std::move(response->body)};
}

}  // namespace warden::test
