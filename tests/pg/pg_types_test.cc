// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The controller's value types and the configuration files LocalController writes.

#include <string>

#include "gtest/gtest.h"
#include "src/pg/config_files.h"
#include "warden/pg/controller.h"
#include "warden/pg/types.h"

namespace warden {
namespace {

TEST(LsnTest, FormatsAndParsesLikePostgres) {
  EXPECT_EQ(FormatLsn(0), "0/0");
  EXPECT_EQ(FormatLsn((uint64_t{0x16} << 32) | 0xB374D848), "16/B374D848");
  EXPECT_EQ(ParseLsn("16/B374D848"), (uint64_t{0x16} << 32) | 0xB374D848);
  EXPECT_EQ(ParseLsn("0/3000060"), 0x3000060u);
  EXPECT_EQ(ParseLsn("ffffffff/ffffffff"), ~uint64_t{0});
  for (const char* bad : {"", "/", "1/", "/1", "12", "1/2/3", "g/1", "123456789/1", "1/ 2"}) {
    EXPECT_FALSE(ParseLsn(bad).has_value()) << bad;
  }
}

TEST(SyncStandbysTest, RendersPatronisForms) {
  EXPECT_EQ(FormatSynchronousStandbyNames({}), "");
  EXPECT_EQ(FormatSynchronousStandbyNames({SyncStandbys::Method::kFirst, 1, {}, true}), "*");
  EXPECT_EQ(FormatSynchronousStandbyNames({SyncStandbys::Method::kFirst, 1, {"n2"}, false}),
            "FIRST 1 (\"n2\")");
  EXPECT_EQ(FormatSynchronousStandbyNames({SyncStandbys::Method::kAny, 2, {"a", "b", "c"}, false}),
            "ANY 2 (\"a\",\"b\",\"c\")");
  EXPECT_EQ(FormatSynchronousStandbyNames({SyncStandbys::Method::kFirst, 1, {"we\"ird"}, false}),
            "FIRST 1 (\"we\"\"ird\")");
}

TEST(PgRoleTest, NamesAsPatroniDoes) {
  EXPECT_STREQ(PgRoleName(PgRole::kPrimary), "primary");
  EXPECT_STREQ(PgRoleName(PgRole::kReplica), "replica");
  EXPECT_STREQ(PgRoleName(PgRole::kStandbyLeader), "standby_leader");
  EXPECT_STREQ(PgRoleName(PgRole::kUnknown), "unknown");
}

LocalControllerOptions SampleOptions() {
  LocalControllerOptions options;
  options.name = "node1";
  options.data_dir = "/var/lib/pg/data";
  options.port = 5433;
  options.superuser = {"postgres", "pa:ss\\word"};
  options.replication = {"rep", "it's"};
  options.pg_hba = {"host all all 10.0.0.0/8 scram-sha-256"};
  options.parameters = {{"max_connections", "200"}, {"wal_level", "logical"}};
  return options;
}

TEST(ConfigFilesTest, WardenConfQuotesAndLetsParametersWin) {
  std::string conf =
      pg_internal::WardenConf(SampleOptions(), "/run/pg", Upstream{"10.0.0.2", 5432, "node1"},
                              "/var/lib/pg/node1.pgpass", "FIRST 1 (\"n2\")");
  EXPECT_NE(conf.find("port = 5433\n"), std::string::npos);
  EXPECT_NE(conf.find("unix_socket_directories = '/run/pg'\n"), std::string::npos);
  EXPECT_NE(conf.find("wal_level = 'logical'\n"), std::string::npos);  // configured beats default
  EXPECT_EQ(conf.find("wal_level = replica"), std::string::npos);
  EXPECT_NE(conf.find("max_connections = '200'\n"), std::string::npos);
  EXPECT_NE(conf.find("primary_slot_name = 'node1'\n"), std::string::npos);
  EXPECT_NE(conf.find("synchronous_standby_names = 'FIRST 1 (\"n2\")'\n"), std::string::npos);
  EXPECT_NE(conf.find("primary_conninfo = 'host=''10.0.0.2'' port=5432 user=''rep'' "
                      "application_name=''node1'' passfile=''/var/lib/pg/node1.pgpass''"),
            std::string::npos)
      << conf;
  EXPECT_EQ(conf.find("it's"), std::string::npos);  // no password in the config
}

TEST(ConfigFilesTest, PgHbaIsTheLocalListWhenSet) {
  LocalControllerOptions options = SampleOptions();
  options.bootstrap_pg_hba = {"host all all 0.0.0.0/0 md5"};
  EXPECT_EQ(pg_internal::PgHba(options, "local all all trust\n"),
            "host all all 10.0.0.0/8 scram-sha-256\n");
}

TEST(ConfigFilesTest, PgHbaAppendsTheBootstrapLinesToInitdbsFile) {
  LocalControllerOptions options = SampleOptions();
  options.pg_hba.clear();
  options.bootstrap_pg_hba = {"host replication rep 10.0.0.0/8 md5", "host all all 0.0.0.0/0 md5"};
  EXPECT_EQ(pg_internal::PgHba(options, "local all all trust\n"),
            "local all all trust\n\nhost replication rep 10.0.0.0/8 md5\n"
            "host all all 0.0.0.0/0 md5\n");
  options.bootstrap_pg_hba.clear();
  EXPECT_EQ(pg_internal::PgHba(options, "local all all trust\n"), "local all all trust\n");
}

TEST(ConfigFilesTest, AnInitdbAuthOptionLeavesTheMethodsToTheUser) {
  EXPECT_TRUE(pg_internal::HasInitdbAuthArgument({"--encoding=UTF8", "--auth-host=md5"}));
  EXPECT_TRUE(pg_internal::HasInitdbAuthArgument({"--auth-local=trust"}));
  EXPECT_TRUE(pg_internal::HasInitdbAuthArgument({"--auth=md5"}));
  EXPECT_TRUE(pg_internal::HasInitdbAuthArgument({"-Atrust"}));
  EXPECT_FALSE(pg_internal::HasInitdbAuthArgument({"--encoding=UTF8", "--data-checksums"}));
}

TEST(ConfigFilesTest, PgpassEscapesColonsAndBackslashes) {
  EXPECT_EQ(pg_internal::Pgpass(SampleOptions()),
            "*:*:*:postgres:pa\\:ss\\\\word\n*:*:*:rep:it's\n");
}

TEST(ConfigFilesTest, SqlQuoting) {
  EXPECT_EQ(pg_internal::SqlLiteral("it's"), "'it''s'");
  EXPECT_EQ(pg_internal::SqlIdentifier("we\"ird"), "\"we\"\"ird\"");
}

}  // namespace
}  // namespace warden
