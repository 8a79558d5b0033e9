// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The in-memory DCS: one MemoryStore holds the keys, revisions, leases and watch history, with
// etcd v3's semantics; each MemoryDcs is one client of it (one per simulated node) with its own
// injectable faults, so a test can cut one node off from the DCS while the others carry on.
//
//   ManualClock clock;
//   MemoryStore store({.clock = &clock});
//   std::unique_ptr<MemoryDcs> node1 = store.NewClient("node1");
//   auto lease = node1->GrantLease(absl::Seconds(10), absl::InfiniteFuture());
//   node1->Put("/service/pg/leader", "node1", lease->id, absl::InfiniteFuture());
//   clock.Advance(absl::Seconds(11));  // the lease expires; the leader key is deleted
//
// Lifetime: clients and watch handles keep the shared state alive, but the store's thread (watch
// delivery, lease expiry) stops with the MemoryStore object: destroy the store last.

#ifndef WARDEN_DCS_MEMORY_H_
#define WARDEN_DCS_MEMORY_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/clock.h"
#include "warden/dcs/dcs.h"

namespace warden {

namespace internal {
class MemoryCore;
struct ClientFaults;
}  // namespace internal

// How a MemoryStore behaves.
struct MemoryStoreOptions {
  // Drives lease expiry. nullptr means SteadyClock::Default(). Must outlive the store. With a
  // ManualClock, leases expire inside ManualClock::Advance, before it returns.
  Clock* clock = nullptr;
  // The largest request (the sum of its keys and values) accepted; etcd's default
  // --max-request-bytes. Larger requests fail with INVALID_ARGUMENT.
  size_t max_request_bytes = size_t{1536} * 1024;
  // When > 0, history older than this many revisions is compacted away automatically (etcd's
  // --auto-compaction-mode=revision), bounding memory in long runs. 0 keeps all history until
  // Compact() is called.
  int64_t retain_revisions = 0;
  // false: a store thread delivers watch events and expires leases as real time passes.
  // true: no store thread at all; watch events wait for DeliverPending() and leases expire when
  // the clock jumps or a call notices. For single-threaded deterministic simulation.
  bool manual_delivery = false;
};

class MemoryDcs;

// The shared state of an in-memory DCS. Thread-safe.
class MemoryStore {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});
  ~MemoryStore();
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // A new client of this store; `name` appears in injected-fault error messages.
  std::unique_ptr<MemoryDcs> NewClient(std::string_view name = "client");

  // Forgets history before `revision`, as etcd's compaction does: a watch from an older revision
  // is then answered OUT_OF_RANGE. OUT_OF_RANGE if `revision` is not above the last compaction or
  // is past the current revision.
  absl::Status Compact(Revision revision);

  // The current store revision (1 for an empty new store) and the last compaction revision.
  Revision CurrentRevision() const;
  Revision CompactRevision() const;

  // Expires every lease whose deadline has passed on the clock. Calls do this themselves; tests
  // with a clock that moves on its own may call it to make expiry visible to watchers at once.
  void ExpireLeases();

  // With manual_delivery: delivers every pending watch response on the calling thread and
  // returns how many were delivered. Without it: does nothing and returns 0.
  size_t DeliverPending();

 private:
  std::shared_ptr<internal::MemoryCore> core_;
  int clock_listener_id_ = 0;
  std::thread worker_;
};

// One client of a MemoryStore: the Dcs interface plus fault injection. Faults affect only this
// client. Thread-safe.
class MemoryDcs final : public Dcs {
 public:
  ~MemoryDcs() override;

  // --- Fault injection -------------------------------------------------------------------------

  // Makes every call fail with `code` (UNAVAILABLE, DEADLINE_EXCEEDED, ...) for `duration` on
  // the store's clock, or until Heal() when `duration` is absl::InfiniteDuration().
  void FailCalls(absl::StatusCode code, absl::Duration duration = absl::InfiniteDuration());
  // Delays every call by `latency` of real time. A call whose deadline comes first waits until
  // the deadline and fails with DEADLINE_EXCEEDED, not applied.
  void SetLatency(absl::Duration latency);
  // While on, KeepAlive fails with DEADLINE_EXCEEDED and does not renew the lease, as when the
  // keep-alive is lost on the wire.
  void DropKeepAlives(bool drop);
  // While on, watch responses for this client's watches are held back; they are delivered, in
  // order and none lost, when delivery resumes.
  void PauseWatches(bool pause);
  // Cuts this client off: calls fail UNAVAILABLE and watch delivery pauses. Heal() undoes it.
  void Partition();
  // Clears every fault of this client.
  void Heal();

  // --- Dcs --------------------------------------------------------------------------------------

  absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) override;
  absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) override;
  absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                               absl::Time deadline) override;
  absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) override;
  absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix, absl::Time deadline) override;
  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) override;
  absl::StatusOr<Lease> GrantLease(absl::Duration ttl, absl::Time deadline) override;
  absl::StatusOr<absl::Duration> KeepAlive(LeaseId lease, absl::Time deadline) override;
  absl::Status RevokeLease(LeaseId lease, absl::Time deadline) override;
  absl::StatusOr<LeaseStatus> LeaseTimeToLive(LeaseId lease, absl::Time deadline) override;
  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string_view prefix,
                                                     Revision from_revision, WatchCallback callback,
                                                     absl::Time deadline) override;

 private:
  friend class MemoryStore;
  MemoryDcs(std::shared_ptr<internal::MemoryCore> core, std::string_view name);

  // OK if the call may proceed; otherwise the injected fault or DEADLINE_EXCEEDED.
  absl::Status Admit(absl::Time deadline);
  // A transaction of one op and no compares.
  absl::StatusOr<TxnResult> RunOne(TxnOp op, absl::Time deadline);

  std::shared_ptr<internal::MemoryCore> core_;
  std::shared_ptr<internal::ClientFaults> faults_;
};

}  // namespace warden

#endif  // WARDEN_DCS_MEMORY_H_
