// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#ifndef WARDEN_SRC_AGENT_VERSION_H_
#define WARDEN_SRC_AGENT_VERSION_H_

namespace warden {

// The agent's version, as members publish it (member key "version", /patroni "patroni.version",
// /metrics patroni_version).
inline constexpr char kWardenVersion[] = "0.1.0";

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_VERSION_H_
