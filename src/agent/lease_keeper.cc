// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/lease_keeper.h"

#include <algorithm>

namespace warden {

LeaseKeeper::LeaseKeeper(Dcs& dcs, const Clock& clock) : dcs_(dcs), clock_(clock) {}

void LeaseKeeper::SetTtl(absl::Duration ttl) {
  absl::MutexLock lock(&mu_);
  ttl_ = ttl;
}

absl::Status LeaseKeeper::Ensure(absl::Duration timeout) {
  {
    // A valid lease needs no I/O: don't queue behind a keep-alive that a hung DCS holds up (the
    // HA loop calls this, and a primary's loop must reach its demotion in time).
    absl::MutexLock lock(&mu_);
    if (lease_.id != kNoLease && clock_.Now() < lease_.deadline) return absl::OkStatus();
  }
  absl::MutexLock io(&io_mu_);
  absl::Duration ttl;
  {
    absl::MutexLock lock(&mu_);
    // A lease past its conservative deadline is as good as gone: never write with it again.
    if (lease_.id != kNoLease && clock_.Now() < lease_.deadline) return absl::OkStatus();
    lease_ = LeaseState{};
    ttl = ttl_;
  }
  const absl::Time sent = clock_.Now();
  absl::StatusOr<Lease> granted = dcs_.GrantLease(ttl, absl::Now() + timeout);
  absl::MutexLock lock(&mu_);
  if (!granted.ok()) {
    ++failures_;
    last_renewal_failed_ = true;
    return granted.status();
  }
  lease_ = LeaseState{granted->id, sent + granted->ttl};
  granted_ttl_ = granted->ttl;
  last_renewal_ = sent;
  last_renewal_failed_ = false;
  return absl::OkStatus();
}

absl::Time LeaseKeeper::RenewIfDue(absl::Duration timeout) {
  absl::MutexLock io(&io_mu_);
  LeaseId id;
  absl::Duration granted_ttl;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    if (lease_.id != kNoLease && now >= lease_.deadline) lease_ = LeaseState{};
    if (lease_.id == kNoLease) return now + absl::Seconds(1);  // the HA loop grants a new one
    if (now < last_renewal_ + granted_ttl_ / 3) return last_renewal_ + granted_ttl_ / 3;
    id = lease_.id;
    granted_ttl = granted_ttl_;
  }
  const absl::Time sent = clock_.Now();
  absl::StatusOr<absl::Duration> ttl = dcs_.KeepAlive(id, absl::Now() + timeout);
  absl::MutexLock lock(&mu_);
  // NOT_FOUND is an answer too: the DCS is there, the lease is not.
  last_renewal_failed_ = !ttl.ok() && ttl.status().code() != absl::StatusCode::kNotFound;
  if (lease_.id != id) return clock_.Now();  // revoked meanwhile
  if (ttl.ok()) {
    lease_.deadline = sent + *ttl;
    last_renewal_ = sent;
    return sent + granted_ttl / 3;
  }
  ++failures_;
  if (ttl.status().code() == absl::StatusCode::kNotFound) {
    lease_ = LeaseState{};  // expired in the DCS: the keys it held are gone
    return clock_.Now();
  }
  // Retry soon, but never past the point where a renewal could still save the lease.
  return std::min(clock_.Now() + absl::Seconds(1), lease_.deadline);
}

absl::Time LeaseKeeper::LastAnswerLocked() const {
  return lease_.id == kNoLease || last_renewal_failed_ ? absl::InfinitePast() : last_renewal_;
}

bool LeaseKeeper::OnSchedule(absl::Duration slack) const {
  absl::MutexLock lock(&mu_);
  return clock_.Now() < LastAnswerLocked() + granted_ttl_ / 3 + slack;
}

absl::Time LeaseKeeper::LastAnswer() const {
  absl::MutexLock lock(&mu_);
  return LastAnswerLocked();
}

void LeaseKeeper::Revoke(absl::Duration timeout) {
  absl::MutexLock io(&io_mu_);
  LeaseId id;
  {
    absl::MutexLock lock(&mu_);
    id = lease_.id;
    lease_ = LeaseState{};
  }
  if (id != kNoLease) (void)dcs_.RevokeLease(id, absl::Now() + timeout);
}

LeaseState LeaseKeeper::Current() const {
  absl::MutexLock lock(&mu_);
  return lease_;
}

int64_t LeaseKeeper::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

}  // namespace warden
