// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// EtcdDcs: the Dcs interface on etcd v3. Unary calls go through Connection (endpoint failover,
// auth, deadlines); watches through WatchHub and keep-alives through LeaseHub, one stream each;
// one timer thread probes the watch stream and keeps the lease deadlines.

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/etcd/connection.h"
#include "src/etcd/convert.h"
#include "src/etcd/lease_hub.h"
#include "src/etcd/watch_hub.h"
#include "warden/dcs/validate.h"
#include "warden/etcd/etcd.h"

namespace warden {
namespace {

using etcd_internal::Connection;
using etcd_internal::Endpoint;
using etcd_internal::FromProto;
using etcd_internal::Retry;
using etcd_internal::ToProto;

bool HasWrites(const std::vector<TxnOp>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const TxnOp& op) {
    return op.type != TxnOp::Type::kGet && op.type != TxnOp::Type::kList;
  });
}

class EtcdDcs final : public Dcs {
 public:
  explicit EtcdDcs(std::unique_ptr<Connection> connection)
      : connection_(std::move(connection)),
        clock_(connection_->options().clock != nullptr ? connection_->options().clock
                                                       : SteadyClock::Default()),
        watches_(std::make_shared<etcd_internal::WatchHub>(*connection_)),
        leases_(std::make_unique<etcd_internal::LeaseHub>(*connection_)),
        timer_([this] { RunTimer(); }) {}

  ~EtcdDcs() override {
    {
      absl::MutexLock lock(&timer_mu_);
      stop_ = true;
    }
    timer_.join();
    leases_.reset();
    watches_.reset();
  }

  absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) override {
    if (absl::Status s = ValidateKey(key); !s.ok()) return s;
    etcdserverpb::RangeRequest request;
    request.set_key(std::string(key));
    etcdserverpb::RangeResponse response;
    absl::Status status = Range(request, response, deadline);
    if (!status.ok()) return status;
    GetResult result{std::nullopt, response.header().revision()};
    if (response.kvs_size() > 0) result.kv = FromProto(response.kvs(0));
    return result;
  }

  absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) override {
    if (absl::Status s = ValidateReadPrefix(prefix); !s.ok()) return s;
    etcdserverpb::RangeRequest request;
    etcd_internal::SetPrefixRange(prefix, request.mutable_key(), request.mutable_range_end());
    etcdserverpb::RangeResponse response;
    absl::Status status = Range(request, response, deadline);
    if (!status.ok()) return status;
    ListResult result{{}, response.header().revision()};
    result.kvs.reserve(response.kvs_size());
    for (const mvccpb::KeyValue& kv : response.kvs()) result.kvs.push_back(FromProto(kv));
    return result;
  }

  absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                               absl::Time deadline) override {
    TxnRequest txn;
    txn.success.push_back(TxnOp::Put(key, value, lease));
    if (absl::Status s = Validate(txn); !s.ok()) return s;
    etcdserverpb::PutRequest request;
    request.set_key(std::string(key));
    request.set_value(std::string(value));
    request.set_lease(lease);
    etcdserverpb::PutResponse response;
    absl::Status status =
        connection_->Invoke(deadline, Retry::kOnlyUnsent, [&](Endpoint& e, grpc::ClientContext& c) {
          response.Clear();
          return e.kv->Put(&c, request, &response);
        });
    if (!status.ok()) return status;
    return response.header().revision();
  }

  absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) override {
    if (absl::Status s = ValidateKey(key); !s.ok()) return s;
    etcdserverpb::DeleteRangeRequest request;
    request.set_key(std::string(key));
    return DeleteRange(request, deadline);
  }

  absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix, absl::Time deadline) override {
    if (absl::Status s = ValidateDeletePrefix(prefix); !s.ok()) return s;
    etcdserverpb::DeleteRangeRequest request;
    etcd_internal::SetPrefixRange(prefix, request.mutable_key(), request.mutable_range_end());
    return DeleteRange(request, deadline);
  }

  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) override {
    if (absl::Status s = Validate(txn); !s.ok()) return s;
    const etcdserverpb::TxnRequest request = ToProto(txn);
    const Retry retry =
        HasWrites(txn.success) || HasWrites(txn.failure) ? Retry::kOnlyUnsent : Retry::kIdempotent;
    etcdserverpb::TxnResponse response;
    absl::Status status =
        connection_->Invoke(deadline, retry, [&](Endpoint& e, grpc::ClientContext& c) {
          response.Clear();
          return e.kv->Txn(&c, request, &response);
        });
    if (!status.ok()) return status;
    return FromProto(response);
  }

  absl::StatusOr<Lease> GrantLease(absl::Duration ttl, absl::Time deadline) override {
    if (absl::Status s = ValidateLeaseTtl(ttl); !s.ok()) return s;
    etcdserverpb::LeaseGrantRequest request;
    request.set_ttl(absl::ToInt64Seconds(absl::Ceil(ttl, absl::Seconds(1))));
    etcdserverpb::LeaseGrantResponse response;
    const absl::Time sent = clock_->Now();
    absl::Status status =
        connection_->Invoke(deadline, Retry::kOnlyUnsent, [&](Endpoint& e, grpc::ClientContext& c) {
          response.Clear();
          return e.lease->LeaseGrant(&c, request, &response);
        });
    if (!status.ok()) return status;
    if (!response.error().empty()) {
      return absl::InternalError(absl::StrCat("etcd: lease grant failed: ", response.error()));
    }
    Lease lease{response.id(), absl::Seconds(response.ttl())};
    leases_->Track(lease.id, lease.ttl, sent);
    WakeTimer();
    return lease;
  }

  absl::StatusOr<absl::Duration> KeepAlive(LeaseId lease, absl::Time deadline) override {
    return leases_->KeepAlive(lease, deadline);
  }

  absl::Status RevokeLease(LeaseId lease, absl::Time deadline) override {
    etcdserverpb::LeaseRevokeRequest request;
    request.set_id(lease);
    int attempts = 0;
    absl::Status status =
        connection_->Invoke(deadline, Retry::kIdempotent, [&](Endpoint& e, grpc::ClientContext& c) {
          ++attempts;
          etcdserverpb::LeaseRevokeResponse response;
          return e.lease->LeaseRevoke(&c, request, &response);
        });
    // A retry that finds the lease gone means an earlier attempt revoked it.
    if (status.code() == absl::StatusCode::kNotFound && attempts > 1) status = absl::OkStatus();
    if (status.ok() || status.code() == absl::StatusCode::kNotFound) leases_->Untrack(lease);
    return status;
  }

  absl::StatusOr<LeaseStatus> LeaseTimeToLive(LeaseId lease, absl::Time deadline) override {
    etcdserverpb::LeaseTimeToLiveRequest request;
    request.set_id(lease);
    request.set_keys(true);
    etcdserverpb::LeaseTimeToLiveResponse response;
    absl::Status status =
        connection_->Invoke(deadline, Retry::kIdempotent, [&](Endpoint& e, grpc::ClientContext& c) {
          response.Clear();
          return e.lease->LeaseTimeToLive(&c, request, &response);
        });
    if (!status.ok()) return status;
    if (response.ttl() < 0) {
      return absl::NotFoundError(
          absl::StrCat("etcd: lease ", lease, " not found (expired or revoked)"));
    }
    LeaseStatus out{
        response.id(), absl::Seconds(response.grantedttl()), absl::Seconds(response.ttl()), {}};
    for (const std::string& key : response.keys()) out.keys.push_back(key);
    std::sort(out.keys.begin(), out.keys.end());
    return out;
  }

  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string_view prefix,
                                                     Revision from_revision, WatchCallback callback,
                                                     absl::Time deadline) override {
    if (absl::Status s = ValidateReadPrefix(prefix); !s.ok()) return s;
    if (!callback) return absl::InvalidArgumentError("watch callback is empty");
    if (from_revision < 0) {
      return absl::InvalidArgumentError(absl::StrCat("negative watch revision ", from_revision));
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError("deadline passed before the watch was sent");
    }
    return watches_->Watch(std::string(prefix), from_revision, std::move(callback), deadline);
  }

 private:
  absl::Status Validate(const TxnRequest& txn) const {
    return ValidateTxn(txn, connection_->options().max_request_bytes);
  }

  absl::Status Range(etcdserverpb::RangeRequest& request, etcdserverpb::RangeResponse& response,
                     absl::Time deadline) {
    request.set_serializable(connection_->options().serializable_reads);
    return connection_->Invoke(deadline, Retry::kIdempotent,
                               [&](Endpoint& e, grpc::ClientContext& c) {
                                 response.Clear();
                                 return e.kv->Range(&c, request, &response);
                               });
  }

  absl::StatusOr<DeleteResult> DeleteRange(const etcdserverpb::DeleteRangeRequest& request,
                                           absl::Time deadline) {
    etcdserverpb::DeleteRangeResponse response;
    absl::Status status =
        connection_->Invoke(deadline, Retry::kOnlyUnsent, [&](Endpoint& e, grpc::ClientContext& c) {
          response.Clear();
          return e.kv->DeleteRange(&c, request, &response);
        });
    if (!status.ok()) return status;
    return DeleteResult{response.deleted(), response.header().revision()};
  }

  // Probes the watch stream and keeps the lease deadlines, each when it asks to run next.
  void RunTimer() {
    absl::MutexLock lock(&timer_mu_);
    while (!stop_) {
      timer_mu_.Unlock();
      const absl::Time next_probe = watches_->Probe(absl::Now());
      const absl::Time next_tick = leases_->Tick();
      timer_mu_.Lock();
      const absl::Duration wait = std::min(next_probe - absl::Now(), next_tick - clock_->Now());
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(timer_mu_) { return stop_ || poked_; };
      timer_mu_.AwaitWithTimeout(absl::Condition(&woken), std::max(wait, absl::Milliseconds(1)));
      poked_ = false;
    }
  }

  void WakeTimer() {
    absl::MutexLock lock(&timer_mu_);
    poked_ = true;
  }

  std::unique_ptr<Connection> connection_;
  Clock* const clock_;
  std::shared_ptr<etcd_internal::WatchHub> watches_;
  std::unique_ptr<etcd_internal::LeaseHub> leases_;
  absl::Mutex timer_mu_;
  bool stop_ ABSL_GUARDED_BY(timer_mu_) = false;
  bool poked_ ABSL_GUARDED_BY(timer_mu_) = false;
  std::thread timer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Dcs>> NewEtcdDcs(const EtcdOptions& options) {
  absl::StatusOr<std::unique_ptr<Connection>> connection = Connection::Create(options);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<Dcs>(new EtcdDcs(std::move(*connection)));
}

}  // namespace warden
