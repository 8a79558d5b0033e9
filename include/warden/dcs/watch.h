// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Watches: a stream of the changes under a key prefix, from a revision on.

#ifndef WARDEN_DCS_WATCH_H_
#define WARDEN_DCS_WATCH_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "warden/dcs/types.h"

namespace warden {

// One change to one key. For kDelete, `kv` holds the key and, in mod_revision, the revision of
// the deletion; its other fields are zero.
struct WatchEvent {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  KeyValue kv;
};

// What a watch callback receives.
//
// While `status` is OK the watch is live: `events` are the changes of one or more revisions, in
// revision order; an empty `events` is a progress notification that the store has reached
// `revision` with nothing new under the prefix. A non-OK status is the last response of the watch:
//   OUT_OF_RANGE: the start revision was compacted; `compact_revision` is the oldest revision
//                 still available. Re-read (List) and watch again from the read revision + 1.
//   UNAVAILABLE:  the backend lost the stream and could not resume it. Re-read and re-watch.
struct WatchResponse {
  absl::Status status;
  // The store revision this response is current to.
  Revision revision = 0;
  // With OUT_OF_RANGE: the compaction revision.
  Revision compact_revision = 0;
  std::vector<WatchEvent> events;
};

// Called by the backend for each response, on a backend thread, one call at a time per watch.
// It may call back into the Dcs (even to cancel this watch). It should return quickly: a slow
// callback delays that backend's other watches. An exception escaping it cancels this watch
// (no further calls) and never reaches or harms the store.
using WatchCallback = std::function<void(const WatchResponse&)>;

// An active watch. Destroying the handle cancels the watch.
class WatchHandle {
 public:
  virtual ~WatchHandle() = default;

  // Stops the watch. When Cancel returns, the callback is not running and will not run again,
  // unless Cancel is called from inside the callback itself, in which case the current call is
  // the last. Idempotent.
  virtual void Cancel() = 0;
};

}  // namespace warden

#endif  // WARDEN_DCS_WATCH_H_
