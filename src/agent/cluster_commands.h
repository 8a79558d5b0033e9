// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The cluster-wide requests an agent accepts for the REST API: a switchover or failover (checked
// as Patroni checks it, then written to the failover key), and the dynamic config (read, patched
// or replaced with a compare-and-swap). Synchronous; each DCS call bounded by `deadline`.

#ifndef WARDEN_SRC_AGENT_CLUSTER_COMMANDS_H_
#define WARDEN_SRC_AGENT_CLUSTER_COMMANDS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/agent/status.h"
#include "warden/core/cluster.h"
#include "warden/core/codec.h"
#include "warden/core/config.h"
#include "warden/dcs/dcs.h"

namespace warden {

// Checks `request` against `view` (FAILED_PRECONDITION with Patroni's wording when it cannot be
// done, INVALID_ARGUMENT when malformed) and writes the failover key.
absl::Status WriteSwitchover(Dcs& dcs, const ClusterKeys& keys, const ClusterView& view,
                             const DynamicConfig& config, const SwitchoverRequest& request,
                             absl::Time deadline);

// The config key's JSON, or `fallback` encoded when there is none.
absl::StatusOr<std::string> ReadConfigJson(Dcs& dcs, const ClusterKeys& keys,
                                           const DynamicConfig& fallback, absl::Time deadline);

// Merges `text` (a JSON object) into the config (RFC 7386: null removes a key) or replaces it,
// checks the result (types, loop_wait + 2 * retry_timeout <= ttl) and writes it if the key did not
// change meanwhile (ABORTED if it did). Returns the new config JSON.
absl::StatusOr<std::string> UpdateConfigJson(Dcs& dcs, const ClusterKeys& keys,
                                             const DynamicConfig& fallback, const std::string& json,
                                             bool replace, absl::Time deadline);

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_CLUSTER_COMMANDS_H_
