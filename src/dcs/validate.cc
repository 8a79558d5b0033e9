// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/dcs/validate.h"

#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"

namespace warden {
namespace {

absl::Status CheckLength(const char* what, std::string_view key) {
  if (key.size() > kMaxKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is ", key.size(), " bytes; the limit is ", kMaxKeyBytes));
  }
  return absl::OkStatus();
}

bool IsPrefixOp(const TxnOp& op) {
  return op.type == TxnOp::Type::kList || op.type == TxnOp::Type::kDeletePrefix;
}

absl::Status ValidateOp(const TxnOp& op) {
  switch (op.type) {
    case TxnOp::Type::kList:
      return ValidateReadPrefix(op.key);
    case TxnOp::Type::kDeletePrefix:
      return ValidateDeletePrefix(op.key);
    case TxnOp::Type::kPut:
      if (op.lease < 0) return absl::InvalidArgumentError("negative lease id");
      return ValidateKey(op.key);
    case TxnOp::Type::kGet:
    case TxnOp::Type::kDelete:
      return ValidateKey(op.key);
  }
  return absl::InvalidArgumentError("unknown txn op type");
}

// etcd's rule: within one branch, a put may not touch a key that another put or a delete of the
// same branch touches, because the outcome would depend on op order in surprising ways.
absl::Status CheckNoOverlappingWrites(const std::vector<TxnOp>& ops) {
  std::vector<const TxnOp*> puts;
  std::vector<const TxnOp*> deletes;
  for (const TxnOp& op : ops) {
    if (op.type == TxnOp::Type::kPut) puts.push_back(&op);
    if (op.type == TxnOp::Type::kDelete || op.type == TxnOp::Type::kDeletePrefix) {
      deletes.push_back(&op);
    }
  }
  for (size_t i = 0; i < puts.size(); ++i) {
    for (size_t j = i + 1; j < puts.size(); ++j) {
      if (puts[i]->key == puts[j]->key) {
        return absl::InvalidArgumentError(
            absl::StrCat("duplicate key given in txn request: ", puts[i]->key));
      }
    }
    for (const TxnOp* del : deletes) {
      bool covered =
          IsPrefixOp(*del) ? puts[i]->key.starts_with(del->key) : puts[i]->key == del->key;
      if (covered) {
        return absl::InvalidArgumentError(absl::StrCat(
            "duplicate key given in txn request: ", puts[i]->key, " is put and deleted"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateBranch(const char* name, const std::vector<TxnOp>& ops) {
  if (ops.size() > kMaxTxnOps) {
    return absl::InvalidArgumentError(absl::StrCat("too many operations in txn request: ", name,
                                                   " has ", ops.size(), "; the limit is ",
                                                   kMaxTxnOps));
  }
  for (const TxnOp& op : ops) {
    if (absl::Status s = ValidateOp(op); !s.ok()) return s;
  }
  return CheckNoOverlappingWrites(ops);
}

size_t RequestBytes(const TxnRequest& txn) {
  size_t bytes = 0;
  for (const Compare& c : txn.compares) bytes += c.key.size() + c.value.size();
  for (const auto* branch : {&txn.success, &txn.failure}) {
    for (const TxnOp& op : *branch) bytes += op.key.size() + op.value.size();
  }
  return bytes;
}

}  // namespace

absl::Status ValidateKey(std::string_view key) {
  if (key.empty()) return absl::InvalidArgumentError("key is empty");
  return CheckLength("key", key);
}

absl::Status ValidateReadPrefix(std::string_view prefix) { return CheckLength("prefix", prefix); }

absl::Status ValidateDeletePrefix(std::string_view prefix) {
  if (prefix.empty()) {
    return absl::InvalidArgumentError("refusing to delete with an empty prefix (the whole store)");
  }
  return CheckLength("prefix", prefix);
}

absl::Status ValidateLeaseTtl(absl::Duration ttl) {
  if (ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("lease TTL must be positive, got ", absl::FormatDuration(ttl)));
  }
  if (ttl > kMaxLeaseTtl) {
    return absl::InvalidArgumentError(absl::StrCat("lease TTL ", absl::FormatDuration(ttl),
                                                   " is over the limit of ",
                                                   absl::FormatDuration(kMaxLeaseTtl)));
  }
  return absl::OkStatus();
}

absl::Status ValidateTxn(const TxnRequest& txn, size_t max_request_bytes) {
  if (txn.compares.size() > kMaxTxnOps) {
    return absl::InvalidArgumentError(absl::StrCat(
        "too many compares in txn request: ", txn.compares.size(), "; the limit is ", kMaxTxnOps));
  }
  for (const Compare& c : txn.compares) {
    if (absl::Status s = ValidateKey(c.key); !s.ok()) return s;
  }
  if (absl::Status s = ValidateBranch("success", txn.success); !s.ok()) return s;
  if (absl::Status s = ValidateBranch("failure", txn.failure); !s.ok()) return s;
  if (size_t bytes = RequestBytes(txn); bytes > max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request is too large: ", bytes, " bytes; the limit is ", max_request_bytes));
  }
  return absl::OkStatus();
}

std::string PrefixRangeEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last < 0xFF) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace warden
