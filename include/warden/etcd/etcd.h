// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The etcd v3 backend of the Dcs interface, over etcd's native gRPC API. This header is all an
// embedder sees of it: options and a factory. No gRPC or protobuf type appears here.
//
//   warden::EtcdOptions options;
//   options.endpoints = {"10.0.0.1:2379", "10.0.0.2:2379", "10.0.0.3:2379"};
//   absl::StatusOr<std::unique_ptr<warden::Dcs>> dcs = warden::NewEtcdDcs(options);
//
// Design (after etcd's Go client and the bug reports of other C++ clients):
// - One connection in use per cluster at a time, to one endpoint; calls move to the next endpoint
//   when it fails or stops answering, within the caller's deadline. Reads are retried on another
//   endpoint; a write is retried only when it provably was not sent (no connection), because a
//   write whose answer was lost may have been applied.
// - One Watch stream carries every watch of the client, and one LeaseKeepAlive stream every
//   keep-alive; a fixed handful of threads serve them, never one per watch or lease. Both streams
//   are opened with etcd's "require leader" flag, so a member cut off from the quorum fails them
//   at once instead of going quiet. The watch stream is probed with progress requests, so a
//   member that stops answering (SIGSTOP, a partition) is noticed and left.
// - A watch resumes after a reconnect from the revision after the last one it delivered: no
//   event is seen twice or missed. A resume from a compacted revision is reported OUT_OF_RANGE.
// - Every granted lease has a conservative local deadline: the send time of the last
//   acknowledged grant or keep-alive plus the TTL. It can only be earlier than etcd's own expiry,
//   so when it passes without a renewal, `on_lease_lost` fires, even while etcd is unreachable:
//   the HA layer can stop writing before any other node can win the leader key.

#ifndef WARDEN_ETCD_ETCD_H_
#define WARDEN_ETCD_ETCD_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/clock.h"
#include "warden/dcs/dcs.h"

namespace warden {

// Client certificates and trust for an etcd that serves TLS. Paths to PEM files.
struct EtcdTlsOptions {
  std::string ca_file;    // the CA that signed the servers' certificates
  std::string cert_file;  // client certificate, for --client-cert-auth; optional
  std::string key_file;   // its private key; required with cert_file
};

struct EtcdOptions {
  // "host:port" of each cluster member. At least one.
  std::vector<std::string> endpoints;
  // The longest one attempt on one endpoint may take; the call's own deadline bounds all
  // attempts together.
  absl::Duration request_timeout = absl::Seconds(2);
  // The longest to wait for a connection to one endpoint before trying the next.
  absl::Duration dial_timeout = absl::Seconds(2);
  // etcd authentication; empty username means none. The token is fetched with Authenticate and
  // fetched again when etcd says it expired.
  std::string username;
  std::string password;
  // TLS; nullopt means plaintext.
  std::optional<EtcdTlsOptions> tls;
  // Requests larger than this (keys plus values) are refused before they are sent; etcd's
  // default --max-request-bytes.
  size_t max_request_bytes = size_t{1536} * 1024;
  // Serve Get and List from the local member without a quorum round (etcd's serializable
  // reads): faster, but possibly stale. The default, linearizable, is what the HA rules assume.
  bool serializable_reads = false;
  // How often a watch stream with nothing to say is probed; a probe unanswered within
  // request_timeout makes the client leave that endpoint.
  absl::Duration watch_probe_interval = absl::Seconds(5);
  // When true, every lease this client grants is renewed in the background every third of its
  // TTL until it is revoked or lost. When false, leases live on explicit KeepAlive calls only.
  bool keep_leases_alive = false;
  // Called once per lease, from a client thread, when the lease's local deadline passes without
  // an acknowledged renewal, or when etcd reports it gone. Not called after RevokeLease.
  std::function<void(LeaseId)> on_lease_lost;
  // The clock of local lease deadlines; nullptr means SteadyClock::Default().
  Clock* clock = nullptr;
};

// What one etcd member says of itself (etcd's Maintenance.Status).
struct EtcdMemberStatus {
  std::string endpoint;
  absl::Status reachable;  // OK, or why the member could not be asked
  std::string version;     // etcd server version
  uint64_t member_id = 0;
  uint64_t leader_id = 0;  // 0: the member knows no leader (cut off from the quorum)
  uint64_t raft_term = 0;
  int64_t db_size_bytes = 0;
  std::vector<std::string> errors;  // active alarms, e.g. NOSPACE
};

// Asks every endpoint of `options` for its status, in parallel-free order, each bounded by
// `deadline`. For health checks and `wardenctl`; the Dcs itself never needs it.
std::vector<EtcdMemberStatus> EtcdClusterStatus(const EtcdOptions& options, absl::Time deadline);

// A Dcs on an etcd v3 cluster. Fails only on bad options (no endpoint, an unreadable TLS file);
// an unreachable cluster is not an error here: calls then fail UNAVAILABLE within their deadline.
absl::StatusOr<std::unique_ptr<Dcs>> NewEtcdDcs(const EtcdOptions& options);

}  // namespace warden

#endif  // WARDEN_ETCD_ETCD_H_
