// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/http_url.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "warden/agent/agent.h"

namespace warden {

absl::StatusOr<HttpUrl> ParseHttpUrl(const std::string& url) {
  HttpUrl parsed;
  std::string rest;
  if (absl::StartsWith(url, "http://")) {
    parsed.scheme = "http";
    rest = url.substr(7);
  } else if (absl::StartsWith(url, "https://")) {
    parsed.scheme = "https";
    rest = url.substr(8);
  } else {
    return absl::InvalidArgumentError(absl::StrCat("not an http(s) URL: '", url, "'"));
  }
  const size_t slash = rest.find('/');
  parsed.path = slash == std::string::npos ? "/" : rest.substr(slash);
  std::string authority = rest.substr(0, slash);
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
  if (!has_port) absl::StrAppend(&authority, ":", parsed.scheme == "https" ? "443" : "80");
  absl::StatusOr<std::pair<std::string, int>> host_port = ParseHostPort(authority);
  if (!host_port.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("bad host or port in URL '", url, "'"));
  }
  parsed.host = host_port->first;
  parsed.port = std::to_string(host_port->second);
  return parsed;
}

}  // namespace warden
