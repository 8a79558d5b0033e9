// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Reading the cluster from the DCS, and calling one member's REST API: the two kinds of I/O
// every command is built from.

#ifndef WARDEN_EXAMPLES_WARDENCTL_CLUSTER_READ_H_
#define WARDEN_EXAMPLES_WARDENCTL_CLUSTER_READ_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "context.h"
#include "http_client.h"
#include "warden/core/cluster.h"

namespace warden::ctl {

// Lists the cluster's prefix and decodes it. Keys the codec could not read are reported on
// ctx.err as warnings and left out, as patronictl skips them.
absl::StatusOr<ClusterView> ReadCluster(CtlContext& ctx);

// NOT_FOUND when nothing is stored under the cluster's prefix: commands that write (pause,
// edit-config) check first, so that a mistyped scope does not create a stray cluster.
absl::Status CheckClusterExists(CtlContext& ctx);

// Sends `method` /`endpoint` to the member's api_url with the configured credentials and TLS
// settings. UNAVAILABLE (like an unreachable server: nothing was sent) when the member publishes
// no api_url.
absl::StatusOr<HttpResponse> CallMember(CtlContext& ctx, const Member& member,
                                        const std::string& method, const std::string& endpoint,
                                        const std::string& body, absl::Duration timeout);

// The member the leader key names, or nullptr (no leader, or its member key is gone).
const Member* LeaderMember(const ClusterView& view);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_CLUSTER_READ_H_
