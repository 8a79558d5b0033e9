// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Conformance: single-key reads and writes, prefixes, revisions, limits and deadlines.

#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "warden/dcs/conformance.h"

namespace warden::conformance {

extern const int kKvTestsAnchor;
const int kKvTestsAnchor = 1;

namespace {

TEST_P(DcsConformanceTest, GetOfAbsentKeyIsEmptyWithReadRevision) {
  absl::StatusOr<GetResult> got = dcs_->Get(Key("missing"), Deadline());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->kv.has_value());
  EXPECT_GT(got->revision, 0);
}

TEST_P(DcsConformanceTest, PutThenGetReturnsValueAndMetadata) {
  Revision rev = MustPut(Key("a"), "value-a");
  KeyValue kv = MustGet(Key("a"));
  EXPECT_EQ(kv.key, Key("a"));
  EXPECT_EQ(kv.value, "value-a");
  EXPECT_EQ(kv.create_revision, rev);
  EXPECT_EQ(kv.mod_revision, rev);
  EXPECT_EQ(kv.version, 1);
  EXPECT_EQ(kv.lease, kNoLease);
}

TEST_P(DcsConformanceTest, OverwriteBumpsVersionAndModRevisionOnly) {
  Revision first = MustPut(Key("a"), "1");
  Revision second = MustPut(Key("a"), "2");
  EXPECT_EQ(second, first + 1);
  KeyValue kv = MustGet(Key("a"));
  EXPECT_EQ(kv.value, "2");
  EXPECT_EQ(kv.create_revision, first);
  EXPECT_EQ(kv.mod_revision, second);
  EXPECT_EQ(kv.version, 2);
}

TEST_P(DcsConformanceTest, EveryWriteBumpsTheGlobalRevisionByOne) {
  Revision before = CurrentRevision();
  Revision r1 = MustPut(Key("x"), "1");
  Revision r2 = MustPut(Key("y"), "1");
  absl::StatusOr<DeleteResult> del = dcs_->Delete(Key("x"), Deadline());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(r1, before + 1);
  EXPECT_EQ(r2, r1 + 1);
  EXPECT_EQ(del->revision, r2 + 1);
  EXPECT_EQ(CurrentRevision(), del->revision);
}

TEST_P(DcsConformanceTest, DeleteRemovesKey) {
  MustPut(Key("a"), "1");
  absl::StatusOr<DeleteResult> del = dcs_->Delete(Key("a"), Deadline());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->deleted, 1);
  EXPECT_TRUE(Absent(Key("a")));
}

TEST_P(DcsConformanceTest, DeleteOfAbsentKeyChangesNothing) {
  Revision before = CurrentRevision();
  absl::StatusOr<DeleteResult> del = dcs_->Delete(Key("never-there"), Deadline());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->deleted, 0);
  EXPECT_EQ(del->revision, before);
}

TEST_P(DcsConformanceTest, RecreatedKeyStartsAFreshLife) {
  MustPut(Key("a"), "1");
  MustPut(Key("a"), "2");
  ASSERT_TRUE(dcs_->Delete(Key("a"), Deadline()).ok());
  Revision again = MustPut(Key("a"), "3");
  KeyValue kv = MustGet(Key("a"));
  EXPECT_EQ(kv.create_revision, again);
  EXPECT_EQ(kv.version, 1);
}

TEST_P(DcsConformanceTest, ListReturnsOnlyThePrefixInByteOrder) {
  MustPut(Key("dir/b"), "2");
  MustPut(Key("dir/a"), "1");
  MustPut(Key("dir/c/d"), "3");
  MustPut(Key("dirt"), "outside");
  absl::StatusOr<ListResult> list = dcs_->List(Key("dir/"), Deadline());
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->kvs.size(), 3u);
  EXPECT_EQ(list->kvs[0].key, Key("dir/a"));
  EXPECT_EQ(list->kvs[1].key, Key("dir/b"));
  EXPECT_EQ(list->kvs[2].key, Key("dir/c/d"));
  EXPECT_EQ(list->revision, CurrentRevision());
}

TEST_P(DcsConformanceTest, ListOfEmptyPrefixSeesEveryKey) {
  MustPut(Key("one"), "1");
  absl::StatusOr<ListResult> list = dcs_->List("", Deadline());
  ASSERT_TRUE(list.ok()) << list.status();
  bool found = false;
  for (const KeyValue& kv : list->kvs) found = found || kv.key == Key("one");
  EXPECT_TRUE(found);
}

TEST_P(DcsConformanceTest, DeletePrefixRemovesAllInOneRevision) {
  MustPut(Key("members/a"), "1");
  MustPut(Key("members/b"), "1");
  MustPut(Key("leader"), "a");
  Revision before = CurrentRevision();
  absl::StatusOr<DeleteResult> del = dcs_->DeletePrefix(Key("members/"), Deadline());
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->deleted, 2);
  EXPECT_EQ(del->revision, before + 1);
  EXPECT_TRUE(Absent(Key("members/a")));
  EXPECT_TRUE(Absent(Key("members/b")));
  EXPECT_EQ(MustGet(Key("leader")).value, "a");
}

TEST_P(DcsConformanceTest, DeletePrefixRefusesTheEmptyPrefix) {
  MustPut(Key("survivor"), "1");
  absl::StatusOr<DeleteResult> del = dcs_->DeletePrefix("", Deadline());
  EXPECT_EQ(del.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MustGet(Key("survivor")).value, "1");
}

TEST_P(DcsConformanceTest, BinaryKeysAndValuesRoundTrip) {
  const std::string key = Key(std::string("bin\0\xff\x01", 6));
  const std::string value("\0\xfe\xff\x00zz", 6);
  MustPut(key, value);
  EXPECT_EQ(MustGet(key).value, value);
  // A prefix ending in 0xFF still bounds its range correctly.
  const std::string ff_prefix = Key(std::string("\xff\xff", 2));
  MustPut(ff_prefix + "x", "in");
  absl::StatusOr<ListResult> list = dcs_->List(ff_prefix, Deadline());
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->kvs.size(), 1u);
  EXPECT_EQ(list->kvs[0].value, "in");
}

TEST_P(DcsConformanceTest, EmptyValueIsAValue) {
  MustPut(Key("empty"), "");
  absl::StatusOr<GetResult> got = dcs_->Get(Key("empty"), Deadline());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->kv.has_value());
  EXPECT_EQ(got->kv->value, "");
}

TEST_P(DcsConformanceTest, OneMebibyteValueIsStored) {
  std::string big(size_t{1024} * 1024, 'v');
  big[12345] = '\0';
  MustPut(Key("big"), big);
  EXPECT_EQ(MustGet(Key("big")).value, big);
}

TEST_P(DcsConformanceTest, ValueOverTheRequestLimitIsRefusedAndNothingChanges) {
  std::string too_big(harness_->MaxRequestBytes() + 1, 'v');
  Revision before = CurrentRevision();
  absl::StatusOr<Revision> put = dcs_->Put(Key("huge"), too_big, kNoLease, Deadline());
  EXPECT_EQ(put.status().code(), absl::StatusCode::kInvalidArgument) << put.status();
  EXPECT_TRUE(Absent(Key("huge")));
  EXPECT_EQ(CurrentRevision(), before);
}

TEST_P(DcsConformanceTest, EmptyKeyIsRefused) {
  EXPECT_EQ(dcs_->Get("", Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dcs_->Put("", "v", kNoLease, Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dcs_->Delete("", Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(DcsConformanceTest, KeyOverTheSizeLimitIsRefused) {
  std::string long_key = Key(std::string(kMaxKeyBytes, 'k'));
  EXPECT_EQ(dcs_->Put(long_key, "v", kNoLease, Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dcs_->Get(long_key, Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dcs_->List(long_key, Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
  // The longest allowed key works.
  std::string max_key = prefix() + std::string(kMaxKeyBytes - prefix().size(), 'k');
  MustPut(max_key, "v");
  EXPECT_EQ(MustGet(max_key).value, "v");
}

TEST_P(DcsConformanceTest, PassedDeadlineFailsEveryCall) {
  const absl::Time past = absl::Now() - absl::Seconds(1);
  auto code = [](const absl::Status& s) { return s.code(); };
  const auto kDeadline = absl::StatusCode::kDeadlineExceeded;
  EXPECT_EQ(code(dcs_->Get(Key("a"), past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->List(Key(""), past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->Put(Key("a"), "v", kNoLease, past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->Delete(Key("a"), past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->DeletePrefix(Key("a"), past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->Txn(TxnRequest{}, past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->GrantLease(absl::Seconds(5), past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->KeepAlive(1, past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->RevokeLease(1, past)), kDeadline);
  EXPECT_EQ(code(dcs_->LeaseTimeToLive(1, past).status()), kDeadline);
  EXPECT_EQ(code(dcs_->Watch(
                         Key(""), 0, [](const WatchResponse&) {}, past)
                     .status()),
            kDeadline);
  EXPECT_TRUE(Absent(Key("a")));
}

TEST_P(DcsConformanceTest, ConcurrentWritersGetDistinctIncreasingRevisions) {
  constexpr int kThreads = 4;
  constexpr int kPutsEach = 25;
  absl::Mutex mu;
  std::vector<Revision> revisions;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<Dcs> client = harness_->NewClient();
      for (int i = 0; i < kPutsEach; ++i) {
        absl::StatusOr<Revision> rev =
            client->Put(Key("w" + std::to_string(t)), std::to_string(i), kNoLease, Deadline());
        ASSERT_TRUE(rev.ok()) << rev.status();
        absl::MutexLock lock(&mu);
        revisions.push_back(*rev);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  absl::flat_hash_set<Revision> distinct(revisions.begin(), revisions.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kThreads * kPutsEach));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(MustGet(Key("w" + std::to_string(t))).version, kPutsEach);
  }
}

}  // namespace
}  // namespace warden::conformance
