// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Conformance: compare-and-swap transactions.

#include <string>
#include <thread>
#include <vector>

#include "warden/dcs/conformance.h"

namespace warden::conformance {

extern const int kTxnTestsAnchor;
const int kTxnTestsAnchor = 1;

namespace {

using Op = Compare::Op;

// Runs `compare` alone and reports whether it held.
bool Holds(Dcs& dcs, const Compare& compare, absl::Time deadline) {
  TxnRequest txn;
  txn.compares.push_back(compare);
  absl::StatusOr<TxnResult> result = dcs.Txn(txn, deadline);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() && result->succeeded;
}

TEST_P(DcsConformanceTest, CreateIfAbsentSucceedsOnlyOnce) {
  TxnRequest create;
  create.compares = {Compare::Absent(Key("leader"))};
  create.success = {TxnOp::Put(Key("leader"), "node1")};
  create.failure = {TxnOp::Get(Key("leader"))};
  absl::StatusOr<TxnResult> first = dcs_->Txn(create, Deadline());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->succeeded);

  create.success = {TxnOp::Put(Key("leader"), "node2")};
  absl::StatusOr<TxnResult> second = dcs_->Txn(create, Deadline());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->succeeded);
  ASSERT_EQ(second->results.size(), 1u);
  ASSERT_EQ(second->results[0].kvs.size(), 1u);
  EXPECT_EQ(second->results[0].kvs[0].value, "node1");
  EXPECT_EQ(second->revision, first->revision);
  EXPECT_EQ(MustGet(Key("leader")).value, "node1");
}

TEST_P(DcsConformanceTest, ValueComparesOrderBytewise) {
  MustPut(Key("k"), "m");
  EXPECT_TRUE(Holds(*dcs_, Compare::Value(Key("k"), Op::kEqual, "m"), Deadline()));
  EXPECT_FALSE(Holds(*dcs_, Compare::Value(Key("k"), Op::kEqual, "n"), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Value(Key("k"), Op::kNotEqual, "n"), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Value(Key("k"), Op::kLess, "n"), Deadline()));
  EXPECT_FALSE(Holds(*dcs_, Compare::Value(Key("k"), Op::kLess, "m"), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Value(Key("k"), Op::kGreater, "l"), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Value(Key("k"), Op::kGreater, ""), Deadline()));
}

TEST_P(DcsConformanceTest, ValueCompareOnAbsentKeyNeverHolds) {
  for (Op op : {Op::kEqual, Op::kNotEqual, Op::kLess, Op::kGreater}) {
    EXPECT_FALSE(Holds(*dcs_, Compare::Value(Key("absent"), op, ""), Deadline()));
  }
}

TEST_P(DcsConformanceTest, VersionCompares) {
  MustPut(Key("k"), "1");
  MustPut(Key("k"), "2");
  EXPECT_TRUE(Holds(*dcs_, Compare::Version(Key("k"), Op::kEqual, 2), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Version(Key("k"), Op::kGreater, 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Version(Key("k"), Op::kLess, 3), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Version(Key("k"), Op::kNotEqual, 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Version(Key("absent"), Op::kEqual, 0), Deadline()));
}

TEST_P(DcsConformanceTest, CreateRevisionCompares) {
  Revision created = MustPut(Key("k"), "1");
  MustPut(Key("k"), "2");
  EXPECT_TRUE(Holds(*dcs_, Compare::CreateRevision(Key("k"), Op::kEqual, created), Deadline()));
  EXPECT_FALSE(Holds(*dcs_, Compare::Absent(Key("k")), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::Absent(Key("absent")), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::CreateRevision(Key("k"), Op::kLess, created + 1), Deadline()));
  EXPECT_TRUE(
      Holds(*dcs_, Compare::CreateRevision(Key("k"), Op::kGreater, created - 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::CreateRevision(Key("k"), Op::kNotEqual, 0), Deadline()));
}

TEST_P(DcsConformanceTest, ModRevisionCompares) {
  MustPut(Key("k"), "1");
  Revision modified = MustPut(Key("k"), "2");
  EXPECT_TRUE(Holds(*dcs_, Compare::ModRevision(Key("k"), Op::kEqual, modified), Deadline()));
  EXPECT_FALSE(Holds(*dcs_, Compare::ModRevision(Key("k"), Op::kEqual, modified - 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::ModRevision(Key("k"), Op::kLess, modified + 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::ModRevision(Key("k"), Op::kGreater, modified - 1), Deadline()));
  EXPECT_TRUE(Holds(*dcs_, Compare::ModRevision(Key("absent"), Op::kEqual, 0), Deadline()));
}

TEST_P(DcsConformanceTest, AllComparesMustHold) {
  MustPut(Key("a"), "1");
  MustPut(Key("b"), "2");
  TxnRequest txn;
  txn.compares = {Compare::ValueEquals(Key("a"), "1"), Compare::ValueEquals(Key("b"), "wrong")};
  txn.success = {TxnOp::Put(Key("c"), "success")};
  txn.failure = {TxnOp::Put(Key("c"), "failure")};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->succeeded);
  EXPECT_EQ(MustGet(Key("c")).value, "failure");
}

TEST_P(DcsConformanceTest, TxnWritesAtomicallyInOneRevision) {
  MustPut(Key("old"), "x");
  Revision before = CurrentRevision();
  TxnRequest txn;
  txn.success = {TxnOp::Put(Key("a"), "1"), TxnOp::Put(Key("b"), "2"), TxnOp::Delete(Key("old"))};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->succeeded);
  EXPECT_EQ(result->revision, before + 1);
  EXPECT_EQ(MustGet(Key("a")).mod_revision, before + 1);
  EXPECT_EQ(MustGet(Key("b")).mod_revision, before + 1);
  EXPECT_EQ(result->results[2].deleted, 1);
  EXPECT_TRUE(Absent(Key("old")));
}

TEST_P(DcsConformanceTest, ReadOnlyTxnDoesNotBumpTheRevision) {
  MustPut(Key("a"), "1");
  Revision before = CurrentRevision();
  TxnRequest txn;
  txn.success = {TxnOp::Get(Key("a")), TxnOp::List(Key("")), TxnOp::Delete(Key("absent"))};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->revision, before);
  ASSERT_EQ(result->results.size(), 3u);
  EXPECT_EQ(result->results[0].kvs.size(), 1u);
  EXPECT_EQ(result->results[1].kvs.size(), 1u);
  EXPECT_EQ(result->results[2].deleted, 0);
}

TEST_P(DcsConformanceTest, ReadsInATxnSeeEarlierWritesOfTheSameTxn) {
  TxnRequest txn;
  txn.success = {TxnOp::Put(Key("a"), "new"), TxnOp::Get(Key("a"))};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->results[1].kvs.size(), 1u);
  EXPECT_EQ(result->results[1].kvs[0].value, "new");
}

TEST_P(DcsConformanceTest, EmptyTxnSucceedsAndChangesNothing) {
  Revision before = CurrentRevision();
  absl::StatusOr<TxnResult> result = dcs_->Txn(TxnRequest{}, Deadline());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->succeeded);
  EXPECT_TRUE(result->results.empty());
  EXPECT_EQ(result->revision, before);
}

TEST_P(DcsConformanceTest, TxnOverTheOpLimitIsRefused) {
  for (size_t n : {kMaxTxnOps + 1, size_t{10'000}}) {
    TxnRequest txn;
    for (size_t i = 0; i < n; ++i) txn.success.push_back(TxnOp::Put(Key(std::to_string(i)), "v"));
    absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << n;
  }
  TxnRequest compares;
  for (size_t i = 0; i <= kMaxTxnOps; ++i) {
    compares.compares.push_back(Compare::Absent(Key(std::to_string(i))));
  }
  EXPECT_EQ(dcs_->Txn(compares, Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Absent(Key("0")));
  // Exactly at the limit is fine.
  TxnRequest at_limit;
  for (size_t i = 0; i < kMaxTxnOps; ++i) {
    at_limit.success.push_back(TxnOp::Put(Key(std::to_string(i)), "v"));
  }
  absl::StatusOr<TxnResult> ok = dcs_->Txn(at_limit, Deadline());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(MustGet(Key("0")).mod_revision, MustGet(Key("127")).mod_revision);
}

TEST_P(DcsConformanceTest, TxnPuttingOneKeyTwiceIsRefused) {
  TxnRequest twice;
  twice.success = {TxnOp::Put(Key("a"), "1"), TxnOp::Put(Key("a"), "2")};
  EXPECT_EQ(dcs_->Txn(twice, Deadline()).status().code(), absl::StatusCode::kInvalidArgument);
  TxnRequest put_and_delete;
  put_and_delete.success = {TxnOp::DeletePrefix(Key("")), TxnOp::Put(Key("a"), "1")};
  EXPECT_EQ(dcs_->Txn(put_and_delete, Deadline()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Absent(Key("a")));
}

TEST_P(DcsConformanceTest, TxnWithAnUnknownLeaseAppliesNothing) {
  Revision before = CurrentRevision();
  TxnRequest txn;
  txn.success = {TxnOp::Put(Key("a"), "1"), TxnOp::Put(Key("b"), "2", /*lease=*/987654321)};
  absl::StatusOr<TxnResult> result = dcs_->Txn(txn, Deadline());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound) << result.status();
  EXPECT_TRUE(Absent(Key("a")));
  EXPECT_EQ(CurrentRevision(), before);
}

TEST_P(DcsConformanceTest, ConcurrentCasIncrementsLoseNoUpdate) {
  MustPut(Key("counter"), "0");
  constexpr int kThreads = 4;
  constexpr int kIncrementsEach = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      std::unique_ptr<Dcs> client = harness_->NewClient();
      for (int done = 0; done < kIncrementsEach;) {
        absl::StatusOr<GetResult> got = client->Get(Key("counter"), Deadline());
        ASSERT_TRUE(got.ok() && got->kv.has_value()) << got.status();
        TxnRequest cas;
        cas.compares = {Compare::ModRevision(Key("counter"), Op::kEqual, got->kv->mod_revision)};
        cas.success = {TxnOp::Put(Key("counter"), std::to_string(std::stoi(got->kv->value) + 1))};
        absl::StatusOr<TxnResult> result = client->Txn(cas, Deadline());
        ASSERT_TRUE(result.ok()) << result.status();
        if (result->succeeded) ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(MustGet(Key("counter")).value, std::to_string(kThreads * kIncrementsEach));
}

}  // namespace
}  // namespace warden::conformance
