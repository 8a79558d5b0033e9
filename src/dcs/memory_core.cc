// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/dcs/memory_core.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"

namespace warden::internal {
namespace {

// The watcher whose callback this thread is running, and its store: lets Cancel and
// DeliverPending called from inside a callback avoid waiting on themselves.
thread_local const Watcher* tls_running_watcher = nullptr;
thread_local const MemoryCore* tls_delivering_core = nullptr;

// The longest the store thread sleeps without looking at the clock, for clocks that move
// without calling their jump listeners.
constexpr absl::Duration kMaxWorkerSleep = absl::Seconds(1);

template <typename T>
bool Compared(const T& actual, Compare::Op op, const T& expected) {
  switch (op) {
    case Compare::Op::kEqual:
      return actual == expected;
    case Compare::Op::kNotEqual:
      return actual != expected;
    case Compare::Op::kLess:
      return actual < expected;
    case Compare::Op::kGreater:
      return actual > expected;
  }
  return false;
}

absl::Status LeaseNotFound(LeaseId id) {
  return absl::NotFoundError(absl::StrCat("lease ", id, " not found (expired or revoked)"));
}

std::vector<WatchEvent> EventsUnder(const std::vector<WatchEvent>& events,
                                    std::string_view prefix) {
  std::vector<WatchEvent> matching;
  for (const WatchEvent& e : events) {
    if (e.kv.key.starts_with(prefix)) matching.push_back(e);
  }
  return matching;
}

}  // namespace

MemoryCore::MemoryCore(const MemoryStoreOptions& options)
    : clock_(options.clock != nullptr ? options.clock : SteadyClock::Default()),
      max_request_bytes_(options.max_request_bytes),
      retain_revisions_(options.retain_revisions) {}

// --- Key space and transactions ------------------------------------------------------------------

absl::StatusOr<TxnResult> MemoryCore::Txn(const TxnRequest& txn) {
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  TxnResult result;
  result.succeeded = std::all_of(txn.compares.begin(), txn.compares.end(),
                                 [this](const Compare& c)
                                     ABSL_NO_THREAD_SAFETY_ANALYSIS { return CompareHolds(c); });
  const std::vector<TxnOp>& ops = result.succeeded ? txn.success : txn.failure;
  // Check every lease before applying anything: a transaction applies whole or not at all.
  for (const TxnOp& op : ops) {
    if (op.type == TxnOp::Type::kPut && op.lease != kNoLease && !leases_.contains(op.lease)) {
      return LeaseNotFound(op.lease);
    }
  }
  Revision next = revision_ + 1;
  std::vector<WatchEvent> events;
  result.results.reserve(ops.size());
  for (const TxnOp& op : ops) result.results.push_back(ApplyOp(op, next, events));
  if (!events.empty()) Commit(next, std::move(events));
  result.revision = revision_;
  return result;
}

bool MemoryCore::CompareHolds(const Compare& compare) const {
  auto it = kvs_.find(compare.key);
  if (it == kvs_.end()) {
    // etcd: a value compare on an absent key always fails; the other targets read as 0.
    if (compare.target == Compare::Target::kValue) return false;
    return Compared<int64_t>(0, compare.op, compare.number);
  }
  const KeyValue& kv = it->second;
  switch (compare.target) {
    case Compare::Target::kValue:
      return Compared<std::string_view>(kv.value, compare.op, compare.value);
    case Compare::Target::kVersion:
      return Compared(kv.version, compare.op, compare.number);
    case Compare::Target::kCreateRevision:
      return Compared(kv.create_revision, compare.op, compare.number);
    case Compare::Target::kModRevision:
      return Compared(kv.mod_revision, compare.op, compare.number);
  }
  return false;
}

TxnOpResult MemoryCore::ApplyOp(const TxnOp& op, Revision next, std::vector<WatchEvent>& events) {
  TxnOpResult result;
  switch (op.type) {
    case TxnOp::Type::kGet:
      if (auto it = kvs_.find(op.key); it != kvs_.end()) result.kvs.push_back(it->second);
      break;
    case TxnOp::Type::kList:
      for (auto it = kvs_.lower_bound(op.key); it != kvs_.end() && it->first.starts_with(op.key);
           ++it) {
        result.kvs.push_back(it->second);
      }
      break;
    case TxnOp::Type::kPut:
      PutKey(op, next, events);
      break;
    case TxnOp::Type::kDelete:
      if (auto it = kvs_.find(op.key); it != kvs_.end()) {
        EraseKey(it, next, events);
        result.deleted = 1;
      }
      break;
    case TxnOp::Type::kDeletePrefix:
      for (auto it = kvs_.lower_bound(op.key); it != kvs_.end() && it->first.starts_with(op.key);) {
        auto victim = it++;
        EraseKey(victim, next, events);
        ++result.deleted;
      }
      break;
  }
  return result;
}

void MemoryCore::PutKey(const TxnOp& op, Revision next, std::vector<WatchEvent>& events) {
  auto [it, created] = kvs_.try_emplace(op.key);
  KeyValue& kv = it->second;
  if (created) {
    kv.key = op.key;
    kv.create_revision = next;
  } else {
    DetachFromLease(kv);
  }
  kv.value = op.value;
  kv.mod_revision = next;
  ++kv.version;
  kv.lease = op.lease;
  if (op.lease != kNoLease) leases_[op.lease].keys.insert(op.key);
  events.push_back({WatchEvent::Type::kPut, kv});
}

void MemoryCore::EraseKey(KeyMap::iterator it, Revision next, std::vector<WatchEvent>& events) {
  DetachFromLease(it->second);
  WatchEvent deleted{WatchEvent::Type::kDelete, KeyValue{}};
  deleted.kv.key = it->first;
  deleted.kv.mod_revision = next;
  events.push_back(std::move(deleted));
  kvs_.erase(it);
}

void MemoryCore::DetachFromLease(const KeyValue& kv) {
  if (kv.lease == kNoLease) return;
  if (auto lease = leases_.find(kv.lease); lease != leases_.end()) lease->second.keys.erase(kv.key);
}

void MemoryCore::Commit(Revision next, std::vector<WatchEvent> events) {
  revision_ = next;
  for (auto& [id, watcher] : watchers_) {
    if (watcher->finished || next < watcher->start_revision) continue;
    std::vector<WatchEvent> matching = EventsUnder(events, watcher->prefix);
    if (matching.empty()) continue;
    pending_[id].push_back(WatchResponse{absl::OkStatus(), next, 0, std::move(matching)});
  }
  history_.push_back(HistoryEntry{next, std::move(events)});
  if (retain_revisions_ > 0 && revision_ - compact_revision_ > retain_revisions_) {
    CompactLocked(revision_ - retain_revisions_);
  }
  work_cv_.Signal();
}

absl::Status MemoryCore::Compact(Revision revision) {
  absl::MutexLock lock(&mu_);
  if (revision <= compact_revision_) {
    return absl::OutOfRangeError(absl::StrCat("revision ", revision,
                                              " has been compacted already (compaction is at ",
                                              compact_revision_, ")"));
  }
  if (revision > revision_) {
    return absl::OutOfRangeError(
        absl::StrCat("revision ", revision, " is a future revision (current is ", revision_, ")"));
  }
  CompactLocked(revision);
  return absl::OkStatus();
}

void MemoryCore::CompactLocked(Revision revision) {
  compact_revision_ = revision;
  while (!history_.empty() && history_.front().revision < revision) history_.pop_front();
}

Revision MemoryCore::CurrentRevision() const {
  absl::MutexLock lock(&mu_);
  return revision_;
}

Revision MemoryCore::CompactRevision() const {
  absl::MutexLock lock(&mu_);
  return compact_revision_;
}

// --- Leases -------------------------------------------------------------------------------------

absl::StatusOr<Lease> MemoryCore::GrantLease(absl::Duration ttl) {
  // etcd counts TTLs in whole seconds; round up so the lease is never shorter than asked.
  absl::Duration granted = absl::Seconds(absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1))));
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  LeaseId id = ++last_lease_id_;
  leases_[id] = LeaseState{granted, clock_->Now() + granted, {}};
  work_cv_.Signal();  // the store thread may be sleeping past this lease's expiry
  return Lease{id, granted};
}

absl::StatusOr<absl::Duration> MemoryCore::KeepAlive(LeaseId id) {
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  auto it = leases_.find(id);
  if (it == leases_.end()) return LeaseNotFound(id);
  it->second.expiry = clock_->Now() + it->second.ttl;
  return it->second.ttl;
}

absl::Status MemoryCore::Revoke(LeaseId id) {
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  if (!leases_.contains(id)) return LeaseNotFound(id);
  RevokeLocked(id);
  return absl::OkStatus();
}

absl::StatusOr<LeaseStatus> MemoryCore::TimeToLive(LeaseId id) {
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  auto it = leases_.find(id);
  if (it == leases_.end()) return LeaseNotFound(id);
  const LeaseState& lease = it->second;
  LeaseStatus status{
      id, lease.ttl, std::max(absl::ZeroDuration(), lease.expiry - clock_->Now()), {}};
  status.keys.assign(lease.keys.begin(), lease.keys.end());
  return status;
}

void MemoryCore::RevokeLocked(LeaseId id) {
  auto node = leases_.extract(id);
  Revision next = revision_ + 1;
  std::vector<WatchEvent> events;
  for (const std::string& key : node.mapped().keys) {
    if (auto it = kvs_.find(key); it != kvs_.end()) EraseKey(it, next, events);
  }
  // All of a lease's keys go in one revision, so no reader sees half of them.
  if (!events.empty()) Commit(next, std::move(events));
}

void MemoryCore::ExpireLeases() {
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
}

void MemoryCore::ExpireLeasesLocked() {
  absl::Time now = clock_->Now();
  std::vector<std::pair<absl::Time, LeaseId>> expired;
  for (const auto& [id, lease] : leases_) {
    if (lease.expiry <= now) expired.emplace_back(lease.expiry, id);
  }
  // Oldest first, so the revisions follow the order the leases ran out in.
  std::sort(expired.begin(), expired.end());
  for (const auto& [expiry, id] : expired) RevokeLocked(id);
}

absl::Duration MemoryCore::TimeToNextExpiryLocked() const {
  absl::Duration wait = kMaxWorkerSleep;
  absl::Time now = clock_->Now();
  for (const auto& [id, lease] : leases_) wait = std::min(wait, lease.expiry - now);
  return std::max(wait, absl::ZeroDuration());
}

// --- Watches ------------------------------------------------------------------------------------

std::shared_ptr<Watcher> MemoryCore::AddWatcher(std::string prefix, Revision from_revision,
                                                WatchCallback callback,
                                                std::shared_ptr<ClientFaults> faults) {
  auto watcher = std::make_shared<Watcher>();
  watcher->prefix = std::move(prefix);
  watcher->callback = std::move(callback);
  watcher->faults = std::move(faults);
  absl::MutexLock lock(&mu_);
  ExpireLeasesLocked();
  watcher->id = ++last_watcher_id_;
  watcher->start_revision = from_revision > 0 ? from_revision : revision_ + 1;
  std::deque<WatchResponse>& queue = pending_[watcher->id];
  if (from_revision > 0 && from_revision < compact_revision_) {
    queue.push_back(WatchResponse{
        absl::OutOfRangeError(absl::StrCat("watch from revision ", from_revision,
                                           ": required revision has been compacted (compaction "
                                           "is at ",
                                           compact_revision_, ")")),
        revision_,
        compact_revision_,
        {}});
    watcher->finished = true;
  } else {
    for (const HistoryEntry& entry : history_) {
      if (entry.revision < watcher->start_revision) continue;
      std::vector<WatchEvent> matching = EventsUnder(entry.events, watcher->prefix);
      if (!matching.empty()) {
        queue.push_back(WatchResponse{absl::OkStatus(), entry.revision, 0, std::move(matching)});
      }
    }
  }
  if (queue.empty()) pending_.erase(watcher->id);
  watchers_[watcher->id] = watcher;
  work_cv_.Signal();
  return watcher;
}

void MemoryCore::CancelWatcher(const std::shared_ptr<Watcher>& watcher) {
  watcher->cancelled.store(true);
  Unregister(watcher->id);
  // Wait out a callback running on another thread; from inside the callback itself, returning
  // is enough, since the deliverer checks `cancelled` before each call.
  if (tls_running_watcher != watcher.get()) absl::MutexLock wait(&watcher->callback_mu);
}

void MemoryCore::Unregister(int64_t watcher_id) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher_id);
  pending_.erase(watcher_id);
}

bool MemoryCore::HasDeliverableLocked() const {
  for (const auto& [id, queue] : pending_) {
    auto it = watchers_.find(id);
    if (it != watchers_.end() && !it->second->faults->watches_paused.load()) return true;
  }
  return false;
}

std::vector<std::pair<std::shared_ptr<Watcher>, std::deque<WatchResponse>>>
MemoryCore::TakeDeliverable() {
  std::vector<std::pair<std::shared_ptr<Watcher>, std::deque<WatchResponse>>> batch;
  absl::MutexLock lock(&mu_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto watcher = watchers_.find(it->first);
    if (watcher == watchers_.end()) {
      it = pending_.erase(it);
    } else if (watcher->second->faults->watches_paused.load()) {
      ++it;
    } else {
      batch.emplace_back(watcher->second, std::move(it->second));
      it = pending_.erase(it);
    }
  }
  return batch;
}

size_t MemoryCore::DeliverPending() {
  if (tls_delivering_core == this) return 0;
  absl::MutexLock delivery(&delivery_mu_);
  size_t delivered = 0;
  for (auto batch = TakeDeliverable(); !batch.empty(); batch = TakeDeliverable()) {
    for (auto& [watcher, responses] : batch) delivered += DeliverTo(*watcher, responses);
  }
  return delivered;
}

size_t MemoryCore::DeliverTo(Watcher& watcher, const std::deque<WatchResponse>& responses) {
  absl::MutexLock running(&watcher.callback_mu);
  size_t delivered = 0;
  for (const WatchResponse& response : responses) {
    if (watcher.cancelled.load()) break;
    // Saved and restored: a callback may drive another store's delivery.
    const Watcher* outer_watcher = std::exchange(tls_running_watcher, &watcher);
    const MemoryCore* outer_core = std::exchange(tls_delivering_core, this);
    bool threw = false;
    try {
      watcher.callback(response);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warden: watch callback threw (%s); watch %lld cancelled\n", e.what(),
                   static_cast<long long>(watcher.id));
      threw = true;
    } catch (...) {
      std::fprintf(stderr, "warden: watch callback threw; watch %lld cancelled\n",
                   static_cast<long long>(watcher.id));
      threw = true;
    }
    tls_running_watcher = outer_watcher;
    tls_delivering_core = outer_core;
    ++delivered;
    if (threw || !response.status.ok()) {
      watcher.cancelled.store(true);
      Unregister(watcher.id);
      break;
    }
  }
  return delivered;
}

// --- The store thread ---------------------------------------------------------------------------

void MemoryCore::RunWorker() {
  mu_.Lock();
  while (!stop_) {
    ExpireLeasesLocked();
    if (HasDeliverableLocked()) {
      mu_.Unlock();
      DeliverPending();
      mu_.Lock();
      continue;
    }
    work_cv_.WaitWithTimeout(&mu_, TimeToNextExpiryLocked());
  }
  mu_.Unlock();
}

void MemoryCore::StopWorker() {
  absl::MutexLock lock(&mu_);
  stop_ = true;
  work_cv_.Signal();
}

void MemoryCore::Wake() {
  absl::MutexLock lock(&mu_);
  work_cv_.Signal();
}

}  // namespace warden::internal
