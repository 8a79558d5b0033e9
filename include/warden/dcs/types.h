// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Value types of the DCS interface: keys with revisions, read results, leases, and the limits
// every backend enforces. Header-only; no backend type appears here.

#ifndef WARDEN_DCS_TYPES_H_
#define WARDEN_DCS_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace warden {

// A store revision. The store has one global revision counter that every write bumps by one (a
// transaction bumps it once however many keys it writes), so revisions order all changes.
using Revision = int64_t;

// A lease identifier. Keys attached to a lease are deleted when it expires or is revoked.
using LeaseId = int64_t;

// "No lease": a key put with it lives until deleted.
inline constexpr LeaseId kNoLease = 0;

// Keys are non-empty byte strings (any bytes, including NUL and 0xFF) of at most this size.
inline constexpr size_t kMaxKeyBytes = 4096;

// A transaction may hold at most this many compares, and this many ops in each branch (etcd's
// default --max-txn-ops).
inline constexpr size_t kMaxTxnOps = 128;

// The longest lease TTL any backend accepts (etcd's MaxLeaseTTL).
inline constexpr absl::Duration kMaxLeaseTtl = absl::Seconds(9'000'000'000);

// A key with its value and metadata, as read at some revision.
struct KeyValue {
  std::string key;
  std::string value;
  // Revision of the write that created the key (since its last deletion); 0 for an absent key.
  Revision create_revision = 0;
  // Revision of the last write to the key.
  Revision mod_revision = 0;
  // Number of writes since creation: 1 after the create, +1 for each put.
  int64_t version = 0;
  // The lease the key is attached to, or kNoLease.
  LeaseId lease = kNoLease;

  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

// The result of a Get: the key if present, and the store revision the read was served at.
struct GetResult {
  std::optional<KeyValue> kv;
  Revision revision = 0;
};

// The result of a List: the keys under a prefix in byte order, and the read revision.
struct ListResult {
  std::vector<KeyValue> kvs;
  Revision revision = 0;
};

// The result of a Delete or DeletePrefix: how many keys went, and the store revision after the
// call (unchanged when nothing was deleted).
struct DeleteResult {
  int64_t deleted = 0;
  Revision revision = 0;
};

// A granted lease. `ttl` is what the backend granted: at least what was asked, rounded up to whole
// seconds (etcd may raise it further to its minimum TTL).
struct Lease {
  LeaseId id = kNoLease;
  absl::Duration ttl;
};

// What the backend knows of a live lease.
struct LeaseStatus {
  LeaseId id = kNoLease;
  absl::Duration granted_ttl;
  // Time left before expiry, as the backend counts it.
  absl::Duration remaining;
  // The keys attached to it, in byte order.
  std::vector<std::string> keys;
};

}  // namespace warden

#endif  // WARDEN_DCS_TYPES_H_
