// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// EffectivePostgresParameters, read as a spec of Patroni's precedence between the cluster's
// config key and a member's postgresql.parameters (config.py, _build_effective_configuration and
// ConfigHandler.CMDLINE_OPTIONS).

#include "warden/core/pg_parameters.h"

#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Params = std::map<std::string, std::string>;

TEST(PgParametersTest, WithNothingConfiguredTheSharedParametersHavePatronisDefaults) {
  std::vector<std::string> ignored;
  EXPECT_EQ(EffectivePostgresParameters({}, {}, &ignored),
            (Params{{"max_connections", "100"},
                    {"max_locks_per_transaction", "64"},
                    {"max_prepared_transactions", "0"},
                    {"max_replication_slots", "10"},
                    {"max_wal_senders", "10"},
                    {"max_worker_processes", "8"},
                    {"track_commit_timestamp", "off"},
                    {"wal_keep_size", "128MB"},
                    {"wal_level", "replica"}}));
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(PgParametersTest, TheMembersOwnValueBeatsTheClustersForOrdinaryParameters) {
  const Params effective = EffectivePostgresParameters(
      {{"work_mem", "8MB"}, {"shared_buffers", "256MB"}}, {{"work_mem", "16MB"}}, nullptr);
  EXPECT_EQ(effective.at("work_mem"), "16MB");
  EXPECT_EQ(effective.at("shared_buffers"), "256MB");
}

TEST(PgParametersTest, SharedParametersComeFromTheClusterOnly) {
  std::vector<std::string> ignored;
  const Params effective = EffectivePostgresParameters({{"max_connections", "200"}},
                                                       {{"max_connections", "500"}}, &ignored);
  EXPECT_EQ(effective.at("max_connections"), "200");
  EXPECT_THAT(ignored, ElementsAre(HasSubstr("postgresql.parameters.max_connections is ignored: "
                                             "every member must share it")));
}

TEST(PgParametersTest, AClusterValueFailingPatronisCheckKeepsTheDefault) {
  std::vector<std::string> ignored;
  const Params effective = EffectivePostgresParameters(
      {{"max_connections", "10"}, {"wal_level", "minimal"}, {"wal_keep_size", "8MB"}}, {},
      &ignored);
  EXPECT_EQ(effective.at("max_connections"), "100");
  EXPECT_EQ(effective.at("wal_level"), "replica");
  EXPECT_EQ(effective.at("wal_keep_size"), "128MB");
  EXPECT_THAT(ignored, ElementsAre(HasSubstr("max_connections = '10' is ignored: must be an "
                                             "integer >= 25"),
                                   HasSubstr("wal_keep_size"), HasSubstr("wal_level")));
}

TEST(PgParametersTest, WardensOwnSettingsAreTakenFromNeitherSection) {
  std::vector<std::string> ignored;
  const Params effective = EffectivePostgresParameters({{"port", "6000"}, {"hot_standby", "off"}},
                                                       {{"listen_addresses", "*"}}, &ignored);
  EXPECT_EQ(effective.count("port"), 0u);
  EXPECT_EQ(effective.count("hot_standby"), 0u);
  EXPECT_EQ(effective.count("listen_addresses"), 0u);
  EXPECT_THAT(ignored, ElementsAre(HasSubstr("hot_standby"), HasSubstr("port"),
                                   HasSubstr("listen_addresses is ignored: set from "
                                             "postgresql.listen")));
}

TEST(PgParametersTest, AskingForWhatWardenSetsAnywayIsNoConflict) {
  std::vector<std::string> ignored;
  const Params effective =
      EffectivePostgresParameters({{"hot_standby", "on"}}, {{"wal_log_hints", "true"}}, &ignored);
  EXPECT_EQ(effective.count("hot_standby"), 0u);
  EXPECT_EQ(effective.count("wal_log_hints"), 0u);
  EXPECT_THAT(ignored, IsEmpty());
}

TEST(PgParametersTest, NamesAreCaseInsensitive) {
  const Params effective = EffectivePostgresParameters(
      {{"Max_Connections", "300"}, {"Work_Mem", "4MB"}}, {{"WORK_MEM", "5MB"}}, nullptr);
  EXPECT_EQ(effective.at("max_connections"), "300");
  EXPECT_EQ(effective.at("work_mem"), "5MB");
  EXPECT_EQ(effective.count("Work_Mem"), 0u);
}

TEST(PgParametersTest, SizesInOtherUnitsPassTheWalKeepSizeCheck) {
  EXPECT_EQ(
      EffectivePostgresParameters({{"wal_keep_size", "1GB"}}, {}, nullptr).at("wal_keep_size"),
      "1GB");
  EXPECT_EQ(
      EffectivePostgresParameters({{"wal_keep_size", "32768kB"}}, {}, nullptr).at("wal_keep_size"),
      "32768kB");
  EXPECT_EQ(
      EffectivePostgresParameters({{"wal_keep_size", "512"}}, {}, nullptr).at("wal_keep_size"),
      "512");
}

}  // namespace
}  // namespace warden
