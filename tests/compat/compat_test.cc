// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Patroni as the oracle: each test runs one configuration under Debian's Patroni 3.0.2 and then
// under warden-agent (same patroni.yml, same actions, one cluster at a time) and compares the two
// clusters point by point. A difference passes only when known_differences.yaml lists it, and an
// entry there that no longer occurs fails the test as stale. WARDEN_COMPAT_DUMP=<dir> writes every
// snapshot there as text ("<config>.<point>.<agent>.txt").

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/compat/compat_config.h"
#include "tests/compat/known_differences.h"
#include "tests/compat/scenario.h"
#include "tests/compat/snapshot_diff.h"

namespace warden::test {
namespace {

void Dump(const CompatConfig& config, const char* agent, const ScenarioRun& run) {
  const char* dir = std::getenv("WARDEN_COMPAT_DUMP");
  if (dir == nullptr) return;
  std::filesystem::create_directories(dir);
  for (const auto& [point, snapshot] : run.snapshots) {
    std::ofstream(absl::StrCat(dir, "/", config.name, ".", point, ".", agent, ".txt"))
        << SnapshotText(snapshot);
  }
}

// known_differences.yaml entries for `differences`, for pasting once each is understood.
std::string Suggestions(const std::string& config, const std::string& point,
                        const std::vector<Difference>& differences) {
  std::string text;
  for (const Difference& d : differences) {
    absl::StrAppend(&text, "- config: ", config, "\n  point: ", point, "\n  what: \"", d.what,
                    "\"\n  reason: \"open: Patroni ", d.patroni, ", warden ", d.warden, "\"\n");
  }
  return text;
}

class CompatTest : public ::testing::Test {
 protected:
  // Runs `config` under both agents and checks their differences against the known ones.
  void ExpectSameAsPatroni(const CompatConfig& config) {
    absl::StatusOr<KnownDifferences> known =
        KnownDifferences::Load(WARDEN_COMPAT_KNOWN_DIFFERENCES);
    ASSERT_TRUE(known.ok()) << known.status();
    const ScenarioRun patroni = RunScenario(config, AgentKind::kPatroni);
    Dump(config, "patroni", patroni);
    for (const auto& [point, snapshot] : patroni.snapshots) {
      ASSERT_EQ(snapshot.at(kScenarioKey), "reached")
          << "Patroni, the oracle, did not get to " << point << ":\n"
          << patroni.logs;
    }
    const ScenarioRun warden = RunScenario(config, AgentKind::kWarden);
    Dump(config, "warden", warden);
    if (!warden.logs.empty())
      std::fprintf(stderr, "compat: warden's logs:\n%s\n", warden.logs.c_str());

    std::string unexpected;
    std::string suggestions;
    std::vector<std::string> points;
    for (Point p : config.points) {
      const std::string point = PointName(p);
      points.push_back(point);
      std::vector<Difference> open;
      const std::vector<Difference> all =
          Diff(patroni.snapshots.at(point), warden.snapshots.at(point));
      for (const Difference& d : all) {
        if (!known->Covers(config.name, point, d.what)) open.push_back(d);
      }
      std::fprintf(stderr, "compat: %s at %s: %zu differences, %zu not known\n",
                   config.name.c_str(), point.c_str(), all.size(), open.size());
      if (open.empty()) continue;
      absl::StrAppend(&unexpected, " at ", point, ":\n", DiffText(open));
      absl::StrAppend(&suggestions, Suggestions(config.name, point, open));
    }
    EXPECT_TRUE(unexpected.empty())
        << "warden differs from Patroni in ways known_differences.yaml does not list (config "
        << config.name << ")\n"
        << unexpected << "As entries, once understood:\n"
        << suggestions;
    const std::vector<KnownDifference> stale = known->Stale(config.name, points);
    EXPECT_TRUE(stale.empty()) << "stale entries in known_differences.yaml (the difference no "
                                  "longer occurs; remove them):\n"
                               << KnownDifferencesText(stale);
  }
};

TEST_F(CompatTest, ADocsStyleClusterBehavesAsUnderPatroni) {
  ExpectSameAsPatroni(DocsStyleConfig());
}

TEST_F(CompatTest, TaggedNodesBehaveAsUnderPatroni) { ExpectSameAsPatroni(TaggedNodesConfig()); }

TEST_F(CompatTest, SynchronousModeStrictBehavesAsUnderPatroni) {
  ExpectSameAsPatroni(SyncStrictConfig());
}

TEST_F(CompatTest, RestApiOverTlsWithAuthAndFailsafeBehavesAsUnderPatroni) {
  ExpectSameAsPatroni(RestTlsAuthFailsafeConfig());
}

}  // namespace
}  // namespace warden::test
