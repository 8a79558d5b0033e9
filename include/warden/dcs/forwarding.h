// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// ForwardingDcs: a Dcs that passes every call to another one. Derive from it to wrap a backend
// and override only what the wrapper adds (metrics, logging, tracing, a test's call counts):
//
//   class CountingDcs : public warden::ForwardingDcs {
//    public:
//     using ForwardingDcs::ForwardingDcs;
//     absl::StatusOr<warden::ListResult> List(std::string_view prefix, absl::Time d) override {
//       ++lists;
//       return ForwardingDcs::List(prefix, d);
//     }
//     std::atomic<int> lists{0};
//   };

#ifndef WARDEN_DCS_FORWARDING_H_
#define WARDEN_DCS_FORWARDING_H_

#include <memory>
#include <string_view>
#include <utility>

#include "warden/dcs/dcs.h"

namespace warden {

class ForwardingDcs : public Dcs {
 public:
  // `target` must outlive this object.
  explicit ForwardingDcs(Dcs& target) : target_(target) {}

  absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) override {
    return target_.Get(key, deadline);
  }
  absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) override {
    return target_.List(prefix, deadline);
  }
  absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                               absl::Time deadline) override {
    return target_.Put(key, value, lease, deadline);
  }
  absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) override {
    return target_.Delete(key, deadline);
  }
  absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix, absl::Time deadline) override {
    return target_.DeletePrefix(prefix, deadline);
  }
  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) override {
    return target_.Txn(txn, deadline);
  }
  absl::StatusOr<Lease> GrantLease(absl::Duration ttl, absl::Time deadline) override {
    return target_.GrantLease(ttl, deadline);
  }
  absl::StatusOr<absl::Duration> KeepAlive(LeaseId lease, absl::Time deadline) override {
    return target_.KeepAlive(lease, deadline);
  }
  absl::Status RevokeLease(LeaseId lease, absl::Time deadline) override {
    return target_.RevokeLease(lease, deadline);
  }
  absl::StatusOr<LeaseStatus> LeaseTimeToLive(LeaseId lease, absl::Time deadline) override {
    return target_.LeaseTimeToLive(lease, deadline);
  }
  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string_view prefix,
                                                     Revision from_revision, WatchCallback callback,
                                                     absl::Time deadline) override {
    return target_.Watch(prefix, from_revision, std::move(callback), deadline);
  }

 protected:
  Dcs& target() { return target_; }

 private:
  Dcs& target_;
};

}  // namespace warden

#endif  // WARDEN_DCS_FORWARDING_H_
