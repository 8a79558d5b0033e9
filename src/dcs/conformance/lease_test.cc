// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Conformance: leases (grant, attach, keep-alive, expiry, revoke).

#include <string>
#include <vector>

#include "warden/dcs/conformance.h"

namespace warden::conformance {

extern const int kLeaseTestsAnchor;
const int kLeaseTestsAnchor = 1;

namespace {

constexpr absl::Duration kShortTtl = absl::Seconds(2);

Lease MustGrant(Dcs& dcs, absl::Duration ttl) {
  absl::StatusOr<Lease> lease = dcs.GrantLease(ttl, absl::Now() + absl::Seconds(10));
  EXPECT_TRUE(lease.ok()) << lease.status();
  return lease.value_or(Lease{});
}

TEST_P(DcsConformanceTest, GrantedTtlIsAtLeastWhatWasAsked) {
  Lease lease = MustGrant(*dcs_, absl::Milliseconds(2500));
  EXPECT_NE(lease.id, kNoLease);
  EXPECT_GE(lease.ttl, absl::Seconds(3));
  absl::StatusOr<LeaseStatus> status = dcs_->LeaseTimeToLive(lease.id, Deadline());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->granted_ttl, lease.ttl);
  EXPECT_GT(status->remaining, absl::ZeroDuration());
  EXPECT_LE(status->remaining, lease.ttl);
}

TEST_P(DcsConformanceTest, NonPositiveTtlIsRefused) {
  EXPECT_EQ(dcs_->GrantLease(absl::ZeroDuration(), Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dcs_->GrantLease(absl::Seconds(-5), Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(DcsConformanceTest, PutWithLeaseAttachesTheKey) {
  Lease lease = MustGrant(*dcs_, absl::Seconds(30));
  MustPut(Key("member/a"), "1", lease.id);
  MustPut(Key("member/b"), "1", lease.id);
  EXPECT_EQ(MustGet(Key("member/a")).lease, lease.id);
  absl::StatusOr<LeaseStatus> status = dcs_->LeaseTimeToLive(lease.id, Deadline());
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->keys, (std::vector<std::string>{Key("member/a"), Key("member/b")}));
  ASSERT_TRUE(dcs_->RevokeLease(lease.id, Deadline()).ok());
}

TEST_P(DcsConformanceTest, PutWithUnknownLeaseIsNotFound) {
  absl::StatusOr<Revision> put = dcs_->Put(Key("a"), "1", 123456789, Deadline());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kNotFound) << put.status();
  EXPECT_TRUE(Absent(Key("a")));
}

TEST_P(DcsConformanceTest, ExpiryDeletesAllAttachedKeysInOneRevision) {
  Lease lease = MustGrant(*dcs_, kShortTtl);
  MustPut(Key("leased/a"), "1", lease.id);
  Revision last = MustPut(Key("leased/b"), "1", lease.id);
  MustPut(Key("kept"), "1");
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("leased/"), last + 1, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();

  harness_->AdvanceTime(lease.ttl + absl::Seconds(1));
  ASSERT_TRUE(recorder.WaitForEvents(2, Patience()));
  std::vector<WatchEvent> events = recorder.Events();
  EXPECT_EQ(events[0].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events[1].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(events[0].kv.mod_revision, events[1].kv.mod_revision);
  EXPECT_TRUE(Absent(Key("leased/a")));
  EXPECT_TRUE(Absent(Key("leased/b")));
  EXPECT_EQ(MustGet(Key("kept")).value, "1");
}

TEST_P(DcsConformanceTest, KeepAliveRenewsTheLease) {
  Lease lease = MustGrant(*dcs_, kShortTtl);
  MustPut(Key("renewed"), "1", lease.id);
  // Renew before each half-TTL step, twice the TTL in all: the key must survive.
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<absl::Duration> ttl = dcs_->KeepAlive(lease.id, Deadline());
    ASSERT_TRUE(ttl.ok()) << ttl.status();
    EXPECT_EQ(*ttl, lease.ttl);
    harness_->AdvanceTime(lease.ttl / 2);
  }
  EXPECT_EQ(MustGet(Key("renewed")).value, "1");
  ASSERT_TRUE(dcs_->RevokeLease(lease.id, Deadline()).ok());
}

TEST_P(DcsConformanceTest, KeepAliveOfAnExpiredLeaseIsNotFound) {
  Lease lease = MustGrant(*dcs_, kShortTtl);
  MustPut(Key("gone"), "1", lease.id);
  harness_->AdvanceTime(lease.ttl + absl::Seconds(1));
  ASSERT_TRUE(WaitUntilAbsent(Key("gone")));
  absl::StatusOr<absl::Duration> ttl = dcs_->KeepAlive(lease.id, Deadline());
  EXPECT_EQ(ttl.status().code(), absl::StatusCode::kNotFound) << ttl.status();
  EXPECT_EQ(dcs_->LeaseTimeToLive(lease.id, Deadline()).status().code(),
            absl::StatusCode::kNotFound);
  // An expired lease cannot be attached to either.
  EXPECT_EQ(dcs_->Put(Key("gone"), "2", lease.id, Deadline()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(DcsConformanceTest, RevokeDeletesAttachedKeysInOneRevision) {
  Lease lease = MustGrant(*dcs_, absl::Seconds(60));
  MustPut(Key("r/a"), "1", lease.id);
  MustPut(Key("r/b"), "1", lease.id);
  Revision before = CurrentRevision();
  ASSERT_TRUE(dcs_->RevokeLease(lease.id, Deadline()).ok());
  EXPECT_TRUE(Absent(Key("r/a")));
  EXPECT_TRUE(Absent(Key("r/b")));
  EXPECT_EQ(CurrentRevision(), before + 1);
  EXPECT_EQ(dcs_->RevokeLease(lease.id, Deadline()).code(), absl::StatusCode::kNotFound);
}

TEST_P(DcsConformanceTest, UnknownLeasesAreNotFound) {
  EXPECT_EQ(dcs_->KeepAlive(424242, Deadline()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(dcs_->RevokeLease(424242, Deadline()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(dcs_->LeaseTimeToLive(424242, Deadline()).status().code(), absl::StatusCode::kNotFound);
}

TEST_P(DcsConformanceTest, OverwritingWithoutALeaseDetachesTheKey) {
  Lease lease = MustGrant(*dcs_, kShortTtl);
  MustPut(Key("detached"), "leased", lease.id);
  MustPut(Key("detached"), "permanent");
  MustPut(Key("canary"), "leased", lease.id);
  harness_->AdvanceTime(lease.ttl + absl::Seconds(1));
  ASSERT_TRUE(WaitUntilAbsent(Key("canary")));
  KeyValue kv = MustGet(Key("detached"));
  EXPECT_EQ(kv.value, "permanent");
  EXPECT_EQ(kv.lease, kNoLease);
}

TEST_P(DcsConformanceTest, LeasesAreSharedAcrossClients) {
  std::unique_ptr<Dcs> other = harness_->NewClient();
  Lease lease = MustGrant(*dcs_, absl::Seconds(30));
  absl::StatusOr<Revision> put = other->Put(Key("shared"), "1", lease.id, Deadline());
  ASSERT_TRUE(put.ok()) << put.status();
  ASSERT_TRUE(other->RevokeLease(lease.id, Deadline()).ok());
  EXPECT_TRUE(Absent(Key("shared")));
}

}  // namespace
}  // namespace warden::conformance
