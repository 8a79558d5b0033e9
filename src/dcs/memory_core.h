// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The shared state behind MemoryStore and its MemoryDcs clients: an ordered key space with
// etcd v3's revision rules, leases, the event history, and the watchers with their queues.
// Requests reach it already validated (warden/dcs/validate.h) and admitted (faults checked).

#ifndef WARDEN_SRC_DCS_MEMORY_CORE_H_
#define WARDEN_SRC_DCS_MEMORY_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "warden/clock.h"
#include "warden/dcs/memory.h"
#include "warden/dcs/txn.h"
#include "warden/dcs/types.h"
#include "warden/dcs/watch.h"

namespace warden::internal {

// The faults injected into one client.
struct ClientFaults {
  explicit ClientFaults(std::string client_name) : name(std::move(client_name)) {}

  const std::string name;
  absl::Mutex mu;
  absl::StatusCode fail_code ABSL_GUARDED_BY(mu) = absl::StatusCode::kOk;
  absl::Time fail_until ABSL_GUARDED_BY(mu) = absl::InfinitePast();  // on the store's clock
  absl::Duration latency ABSL_GUARDED_BY(mu) = absl::ZeroDuration();
  bool drop_keepalives ABSL_GUARDED_BY(mu) = false;
  std::atomic<bool> watches_paused{false};
};

// One registered watch.
struct Watcher {
  int64_t id = 0;
  std::string prefix;
  Revision start_revision = 0;  // events below this revision are not for this watch
  WatchCallback callback;
  std::shared_ptr<ClientFaults> faults;
  // Set under MemoryCore's lock once a terminal response is queued: nothing follows it.
  bool finished = false;
  std::atomic<bool> cancelled{false};
  // Held while the callback runs, so Cancel can wait out a call in progress.
  absl::Mutex callback_mu;
};

class MemoryCore {
 public:
  explicit MemoryCore(const MemoryStoreOptions& options);

  Clock& clock() const { return *clock_; }
  size_t max_request_bytes() const { return max_request_bytes_; }

  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn) ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<Lease> GrantLease(absl::Duration ttl) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<absl::Duration> KeepAlive(LeaseId id) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Revoke(LeaseId id) ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<LeaseStatus> TimeToLive(LeaseId id) ABSL_LOCKS_EXCLUDED(mu_);

  // Registers a watch and queues its history replay (or its OUT_OF_RANGE answer).
  std::shared_ptr<Watcher> AddWatcher(std::string prefix, Revision from_revision,
                                      WatchCallback callback, std::shared_ptr<ClientFaults> faults)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Stops delivery to `watcher`; returns once its callback is not running (see watch.h).
  void CancelWatcher(const std::shared_ptr<Watcher>& watcher) ABSL_LOCKS_EXCLUDED(mu_);

  absl::Status Compact(Revision revision) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops history before `revision` (which must be in (compact_revision_, revision_]).
  void CompactLocked(Revision revision) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Revision CurrentRevision() const ABSL_LOCKS_EXCLUDED(mu_);
  Revision CompactRevision() const ABSL_LOCKS_EXCLUDED(mu_);

  void ExpireLeases() ABSL_LOCKS_EXCLUDED(mu_);
  // Delivers queued responses on this thread until none is deliverable. A call from inside a
  // watch callback returns 0 at once (delivery is already under way further up the stack).
  size_t DeliverPending() ABSL_LOCKS_EXCLUDED(mu_);

  // The store thread: expires leases and delivers events until StopWorker().
  void RunWorker() ABSL_LOCKS_EXCLUDED(mu_);
  void StopWorker() ABSL_LOCKS_EXCLUDED(mu_);
  // Wakes the store thread to re-check what it can deliver (after a pause is lifted).
  void Wake() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct LeaseState {
    absl::Duration ttl;
    absl::Time expiry;
    std::set<std::string> keys;
  };
  struct HistoryEntry {
    Revision revision;
    std::vector<WatchEvent> events;
  };
  using KeyMap = std::map<std::string, KeyValue, std::less<>>;

  bool CompareHolds(const Compare& compare) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  TxnOpResult ApplyOp(const TxnOp& op, Revision next, std::vector<WatchEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PutKey(const TxnOp& op, Revision next, std::vector<WatchEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseKey(KeyMap::iterator it, Revision next, std::vector<WatchEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DetachFromLease(const KeyValue& kv) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes `events` the changes of revision `next`: bumps the revision, records history and
  // queues a response for every watcher whose prefix they touch.
  void Commit(Revision next, std::vector<WatchEvent> events) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RevokeLocked(LeaseId id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ExpireLeasesLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration TimeToNextExpiryLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasDeliverableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes the queued responses of every watcher not paused, in watcher order.
  std::vector<std::pair<std::shared_ptr<Watcher>, std::deque<WatchResponse>>> TakeDeliverable()
      ABSL_LOCKS_EXCLUDED(mu_);
  size_t DeliverTo(Watcher& watcher, const std::deque<WatchResponse>& responses)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Unregister(int64_t watcher_id) ABSL_LOCKS_EXCLUDED(mu_);

  Clock* const clock_;
  const size_t max_request_bytes_;
  const int64_t retain_revisions_;

  // Serialises deliverers, so each watcher's responses go out one at a time and in order.
  absl::Mutex delivery_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable absl::Mutex mu_;
  absl::CondVar work_cv_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  Revision revision_ ABSL_GUARDED_BY(mu_) = 1;
  Revision compact_revision_ ABSL_GUARDED_BY(mu_) = 0;
  KeyMap kvs_ ABSL_GUARDED_BY(mu_);
  std::deque<HistoryEntry> history_ ABSL_GUARDED_BY(mu_);
  std::map<LeaseId, LeaseState> leases_ ABSL_GUARDED_BY(mu_);
  LeaseId last_lease_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int64_t, std::shared_ptr<Watcher>> watchers_ ABSL_GUARDED_BY(mu_);
  // Responses waiting for delivery, by watcher id.
  std::map<int64_t, std::deque<WatchResponse>> pending_ ABSL_GUARDED_BY(mu_);
  int64_t last_watcher_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace warden::internal

#endif  // WARDEN_SRC_DCS_MEMORY_CORE_H_
