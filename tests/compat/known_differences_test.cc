// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/known_differences.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/compat/compat_config.h"

namespace warden::test {
namespace {

constexpr char kTwoEntries[] = R"(
- config: docs_style
  point: bootstrap
  what: pg_settings/*/work_mem
  reason: "open: warden keeps the default"
- config: docs_style
  point: "*"
  what: dcs/keys
  reason: "open: no status key"
  sometimes: true
)";

TEST(KnownDifferences, AGlobStarCoversOneSegmentOfThePath) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kTwoEntries);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_TRUE(known->Covers("docs_style", "bootstrap", "pg_settings/n2/work_mem"));
  EXPECT_FALSE(known->Covers("docs_style", "bootstrap", "pg_settings/n2/x/work_mem"));
  EXPECT_FALSE(known->Covers("docs_style", "switchover", "pg_settings/n2/work_mem"));
  EXPECT_FALSE(known->Covers("tagged_nodes", "bootstrap", "pg_settings/n2/work_mem"));
}

TEST(KnownDifferences, AnyPointCoversEveryPointOfItsConfig) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kTwoEntries);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_TRUE(known->Covers("docs_style", "edit_config", "dcs/keys"));
}

TEST(KnownDifferences, AnEntryThatCoveredNothingIsStale) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kTwoEntries);
  ASSERT_TRUE(known.ok()) << known.status();
  std::vector<KnownDifference> stale = known->Stale("docs_style", {"bootstrap"});
  ASSERT_EQ(stale.size(), 1u);  // the "sometimes" entry never is
  EXPECT_EQ(stale[0].whats, std::vector<std::string>{"pg_settings/*/work_mem"});
  EXPECT_EQ(stale[0].line, 2);
  ASSERT_TRUE(known->Covers("docs_style", "bootstrap", "pg_settings/n1/work_mem"));
  EXPECT_TRUE(known->Stale("docs_style", {"bootstrap"}).empty());
}

TEST(KnownDifferences, AnEntryOfAPointThatDidNotRunIsNotStale) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kTwoEntries);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_TRUE(known->Stale("docs_style", {"switchover"}).empty());
  EXPECT_TRUE(known->Stale("tagged_nodes", {"bootstrap"}).empty());
}

constexpr char kListsAndWildcards[] = R"(
- config: [docs_style, tagged_nodes]
  point: "*"
  what: [dcs/config/pause, "rest/*/config/fields/pause"]
  reason: "open: warden writes the default"
- config: "*"
  point: [bootstrap, failover]
  what: "rest/*/*/fields/warden"
  reason: "deliberate: warden's own status"
)";

TEST(KnownDifferences, ListsNameSeveralConfigsPointsAndPaths) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kListsAndWildcards);
  ASSERT_TRUE(known.ok()) << known.status();
  EXPECT_TRUE(known->Covers("tagged_nodes", "failover", "rest/n1/config/fields/pause"));
  EXPECT_TRUE(known->Covers("docs_style", "bootstrap", "dcs/config/pause"));
  EXPECT_FALSE(known->Covers("sync_strict", "bootstrap", "dcs/config/pause"));
  EXPECT_TRUE(known->Covers("sync_strict", "bootstrap", "rest/n2/replica/fields/warden"));
  EXPECT_FALSE(known->Covers("sync_strict", "switchover", "rest/n2/replica/fields/warden"));
}

// "*" means every configuration: each one's run must show the difference.
TEST(KnownDifferences, AnEntryForEveryConfigIsStaleInARunThatDidNotShowIt) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Parse(kListsAndWildcards);
  ASSERT_TRUE(known.ok()) << known.status();
  ASSERT_TRUE(known->Covers("rest_auth", "bootstrap", "dcs/config/pause") == false);
  std::vector<KnownDifference> stale = known->Stale("rest_auth", {"bootstrap"});
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0].reason, "deliberate: warden's own status");
}

TEST(KnownDifferences, AnEntryWithoutAReasonIsRefusedWithItsLine) {
  absl::StatusOr<KnownDifferences> known =
      KnownDifferences::Parse("- config: a\n  point: b\n  what: c\n");
  ASSERT_FALSE(known.ok());
  EXPECT_NE(known.status().message().find("line 1: no 'reason'"), std::string::npos);
}

// A typo in a config or point name would make an entry that never applies, so never goes stale:
// each config an entry names must run one of its points, and each point must run in one of its
// configs.
TEST(KnownDifferences, TheFileNamesOnlyConfigsAndPointsThatRun) {
  absl::StatusOr<KnownDifferences> known = KnownDifferences::Load(WARDEN_COMPAT_KNOWN_DIFFERENCES);
  ASSERT_TRUE(known.ok()) << known.status();
  const std::vector<CompatConfig> configs = AllCompatConfigs();
  auto runs = [&](const std::string& config, const std::string& point) {
    for (const CompatConfig& c : configs) {
      if (config != "*" && c.name != config) continue;
      for (Point p : c.points) {
        if (point == "*" || PointName(p) == point) return true;
      }
    }
    return false;
  };
  for (const KnownDifference& entry : known->entries()) {
    for (const std::string& config : entry.configs) {
      EXPECT_TRUE(std::any_of(entry.points.begin(), entry.points.end(),
                              [&](const std::string& point) { return runs(config, point); }))
          << "line " << entry.line << ": config " << config << " runs none of the points";
    }
    for (const std::string& point : entry.points) {
      EXPECT_TRUE(std::any_of(entry.configs.begin(), entry.configs.end(),
                              [&](const std::string& config) { return runs(config, point); }))
          << "line " << entry.line << ": point " << point << " runs in none of the configs";
    }
  }
}

}  // namespace
}  // namespace warden::test
