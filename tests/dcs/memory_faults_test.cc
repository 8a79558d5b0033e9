// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Fault injection of the in-memory DCS: each fault affects only the client it is set on.

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "warden/clock.h"
#include "warden/dcs/conformance.h"
#include "warden/dcs/memory.h"

namespace warden {
namespace {

using conformance::WatchRecorder;

constexpr absl::Duration kPatience = absl::Seconds(10);

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

class MemoryFaultsTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_}};
  std::unique_ptr<MemoryDcs> node1_ = store_.NewClient("node1");
  std::unique_ptr<MemoryDcs> node2_ = store_.NewClient("node2");
};

TEST_F(MemoryFaultsTest, FailCallsAffectsOnlyThatClientAndNamesIt) {
  node1_->FailCalls(absl::StatusCode::kUnavailable);
  absl::StatusOr<Revision> put = node1_->Put("/k", "1", kNoLease, Soon());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(put.status().message().find("node1"), std::string_view::npos) << put.status();
  EXPECT_TRUE(node2_->Put("/k", "2", kNoLease, Soon()).ok());
  node1_->Heal();
  absl::StatusOr<GetResult> got = node1_->Get("/k", Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->kv->value, "2");
}

TEST_F(MemoryFaultsTest, FailCallsForADurationEndsOnTheStoreClock) {
  node1_->FailCalls(absl::StatusCode::kDeadlineExceeded, absl::Seconds(5));
  EXPECT_EQ(node1_->Get("/k", Soon()).status().code(), absl::StatusCode::kDeadlineExceeded);
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(node1_->Get("/k", Soon()).status().code(), absl::StatusCode::kDeadlineExceeded);
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(node1_->Get("/k", Soon()).ok());
}

TEST_F(MemoryFaultsTest, LatencyPastTheDeadlineFailsAtTheDeadlineAndAppliesNothing) {
  node1_->SetLatency(absl::Seconds(30));
  absl::Time start = absl::Now();
  absl::StatusOr<Revision> put = node1_->Put("/k", "1", kNoLease, start + absl::Milliseconds(50));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(put.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, absl::Milliseconds(50));
  EXPECT_LT(took, absl::Seconds(5));  // bounded by the deadline, not the latency
  absl::StatusOr<GetResult> got = node2_->Get("/k", Soon());
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->kv.has_value());
}

TEST_F(MemoryFaultsTest, LatencyWithinTheDeadlineDelaysButSucceeds) {
  node1_->SetLatency(absl::Milliseconds(20));
  absl::Time start = absl::Now();
  EXPECT_TRUE(node1_->Put("/k", "1", kNoLease, Soon()).ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(20));
}

TEST_F(MemoryFaultsTest, DroppedKeepAlivesLetTheLeaseExpire) {
  absl::StatusOr<Lease> lease = node1_->GrantLease(absl::Seconds(10), Soon());
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(node1_->Put("/leader", "node1", lease->id, Soon()).ok());
  node1_->DropKeepAlives(true);
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(absl::Seconds(4));
    EXPECT_EQ(node1_->KeepAlive(lease->id, Soon()).status().code(),
              absl::StatusCode::kDeadlineExceeded);
  }
  // 12 s without a renewal: the leader key is gone for everyone.
  absl::StatusOr<GetResult> got = node2_->Get("/leader", Soon());
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->kv.has_value());
  node1_->DropKeepAlives(false);
  EXPECT_EQ(node1_->KeepAlive(lease->id, Soon()).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(MemoryFaultsTest, PausedWatchesDeliverEverythingInOrderOnResume) {
  WatchRecorder paused;
  WatchRecorder live;
  auto paused_watch = node1_->Watch("/k", 0, paused.Callback(), Soon());
  auto live_watch = node2_->Watch("/k", 0, live.Callback(), Soon());
  ASSERT_TRUE(paused_watch.ok() && live_watch.ok());
  node1_->PauseWatches(true);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(node2_->Put("/k", std::to_string(i), 0, Soon()).ok());
  ASSERT_TRUE(live.WaitForEvents(5, kPatience));
  EXPECT_EQ(paused.CallCount(), 0u);
  node1_->PauseWatches(false);
  ASSERT_TRUE(paused.WaitForEvents(5, kPatience));
  std::vector<WatchEvent> events = paused.Events();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(events[i].kv.value, std::to_string(i));
}

TEST_F(MemoryFaultsTest, PartitionCutsOneNodeOffUntilHealed) {
  WatchRecorder recorder;
  auto watch = node1_->Watch("/", 0, recorder.Callback(), Soon());
  ASSERT_TRUE(watch.ok());
  node1_->Partition();
  EXPECT_EQ(node1_->Get("/k", Soon()).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(node1_->GrantLease(absl::Seconds(5), Soon()).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(node2_->Put("/k", "while-cut-off", kNoLease, Soon()).ok());
  EXPECT_EQ(recorder.CallCount(), 0u);
  node1_->Heal();
  ASSERT_TRUE(recorder.WaitForEvents(1, kPatience));
  EXPECT_EQ(recorder.Events()[0].kv.value, "while-cut-off");
  EXPECT_TRUE(node1_->Get("/k", Soon()).ok());
}

TEST_F(MemoryFaultsTest, PartitionedLeaderLosesItsLeaseAndAnotherTakesOver) {
  absl::StatusOr<Lease> lease1 = node1_->GrantLease(absl::Seconds(10), Soon());
  ASSERT_TRUE(lease1.ok());
  TxnRequest acquire;
  acquire.compares = {Compare::Absent("/leader")};
  acquire.success = {TxnOp::Put("/leader", "node1", lease1->id)};
  ASSERT_TRUE(node1_->Txn(acquire, Soon())->succeeded);

  node1_->Partition();
  absl::StatusOr<Lease> lease2 = node2_->GrantLease(absl::Seconds(10), Soon());
  ASSERT_TRUE(lease2.ok());
  acquire.success = {TxnOp::Put("/leader", "node2", lease2->id)};
  EXPECT_FALSE(node2_->Txn(acquire, Soon())->succeeded);
  clock_.Advance(absl::Seconds(11));
  // node1's lease ran out while it was cut off; node2 takes the key with a fresh lease.
  absl::StatusOr<Lease> lease3 = node2_->GrantLease(absl::Seconds(10), Soon());
  ASSERT_TRUE(lease3.ok());
  acquire.success = {TxnOp::Put("/leader", "node2", lease3->id)};
  EXPECT_TRUE(node2_->Txn(acquire, Soon())->succeeded);
  node1_->Heal();
  EXPECT_EQ(node1_->KeepAlive(lease1->id, Soon()).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace warden
