// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The codec between the DCS and ClusterView: Patroni's key layout under
// /<namespace>/<scope>/ and the JSON Patroni writes in each key, so that patronictl, vip-manager
// and dashboards read a warden cluster and warden reads a Patroni one. Decoding never fails as a
// whole and never crashes on garbage: a key it cannot read is reported in
// ClusterView::decode_errors and skipped. Fields it does not model are kept and written back.

#ifndef WARDEN_CORE_CODEC_H_
#define WARDEN_CORE_CODEC_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "warden/core/cluster.h"
#include "warden/dcs/types.h"

namespace warden {

// The keys of one cluster. `prefix` is "/<namespace>/<scope>/" ("/service/<scope>/" by default).
class ClusterKeys {
 public:
  ClusterKeys(std::string_view namespace_path, std::string_view scope);

  const std::string& prefix() const { return prefix_; }
  std::string initialize() const { return prefix_ + "initialize"; }
  std::string config() const { return prefix_ + "config"; }
  std::string leader() const { return prefix_ + "leader"; }
  std::string members() const { return prefix_ + "members/"; }
  std::string member(std::string_view name) const { return members() + std::string(name); }
  std::string status() const { return prefix_ + "status"; }
  std::string failover() const { return prefix_ + "failover"; }
  std::string sync() const { return prefix_ + "sync"; }
  std::string history() const { return prefix_ + "history"; }
  std::string failsafe() const { return prefix_ + "failsafe"; }

 private:
  std::string prefix_;
};

// Builds the view from a listing of the cluster prefix (Dcs::List(keys.prefix())).
ClusterView DecodeCluster(const ClusterKeys& keys, const ListResult& listing);

// Each key's JSON, both ways. Decoders return INVALID_ARGUMENT naming what is wrong.
// Writers produce what Patroni 3.0 writes: compact JSON, role "primary" as "master", sync_standby
// as a sorted comma-separated string. postgresql.parameters values are held as text (numbers in
// their JSON spelling, booleans as "on"/"off") and written back as a JSON number when the text
// is exactly how JSON spells a number ("100", "0.9"), as a string otherwise.
std::string EncodeMember(const Member& member);
absl::StatusOr<Member> DecodeMember(std::string_view name, std::string_view json);
std::string EncodeConfig(const DynamicConfig& config);
absl::StatusOr<DynamicConfig> DecodeConfig(std::string_view json);
std::string EncodeFailover(const FailoverRequest& failover);
absl::StatusOr<FailoverRequest> DecodeFailover(std::string_view json);
std::string EncodeSync(const SyncState& sync);
absl::StatusOr<SyncState> DecodeSync(std::string_view json);
std::string EncodeHistory(const std::vector<TimelineHistoryEntry>& history);
absl::StatusOr<std::vector<TimelineHistoryEntry>> DecodeHistory(std::string_view json);
std::string EncodeStatus(const ClusterStatus& status);
absl::StatusOr<ClusterStatus> DecodeStatus(std::string_view json);
std::string EncodeFailsafe(const std::map<std::string, std::string>& failsafe);
absl::StatusOr<std::map<std::string, std::string>> DecodeFailsafe(std::string_view json);

// Every key of `view` with its value, as the DCS would hold them (for tests, tools, benches).
std::vector<std::pair<std::string, std::string>> EncodeCluster(const ClusterKeys& keys,
                                                               const ClusterView& view);

}  // namespace warden

#endif  // WARDEN_CORE_CODEC_H_
