// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/write_noting_dcs.h"

namespace warden {
namespace {

// Whether the branch that ran changed a key (else the revision did not move).
bool Changed(const TxnRequest& txn, const TxnResult& result) {
  const std::vector<TxnOp>& ops = result.succeeded ? txn.success : txn.failure;
  for (size_t i = 0; i < ops.size() && i < result.results.size(); ++i) {
    if (ops[i].type == TxnOp::Type::kPut) return true;
    if (result.results[i].deleted > 0) return true;
  }
  return false;
}

// An error after which the write may still have been applied (its answer was lost).
bool Uncertain(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kInternal:
      return true;
    default:
      return false;
  }
}

}  // namespace

void WriteNotingDcs::Note(const absl::Status& status, Revision revision) {
  if (status.ok()) {
    cache_.NoteWrite(revision);
  } else if (Uncertain(status)) {
    cache_.NoteUncertainWrite();
  }
}

absl::StatusOr<Revision> WriteNotingDcs::Put(std::string_view key, std::string_view value,
                                             LeaseId lease, absl::Time deadline) {
  absl::StatusOr<Revision> revision = target().Put(key, value, lease, deadline);
  Note(revision.status(), revision.ok() ? *revision : 0);
  return revision;
}

absl::StatusOr<DeleteResult> WriteNotingDcs::Delete(std::string_view key, absl::Time deadline) {
  absl::StatusOr<DeleteResult> result = target().Delete(key, deadline);
  if (!result.ok() || result->deleted > 0)
    Note(result.status(), result.ok() ? result->revision : 0);
  return result;
}

absl::StatusOr<DeleteResult> WriteNotingDcs::DeletePrefix(std::string_view prefix,
                                                          absl::Time deadline) {
  absl::StatusOr<DeleteResult> result = target().DeletePrefix(prefix, deadline);
  if (!result.ok() || result->deleted > 0)
    Note(result.status(), result.ok() ? result->revision : 0);
  return result;
}

absl::StatusOr<TxnResult> WriteNotingDcs::Txn(const TxnRequest& txn, absl::Time deadline) {
  absl::StatusOr<TxnResult> result = target().Txn(txn, deadline);
  if (!result.ok() || Changed(txn, *result))
    Note(result.status(), result.ok() ? result->revision : 0);
  return result;
}

}  // namespace warden
