// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The DCS conformance suite on a real etcd (one server for the whole binary, started on loopback
// in a temp dir, each test in its own key prefix). Lease expiry runs in real time.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "tests/etcd/etcd_cluster.h"
#include "warden/dcs/conformance.h"
#include "warden/etcd/etcd.h"

namespace warden {
namespace {

// Owns the etcd server the whole binary shares.
class EtcdEnvironment : public ::testing::Environment {
 public:
  static test::EtcdCluster& Cluster() { return *cluster_; }

  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test::EtcdCluster>> cluster = test::EtcdCluster::Start();
    if (!cluster.ok()) {
      std::fprintf(stderr, "cannot start etcd: %s\n",
                   std::string(cluster.status().message()).c_str());
      std::abort();
    }
    cluster_ = std::move(*cluster);
  }
  void TearDown() override { cluster_.reset(); }

 private:
  static inline std::unique_ptr<test::EtcdCluster> cluster_;
};

[[maybe_unused]] ::testing::Environment* const kEtcdEnvironment =
    ::testing::AddGlobalTestEnvironment(new EtcdEnvironment);

class EtcdHarness final : public conformance::DcsHarness {
 public:
  std::unique_ptr<Dcs> NewClient() override {
    EtcdOptions options;
    options.endpoints = EtcdEnvironment::Cluster().ClientEndpoints();
    absl::StatusOr<std::unique_ptr<Dcs>> dcs = NewEtcdDcs(options);
    EXPECT_TRUE(dcs.ok()) << dcs.status();
    return dcs.ok() ? std::move(*dcs) : nullptr;
  }
  void AdvanceTime(absl::Duration d) override { absl::SleepFor(d); }
  absl::Status Compact(Revision revision) override {
    return EtcdEnvironment::Cluster().Etcdctl({"compaction", std::to_string(revision)}).status();
  }
  absl::Duration PatienceTimeout() const override { return absl::Seconds(15); }
};

WARDEN_INSTANTIATE_DCS_CONFORMANCE(Etcd,
                                   conformance::DcsBackend{
                                       "etcd", [] { return std::make_unique<EtcdHarness>(); }});

}  // namespace
}  // namespace warden
