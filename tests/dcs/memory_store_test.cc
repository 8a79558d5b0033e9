// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// In-memory store behaviour beyond the conformance suite: virtual-time expiry, manual delivery,
// compaction errors, and callbacks that misbehave.

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "warden/clock.h"
#include "warden/dcs/conformance.h"
#include "warden/dcs/memory.h"

namespace warden {
namespace {

using conformance::WatchRecorder;

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

// A store in virtual time with manual delivery: the test thread drives everything.
class ManualStoreTest : public ::testing::Test {
 protected:
  // Puts `key` attached to a new lease of `ttl`; returns the lease.
  LeaseId PutLeased(const std::string& key, absl::Duration ttl) {
    absl::StatusOr<Lease> lease = dcs_->GrantLease(ttl, Soon());
    EXPECT_TRUE(lease.ok()) << lease.status();
    EXPECT_TRUE(dcs_->Put(key, "v", lease.value_or(Lease{}).id, Soon()).ok());
    return lease.value_or(Lease{}).id;
  }

  ManualClock clock_;
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_, .manual_delivery = true}};
  std::unique_ptr<MemoryDcs> dcs_ = store_.NewClient();
};

TEST(MemoryStoreTest, ANewStoreIsAtRevisionOne) {
  MemoryStore store;
  EXPECT_EQ(store.CurrentRevision(), 1);
  EXPECT_EQ(store.CompactRevision(), 0);
}

TEST_F(ManualStoreTest, LeasesExpireInsideManualClockAdvance) {
  PutLeased("/k", absl::Seconds(10));
  Revision before = store_.CurrentRevision();
  clock_.Advance(absl::Seconds(9));
  EXPECT_EQ(store_.CurrentRevision(), before);
  clock_.Advance(absl::Seconds(1));
  // Expired when Advance returned, with no call needed to notice it.
  EXPECT_EQ(store_.CurrentRevision(), before + 1);
}

TEST_F(ManualStoreTest, ManualDeliveryDeliversOnlyWhenAsked) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch("/", 0, recorder.Callback(), Soon());
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(dcs_->Put("/a", "1", kNoLease, Soon()).ok());
  ASSERT_TRUE(dcs_->Put("/b", "2", kNoLease, Soon()).ok());
  EXPECT_EQ(recorder.CallCount(), 0u);
  EXPECT_EQ(store_.DeliverPending(), 2u);
  EXPECT_EQ(recorder.Events().size(), 2u);
  EXPECT_EQ(store_.DeliverPending(), 0u);
}

TEST(MemoryStoreTest, DeliverPendingIsANoOpWithTheStoreThread) {
  MemoryStore store;
  EXPECT_EQ(store.DeliverPending(), 0u);
}

TEST(MemoryStoreTest, CompactionRefusesOldAndFutureRevisions) {
  MemoryStore store;
  auto dcs = store.NewClient();
  Revision r = *dcs->Put("/k", "1", kNoLease, Soon());
  EXPECT_EQ(store.Compact(r + 1).code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(store.Compact(r).ok());
  EXPECT_EQ(store.CompactRevision(), r);
  EXPECT_EQ(store.Compact(r).code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store.Compact(r - 1).code(), absl::StatusCode::kOutOfRange);
}

TEST(MemoryStoreTest, RetainRevisionsCompactsAutomatically) {
  MemoryStore store({.retain_revisions = 10});
  auto dcs = store.NewClient();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(dcs->Put("/k", std::to_string(i), 0, Soon()).ok());
  EXPECT_EQ(store.CurrentRevision(), 51);
  EXPECT_EQ(store.CompactRevision(), 41);
  // The retained window replays; older revisions are reported compacted.
  WatchRecorder recent;
  auto ok_watch = dcs->Watch("/k", 41, recent.Callback(), Soon());
  ASSERT_TRUE(ok_watch.ok());
  ASSERT_TRUE(recent.WaitForEvents(11, absl::Seconds(10)));
  EXPECT_EQ(recent.Events().front().kv.value, "39");
  WatchRecorder old;
  auto old_watch = dcs->Watch("/k", 40, old.Callback(), Soon());
  ASSERT_TRUE(old_watch.ok());
  ASSERT_TRUE(old.WaitForError(absl::Seconds(10)));
  EXPECT_EQ(old.Responses().back().status.code(), absl::StatusCode::kOutOfRange);
}

TEST(MemoryStoreTest, ACallbackThatThrowsLosesOnlyItsOwnWatch) {
  MemoryStore store;
  auto dcs = store.NewClient();
  std::atomic<int> thrower_calls{0};
  auto thrower = dcs->Watch(
      "/", 0,
      [&](const WatchResponse&) {
        ++thrower_calls;
        throw std::runtime_error("callback bug");
      },
      Soon());
  WatchRecorder healthy;
  auto healthy_watch = dcs->Watch("/", 0, healthy.Callback(), Soon());
  ASSERT_TRUE(thrower.ok() && healthy_watch.ok());
  ASSERT_TRUE(dcs->Put("/a", "1", kNoLease, Soon()).ok());
  ASSERT_TRUE(dcs->Put("/a", "2", kNoLease, Soon()).ok());
  ASSERT_TRUE(healthy.WaitForEvents(2, absl::Seconds(10)));
  EXPECT_EQ(thrower_calls.load(), 1);
  // The store is intact and still serves.
  absl::StatusOr<GetResult> got = dcs->Get("/a", Soon());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->kv->value, "2");
  EXPECT_EQ(got->kv->version, 2);
}

TEST_F(ManualStoreTest, CallbackMayDeliverAndAdvanceTheClockWithoutDeadlock) {
  PutLeased("/leased", absl::Seconds(5));
  int calls = 0;
  auto watch = dcs_->Watch(
      "/", 0,
      [&](const WatchResponse&) {
        ++calls;
        EXPECT_EQ(store_.DeliverPending(), 0u);  // re-entrant delivery is refused, not deadlocked
        clock_.Advance(absl::Seconds(10));       // expires the lease from inside a callback
      },
      Soon());
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(dcs_->Put("/trigger", "1", kNoLease, Soon()).ok());
  // The trigger's event, then the expiry's delete queued during the first callback.
  EXPECT_EQ(store_.DeliverPending(), 2u);
  EXPECT_EQ(calls, 2);
}

TEST_F(ManualStoreTest, ExpiredLeasesGoInOrderOneRevisionEach) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch("/", 0, recorder.Callback(), Soon());
  ASSERT_TRUE(watch.ok());
  PutLeased("/late", absl::Seconds(7));
  PutLeased("/early", absl::Seconds(3));
  clock_.Advance(absl::Seconds(10));
  store_.DeliverPending();
  std::vector<WatchEvent> events = recorder.Events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2].kv.key, "/early");
  EXPECT_EQ(events[3].kv.key, "/late");
  EXPECT_EQ(events[3].kv.mod_revision, events[2].kv.mod_revision + 1);
}

TEST(MemoryStoreTest, LeaseTtlIsRoundedUpToWholeSeconds) {
  MemoryStore store;
  auto dcs = store.NewClient();
  EXPECT_EQ(dcs->GrantLease(absl::Milliseconds(1), Soon())->ttl, absl::Seconds(1));
  EXPECT_EQ(dcs->GrantLease(absl::Milliseconds(1001), Soon())->ttl, absl::Seconds(2));
  EXPECT_EQ(dcs->GrantLease(kMaxLeaseTtl + absl::Seconds(1), Soon()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemoryStoreTest, NegativeWatchRevisionIsRefused) {
  MemoryStore store;
  auto dcs = store.NewClient();
  EXPECT_EQ(dcs->Watch(
                   "/", -1, [](const WatchResponse&) {}, Soon())
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MemoryStoreTest, ClientsMayOutliveTheStoreObject) {
  std::unique_ptr<MemoryDcs> dcs;
  {
    MemoryStore store;
    dcs = store.NewClient();
  }
  EXPECT_TRUE(dcs->Put("/k", "v", kNoLease, Soon()).ok());
}

}  // namespace
}  // namespace warden
