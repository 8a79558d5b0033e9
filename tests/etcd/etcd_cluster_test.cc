// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Self-test of the EtcdCluster fixture against the real /usr/bin/etcd.

#include "tests/etcd/etcd_cluster.h"

#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace warden::test {
namespace {

// The value of `key` read with etcdctl (`flags` go before "get"), or the error, so that a
// failed comparison explains itself.
std::string GetValue(const EtcdCluster& etcd, const std::string& key,
                     std::vector<std::string> flags = {}, const std::string& user = "") {
  flags.insert(flags.end(), {"get", "--print-value-only", key});
  absl::StatusOr<std::string> out = etcd.Etcdctl(flags, user);
  if (!out.ok()) return "error: " + out.status().ToString();
  return std::string(absl::StripTrailingAsciiWhitespace(*out));
}

// Whether no process `pid` exists any more (not even a zombie).
bool Gone(pid_t pid) { return kill(pid, 0) == -1 && errno == ESRCH; }

TEST(EtcdClusterTest, SingleMemberServesAndIsCleanedUp) {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> cluster =
      EtcdCluster::Start({.extra_flags = "--auto-compaction-retention=0"});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  ASSERT_EQ(etcd.size(), 1);
  EXPECT_EQ(etcd.ClientEndpoints(), std::vector<std::string>{etcd.ClientEndpoint(0)});
  EXPECT_TRUE(absl::StartsWith(etcd.ClientEndpoint(0), "127.0.0.1:"));
  EXPECT_EQ(etcd.HttpUrl(0), "http://" + etcd.ClientEndpoint(0));
  EXPECT_EQ(etcd.CaFile(), "");
  EXPECT_TRUE(etcd.IsRunning(0));

  absl::StatusOr<std::string> put = etcd.Etcdctl({"put", "/warden/k", "v1"});
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(*put, "OK\n");
  EXPECT_EQ(GetValue(etcd, "/warden/k"), "v1");
  absl::StatusOr<std::string> bad = etcd.Etcdctl({"no-such-command"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnknown);

  const pid_t pid = etcd.Pid(0);
  const std::string dir = etcd.dir();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(std::filesystem::exists(dir + "/m0.log"));
  cluster->reset();
  EXPECT_TRUE(Gone(pid));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(EtcdClusterTest, TwoOfThreeServeWhileOneIsKilledAndItRejoins) {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> cluster = EtcdCluster::Start({.members = 3});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  ASSERT_EQ(etcd.size(), 3);
  EXPECT_EQ(etcd.ClientEndpoints().size(), 3u);

  ASSERT_TRUE(etcd.Kill(0).ok());
  EXPECT_FALSE(etcd.IsRunning(0));
  EXPECT_EQ(etcd.Pid(0), -1);
  EXPECT_EQ(etcd.Kill(0).code(), absl::StatusCode::kFailedPrecondition);
  for (int member : {1, 2}) {
    absl::Status healthy = etcd.WaitHealthy(member);  // member 0 may have been the leader
    ASSERT_TRUE(healthy.ok()) << healthy;
    const std::string endpoints = "--endpoints=" + etcd.ClientEndpoint(member);
    absl::StatusOr<std::string> put = etcd.Etcdctl({endpoints, "put", "/warden/survivor", "yes"});
    EXPECT_TRUE(put.ok()) << put.status();
    EXPECT_EQ(GetValue(etcd, "/warden/survivor", {endpoints}), "yes");
  }

  absl::Status restarted = etcd.Restart(0);
  ASSERT_TRUE(restarted.ok()) << restarted;
  EXPECT_TRUE(etcd.IsRunning(0));
  EXPECT_EQ(etcd.Restart(0).code(), absl::StatusCode::kFailedPrecondition);
  const std::string m0 = "--endpoints=" + etcd.ClientEndpoint(0);
  absl::StatusOr<std::string> health = etcd.Etcdctl({m0, "endpoint", "health"});
  EXPECT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(GetValue(etcd, "/warden/survivor", {m0}), "yes");

  std::vector<pid_t> pids = {etcd.Pid(0), etcd.Pid(1), etcd.Pid(2)};
  cluster->reset();
  for (pid_t pid : pids) EXPECT_TRUE(Gone(pid)) << pid;
}

TEST(EtcdClusterTest, PausedMemberAnswersNothingUntilResumed) {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> cluster = EtcdCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  ASSERT_TRUE(etcd.Etcdctl({"put", "/warden/k", "v"}).ok());

  ASSERT_TRUE(etcd.Pause(0).ok());
  EXPECT_TRUE(etcd.IsRunning(0));
  const std::vector<std::string> quick = {"--dial-timeout=500ms", "--command-timeout=500ms"};
  EXPECT_TRUE(absl::StartsWith(GetValue(etcd, "/warden/k", quick), "error: "));

  ASSERT_TRUE(etcd.Resume(0).ok());
  EXPECT_EQ(GetValue(etcd, "/warden/k"), "v");
  EXPECT_EQ(etcd.Pause(7).code(), absl::StatusCode::kOutOfRange);
}

TEST(EtcdClusterTest, TlsClusterNeedsTheClientCertificate) {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> cluster = EtcdCluster::Start({.tls = true});
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  EXPECT_EQ(etcd.HttpUrl(0), "https://" + etcd.ClientEndpoint(0));
  for (const std::string& file : {etcd.CaFile(), etcd.ClientCertFile(), etcd.ClientKeyFile()}) {
    EXPECT_TRUE(std::filesystem::exists(file)) << file;
  }

  absl::StatusOr<std::string> put = etcd.Etcdctl({"put", "/warden/tls", "secret"});
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(GetValue(etcd, "/warden/tls"), "secret");
  // A client certificate from another CA is refused.
  const std::string stranger = etcd.dir() + "/stranger";
  const std::string make_stranger =
      "/usr/bin/openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-days 1 -subj /CN=stranger -keyout " +
      stranger + ".key -out " + stranger + ".crt 2>/dev/null";
  ASSERT_EQ(std::system(make_stranger.c_str()), 0);
  const std::string refused = GetValue(etcd, "/warden/tls",
                                       {"--cert=" + stranger + ".crt", "--key=" + stranger + ".key",
                                        "--dial-timeout=1s", "--command-timeout=1s"});
  EXPECT_TRUE(absl::StartsWith(refused, "error: ")) << refused;
}

TEST(EtcdClusterTest, AuthAdmitsTheUserAndRefusesAnonymous) {
  absl::StatusOr<std::unique_ptr<EtcdCluster>> cluster = EtcdCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EtcdCluster& etcd = **cluster;
  absl::Status auth = etcd.EnableAuth("rootpw", "alice", "alicepw");
  ASSERT_TRUE(auth.ok()) << auth;

  absl::StatusOr<std::string> put = etcd.Etcdctl({"put", "/warden/a", "1"}, "alice:alicepw");
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_EQ(GetValue(etcd, "/warden/a", {}, "alice:alicepw"), "1");
  EXPECT_EQ(GetValue(etcd, "/warden/a", {}, "root:rootpw"), "1");
  EXPECT_TRUE(absl::StartsWith(GetValue(etcd, "/warden/a"), "error: "));
  EXPECT_TRUE(absl::StartsWith(GetValue(etcd, "/warden/a", {}, "alice:wrong"), "error: "));
  EXPECT_FALSE(etcd.Etcdctl({"put", "/warden/a", "2"}).ok());
}

TEST(EtcdClusterTest, RejectsBadArguments) {
  EXPECT_EQ(EtcdCluster::Start({.members = 0}).status().code(), absl::StatusCode::kInvalidArgument);
  int port = FreePort();
  EXPECT_GT(port, 1023);
  EXPECT_LT(port, 65536);
}

}  // namespace
}  // namespace warden::test
