// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// LeaseHub: every keep-alive of one client on one etcd LeaseKeepAlive stream, plus each granted
// lease's conservative local deadline (send time of the last acknowledged grant or keep-alive +
// TTL) and the lease-lost signal when it passes.

#ifndef WARDEN_SRC_ETCD_LEASE_HUB_H_
#define WARDEN_SRC_ETCD_LEASE_HUB_H_

#include <deque>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc.grpc.pb.h"
#include "src/etcd/connection.h"
#include "warden/dcs/types.h"

namespace warden::etcd_internal {

class LeaseHub {
 public:
  explicit LeaseHub(Connection& connection);
  ~LeaseHub();
  LeaseHub(const LeaseHub&) = delete;
  LeaseHub& operator=(const LeaseHub&) = delete;

  // Starts the local deadline of a lease granted with `ttl` by a request sent at `sent` (on the
  // options' clock).
  void Track(LeaseId id, absl::Duration ttl, absl::Time sent);
  // Stops tracking a revoked lease: no keep-alive, no lost signal.
  void Untrack(LeaseId id);

  // Sends one keep-alive on the shared stream and waits for its answer.
  absl::StatusOr<absl::Duration> KeepAlive(LeaseId id, absl::Time deadline);

  // Sends the automatic keep-alives that are due and signals the leases past their local
  // deadline. Returns the clock time at which it wants to run again.
  absl::Time Tick();

 private:
  struct Waiter {
    bool done = false;
    absl::StatusOr<absl::Duration> result = absl::UnknownError("pending");
  };
  struct Sent {
    absl::Time at;                   // on the options' clock
    std::shared_ptr<Waiter> waiter;  // null for automatic keep-alives
  };
  struct Tracked {
    absl::Duration ttl;
    absl::Time local_deadline;
    absl::Time next_renewal;
  };

  void Run();
  bool OpenStream() ABSL_LOCKS_EXCLUDED(mu_);
  void ReadUntilBroken() ABSL_LOCKS_EXCLUDED(mu_);
  // Applies one answer; returns the lease if it turned out to be gone and was being tracked.
  std::vector<LeaseId> Apply(const etcdserverpb::LeaseKeepAliveResponse& response)
      ABSL_LOCKS_EXCLUDED(mu_);
  bool Send(LeaseId id, std::shared_ptr<Waiter> waiter) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Cancels the stream if a keep-alive on it has gone unanswered for request_timeout.
  void AbandonSilentStream(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SignalLost(const std::vector<LeaseId>& ids) ABSL_LOCKS_EXCLUDED(mu_);

  Connection& connection_;
  Clock* const clock_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wanted_ ABSL_GUARDED_BY(mu_) = false;  // someone has used keep-alives: keep a stream open
  std::map<LeaseId, std::deque<Sent>> in_flight_ ABSL_GUARDED_BY(mu_);
  std::map<LeaseId, Tracked> tracked_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::LeaseKeepAliveRequest,
                                           etcdserverpb::LeaseKeepAliveResponse>>
      stream_ ABSL_GUARDED_BY(mu_);
  Endpoint* stream_endpoint_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace warden::etcd_internal

#endif  // WARDEN_SRC_ETCD_LEASE_HUB_H_
