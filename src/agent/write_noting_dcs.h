// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// WriteNotingDcs: a Dcs that passes every call to another and tells a ClusterCache the revision
// of each write that changed a key, so that the HA loop never reads a cached view older than
// its own last write (it would, say, try again for a leader key it has just taken).

#ifndef WARDEN_SRC_AGENT_WRITE_NOTING_DCS_H_
#define WARDEN_SRC_AGENT_WRITE_NOTING_DCS_H_

#include <string_view>

#include "src/agent/cluster_cache.h"
#include "warden/dcs/forwarding.h"

namespace warden {

class WriteNotingDcs final : public ForwardingDcs {
 public:
  // Both must outlive this object.
  WriteNotingDcs(Dcs& dcs, ClusterCache& cache) : ForwardingDcs(dcs), cache_(cache) {}

  absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                               absl::Time deadline) override;
  absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) override;
  absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix, absl::Time deadline) override;
  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) override;

 private:
  // Tells the cache of a write that changed a key at `revision`, or of one that may have.
  void Note(const absl::Status& status, Revision revision);

  ClusterCache& cache_;
};

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_WRITE_NOTING_DCS_H_
