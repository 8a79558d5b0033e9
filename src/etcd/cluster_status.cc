// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// EtcdClusterStatus: Maintenance.Status on each member, for health reports.

#include <string>
#include <vector>

#include "src/etcd/connection.h"
#include "warden/etcd/etcd.h"

namespace warden {

std::vector<EtcdMemberStatus> EtcdClusterStatus(const EtcdOptions& options, absl::Time deadline) {
  std::vector<EtcdMemberStatus> members;
  for (const std::string& address : options.endpoints) {
    EtcdMemberStatus member;
    member.endpoint = address;
    EtcdOptions one = options;
    one.endpoints = {address};
    absl::StatusOr<std::unique_ptr<etcd_internal::Connection>> connection =
        etcd_internal::Connection::Create(one);
    if (!connection.ok()) {
      member.reachable = connection.status();
      members.push_back(std::move(member));
      continue;
    }
    etcdserverpb::StatusResponse response;
    member.reachable =
        (*connection)
            ->Invoke(deadline, etcd_internal::Retry::kIdempotent,
                     [&](etcd_internal::Endpoint& e, grpc::ClientContext& c) {
                       response.Clear();
                       return e.maintenance->Status(&c, etcdserverpb::StatusRequest(), &response);
                     });
    if (member.reachable.ok()) {
      member.version = response.version();
      member.member_id = response.header().member_id();
      member.leader_id = response.leader();
      member.raft_term = response.raftterm();
      member.db_size_bytes = response.dbsize();
      member.errors.assign(response.errors().begin(), response.errors().end());
    }
    members.push_back(std::move(member));
  }
  return members;
}

}  // namespace warden
