// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The in-memory DCS under load: Put, Get, CAS transactions and watch delivery latency, with 1, 2
// and 8 threads sharing one store (each thread its own client, as nodes would be).

#include <array>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "warden/dcs/memory.h"

namespace warden {
namespace {

absl::Time Deadline() { return absl::InfiniteFuture(); }

MemoryStore& SharedStore() {
  static auto* store = new MemoryStore();
  return *store;
}

std::string ThreadKey(const benchmark::State& state) {
  return "/bench/key" + std::to_string(state.thread_index());
}

void BM_Put(benchmark::State& state) {
  auto dcs = SharedStore().NewClient();
  const std::string key = ThreadKey(state);
  const std::string value(64, 'v');
  for (auto _ : state) {
    benchmark::DoNotOptimize(dcs->Put(key, value, kNoLease, Deadline()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Put)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

void BM_Get(benchmark::State& state) {
  auto dcs = SharedStore().NewClient();
  const std::string key = ThreadKey(state);
  (void)dcs->Put(key, std::string(64, 'v'), kNoLease, Deadline());
  for (auto _ : state) {
    benchmark::DoNotOptimize(dcs->Get(key, Deadline()));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

// Read-modify-write through a mod_revision compare, every thread on the same key: the leader-lock
// pattern under contention. Reports how many CAS attempts won.
void BM_TxnCas(benchmark::State& state) {
  auto dcs = SharedStore().NewClient();
  const std::string key = "/bench/cas";
  int64_t won = 0;
  for (auto _ : state) {
    absl::StatusOr<GetResult> got = dcs->Get(key, Deadline());
    TxnRequest txn;
    txn.compares = {Compare::ModRevision(key, Compare::Op::kEqual,
                                         got->kv.has_value() ? got->kv->mod_revision : 0)};
    txn.success = {TxnOp::Put(key, "x")};
    absl::StatusOr<TxnResult> result = dcs->Txn(txn, Deadline());
    if (result.ok() && result->succeeded) ++won;
  }
  state.counters["won_ratio"] =
      benchmark::Counter(static_cast<double>(won) / static_cast<double>(state.iterations()),
                         benchmark::Counter::kAvgThreads);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TxnCas)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

// One store with one watch over every thread's key, shared by all runs (never destroyed, so no
// run can tear it down under another). The callback counts deliveries per writer thread.
struct WatchedStore {
  WatchedStore() {
    watch = *store.NewClient()->Watch(
        "/bench/w/", 0,
        [this](const WatchResponse& r) {
          absl::MutexLock lock(&mu);
          for (const WatchEvent& e : r.events) ++delivered[std::stoi(e.kv.key.substr(9))];
        },
        Deadline());
  }
  MemoryStore store;
  absl::Mutex mu;
  std::array<int64_t, 64> delivered ABSL_GUARDED_BY(mu) = {};
  std::unique_ptr<WatchHandle> watch;
};

WatchedStore& Watched() {
  static auto* watched = new WatchedStore();
  return *watched;
}

// From Put to the watch callback having run on the store thread, each thread waiting for the
// event of its own write.
void BM_WatchDeliveryLatency(benchmark::State& state) {
  WatchedStore& w = Watched();
  auto dcs = w.store.NewClient();
  const int me = state.thread_index();
  const std::string key = "/bench/w/" + std::to_string(me);
  int64_t expected;
  {
    absl::MutexLock lock(&w.mu);
    expected = w.delivered[me];
  }
  for (auto _ : state) {
    (void)dcs->Put(key, "v", kNoLease, Deadline());
    ++expected;
    absl::MutexLock lock(&w.mu);
    auto arrived = [&]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(w.mu) { return w.delivered[me] >= expected; };
    w.mu.Await(absl::Condition(&arrived));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WatchDeliveryLatency)->Threads(1)->Threads(2)->Threads(8)->UseRealTime();

}  // namespace
}  // namespace warden

BENCHMARK_MAIN();
