// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Compare-and-swap transactions: if every compare holds, run the success ops, else the failure
// ops, all atomically at one revision. Every leader lock and every config change goes through one.
//
//   TxnRequest txn;
//   txn.compares = {Compare::Absent("/service/pg/leader")};
//   txn.success = {TxnOp::Put("/service/pg/leader", "node1", lease)};
//   txn.failure = {TxnOp::Get("/service/pg/leader")};
//   absl::StatusOr<TxnResult> r = dcs.Txn(txn, deadline);

#ifndef WARDEN_DCS_TXN_H_
#define WARDEN_DCS_TXN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "warden/dcs/types.h"

namespace warden {

// One condition of a transaction, on one key.
//
// Compares on an absent key see version, create_revision and mod_revision as 0, so
// CreateRevision(key, kEqual, 0) (alias Absent) means "key does not exist". A value compare on an
// absent key is always false, whatever the operator (as in etcd).
struct Compare {
  enum class Target { kValue, kVersion, kCreateRevision, kModRevision };
  enum class Op { kEqual, kNotEqual, kLess, kGreater };

  std::string key;
  Target target = Target::kValue;
  Op op = Op::kEqual;
  std::string value;   // for kValue: compared byte-wise
  int64_t number = 0;  // for the other targets

  static Compare Value(std::string_view key, Op op, std::string_view value) {
    return {std::string(key), Target::kValue, op, std::string(value), 0};
  }
  static Compare ValueEquals(std::string_view key, std::string_view value) {
    return Value(key, Op::kEqual, value);
  }
  static Compare Version(std::string_view key, Op op, int64_t version) {
    return {std::string(key), Target::kVersion, op, {}, version};
  }
  static Compare CreateRevision(std::string_view key, Op op, Revision revision) {
    return {std::string(key), Target::kCreateRevision, op, {}, revision};
  }
  static Compare ModRevision(std::string_view key, Op op, Revision revision) {
    return {std::string(key), Target::kModRevision, op, {}, revision};
  }
  // The key does not exist.
  static Compare Absent(std::string_view key) { return CreateRevision(key, Op::kEqual, 0); }
};

// One operation of a transaction branch.
//
// Within one branch a key may be put at most once, and not inside a range the same branch
// deletes; otherwise the transaction is rejected with INVALID_ARGUMENT (as in etcd).
struct TxnOp {
  enum class Type { kGet, kList, kPut, kDelete, kDeletePrefix };

  Type type = Type::kGet;
  std::string key;  // the key, or the prefix for kList and kDeletePrefix
  std::string value;
  LeaseId lease = kNoLease;

  static TxnOp Get(std::string_view key) { return {Type::kGet, std::string(key), {}, kNoLease}; }
  static TxnOp List(std::string_view prefix) {
    return {Type::kList, std::string(prefix), {}, kNoLease};
  }
  static TxnOp Put(std::string_view key, std::string_view value, LeaseId lease = kNoLease) {
    return {Type::kPut, std::string(key), std::string(value), lease};
  }
  static TxnOp Delete(std::string_view key) {
    return {Type::kDelete, std::string(key), {}, kNoLease};
  }
  static TxnOp DeletePrefix(std::string_view prefix) {
    return {Type::kDeletePrefix, std::string(prefix), {}, kNoLease};
  }
};

// A transaction: compares, then one of two op lists. An empty compare list always succeeds;
// empty op lists are allowed (the transaction then only evaluates its compares).
struct TxnRequest {
  std::vector<Compare> compares;
  std::vector<TxnOp> success;
  std::vector<TxnOp> failure;
};

// The outcome of one op, in the order of the branch that ran.
struct TxnOpResult {
  // kGet: zero or one key; kList: the keys under the prefix, in byte order. Reads see the writes
  // made by earlier ops of the same branch.
  std::vector<KeyValue> kvs;
  // kDelete, kDeletePrefix: how many keys were deleted.
  int64_t deleted = 0;
};

// The outcome of a transaction.
struct TxnResult {
  // True when every compare held and the success branch ran.
  bool succeeded = false;
  // The store revision after the transaction: bumped by exactly one if the branch that ran
  // changed anything, unchanged otherwise.
  Revision revision = 0;
  // One entry per op of the branch that ran.
  std::vector<TxnOpResult> results;
};

}  // namespace warden

#endif  // WARDEN_DCS_TXN_H_
