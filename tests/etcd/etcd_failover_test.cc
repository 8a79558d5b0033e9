// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Endpoint failover on a 3-member etcd: the member in use is killed (SIGKILL) and another is
// frozen (SIGSTOP) while a watch is open and a lease is kept alive. The watch must see every
// change exactly once and in order, and a lease whose outages stay under its TTL must survive.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/etcd/etcd_cluster.h"
#include "warden/dcs/conformance.h"
#include "warden/etcd/etcd.h"

namespace warden {
namespace {

using conformance::WatchRecorder;

absl::Time In(absl::Duration d) { return absl::Now() + d; }

// Writes /failover/n = i for i = 0, 1, ... until stopped, retrying each failed write: a write
// whose answer was lost may have been applied, which the test's comparison tolerates.
class Writer {
 public:
  explicit Writer(std::unique_ptr<Dcs> dcs) : dcs_(std::move(dcs)) {
    thread_ = std::thread([this] {
      for (int i = 0; !stop_.load();) {
        if (dcs_->Put("/failover/n", std::to_string(i), kNoLease, In(absl::Seconds(2))).ok()) {
          ++i;
          absl::MutexLock lock(&mu_);
          written_ = i;
        }
        absl::SleepFor(absl::Milliseconds(20));  // pacing: about 50 writes a second
      }
    });
  }
  ~Writer() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int written() {
    absl::MutexLock lock(&mu_);
    return written_;
  }
  // Waits until `n` more writes have been acknowledged.
  bool Progress(int n, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const int target = written_ + n;
    auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return written_ >= target; };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
  }

 private:
  std::unique_ptr<Dcs> dcs_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  int written_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

TEST(EtcdFailoverTest, WatchAndLeaseSurviveKillAndFreezeOfMembers) {
  absl::StatusOr<std::unique_ptr<test::EtcdCluster>> cluster =
      test::EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::vector<std::string> endpoints = (*cluster)->ClientEndpoints();

  std::atomic<int> lost{0};
  EtcdOptions options;
  options.endpoints = endpoints;  // member 0 first: the one in use
  options.keep_leases_alive = true;
  options.request_timeout = absl::Seconds(1);
  options.watch_probe_interval = absl::Seconds(1);
  options.on_lease_lost = [&](LeaseId) { ++lost; };
  absl::StatusOr<std::unique_ptr<Dcs>> dcs = NewEtcdDcs(options);
  ASSERT_TRUE(dcs.ok()) << dcs.status();

  absl::StatusOr<Lease> lease = (*dcs)->GrantLease(absl::Seconds(10), In(absl::Seconds(5)));
  ASSERT_TRUE(lease.ok()) << lease.status();
  absl::StatusOr<Revision> start =
      (*dcs)->Put("/failover/member", "alive", lease->id, In(absl::Seconds(5)));
  ASSERT_TRUE(start.ok()) << start.status();
  WatchRecorder live;
  auto watch = (*dcs)->Watch("/failover/n", *start + 1, live.Callback(), In(absl::Seconds(5)));
  ASSERT_TRUE(watch.ok()) << watch.status();

  EtcdOptions writer_options;
  writer_options.endpoints = {endpoints[2], endpoints[1], endpoints[0]};
  writer_options.request_timeout = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<Dcs>> writer_dcs = NewEtcdDcs(writer_options);
  ASSERT_TRUE(writer_dcs.ok());
  Writer writer(std::move(*writer_dcs));
  ASSERT_TRUE(writer.Progress(10, absl::Seconds(10)));

  // The member in use dies; once the client has moved on, it comes back.
  ASSERT_TRUE((*cluster)->Kill(0).ok());
  ASSERT_TRUE(writer.Progress(20, absl::Seconds(15)));
  ASSERT_TRUE((*cluster)->Restart(0).ok());
  ASSERT_TRUE(writer.Progress(10, absl::Seconds(15)));
  // The member the client moved to freezes for a while (shorter than the lease TTL), then
  // thaws. The cluster keeps its quorum throughout: each fault is one member's.
  ASSERT_TRUE((*cluster)->Pause(1).ok());
  absl::SleepFor(absl::Seconds(4));
  ASSERT_TRUE((*cluster)->Resume(1).ok());
  ASSERT_TRUE(writer.Progress(20, absl::Seconds(15)));
  writer.Stop();

  // The live watch saw exactly the history etcd itself has, in order, each change once.
  absl::StatusOr<GetResult> last = (*dcs)->Get("/failover/n", In(absl::Seconds(10)));
  ASSERT_TRUE(last.ok()) << last.status();
  WatchRecorder replay;
  auto replay_watch =
      (*dcs)->Watch("/failover/n", *start + 1, replay.Callback(), In(absl::Seconds(10)));
  ASSERT_TRUE(replay_watch.ok()) << replay_watch.status();
  ASSERT_TRUE(live.WaitForEvents(1, absl::Seconds(10)));
  const int64_t version = last->kv->version;
  ASSERT_TRUE(replay.WaitForEvents(static_cast<size_t>(version), absl::Seconds(20)));
  ASSERT_TRUE(live.WaitForEvents(static_cast<size_t>(version), absl::Seconds(20)));
  std::vector<WatchEvent> seen = live.Events();
  std::vector<WatchEvent> truth = replay.Events();
  ASSERT_EQ(seen.size(), truth.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].kv.mod_revision, truth[i].kv.mod_revision) << i;
    EXPECT_EQ(seen[i].kv.value, truth[i].kv.value) << i;
  }
  EXPECT_GE(seen.size(), static_cast<size_t>(writer.written()));

  // The lease was renewed through both outages.
  EXPECT_EQ(lost.load(), 0);
  absl::StatusOr<GetResult> member = (*dcs)->Get("/failover/member", In(absl::Seconds(10)));
  ASSERT_TRUE(member.ok()) << member.status();
  ASSERT_TRUE(member->kv.has_value());
  EXPECT_EQ(member->kv->lease, lease->id);
  EXPECT_TRUE((*dcs)->KeepAlive(lease->id, In(absl::Seconds(10))).ok());
}

}  // namespace
}  // namespace warden
