// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Dcs: a distributed configuration store seen as keys with revisions, leases, watches and
// compare-and-swap transactions (the model of etcd v3). warden's HA logic speaks only to this
// interface; backends are the in-memory store (warden/dcs/memory.h), etcd v3 (warden/etcd/), or
// the embedder's own, which the conformance suite (warden/dcs/conformance.h) checks.
//
// Deadlines. Every call takes an absolute `deadline` on the wall clock (absl::Now() + timeout, or
// absl::InfiniteFuture()). A call never blocks past it; one whose deadline has passed fails with
// DEADLINE_EXCEEDED, and then it may or may not have been applied (as with any remote store).
//
// Errors. Every failure is an absl::Status of one of these classes:
//   INVALID_ARGUMENT     the request is malformed (empty key, key over kMaxKeyBytes, TTL <= 0,
//                        more than kMaxTxnOps ops, request over the backend's size limit,
//                        duplicate keys in a txn branch). Nothing was applied.
//   UNAVAILABLE          the backend cannot be reached now; retry, maybe elsewhere.
//   DEADLINE_EXCEEDED    the deadline passed first.
//   FAILED_PRECONDITION  a condition the caller set did not hold.
//   NOT_FOUND            the lease does not exist (never granted, expired or revoked).
//   OUT_OF_RANGE         a watch's start revision was compacted (reported to the callback).
//   PERMISSION_DENIED / UNAUTHENTICATED   the backend refused the credentials.
// An absent key is not an error: Get returns an empty optional.
//
// Thread safety: every method may be called from any thread concurrently.

#ifndef WARDEN_DCS_DCS_H_
#define WARDEN_DCS_DCS_H_

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "warden/dcs/txn.h"
#include "warden/dcs/types.h"
#include "warden/dcs/watch.h"

namespace warden {

class Dcs {
 public:
  virtual ~Dcs() = default;

  // Reads one key. The result carries the store revision of the read, from which a watch can
  // start (revision + 1) without missing a change.
  virtual absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) = 0;

  // Reads every key starting with `prefix` (all keys for an empty prefix), in byte order.
  virtual absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) = 0;

  // Creates or overwrites a key, attached to `lease` (kNoLease for none; NOT_FOUND if the lease
  // does not exist). Returns the revision of the write.
  virtual absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                                       absl::Time deadline) = 0;

  // Deletes one key; deleting an absent key succeeds with deleted == 0.
  virtual absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) = 0;

  // Deletes every key starting with `prefix`, in one revision. An empty prefix is refused
  // (INVALID_ARGUMENT) so that a bug cannot wipe the whole store.
  virtual absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix,
                                                    absl::Time deadline) = 0;

  // Runs a compare-and-swap transaction atomically (see txn.h). A compare that does not hold is
  // not an error: the failure branch runs and `succeeded` is false.
  virtual absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) = 0;

  // Grants a lease of at least `ttl` (> 0, rounded up to whole seconds).
  virtual absl::StatusOr<Lease> GrantLease(absl::Duration ttl, absl::Time deadline) = 0;

  // Renews a lease to its full TTL and returns that TTL. NOT_FOUND once the lease has expired or
  // been revoked: its keys are gone, and it cannot be revived.
  virtual absl::StatusOr<absl::Duration> KeepAlive(LeaseId lease, absl::Time deadline) = 0;

  // Revokes a lease, deleting its keys in one revision. NOT_FOUND if it does not exist.
  virtual absl::Status RevokeLease(LeaseId lease, absl::Time deadline) = 0;

  // Reports a live lease's TTL, remaining time and keys. NOT_FOUND if it does not exist.
  virtual absl::StatusOr<LeaseStatus> LeaseTimeToLive(LeaseId lease, absl::Time deadline) = 0;

  // Watches every key starting with `prefix` (all keys for an empty prefix). Delivers each change
  // with revision >= `from_revision` exactly once and in revision order, including changes
  // already in the past (history replay); `from_revision` 0 means "from the next change". The
  // deadline bounds only the creation of the watch. See watch.h for the callback's contract.
  virtual absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string_view prefix,
                                                             Revision from_revision,
                                                             WatchCallback callback,
                                                             absl::Time deadline) = 0;
};

}  // namespace warden

#endif  // WARDEN_DCS_DCS_H_
