// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Conformance: watches (delivery, ordering, history replay, compaction, cancellation).

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/notification.h"
#include "warden/dcs/conformance.h"

namespace warden::conformance {

extern const int kWatchTestsAnchor;
const int kWatchTestsAnchor = 1;

namespace {

using Type = WatchEvent::Type;

// Writes `key`, then waits until a new watch from that write's revision has seen it. By then a
// watch created earlier on the key's prefix, were it still live, would have been sent the write
// too (backends serve a client's watches in creation order), so a test can assert that a
// cancelled watch saw nothing without sleeping.
::testing::AssertionResult WitnessWrite(Dcs& dcs, const std::string& key, absl::Duration patience) {
  absl::StatusOr<Revision> rev = dcs.Put(key, "witness", kNoLease, absl::Now() + patience);
  if (!rev.ok()) return ::testing::AssertionFailure() << rev.status();
  WatchRecorder witness;
  auto watch = dcs.Watch(key, *rev, witness.Callback(), absl::Now() + patience);
  if (!watch.ok()) return ::testing::AssertionFailure() << watch.status();
  if (!witness.WaitForEvents(1, patience)) {
    return ::testing::AssertionFailure() << "the witness watch saw nothing";
  }
  return ::testing::AssertionSuccess();
}

TEST_P(DcsConformanceTest, WatchDeliversPutsAndDeletes) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key(""), 0, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  Revision put = MustPut(Key("a"), "1");
  ASSERT_TRUE(dcs_->Delete(Key("a"), Deadline()).ok());
  ASSERT_TRUE(recorder.WaitForEvents(2, Patience()));
  std::vector<WatchEvent> events = recorder.Events();
  EXPECT_EQ(events[0].type, Type::kPut);
  EXPECT_EQ(events[0].kv.key, Key("a"));
  EXPECT_EQ(events[0].kv.value, "1");
  EXPECT_EQ(events[0].kv.mod_revision, put);
  EXPECT_EQ(events[0].kv.version, 1);
  EXPECT_EQ(events[1].type, Type::kDelete);
  EXPECT_EQ(events[1].kv.key, Key("a"));
  EXPECT_EQ(events[1].kv.mod_revision, put + 1);
}

TEST_P(DcsConformanceTest, WatchSeesOnlyItsPrefix) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("in/"), 0, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  MustPut(Key("out"), "x");
  MustPut(Key("inside"), "x");
  MustPut(Key("in/yes"), "x");
  ASSERT_TRUE(recorder.WaitForEvents(1, Patience()));
  // The later write to the prefix arrived; the earlier ones outside it must not have.
  std::vector<WatchEvent> events = recorder.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kv.key, Key("in/yes"));
}

TEST_P(DcsConformanceTest, WatchFromZeroStartsAfterTheCurrentRevision) {
  MustPut(Key("before"), "1");
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key(""), 0, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  MustPut(Key("after"), "1");
  ASSERT_TRUE(recorder.WaitForEvents(1, Patience()));
  EXPECT_EQ(recorder.Events()[0].kv.key, Key("after"));
}

TEST_P(DcsConformanceTest, WatchFromAPastRevisionReplaysHistory) {
  Revision first = MustPut(Key("h"), "1");
  MustPut(Key("h"), "2");
  ASSERT_TRUE(dcs_->Delete(Key("h"), Deadline()).ok());
  MustPut(Key("h"), "3");
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("h"), first + 1, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(recorder.WaitForEvents(3, Patience()));
  std::vector<WatchEvent> events = recorder.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kv.value, "2");
  EXPECT_EQ(events[0].kv.mod_revision, first + 1);
  EXPECT_EQ(events[1].type, Type::kDelete);
  EXPECT_EQ(events[2].kv.value, "3");
  EXPECT_EQ(events[2].kv.version, 1);
  // Live events follow the replay.
  MustPut(Key("h"), "4");
  ASSERT_TRUE(recorder.WaitForEvents(4, Patience()));
  EXPECT_EQ(recorder.Events()[3].kv.value, "4");
}

TEST_P(DcsConformanceTest, WatchFromTheReadRevisionMissesNothing) {
  MustPut(Key("s"), "1");
  absl::StatusOr<GetResult> read = dcs_->Get(Key("s"), Deadline());
  ASSERT_TRUE(read.ok()) << read.status();
  // A change lands between the read and the watch.
  MustPut(Key("s"), "2");
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("s"), read->revision + 1, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(recorder.WaitForEvents(1, Patience()));
  EXPECT_EQ(recorder.Events()[0].kv.value, "2");
}

TEST_P(DcsConformanceTest, TxnEventsShareOneRevisionInOpOrder) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key(""), 0, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  TxnRequest txn;
  txn.success = {TxnOp::Put(Key("t/1"), "a"), TxnOp::Put(Key("t/2"), "b"),
                 TxnOp::Put(Key("t/3"), "c")};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(recorder.WaitForEvents(3, Patience()));
  std::vector<WatchEvent> events = recorder.Events();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(events[i].kv.key, Key("t/" + std::to_string(i + 1)));
    EXPECT_EQ(events[i].kv.mod_revision, result->revision);
  }
}

TEST_P(DcsConformanceTest, WatchIsOrderedAndExactlyOnceUnderConcurrentWriters) {
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("c/"), 0, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  constexpr size_t kWriters = 4;
  constexpr size_t kWritesEach = 50;
  std::vector<std::thread> writers;
  for (size_t w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::unique_ptr<Dcs> client = harness_->NewClient();
      for (size_t i = 0; i < kWritesEach; ++i) {
        ASSERT_TRUE(
            client->Put(Key("c/" + std::to_string(w)), std::to_string(i), kNoLease, Deadline())
                .ok());
      }
    });
  }
  for (std::thread& t : writers) t.join();
  ASSERT_TRUE(recorder.WaitForEvents(kWriters * kWritesEach, Patience()));
  std::vector<WatchEvent> events = recorder.Events();
  ASSERT_EQ(events.size(), kWriters * kWritesEach);
  absl::flat_hash_map<std::string, int> next_value;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i > 0) {
      EXPECT_GT(events[i].kv.mod_revision, events[i - 1].kv.mod_revision);
    }
    // Each writer's values arrive in the order it wrote them, each once.
    EXPECT_EQ(events[i].kv.value, std::to_string(next_value[events[i].kv.key]++));
  }
}

TEST_P(DcsConformanceTest, WatchFromACompactedRevisionIsOutOfRange) {
  Revision old = MustPut(Key("k"), "1");
  MustPut(Key("k"), "2");
  Revision compact_at = MustPut(Key("k"), "3");
  ASSERT_TRUE(harness_->Compact(compact_at).ok());
  WatchRecorder recorder;
  auto watch = dcs_->Watch(Key("k"), old, recorder.Callback(), Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  ASSERT_TRUE(recorder.WaitForError(Patience()));
  std::vector<WatchResponse> responses = recorder.Responses();
  const WatchResponse& last = responses.back();
  EXPECT_EQ(last.status.code(), absl::StatusCode::kOutOfRange) << last.status;
  EXPECT_GE(last.compact_revision, compact_at);
  EXPECT_TRUE(recorder.Events().empty());
  // From the compaction revision on, history is still there.
  WatchRecorder from_compaction;
  auto ok_watch = dcs_->Watch(Key("k"), compact_at, from_compaction.Callback(), Deadline());
  ASSERT_TRUE(ok_watch.ok()) << ok_watch.status();
  ASSERT_TRUE(from_compaction.WaitForEvents(1, Patience()));
  EXPECT_EQ(from_compaction.Events()[0].kv.value, "3");
}

TEST_P(DcsConformanceTest, CancelStopsDeliveryBeforeItReturns) {
  std::atomic<int> calls_after_cancel{0};
  std::atomic<bool> cancelled{false};
  WatchRecorder first_event;
  WatchCallback record = first_event.Callback();
  auto watch = dcs_->Watch(
      Key("x/"), 0,
      [&](const WatchResponse& r) {
        if (cancelled.load()) ++calls_after_cancel;
        record(r);
      },
      Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  MustPut(Key("x/1"), "1");
  ASSERT_TRUE(first_event.WaitForEvents(1, Patience()));
  (*watch)->Cancel();
  cancelled.store(true);
  MustPut(Key("x/2"), "2");
  ASSERT_TRUE(WitnessWrite(*dcs_, Key("x/3"), Patience()));
  EXPECT_EQ(calls_after_cancel.load(), 0);
  (*watch)->Cancel();  // idempotent
}

TEST_P(DcsConformanceTest, CallbackMayCancelItsOwnWatch) {
  std::unique_ptr<WatchHandle> handle;
  absl::Notification handle_set;
  std::atomic<int> calls{0};
  auto watch = dcs_->Watch(
      Key("self/"), 0,
      [&](const WatchResponse&) {
        ++calls;
        handle_set.WaitForNotification();
        handle->Cancel();
      },
      Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  handle = std::move(*watch);
  handle_set.Notify();
  MustPut(Key("self/1"), "1");
  MustPut(Key("self/2"), "2");
  ASSERT_TRUE(WitnessWrite(*dcs_, Key("self/3"), Patience()));
  EXPECT_EQ(calls.load(), 1);
}

TEST_P(DcsConformanceTest, CallbackMayCallBackIntoTheStore) {
  absl::Notification done;
  std::string seen;
  auto watch = dcs_->Watch(
      Key("re/"), 0,
      [&](const WatchResponse& r) {
        if (r.events.empty() || done.HasBeenNotified()) return;
        // Read and write from inside the callback: must not deadlock.
        absl::StatusOr<GetResult> got = dcs_->Get(r.events[0].kv.key, Deadline());
        if (got.ok() && got->kv.has_value()) seen = got->kv->value;
        (void)dcs_->Put(Key("re-echo"), "echo", kNoLease, Deadline());
        done.Notify();
      },
      Deadline());
  ASSERT_TRUE(watch.ok()) << watch.status();
  MustPut(Key("re/1"), "value");
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(Patience()));
  (*watch)->Cancel();
  EXPECT_EQ(seen, "value");
  EXPECT_EQ(MustGet(Key("re-echo")).value, "echo");
}

TEST_P(DcsConformanceTest, DestroyingTheHandleCancelsTheWatch) {
  std::atomic<int> calls{0};
  {
    auto watch = dcs_->Watch(
        Key("d/"), 0, [&](const WatchResponse&) { ++calls; }, Deadline());
    ASSERT_TRUE(watch.ok()) << watch.status();
  }
  MustPut(Key("d/1"), "1");
  ASSERT_TRUE(WitnessWrite(*dcs_, Key("d/2"), Patience()));
  EXPECT_EQ(calls.load(), 0);
}

TEST_P(DcsConformanceTest, ManyWatchesOnOnePrefixEachSeeEveryEvent) {
  constexpr int kWatches = 8;
  std::vector<WatchRecorder> recorders(kWatches);
  std::vector<std::unique_ptr<WatchHandle>> handles;
  for (WatchRecorder& r : recorders) {
    auto watch = dcs_->Watch(Key("m/"), 0, r.Callback(), Deadline());
    ASSERT_TRUE(watch.ok()) << watch.status();
    handles.push_back(std::move(*watch));
  }
  for (int i = 0; i < 5; ++i) MustPut(Key("m/k"), std::to_string(i));
  for (WatchRecorder& r : recorders) {
    ASSERT_TRUE(r.WaitForEvents(5, Patience()));
    EXPECT_EQ(r.Events().back().kv.value, "4");
  }
}

TEST_P(DcsConformanceTest, WatchWithoutCallbackIsRefused) {
  EXPECT_EQ(dcs_->Watch(Key(""), 0, nullptr, Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace warden::conformance
