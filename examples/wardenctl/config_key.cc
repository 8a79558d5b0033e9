// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "config_key.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "warden/dcs/txn.h"

namespace warden::ctl {

absl::StatusOr<ConfigKey> ReadConfigKey(CtlContext& ctx) {
  const std::string key = ctx.keys.config();
  absl::StatusOr<GetResult> got = ctx.dcs.Get(key, ctx.DcsDeadline());
  if (!got.ok()) {
    return absl::Status(got.status().code(),
                        absl::StrCat("cannot read ", key, ": ", got.status().message()));
  }
  ConfigKey read;
  if (!got->kv) return read;
  read.mod_revision = got->kv->mod_revision;
  read.config = ParseJsonOrDiscarded(got->kv->value);
  if (!read.config.is_object()) {
    return absl::FailedPreconditionError(absl::StrCat(key, " does not hold a JSON object"));
  }
  return read;
}

absl::StatusOr<bool> WriteConfigKey(CtlContext& ctx, const ConfigKey& read, const Json& config) {
  const std::string key = ctx.keys.config();
  TxnRequest txn;
  txn.compares = {read.mod_revision == 0
                      ? Compare::Absent(key)
                      : Compare::ModRevision(key, Compare::Op::kEqual, read.mod_revision)};
  txn.success = {TxnOp::Put(key, CompactJson(config))};
  absl::StatusOr<TxnResult> result = ctx.dcs.Txn(txn, ctx.DcsDeadline());
  if (!result.ok()) {
    return absl::Status(result.status().code(),
                        absl::StrCat("cannot write ", key, ": ", result.status().message()));
  }
  return result->succeeded;
}

}  // namespace warden::ctl
