// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/e2e/e2e_fixture.h"

#include <cstdio>

#include "absl/time/clock.h"

namespace warden::test {

void E2eTest::StartCluster(E2eClusterOptions options) {
  absl::StatusOr<std::unique_ptr<E2eCluster>> cluster = E2eCluster::Start(std::move(options));
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  cluster_ = *std::move(cluster);
  ASSERT_TRUE(E2eCluster::WaitFor([&] { return cluster_->Healthy(); }, absl::Seconds(90)))
      << cluster_->Logs();
}

Takeover E2eTest::WaitForNewPrimary(int old, absl::Duration timeout) const {
  Takeover takeover;
  E2eCluster::WaitFor(
      [&] {
        const int primary = cluster_->Primary();
        if (primary < 0 || primary == old) return false;
        if (takeover.node != primary) {
          takeover.node = primary;
          takeover.primary_at = absl::Now();
        }
        if (!cluster_
                 ->Sql(primary,
                       "CREATE TABLE IF NOT EXISTS e2e_probe (at timestamptz DEFAULT now()); "
                       "INSERT INTO e2e_probe DEFAULT VALUES")
                 .ok()) {
          return false;
        }
        takeover.write_at = absl::Now();
        return true;
      },
      timeout);
  if (takeover.write_at == absl::InfiniteFuture()) takeover.node = -1;
  return takeover;
}

void E2eTest::ExpectHealthy(absl::Duration timeout) const {
  EXPECT_TRUE(E2eCluster::WaitFor([&] { return cluster_->Healthy(); }, timeout))
      << cluster_->Logs();
}

std::map<std::string, nlohmann::json> E2eTest::Members() const {
  std::map<std::string, nlohmann::json> members;
  absl::StatusOr<std::string> out = cluster_->Wardenctl({"list", "--format", "json"});
  if (!out.ok()) return members;
  const nlohmann::json rows = nlohmann::json::parse(*out, nullptr, /*allow_exceptions=*/false);
  if (!rows.is_array()) return members;
  for (const nlohmann::json& row : rows) {
    if (row.is_object() && row.contains("Member") && row["Member"].is_string()) {
      members[row["Member"].get<std::string>()] = row;
    }
  }
  return members;
}

std::map<std::string, std::string> E2eTest::Roles() const {
  std::map<std::string, std::string> roles;
  for (const auto& [name, row] : Members()) {
    if (row.contains("Role") && row["Role"].is_string()) roles[name] = row["Role"];
  }
  return roles;
}

void E2eTest::Figure(const std::string& what, absl::Time from, absl::Time to) {
  std::printf("figure: %s: %.2f s\n", what.c_str(), absl::ToDoubleSeconds(to - from));
  std::fflush(stdout);
}

}  // namespace warden::test
