// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// MemoryStore (owner of the store thread) and MemoryDcs (a client with its own faults): the thin
// layer that validates requests, applies injected faults, and hands work to MemoryCore.

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/dcs/memory_core.h"
#include "warden/dcs/memory.h"
#include "warden/dcs/validate.h"

namespace warden {
namespace {

class MemoryWatchHandle final : public WatchHandle {
 public:
  MemoryWatchHandle(std::shared_ptr<internal::MemoryCore> core,
                    std::shared_ptr<internal::Watcher> watcher)
      : core_(std::move(core)), watcher_(std::move(watcher)) {}
  ~MemoryWatchHandle() override { Cancel(); }

  void Cancel() override { core_->CancelWatcher(watcher_); }

 private:
  std::shared_ptr<internal::MemoryCore> core_;
  std::shared_ptr<internal::Watcher> watcher_;
};

}  // namespace

// --- MemoryStore --------------------------------------------------------------------------------

MemoryStore::MemoryStore(MemoryStoreOptions options)
    : core_(std::make_shared<internal::MemoryCore>(options)) {
  // With a ManualClock, leases must expire inside Advance(), not whenever the thread next looks.
  std::weak_ptr<internal::MemoryCore> weak = core_;
  clock_listener_id_ = core_->clock().AddJumpListener([weak] {
    if (auto core = weak.lock()) {
      core->ExpireLeases();
      core->Wake();
    }
  });
  if (!options.manual_delivery) worker_ = std::thread([core = core_.get()] { core->RunWorker(); });
}

MemoryStore::~MemoryStore() {
  core_->clock().RemoveJumpListener(clock_listener_id_);
  core_->StopWorker();
  if (worker_.joinable()) worker_.join();
}

std::unique_ptr<MemoryDcs> MemoryStore::NewClient(std::string_view name) {
  return std::unique_ptr<MemoryDcs>(new MemoryDcs(core_, name));
}

absl::Status MemoryStore::Compact(Revision revision) { return core_->Compact(revision); }
Revision MemoryStore::CurrentRevision() const { return core_->CurrentRevision(); }
Revision MemoryStore::CompactRevision() const { return core_->CompactRevision(); }
void MemoryStore::ExpireLeases() { core_->ExpireLeases(); }

size_t MemoryStore::DeliverPending() { return worker_.joinable() ? 0 : core_->DeliverPending(); }

// --- MemoryDcs: faults --------------------------------------------------------------------------

MemoryDcs::MemoryDcs(std::shared_ptr<internal::MemoryCore> core, std::string_view name)
    : core_(std::move(core)),
      faults_(std::make_shared<internal::ClientFaults>(std::string(name))) {}

MemoryDcs::~MemoryDcs() = default;

void MemoryDcs::FailCalls(absl::StatusCode code, absl::Duration duration) {
  absl::Time until = duration == absl::InfiniteDuration() ? absl::InfiniteFuture()
                                                          : core_->clock().Now() + duration;
  absl::MutexLock lock(&faults_->mu);
  faults_->fail_code = code;
  faults_->fail_until = until;
}

void MemoryDcs::SetLatency(absl::Duration latency) {
  absl::MutexLock lock(&faults_->mu);
  faults_->latency = latency;
}

void MemoryDcs::DropKeepAlives(bool drop) {
  absl::MutexLock lock(&faults_->mu);
  faults_->drop_keepalives = drop;
}

void MemoryDcs::PauseWatches(bool pause) {
  faults_->watches_paused.store(pause);
  if (!pause) core_->Wake();
}

void MemoryDcs::Partition() {
  FailCalls(absl::StatusCode::kUnavailable);
  PauseWatches(true);
}

void MemoryDcs::Heal() {
  {
    absl::MutexLock lock(&faults_->mu);
    faults_->fail_code = absl::StatusCode::kOk;
    faults_->fail_until = absl::InfinitePast();
    faults_->latency = absl::ZeroDuration();
    faults_->drop_keepalives = false;
  }
  PauseWatches(false);
}

absl::Status MemoryDcs::Admit(absl::Time deadline) {
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("deadline passed before the call was sent");
  }
  absl::StatusCode code;
  absl::Time until;
  absl::Duration latency;
  {
    absl::MutexLock lock(&faults_->mu);
    code = faults_->fail_code;
    until = faults_->fail_until;
    latency = faults_->latency;
  }
  if (code != absl::StatusCode::kOk && core_->clock().Now() < until) {
    return absl::Status(code, absl::StrCat("injected fault: DCS client '", faults_->name,
                                           "' is cut off from the store"));
  }
  if (latency > absl::ZeroDuration()) {
    absl::Duration left = deadline - absl::Now();
    if (latency >= left) {
      absl::SleepFor(left);
      return absl::DeadlineExceededError(absl::StrCat(
          "injected latency of ", absl::FormatDuration(latency), " outlasted the deadline"));
    }
    absl::SleepFor(latency);
  }
  return absl::OkStatus();
}

// --- MemoryDcs: the Dcs interface ---------------------------------------------------------------

absl::StatusOr<TxnResult> MemoryDcs::Txn(const TxnRequest& txn, absl::Time deadline) {
  if (absl::Status s = ValidateTxn(txn, core_->max_request_bytes()); !s.ok()) return s;
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  return core_->Txn(txn);
}

// The plain calls are one-op transactions underneath, so there is one code path for revisions,
// leases and watch events.
absl::StatusOr<TxnResult> MemoryDcs::RunOne(TxnOp op, absl::Time deadline) {
  TxnRequest txn;
  txn.success.push_back(std::move(op));
  return Txn(txn, deadline);
}

absl::StatusOr<GetResult> MemoryDcs::Get(std::string_view key, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = RunOne(TxnOp::Get(key), deadline);
  if (!result.ok()) return result.status();
  GetResult get{std::nullopt, result->revision};
  std::vector<KeyValue>& kvs = result->results.front().kvs;
  if (!kvs.empty()) get.kv = std::move(kvs.front());
  return get;
}

absl::StatusOr<ListResult> MemoryDcs::List(std::string_view prefix, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = RunOne(TxnOp::List(prefix), deadline);
  if (!result.ok()) return result.status();
  return ListResult{std::move(result->results.front().kvs), result->revision};
}

absl::StatusOr<Revision> MemoryDcs::Put(std::string_view key, std::string_view value, LeaseId lease,
                                        absl::Time deadline) {
  absl::StatusOr<TxnResult> result = RunOne(TxnOp::Put(key, value, lease), deadline);
  if (!result.ok()) return result.status();
  return result->revision;
}

absl::StatusOr<DeleteResult> MemoryDcs::Delete(std::string_view key, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = RunOne(TxnOp::Delete(key), deadline);
  if (!result.ok()) return result.status();
  return DeleteResult{result->results.front().deleted, result->revision};
}

absl::StatusOr<DeleteResult> MemoryDcs::DeletePrefix(std::string_view prefix, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = RunOne(TxnOp::DeletePrefix(prefix), deadline);
  if (!result.ok()) return result.status();
  return DeleteResult{result->results.front().deleted, result->revision};
}

absl::StatusOr<Lease> MemoryDcs::GrantLease(absl::Duration ttl, absl::Time deadline) {
  if (absl::Status s = ValidateLeaseTtl(ttl); !s.ok()) return s;
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  return core_->GrantLease(ttl);
}

absl::StatusOr<absl::Duration> MemoryDcs::KeepAlive(LeaseId lease, absl::Time deadline) {
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  bool drop;
  {
    absl::MutexLock lock(&faults_->mu);
    drop = faults_->drop_keepalives;
  }
  if (drop) {
    return absl::DeadlineExceededError(
        absl::StrCat("injected fault: keep-alive of lease ", lease, " dropped"));
  }
  return core_->KeepAlive(lease);
}

absl::Status MemoryDcs::RevokeLease(LeaseId lease, absl::Time deadline) {
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  return core_->Revoke(lease);
}

absl::StatusOr<LeaseStatus> MemoryDcs::LeaseTimeToLive(LeaseId lease, absl::Time deadline) {
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  return core_->TimeToLive(lease);
}

absl::StatusOr<std::unique_ptr<WatchHandle>> MemoryDcs::Watch(std::string_view prefix,
                                                              Revision from_revision,
                                                              WatchCallback callback,
                                                              absl::Time deadline) {
  if (absl::Status s = ValidateReadPrefix(prefix); !s.ok()) return s;
  if (!callback) return absl::InvalidArgumentError("watch callback is empty");
  if (from_revision < 0) {
    return absl::InvalidArgumentError(absl::StrCat("negative watch revision ", from_revision));
  }
  if (absl::Status s = Admit(deadline); !s.ok()) return s;
  std::shared_ptr<internal::Watcher> watcher =
      core_->AddWatcher(std::string(prefix), from_revision, std::move(callback), faults_);
  return std::unique_ptr<WatchHandle>(new MemoryWatchHandle(core_, std::move(watcher)));
}

}  // namespace warden
