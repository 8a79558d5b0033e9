// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The HA core's costs: Decide on 3-, 5- and 9-member views (a leader's tick and a replica's
// leader race), the codec on a full cluster, and the simulator's steps per second.

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "tests/sim/simulator.h"
#include "warden/core/codec.h"
#include "warden/core/decide.h"

namespace warden {
namespace {

ClusterView View(int members) {
  ClusterView view;
  view.initialize = 7218046306071193898u;
  view.config.synchronous_mode = SynchronousMode::kOn;
  view.leader = LeaderKey{"n1", 100, 105, 7};
  view.sync = SyncState{"n1", {"n2"}, std::nullopt, 90};
  view.status.optime = 1'000'000;
  for (int i = 1; i <= members; ++i) {
    Member m;
    m.name = "n" + std::to_string(i);
    m.conn_url = "postgres://10.0.0." + std::to_string(i) + ":5432/postgres";
    m.api_url = "http://10.0.0." + std::to_string(i) + ":8008/patroni";
    m.state = "running";
    m.role = i == 1 ? "primary" : "replica";
    m.version = "0.1.0";
    m.xlog_location = 1'000'000 - i;
    m.timeline = 3;
    view.members.push_back(m);
  }
  view.history = {TimelineHistoryEntry{1, 5000, "no recovery target specified", "", "n1"},
                  TimelineHistoryEntry{2, 9000, "no recovery target specified", "", "n2"}};
  return view;
}

LocalNode Leader(int members) {
  LocalNode local;
  local.name = "n1";
  local.postgres.running = true;
  local.postgres.role = PgRole::kPrimary;
  local.postgres.timeline = 3;
  local.postgres.wal_lsn = 1'000'000;
  local.postgres.system_identifier = 7218046306071193898u;
  local.postgres.synchronous_standby_names = "FIRST 1 (\"n2\")";
  for (int i = 2; i <= members; ++i) {
    local.postgres.replication.push_back(
        ReplicationConnection{"n" + std::to_string(i), "10.0.0." + std::to_string(i), "streaming",
                              i == 2 ? "sync" : "async", 999'000, 999'000, 999'000, 999'000});
  }
  local.lease_deadline = absl::FromUnixSeconds(2'000'000'000);
  return local;
}

LocalNode RacingReplica(int members) {
  LocalNode local;
  local.name = "n2";
  local.postgres.running = true;
  local.postgres.role = PgRole::kReplica;
  local.postgres.timeline = 3;
  local.postgres.received_lsn = local.postgres.replayed_lsn = 999'999;
  local.postgres.system_identifier = 7218046306071193898u;
  for (int i = 3; i <= members; ++i) {
    local.probes.push_back(MemberProbe{"n" + std::to_string(i), true, true, PgRole::kReplica,
                                       static_cast<Lsn>(999'000 - i), 3, false});
  }
  return local;
}

void BM_DecideLeaderTick(benchmark::State& state) {
  const int members = static_cast<int>(state.range(0));
  ClusterView view = View(members);
  LocalNode local = Leader(members);
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  for (auto _ : state) benchmark::DoNotOptimize(Decide(view, local, view.config, now));
}
BENCHMARK(BM_DecideLeaderTick)->Arg(3)->Arg(5)->Arg(9);

void BM_DecideLeaderRace(benchmark::State& state) {
  const int members = static_cast<int>(state.range(0));
  ClusterView view = View(members);
  view.leader.reset();
  LocalNode local = RacingReplica(members);
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  for (auto _ : state) benchmark::DoNotOptimize(Decide(view, local, view.config, now));
}
BENCHMARK(BM_DecideLeaderRace)->Arg(3)->Arg(5)->Arg(9);

ListResult Listing(const ClusterKeys& keys, const ClusterView& view) {
  ListResult listing;
  listing.revision = 200;
  Revision r = 1;
  for (const auto& [key, value] : EncodeCluster(keys, view)) {
    listing.kvs.push_back(KeyValue{key, value, r, r, 1, kNoLease});
    ++r;
  }
  return listing;
}

void BM_DecodeCluster(benchmark::State& state) {
  const ClusterKeys keys("/service", "bench");
  const ListResult listing = Listing(keys, View(static_cast<int>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(DecodeCluster(keys, listing));
  state.counters["keys"] = static_cast<double>(listing.kvs.size());
}
BENCHMARK(BM_DecodeCluster)->Arg(3)->Arg(5)->Arg(9);

void BM_EncodeCluster(benchmark::State& state) {
  const ClusterKeys keys("/service", "bench");
  const ClusterView view = View(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(EncodeCluster(keys, view));
}
BENCHMARK(BM_EncodeCluster)->Arg(3)->Arg(5)->Arg(9);

// Whole simulated runs (3 nodes, 6 virtual minutes each); reports simulator steps per second.
void BM_SimulatorSteps(benchmark::State& state) {
  sim::SimOptions options;
  int64_t steps = 0;
  uint64_t seed = 1;
  for (auto _ : state) {
    options.seed = seed++;
    steps += sim::RunSimulation(options).steps;
  }
  state.counters["steps_per_second"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimulatorSteps)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace warden

BENCHMARK_MAIN();
