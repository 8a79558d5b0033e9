// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/dcs/validate.h"

#include <string>

#include "gtest/gtest.h"

namespace warden {
namespace {

TEST(PrefixRangeEndTest, IncrementsTheLastByteThatCan) {
  EXPECT_EQ(PrefixRangeEnd("/a/"), "/a0");
  EXPECT_EQ(PrefixRangeEnd("abc"), "abd");
  EXPECT_EQ(PrefixRangeEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixRangeEnd(std::string("\xff\xff", 2)), "");
  EXPECT_EQ(PrefixRangeEnd(""), "");
}

TEST(ValidateTest, KeysAndPrefixes) {
  EXPECT_EQ(ValidateKey("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateKey(std::string(kMaxKeyBytes, 'k')).ok());
  EXPECT_EQ(ValidateKey(std::string(kMaxKeyBytes + 1, 'k')).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateReadPrefix("").ok());
  EXPECT_EQ(ValidateDeletePrefix("").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateTest, LeaseTtl) {
  EXPECT_EQ(ValidateLeaseTtl(absl::ZeroDuration()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateLeaseTtl(-absl::Seconds(1)).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateLeaseTtl(absl::InfiniteDuration()).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateLeaseTtl(absl::Seconds(30)).ok());
}

TEST(ValidateTest, TxnSizeCountsKeysAndValues) {
  TxnRequest txn;
  txn.success = {TxnOp::Put("k", std::string(100, 'v'))};
  EXPECT_TRUE(ValidateTxn(txn, 101).ok());
  EXPECT_EQ(ValidateTxn(txn, 100).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateTest, BranchesAreCheckedSeparately) {
  TxnRequest txn;
  // The same key in both branches is fine: only one branch runs.
  txn.success = {TxnOp::Put("k", "a")};
  txn.failure = {TxnOp::Put("k", "b")};
  EXPECT_TRUE(ValidateTxn(txn, 1 << 20).ok());
  txn.failure.push_back(TxnOp::Delete("k"));
  EXPECT_EQ(ValidateTxn(txn, 1 << 20).code(), absl::StatusCode::kInvalidArgument);
  TxnRequest negative_lease;
  negative_lease.success = {TxnOp::Put("k", "a", -1)};
  EXPECT_EQ(ValidateTxn(negative_lease, 1 << 20).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace warden
