// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Leader election through the DCS interface: three nodes in one process share an in-memory store.
// Each holds a lease it keeps alive, races for the leader key with a create-if-absent
// transaction, and watches the key so that it races again the moment the key disappears. The
// leader then "crashes" (stops renewing its lease); when the lease runs out the store deletes the
// key and a survivor takes over. Time is virtual (a ManualClock), so the run is instant and the
// timeline is the same every time.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "warden/clock.h"
#include "warden/dcs/memory.h"

namespace {

constexpr char kLeaderKey[] = "/service/demo/leader";
constexpr absl::Duration kTtl = absl::Seconds(6);
const absl::Duration kKeepAliveEvery = absl::Seconds(2);  // TTL/3, as etcd clients do

warden::ManualClock clock_;
const absl::Time start = clock_.Now();

void Log(const std::string& line) {
  std::printf("[t=%5.1fs] %s\n", absl::ToDoubleSeconds(clock_.Now() - start), line.c_str());
}

absl::Time Deadline() { return absl::Now() + absl::Seconds(1); }

struct Node {
  std::string name;
  std::unique_ptr<warden::MemoryDcs> dcs;
  warden::LeaseId lease = warden::kNoLease;
  std::unique_ptr<warden::WatchHandle> watch;
  bool alive = true;

  // Creates the leader key if nobody holds it, attached to our lease: only one racer can win.
  void TryToLead() {
    warden::TxnRequest txn;
    txn.compares = {warden::Compare::Absent(kLeaderKey)};
    txn.success = {warden::TxnOp::Put(kLeaderKey, name, lease)};
    txn.failure = {warden::TxnOp::Get(kLeaderKey)};
    absl::StatusOr<warden::TxnResult> result = dcs->Txn(txn, Deadline());
    if (!result.ok()) {
      Log(name + ": race failed: " + std::string(result.status().message()));
    } else if (result->succeeded) {
      Log(absl::StrFormat("%s: won the leader key (revision %d)", name, result->revision));
    } else {
      Log(name + ": lost the race, leader is " + result->results[0].kvs[0].value);
    }
  }

  // Watches the leader key; a deletion (expiry of the leader's lease) triggers a new race.
  void WatchLeader() {
    auto on_change = [this](const warden::WatchResponse& response) {
      for (const warden::WatchEvent& event : response.events) {
        if (event.type == warden::WatchEvent::Type::kDelete && alive) {
          Log(name + ": saw the leader key deleted, racing");
          TryToLead();
        }
      }
    };
    watch = *dcs->Watch(kLeaderKey, 0, on_change, Deadline());
  }
};

}  // namespace

int main() {
  warden::MemoryStore store({.clock = &clock_, .manual_delivery = true});
  std::vector<Node> nodes(3);
  for (int i = 0; i < 3; ++i) {
    Node& node = nodes[i];
    node.name = "node" + std::to_string(i + 1);
    node.dcs = store.NewClient(node.name);
    node.lease = node.dcs->GrantLease(kTtl, Deadline())->id;
    node.WatchLeader();
  }
  Log(absl::StrFormat("3 nodes up, each with a %s lease renewed every %s",
                      absl::FormatDuration(kTtl), absl::FormatDuration(kKeepAliveEvery)));
  for (Node& node : nodes) node.TryToLead();

  for (absl::Duration t; t <= absl::Seconds(20); t += absl::Seconds(1)) {
    if (t == absl::Seconds(5)) {
      std::string leader = (*nodes[0].dcs->Get(kLeaderKey, Deadline())).kv->value;
      for (Node& node : nodes) {
        if (node.name == leader) node.alive = false;
      }
      Log(leader + ": crashed (stops renewing its lease)");
    }
    if (t % kKeepAliveEvery == absl::ZeroDuration()) {
      for (Node& node : nodes) {
        if (node.alive) (void)node.dcs->KeepAlive(node.lease, Deadline());
      }
    }
    warden::Revision before = store.CurrentRevision();
    clock_.Advance(absl::Seconds(1));  // expired leases are revoked inside Advance
    if (store.CurrentRevision() != before) {
      Log(absl::StrFormat("store: a lease expired, its keys deleted at revision %d",
                          store.CurrentRevision()));
    }
    store.DeliverPending();  // watch callbacks run here, on this thread
  }
  absl::StatusOr<warden::GetResult> final_leader = nodes[0].dcs->Get(kLeaderKey, Deadline());
  Log("leader is now " + final_leader->kv->value);
  return 0;
}
