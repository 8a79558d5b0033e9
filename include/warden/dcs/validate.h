// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Request checks every backend applies before it sends or applies anything, so that a malformed
// request fails the same way (INVALID_ARGUMENT, with the same reason) on every backend. An
// embedder writing a backend calls them too.

#ifndef WARDEN_DCS_VALIDATE_H_
#define WARDEN_DCS_VALIDATE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "warden/dcs/txn.h"

namespace warden {

// A key: non-empty and at most kMaxKeyBytes.
absl::Status ValidateKey(std::string_view key);

// A prefix for List and Watch: may be empty (all keys), at most kMaxKeyBytes.
absl::Status ValidateReadPrefix(std::string_view prefix);

// A prefix for DeletePrefix: non-empty (an empty one would wipe the store), at most kMaxKeyBytes.
absl::Status ValidateDeletePrefix(std::string_view prefix);

// A lease TTL: positive and at most kMaxLeaseTtl.
absl::Status ValidateLeaseTtl(absl::Duration ttl);

// A transaction: op counts within kMaxTxnOps, every key and prefix valid, no key put twice or put
// inside a range deleted in the same branch, and its keys and values together at most
// `max_request_bytes`.
absl::Status ValidateTxn(const TxnRequest& txn, size_t max_request_bytes);

// The end of the key range of a prefix: the smallest key greater than every key starting with
// `prefix`. Empty when there is none (the prefix is empty or all 0xFF bytes): the range is open.
std::string PrefixRangeEnd(std::string_view prefix);

}  // namespace warden

#endif  // WARDEN_DCS_VALIDATE_H_
