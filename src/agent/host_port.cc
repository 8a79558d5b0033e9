// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "warden/agent/agent.h"

namespace warden {

absl::StatusOr<std::pair<std::string, int>> ParseHostPort(const std::string& address) {
  const auto invalid = [&address] {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "' is not host:port (IPv6 as [addr]:port)"));
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return invalid();
  std::string host = address.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return invalid();  // a bare IPv6 address: the port would be ambiguous
  }
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return invalid();
  }
  return std::make_pair(host, port);
}

}  // namespace warden
