// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The pieces of an http(s) URL as members publish them (api_url "http://10.0.0.1:8008/patroni").

#ifndef WARDEN_SRC_AGENT_HTTP_URL_H_
#define WARDEN_SRC_AGENT_HTTP_URL_H_

#include <string>

#include "absl/status/statusor.h"

namespace warden {

struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::string port;    // defaulted from the scheme
  std::string path;    // "/" when absent
};

// INVALID_ARGUMENT for anything but http(s)://host[:port][/path].
absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url);

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_HTTP_URL_H_
