// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The etcd backend against bad input and faults on a real etcd: a cluster that is down, wrong
// credentials, expired tokens, TLS, oversized requests, and a lease that expires while the
// client is cut off. No call may block past its deadline.

#include <sys/resource.h>

#include <atomic>
#include <memory>
#include <string>
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

std::unique_ptr<test::EtcdCluster> MustStart(test::EtcdClusterOptions options = {}) {
  absl::StatusOr<std::unique_ptr<test::EtcdCluster>> cluster = test::EtcdCluster::Start(options);
  EXPECT_TRUE(cluster.ok()) << cluster.status();
  return cluster.ok() ? std::move(*cluster) : nullptr;
}

std::unique_ptr<Dcs> MustConnect(const EtcdOptions& options) {
  absl::StatusOr<std::unique_ptr<Dcs>> dcs = NewEtcdDcs(options);
  EXPECT_TRUE(dcs.ok()) << dcs.status();
  return dcs.ok() ? std::move(*dcs) : nullptr;
}

// A cluster with etcd auth on, and options for user `warden` with `password`.
std::unique_ptr<test::EtcdCluster> StartWithAuth(test::EtcdClusterOptions cluster_options,
                                                 const std::string& password,
                                                 EtcdOptions& options) {
  auto cluster = MustStart(cluster_options);
  if (cluster == nullptr) return nullptr;
  EXPECT_TRUE(cluster->EnableAuth("rootpw", "warden", "s3cret").ok());
  options.endpoints = cluster->ClientEndpoints();
  options.username = "warden";
  options.password = password;
  return cluster;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

TEST(EtcdOptionsTest, BadOptionsAreRefusedUpFront) {
  EXPECT_EQ(NewEtcdDcs(EtcdOptions{}).status().code(), absl::StatusCode::kInvalidArgument);
  EtcdOptions no_port;
  no_port.endpoints = {"localhost"};
  EXPECT_EQ(NewEtcdDcs(no_port).status().code(), absl::StatusCode::kInvalidArgument);
  EtcdOptions missing_ca;
  missing_ca.endpoints = {"127.0.0.1:2379"};
  missing_ca.tls = EtcdTlsOptions{"/nonexistent/ca.pem", "", ""};
  absl::Status status = NewEtcdDcs(missing_ca).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("/nonexistent/ca.pem"), absl::string_view::npos) << status;
}

TEST(EtcdStatusTest, ReportsEachMemberAndWhichAreDown) {
  auto cluster = MustStart({.members = 3});
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->Kill(2).ok());
  ASSERT_TRUE(cluster->WaitHealthy(0).ok());  // a new leader, if the killed member led
  EtcdOptions options;
  options.endpoints = cluster->ClientEndpoints();
  std::vector<EtcdMemberStatus> members = EtcdClusterStatus(options, In(absl::Seconds(2)));
  ASSERT_EQ(members.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(members[i].reachable.ok()) << members[i].reachable;
    EXPECT_EQ(members[i].version.substr(0, 4), "3.4.");
    EXPECT_NE(members[i].leader_id, 0u);
    EXPECT_NE(members[i].member_id, 0u);
  }
  EXPECT_EQ(members[0].leader_id, members[1].leader_id);
  EXPECT_EQ(members[2].reachable.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(members[2].endpoint, cluster->ClientEndpoint(2));
}

TEST(EtcdFaultsTest, ClusterDownAtStartUpFailsUnavailableWithinTheDeadline) {
  EtcdOptions options;
  options.endpoints = {"127.0.0.1:" + std::to_string(test::FreePort()),
                       "127.0.0.1:" + std::to_string(test::FreePort())};
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  ASSERT_NE(dcs, nullptr);
  const double cpu_before = CpuSeconds();
  const absl::Time start = absl::Now();
  absl::StatusOr<GetResult> got = dcs->Get("/k", In(absl::Milliseconds(800)));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable) << got.status();
  EXPECT_NE(got.status().message().find(options.endpoints[0]), absl::string_view::npos);
  EXPECT_EQ(dcs->Put("/k", "v", kNoLease, In(absl::Milliseconds(800))).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(dcs->KeepAlive(1, In(absl::Milliseconds(800))).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(dcs->Watch(
                   "/", 0, [](const WatchResponse&) {}, In(absl::Milliseconds(800)))
                .status()
                .code(),
            absl::StatusCode::kUnavailable);
  const absl::Duration took = absl::Now() - start;
  EXPECT_LT(took, absl::Seconds(4));  // four calls of 800 ms, plus slack
  // Waiting for a dead cluster must not spin: well under a core for those seconds.
  EXPECT_LT(CpuSeconds() - cpu_before, 0.5 * absl::ToDoubleSeconds(took));
}

TEST(EtcdFaultsTest, WrongCredentialsArePermissionDeniedNamingTheUser) {
  EtcdOptions options;
  auto cluster = StartWithAuth({}, "wrong", options);
  ASSERT_NE(cluster, nullptr);
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  absl::StatusOr<Revision> put = dcs->Put("/k", "v", kNoLease, In(absl::Seconds(5)));
  EXPECT_EQ(put.status().code(), absl::StatusCode::kPermissionDenied) << put.status();
  EXPECT_NE(put.status().message().find("'warden'"), absl::string_view::npos) << put.status();
  auto watch = dcs->Watch(
      "/", 0, [](const WatchResponse&) {}, In(absl::Seconds(5)));
  EXPECT_EQ(watch.status().code(), absl::StatusCode::kPermissionDenied) << watch.status();

  options.password = "s3cret";
  std::unique_ptr<Dcs> good = MustConnect(options);
  ASSERT_TRUE(good->Put("/k", "v", kNoLease, In(absl::Seconds(5))).ok());
  WatchRecorder recorder;
  auto ok_watch = good->Watch("/k", 0, recorder.Callback(), In(absl::Seconds(5)));
  ASSERT_TRUE(ok_watch.ok()) << ok_watch.status();
  ASSERT_TRUE(good->Put("/k", "w", kNoLease, In(absl::Seconds(5))).ok());
  EXPECT_TRUE(recorder.WaitForEvents(1, absl::Seconds(10)));
}

TEST(EtcdFaultsTest, AnExpiredTokenIsRenewedTransparently) {
  EtcdOptions options;
  auto cluster = StartWithAuth({.extra_flags = "--auth-token-ttl=1"}, "s3cret", options);
  ASSERT_NE(cluster, nullptr);
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  ASSERT_TRUE(dcs->Put("/k", "1", kNoLease, In(absl::Seconds(5))).ok());
  absl::SleepFor(absl::Seconds(3));  // let the simple token expire on the server
  absl::StatusOr<Revision> put = dcs->Put("/k", "2", kNoLease, In(absl::Seconds(5)));
  EXPECT_TRUE(put.ok()) << put.status();
}

TEST(EtcdFaultsTest, TlsWithTheRightCertificatesWorks) {
  auto cluster = MustStart({.tls = true});
  ASSERT_NE(cluster, nullptr);
  EtcdOptions options;
  options.endpoints = cluster->ClientEndpoints();
  options.tls =
      EtcdTlsOptions{cluster->CaFile(), cluster->ClientCertFile(), cluster->ClientKeyFile()};
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  ASSERT_TRUE(dcs->Put("/tls", "yes", kNoLease, In(absl::Seconds(5))).ok());
  absl::StatusOr<GetResult> got = dcs->Get("/tls", In(absl::Seconds(5)));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->kv->value, "yes");
}

TEST(EtcdFaultsTest, TlsMismatchFailsClearlyWithinTheDeadline) {
  auto cluster = MustStart({.tls = true});
  ASSERT_NE(cluster, nullptr);
  EtcdOptions plaintext;
  plaintext.endpoints = cluster->ClientEndpoints();
  std::unique_ptr<Dcs> dcs = MustConnect(plaintext);
  absl::Time start = absl::Now();
  absl::Status status = dcs->Put("/k", "v", kNoLease, In(absl::Seconds(1))).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));

  EtcdOptions no_client_cert = plaintext;
  no_client_cert.tls = EtcdTlsOptions{cluster->CaFile(), "", ""};
  std::unique_ptr<Dcs> anonymous = MustConnect(no_client_cert);
  status = anonymous->Put("/k", "v", kNoLease, In(absl::Seconds(1))).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST(EtcdFaultsTest, ARequestOverEtcdsLimitIsRefusedByEtcdAndChangesNothing) {
  auto cluster = MustStart();
  ASSERT_NE(cluster, nullptr);
  EtcdOptions options;
  options.endpoints = cluster->ClientEndpoints();
  options.max_request_bytes = size_t{8} << 20;  // let the request reach etcd's own check
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  std::string too_big(size_t{1536} * 1024 + 1, 'v');
  absl::Status status = dcs->Put("/huge", too_big, kNoLease, In(absl::Seconds(5))).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  absl::StatusOr<GetResult> got = dcs->Get("/huge", In(absl::Seconds(5)));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->kv.has_value());
}

TEST(EtcdFaultsTest, LocalLeaseDeadlineFiresBeforeEtcdExpiresTheLease) {
  auto cluster = MustStart();
  ASSERT_NE(cluster, nullptr);
  absl::Mutex mu;
  std::vector<LeaseId> lost;
  absl::Time lost_at = absl::InfiniteFuture();
  absl::Time deleted_at = absl::InfiniteFuture();
  EtcdOptions options;
  options.endpoints = cluster->ClientEndpoints();
  options.on_lease_lost = [&](LeaseId id) {
    absl::MutexLock lock(&mu);
    lost.push_back(id);
    lost_at = absl::Now();
  };
  std::unique_ptr<Dcs> dcs = MustConnect(options);
  const absl::Time granted_at = absl::Now();
  absl::StatusOr<Lease> lease = dcs->GrantLease(absl::Seconds(2), In(absl::Seconds(5)));
  ASSERT_TRUE(lease.ok()) << lease.status();
  absl::StatusOr<Revision> put = dcs->Put("/leader", "me", lease->id, In(absl::Seconds(5)));
  ASSERT_TRUE(put.ok()) << put.status();
  auto watch = dcs->Watch(
      "/leader", *put + 1,
      [&](const WatchResponse& r) {
        absl::MutexLock lock(&mu);
        if (!r.events.empty() && r.events[0].type == WatchEvent::Type::kDelete) {
          deleted_at = absl::Now();
        }
      },
      In(absl::Seconds(5)));
  ASSERT_TRUE(watch.ok()) << watch.status();
  // No keep-alive is sent: the local deadline passes TTL after the grant was sent, and etcd's
  // expiry (and so the deletion anyone can see) comes no earlier.
  absl::MutexLock lock(&mu);
  auto deleted = [&]() { return deleted_at != absl::InfiniteFuture(); };
  ASSERT_TRUE(mu.AwaitWithTimeout(absl::Condition(&deleted), absl::Seconds(15)));
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost.front(), lease->id);
  EXPECT_LE(lost_at - granted_at, lease->ttl + absl::Milliseconds(200));
  EXPECT_LT(lost_at, deleted_at);
}

TEST(EtcdFaultsTest, ALeaseThatExpiredWhileCutOffIsNotFoundAndItsKeysAreGone) {
  auto cluster = MustStart({.members = 3});
  ASSERT_NE(cluster, nullptr);
  std::atomic<int> lost{0};
  EtcdOptions cut_off;
  cut_off.endpoints = {cluster->ClientEndpoint(0)};  // this client knows only member 0
  cut_off.on_lease_lost = [&](LeaseId) { ++lost; };
  std::unique_ptr<Dcs> dcs = MustConnect(cut_off);
  EtcdOptions observer_options;
  observer_options.endpoints = {cluster->ClientEndpoint(1), cluster->ClientEndpoint(2)};
  std::unique_ptr<Dcs> observer = MustConnect(observer_options);

  absl::StatusOr<Lease> lease = dcs->GrantLease(absl::Seconds(2), In(absl::Seconds(5)));
  ASSERT_TRUE(lease.ok()) << lease.status();
  absl::StatusOr<Revision> put = dcs->Put("/member/me", "x", lease->id, In(absl::Seconds(5)));
  ASSERT_TRUE(put.ok()) << put.status();
  WatchRecorder deletions;
  auto watch = observer->Watch("/member/", *put + 1, deletions.Callback(), In(absl::Seconds(5)));
  ASSERT_TRUE(watch.ok()) << watch.status();

  ASSERT_TRUE(cluster->Pause(0).ok());
  // Calls of the cut-off client fail within their deadlines.
  absl::Time start = absl::Now();
  EXPECT_FALSE(dcs->KeepAlive(lease->id, In(absl::Milliseconds(500))).ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // The rest of the cluster expires the lease (a new leader may first extend it by one TTL).
  ASSERT_TRUE(deletions.WaitForEvents(1, absl::Seconds(20)));
  EXPECT_EQ(deletions.Events()[0].type, WatchEvent::Type::kDelete);
  EXPECT_EQ(lost.load(), 1);  // the local deadline fired while cut off
  ASSERT_TRUE(cluster->Resume(0).ok());

  absl::StatusOr<absl::Duration> renewed = dcs->KeepAlive(lease->id, In(absl::Seconds(10)));
  EXPECT_EQ(renewed.status().code(), absl::StatusCode::kNotFound) << renewed.status();
  absl::StatusOr<GetResult> got = dcs->Get("/member/me", In(absl::Seconds(10)));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->kv.has_value());
}

}  // namespace
}  // namespace warden
