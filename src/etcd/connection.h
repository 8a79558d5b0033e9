// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The client's link to an etcd cluster: one gRPC channel per member endpoint, one of them in use
// at a time, the auth token, and the retry rules that move a call to another endpoint within its
// deadline.

#ifndef WARDEN_SRC_ETCD_CONNECTION_H_
#define WARDEN_SRC_ETCD_CONNECTION_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc.grpc.pb.h"
#include "warden/etcd/etcd.h"

namespace warden::etcd_internal {

// One etcd member: its channel and the stubs of the services warden uses.
struct Endpoint {
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<etcdserverpb::KV::Stub> kv;
  std::unique_ptr<etcdserverpb::Lease::Stub> lease;
  std::unique_ptr<etcdserverpb::Watch::Stub> watch;
  std::unique_ptr<etcdserverpb::Auth::Stub> auth;
  std::unique_ptr<etcdserverpb::Maintenance::Stub> maintenance;
  // When the member last answered a call or on a stream (absl::ToUnixNanos; 0: never). An answer
  // on any stream proves the member alive and led: the watch stream needs no probe meanwhile.
  std::atomic<int64_t> last_answer_unix_ns{0};

  void NoteAnswer() { last_answer_unix_ns.store(absl::ToUnixNanos(absl::Now())); }
  absl::Time LastAnswer() const { return absl::FromUnixNanos(last_answer_unix_ns.load()); }
};

// Whether a call may be sent again after an attempt that got no answer.
enum class Retry {
  kIdempotent,  // reads, keep-alives, revokes: try the next endpoint
  kOnlyUnsent,  // writes: try another endpoint only if nothing was sent
};

// Maps a gRPC status from `endpoint` to warden's error classes (the codes are the same numbers;
// the message gains the endpoint).
absl::Status FromGrpc(const grpc::Status& status, const std::string& endpoint);

class Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Create(const EtcdOptions& options);

  const EtcdOptions& options() const { return options_; }

  // Runs `call` on a connected endpoint with a per-attempt deadline and the auth token in its
  // context, moving to another endpoint as `retry` allows until `deadline`.
  using UnaryCall = std::function<grpc::Status(Endpoint&, grpc::ClientContext&)>;
  absl::Status Invoke(absl::Time deadline, Retry retry, const UnaryCall& call);

  // An endpoint with an open connection, preferring the one in use; waits for one until
  // `deadline`. UNAVAILABLE (naming what was tried) if none connects in time.
  absl::StatusOr<Endpoint*> Connected(absl::Time deadline);

  // Stops using `endpoint` for new calls: the next call starts at the following one.
  void ReportFailure(const Endpoint& endpoint);

  // Adds the auth token (fetching it first if needed) and, for streams, etcd's "require leader"
  // flag to `context`.
  absl::Status PrepareContext(Endpoint& endpoint, grpc::ClientContext& context, bool require_leader,
                              absl::Time deadline);

  // A connected endpoint and a context ready for a long-lived stream (auth token and etcd's
  // "require leader" flag set), waiting at most the dial timeout for a connection.
  struct StreamStart {
    Endpoint* endpoint;
    std::unique_ptr<grpc::ClientContext> context;
  };
  absl::StatusOr<StreamStart> StartStream();

  // Forgets the auth token after etcd rejected it, so the next call authenticates again.
  void ForgetToken();

 private:
  explicit Connection(EtcdOptions options) : options_(std::move(options)) {}
  absl::StatusOr<std::string> Token(Endpoint& endpoint, absl::Time deadline);

  const EtcdOptions options_;
  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  absl::Mutex mu_;
  size_t current_ ABSL_GUARDED_BY(mu_) = 0;
  std::string token_ ABSL_GUARDED_BY(mu_);
};

// True for errors that say "this endpoint cannot serve now" rather than "the request is wrong".
bool IsEndpointFailure(const grpc::Status& status);

// True when etcd rejected the auth token (expired or unknown), so authenticating again helps.
bool IsInvalidToken(const grpc::Status& status);

}  // namespace warden::etcd_internal

#endif  // WARDEN_SRC_ETCD_CONNECTION_H_
