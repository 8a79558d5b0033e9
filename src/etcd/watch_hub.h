// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// WatchHub: every watch of one client on one etcd Watch stream, served by one thread. When the
// stream breaks, the thread opens a new one (on another endpoint if needed) and re-creates each
// watch from the revision after the last it delivered, so callers see each event exactly once.

#ifndef WARDEN_SRC_ETCD_WATCH_HUB_H_
#define WARDEN_SRC_ETCD_WATCH_HUB_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rpc.grpc.pb.h"
#include "src/etcd/connection.h"
#include "warden/dcs/watch.h"

namespace warden::etcd_internal {

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  explicit WatchHub(Connection& connection);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Creates a watch and returns once etcd has confirmed it, or fails at `deadline`.
  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string prefix, Revision from_revision,
                                                     WatchCallback callback, absl::Time deadline);

  // Called periodically: sends a progress request on a quiet stream, and abandons a stream whose
  // endpoint has stopped answering so that the thread reconnects elsewhere. Returns when it wants
  // to be called next.
  absl::Time Probe(absl::Time now);

 private:
  struct Watcher {
    int64_t id = 0;
    std::string prefix;
    // The first revision not yet delivered; 0 until etcd has said where "now" is.
    Revision next_revision = 0;
    WatchCallback callback;
    int64_t server_id = -1;  // etcd's id on the current stream; -1 when not created there
    bool created = false;    // etcd confirmed it at least once
    absl::Status create_error;
    std::atomic<bool> cancelled{false};
    absl::Mutex callback_mu;  // held while the callback runs
  };
  class HubHandle;

  void Run();
  // Opens a stream and re-creates every watch on it; false if it could not.
  bool OpenStream() ABSL_LOCKS_EXCLUDED(mu_);
  void ReadUntilBroken() ABSL_LOCKS_EXCLUDED(mu_);
  void Handle(const etcdserverpb::WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  void HandleCreated(const etcdserverpb::WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  void SendCreate(const std::shared_ptr<Watcher>& watcher) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Write(const etcdserverpb::WatchRequest& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Deliver(Watcher& watcher, const WatchResponse& response) ABSL_LOCKS_EXCLUDED(mu_);
  void Cancel(const std::shared_ptr<Watcher>& watcher) ABSL_LOCKS_EXCLUDED(mu_);
  void Finish(Watcher& watcher) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Connection& connection_;
  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int64_t last_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, std::shared_ptr<Watcher>> by_server_id_ ABSL_GUARDED_BY(mu_);
  // Creates sent on the current stream and not yet answered, in order: etcd answers in order.
  std::deque<std::shared_ptr<Watcher>> pending_creates_ ABSL_GUARDED_BY(mu_);
  // The open stream, if any, and what we know of its health.
  std::unique_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::ClientReaderWriter<etcdserverpb::WatchRequest, etcdserverpb::WatchResponse>>
      stream_ ABSL_GUARDED_BY(mu_);
  Endpoint* stream_endpoint_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time last_heard_ ABSL_GUARDED_BY(mu_);
  absl::Time probe_sent_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace warden::etcd_internal

#endif  // WARDEN_SRC_ETCD_WATCH_HUB_H_
