// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// LeaseKeeper: this node's DCS lease (member key, leader key) and its conservative deadline. The
// deadline counts from when a grant or keep-alive was *sent*, so it is never later than the
// DCS's own expiry (which counts from when the DCS received it): the HA core demotes a primary
// before that deadline, and nobody can take the leader key before the DCS expiry.
//
// Synchronous and thread-safe: the agent renews from its own timer (independent of the HA loop,
// so a slow PostgreSQL call never lets the lease lapse), a simulation or test calls RenewIfDue.

#ifndef WARDEN_SRC_AGENT_LEASE_KEEPER_H_
#define WARDEN_SRC_AGENT_LEASE_KEEPER_H_

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "warden/clock.h"
#include "warden/dcs/dcs.h"

namespace warden {

struct LeaseState {
  LeaseId id = kNoLease;
  absl::Time deadline = absl::InfinitePast();  // conservative local expiry
};

class LeaseKeeper {
 public:
  // `dcs` and `clock` must outlive the keeper.
  LeaseKeeper(Dcs& dcs, const Clock& clock);

  // The TTL of the next grant (the config's ttl); the lease in hand keeps its own.
  void SetTtl(absl::Duration ttl) ABSL_LOCKS_EXCLUDED(mu_);
  // Grants a lease if there is no live one. Each DCS call is bounded by `timeout`.
  absl::Status Ensure(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  // Renews the lease when a third of its TTL has passed since the last renewal (or forgets it
  // once expired or unknown to the DCS). Returns when to call again at the latest.
  absl::Time RenewIfDue(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);
  // True while a lease is held and renewed on schedule: the last renewal was acknowledged and the
  // next one is not overdue by more than `slack`. The DCS answered a moment ago.
  bool OnSchedule(absl::Duration slack) const ABSL_LOCKS_EXCLUDED(mu_);
  // When the last acknowledged grant or keep-alive was sent, on the keeper's clock; InfinitePast
  // if there is none or the renewal after it failed.
  absl::Time LastAnswer() const ABSL_LOCKS_EXCLUDED(mu_);
  // Revokes the lease (shutdown): the member key, and the leader key if held, go at once.
  void Revoke(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);

  LeaseState Current() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t failures() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  Dcs& dcs_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  // Serializes DCS calls (Ensure from the HA loop, renewals from the timer) without holding mu_
  // over I/O, so Current() never waits on the DCS.
  absl::Mutex io_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  absl::Duration ttl_ ABSL_GUARDED_BY(mu_) = absl::Seconds(30);
  absl::Duration granted_ttl_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  LeaseState lease_ ABSL_GUARDED_BY(mu_);
  absl::Time last_renewal_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool last_renewal_failed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Time LastAnswerLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_LEASE_KEEPER_H_
