// Uses the in-memory DCS through the installed headers: a CAS, then a lease that expires.
#include <cstdio>

#include "warden/clock.h"
#include "warden/dcs/memory.h"

int main() {
  warden::ManualClock clock;
  warden::MemoryStore store({.clock = &clock});
  auto dcs = store.NewClient("consumer");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  auto lease = dcs->GrantLease(absl::Seconds(5), deadline);
  if (!lease.ok()) return 1;
  warden::TxnRequest txn;
  txn.compares = {warden::Compare::Absent("/leader")};
  txn.success = {warden::TxnOp::Put("/leader", "me", lease->id)};
  auto won = dcs->Txn(txn, deadline);
  if (!won.ok() || !won->succeeded) return 2;
  clock.Advance(absl::Seconds(6));
  auto got = dcs->Get("/leader", deadline);
  if (!got.ok() || got->kv.has_value()) return 3;
  std::printf("consumer: leader key won, then expired with its lease\n");
  return 0;
}
