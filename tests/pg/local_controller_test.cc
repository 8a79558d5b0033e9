// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// LocalController on real PostgreSQL 15 (run as the OS user postgres), on 127.0.0.1 and free
// ports, in a temp dir. Each step checks the state snapshot and real SQL results; the time each
// operation took is printed for the record.

#include "warden/pg/local_controller.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/pg/sql.h"
#include "src/pg/subprocess.h"
#include "tests/etcd/etcd_cluster.h"

namespace warden {
namespace {

namespace fs = std::filesystem;

absl::Time In(absl::Duration d) { return absl::Now() + d; }

// One node's options and controller, under a shared temp dir.
struct Node {
  LocalControllerOptions options;
  std::unique_ptr<Controller> controller;
  Upstream upstream() const { return Upstream{"127.0.0.1", options.port, ""}; }
};

class LocalControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/warden-pg-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    base_ = pattern;
    if (pg_internal::RunningAsRoot()) {
      absl::StatusOr<pg_internal::OsUser> postgres = pg_internal::LookupUser("postgres");
      ASSERT_TRUE(postgres.ok()) << postgres.status();
      ASSERT_EQ(chown(base_.c_str(), postgres->uid, postgres->gid), 0);
    }
  }

  void TearDown() override {
    nodes_.clear();  // controllers stop their postmasters
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  LocalControllerOptions Options(const std::string& name) {
    LocalControllerOptions options;
    options.name = name;
    options.data_dir = base_ + "/" + name + "/data";
    options.socket_dir = base_ + "/" + name;
    options.port = test::FreePort();
    options.superuser = {"postgres", "su-secret"};
    options.replication = {"replicator", "rep-secret"};
    std::error_code ec;
    fs::create_directories(options.socket_dir, ec);
    if (pg_internal::RunningAsRoot()) {
      absl::StatusOr<pg_internal::OsUser> postgres = pg_internal::LookupUser("postgres");
      if (postgres.ok()) (void)chown(options.socket_dir.c_str(), postgres->uid, postgres->gid);
    }
    return options;
  }

  Node& AddNode(const std::string& name, LocalControllerOptions options) {
    absl::StatusOr<std::unique_ptr<Controller>> controller = NewLocalController(options);
    EXPECT_TRUE(controller.ok()) << controller.status();
    nodes_.push_back(std::make_unique<Node>(Node{options, std::move(*controller)}));
    (void)name;
    return *nodes_.back();
  }
  Node& AddNode(const std::string& name) { return AddNode(name, Options(name)); }

  // Runs SQL on `node` as the superuser; the rows as text.
  std::vector<pg_internal::Row> Sql(const Node& node, const std::string& sql) {
    absl::StatusOr<std::unique_ptr<pg_internal::SqlSession>> session =
        pg_internal::SqlSession::Connect({{"host", node.options.socket_dir},
                                          {"port", std::to_string(node.options.port)},
                                          {"user", "postgres"},
                                          {"password", "su-secret"},
                                          {"dbname", "postgres"}},
                                         In(absl::Seconds(10)));
    EXPECT_TRUE(session.ok()) << session.status();
    if (!session.ok()) return {};
    absl::StatusOr<std::vector<pg_internal::Row>> rows =
        (*session)->Query(sql, {}, In(absl::Seconds(10)));
    EXPECT_TRUE(rows.ok()) << rows.status() << " in " << sql;
    return rows.value_or(std::vector<pg_internal::Row>{});
  }

  LocalPostgres MustState(Node& node) {
    absl::StatusOr<LocalPostgres> state = node.controller->State(In(absl::Seconds(10)));
    EXPECT_TRUE(state.ok()) << state.status();
    return state.value_or(LocalPostgres{});
  }

  // Waits until `replica` has replayed everything `primary` has written so far.
  bool CaughtUp(Node& replica, Node& primary) {
    const Lsn target = MustState(primary).wal_lsn;
    const absl::Time give_up = In(absl::Seconds(20));
    while (absl::Now() < give_up) {
      LocalPostgres state = MustState(replica);
      if (state.streaming && state.replayed_lsn >= target) return true;
      absl::SleepFor(absl::Milliseconds(50));  // polling an external server's progress
    }
    return false;
  }

  // n1 primary, n2 and n3 its replicas; n1 stops, n2 is promoted (timeline 2), n3 follows it
  // and is stopped before n2 checkpoints the promotion (thousands of buffers dirtied by replay
  // make that spread checkpoint last minutes): n3's latest restartpoint names timeline 1, its
  // minimum recovery point timeline 2.
  void StopAReplicaThatFollowedANewPrimary() {
    Node& n1 = AddNode("n1");
    ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
    Sql(n1, "CREATE TABLE t (id int)");
    Node& n2 = AddNode("n2");
    Node& n3 = AddNode("n3");
    for (Node* replica : {&n2, &n3}) {
      ASSERT_TRUE(replica->controller
                      ->Clone(
                          n1.upstream(), [](const CloneProgress&) {}, In(absl::Seconds(120)))
                      .ok());
      ASSERT_TRUE(replica->controller->Start(In(absl::Seconds(60))).ok());
    }
    Sql(n1, "INSERT INTO t SELECT generate_series(1, 300000)");
    ASSERT_TRUE(CaughtUp(n2, n1));
    ASSERT_TRUE(CaughtUp(n3, n1));
    ASSERT_TRUE(
        n1.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30))).ok());
    ASSERT_TRUE(n2.controller->Promote(In(absl::Seconds(60))).ok());
    ASSERT_TRUE(n3.controller->Follow(n2.upstream(), In(absl::Seconds(30))).ok());
    Sql(n2, "INSERT INTO t VALUES (-2)");
    ASSERT_TRUE(CaughtUp(n3, n2));
    ASSERT_TRUE(
        n3.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30))).ok());
  }

  static void Report(const char* what, absl::Time start) {
    std::printf("[timing] %-28s %8.0f ms\n", what, absl::ToDoubleMilliseconds(absl::Now() - start));
  }

  std::string base_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(LocalControllerTest, BootstrapCloneStreamPromoteRewindReinitialize) {
  Node& n1 = AddNode("n1");
  absl::Time t = absl::Now();
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  Report("bootstrap (initdb+start)", t);
  LocalPostgres s1 = MustState(n1);
  EXPECT_TRUE(s1.running);
  EXPECT_EQ(s1.role, PgRole::kPrimary);
  EXPECT_EQ(s1.timeline, 1);
  EXPECT_NE(s1.system_identifier, 0u);
  EXPECT_GE(s1.server_version, 150000);
  EXPECT_GT(s1.wal_lsn, 0u);
  Sql(n1, "CREATE TABLE t (id int primary key, note text)");
  Sql(n1, "INSERT INTO t VALUES (1, 'on n1')");
  // The replication role exists, with the right attributes.
  EXPECT_EQ(Sql(n1, "SELECT rolreplication FROM pg_roles WHERE rolname = 'replicator'").at(0).at(0),
            "t");

  // Two replicas by pg_basebackup.
  Node& n2 = AddNode("n2");
  Node& n3 = AddNode("n3");
  int progress_calls = 0;
  t = absl::Now();
  ASSERT_TRUE(n2.controller
                  ->Clone(
                      n1.upstream(), [&](const CloneProgress&) { ++progress_calls; },
                      In(absl::Seconds(120)))
                  .ok());
  Report("clone (pg_basebackup)", t);
  EXPECT_GT(progress_calls, 0);
  ASSERT_TRUE(n3.controller->Clone(n1.upstream(), nullptr, In(absl::Seconds(120))).ok());
  ASSERT_TRUE(n2.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n3.controller->Start(In(absl::Seconds(60))).ok());
  Sql(n1, "INSERT INTO t VALUES (2, 'streamed')");
  ASSERT_TRUE(CaughtUp(n2, n1));
  ASSERT_TRUE(CaughtUp(n3, n1));
  LocalPostgres s2 = MustState(n2);
  EXPECT_EQ(s2.role, PgRole::kReplica);
  EXPECT_EQ(s2.system_identifier, s1.system_identifier);
  EXPECT_EQ(s2.upstream, absl::StrCat("127.0.0.1:", n1.options.port));
  EXPECT_EQ(Sql(n2, "SELECT note FROM t WHERE id = 2").at(0).at(0), "streamed");
  s1 = MustState(n1);
  ASSERT_EQ(s1.replication.size(), 2u);
  EXPECT_EQ(s1.replication[0].application_name, "n2");
  EXPECT_EQ(s1.replication[0].state, "streaming");
  EXPECT_EQ(s1.replication[0].sync_state, "async");

  // Synchronous replication: FIRST 1 (n2).
  ASSERT_TRUE(n1.controller
                  ->SetSynchronousStandbyNames({SyncStandbys::Method::kFirst, 1, {"n2"}, false},
                                               In(absl::Seconds(10)))
                  .ok());
  EXPECT_EQ(Sql(n1, "SHOW synchronous_standby_names").at(0).at(0), "FIRST 1 (\"n2\")");
  Sql(n1, "INSERT INTO t VALUES (3, 'sync')");
  EXPECT_EQ(MustState(n1).replication[0].sync_state, "sync");
  ASSERT_TRUE(n1.controller->SetSynchronousStandbyNames({}, In(absl::Seconds(10))).ok());

  // Failover: n1 stops, n2 is promoted, writes on a new timeline.
  ASSERT_TRUE(n1.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30))).ok());
  EXPECT_FALSE(MustState(n1).running);
  EXPECT_EQ(MustState(n1).cluster_state, "shut down");
  t = absl::Now();
  ASSERT_TRUE(n2.controller->Promote(In(absl::Seconds(60))).ok());
  Report("promote (to writable)", t);
  s2 = MustState(n2);
  EXPECT_EQ(s2.role, PgRole::kPrimary);
  EXPECT_EQ(s2.timeline, 2);
  Sql(n2, "INSERT INTO t VALUES (4, 'after failover')");

  // The old primary rejoins through pg_rewind and streams from n2.
  t = absl::Now();
  ASSERT_TRUE(n1.controller->Rewind(n2.upstream(), In(absl::Seconds(120))).ok());
  Report("rewind (pg_rewind)", t);
  ASSERT_TRUE(n1.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(CaughtUp(n1, n2));
  s1 = MustState(n1);
  EXPECT_EQ(s1.role, PgRole::kReplica);
  EXPECT_EQ(s1.timeline, 2);
  EXPECT_EQ(Sql(n1, "SELECT note FROM t WHERE id = 4").at(0).at(0), "after failover");

  // n3 follows the new primary (a reload: primary_conninfo is reloadable).
  ASSERT_TRUE(n3.controller->Follow(n2.upstream(), In(absl::Seconds(30))).ok());
  ASSERT_TRUE(CaughtUp(n3, n2));
  EXPECT_EQ(MustState(n3).timeline, 2);

  // Reinitialize n3: wiped and cloned again, from n2.
  t = absl::Now();
  ASSERT_TRUE(n3.controller->Reinitialize(n2.upstream(), nullptr, In(absl::Seconds(120))).ok());
  Report("reinitialize (wipe+clone)", t);
  ASSERT_TRUE(n3.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(CaughtUp(n3, n2));
  EXPECT_EQ(Sql(n3, "SELECT count(*) FROM t").at(0).at(0), "4");

  // Slots: n3 streams through one on n2; creating and dropping are idempotent.
  ASSERT_TRUE(n2.controller->CreateReplicationSlot("n3", In(absl::Seconds(10))).ok());
  ASSERT_TRUE(n2.controller->CreateReplicationSlot("n3", In(absl::Seconds(10))).ok());
  EXPECT_EQ(Sql(n2, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'n3'").at(0).at(0),
            "1");
  Upstream through_slot = n2.upstream();
  through_slot.slot_name = "n3";
  ASSERT_TRUE(n3.controller->Follow(through_slot, In(absl::Seconds(30))).ok());
  Sql(n2, "INSERT INTO t VALUES (5, 'through a slot')");
  ASSERT_TRUE(CaughtUp(n3, n2));
  EXPECT_EQ(Sql(n2, "SELECT active FROM pg_replication_slots WHERE slot_name = 'n3'").at(0).at(0),
            "t");
  ASSERT_TRUE(n3.controller->Follow(n2.upstream(), In(absl::Seconds(30))).ok());
  ASSERT_TRUE(CaughtUp(n3, n2));
  const absl::Time slot_free_by = In(absl::Seconds(10));
  while (Sql(n2, "SELECT active FROM pg_replication_slots WHERE slot_name = 'n3'").at(0).at(0) ==
             "t" &&
         absl::Now() < slot_free_by) {
    absl::SleepFor(absl::Milliseconds(50));  // the old walsender lets go of the slot
  }
  ASSERT_TRUE(n2.controller->DropReplicationSlot("n3", In(absl::Seconds(10))).ok());
  ASSERT_TRUE(n2.controller->DropReplicationSlot("n3", In(absl::Seconds(10))).ok());
  EXPECT_TRUE(n2.controller->Checkpoint(In(absl::Seconds(30))).ok());

  // Restart: a new postmaster, same data.
  const absl::Time started_before = MustState(n3).postmaster_start_time;
  ASSERT_TRUE(n3.controller->Restart(In(absl::Seconds(60))).ok());
  EXPECT_GT(MustState(n3).postmaster_start_time, started_before);
  ASSERT_TRUE(CaughtUp(n3, n2));

  // Smart stop waits for clients; with one connected it escalates to fast after 1 s.
  {
    absl::StatusOr<std::unique_ptr<pg_internal::SqlSession>> client =
        pg_internal::SqlSession::Connect({{"host", n3.options.socket_dir},
                                          {"port", std::to_string(n3.options.port)},
                                          {"user", "postgres"},
                                          {"password", "su-secret"},
                                          {"dbname", "postgres"}},
                                         In(absl::Seconds(10)));
    ASSERT_TRUE(client.ok()) << client.status();
    t = absl::Now();
    ASSERT_TRUE(
        n3.controller->Stop(StopMode::kSmart, absl::Seconds(1), In(absl::Seconds(30))).ok());
    const absl::Duration took = absl::Now() - t;
    EXPECT_GE(took, absl::Seconds(1));
    EXPECT_LT(took, absl::Seconds(5));
    ASSERT_TRUE(n3.controller->Start(In(absl::Seconds(60))).ok());
  }

  // No password in a server log; the pgpass file is private.
  for (const Node* node : {&n1, &n2, &n3}) {
    const std::string log_path =
        fs::path(node->options.data_dir).parent_path().string() + "/" + node->options.name + ".log";
    std::ifstream log(log_path);
    std::stringstream text;
    text << log.rdbuf();
    EXPECT_FALSE(text.str().empty()) << log_path;
    EXPECT_EQ(text.str().find("rep-secret"), std::string::npos) << log_path;
    EXPECT_EQ(text.str().find("su-secret"), std::string::npos) << log_path;
  }
  const fs::path pgpass =
      fs::path(n1.options.data_dir).parent_path() / (n1.options.name + ".pgpass");
  EXPECT_EQ(fs::status(pgpass).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  // Stop modes on n3, and a start after each.
  for (StopMode mode : {StopMode::kSmart, StopMode::kFast, StopMode::kImmediate}) {
    t = absl::Now();
    ASSERT_TRUE(n3.controller->Stop(mode, absl::Seconds(10), In(absl::Seconds(30))).ok());
    Report(mode == StopMode::kSmart  ? "stop smart"
           : mode == StopMode::kFast ? "stop fast"
                                     : "stop immediate",
           t);
    EXPECT_FALSE(MustState(n3).running);
    ASSERT_TRUE(n3.controller->Start(In(absl::Seconds(60))).ok());
  }
}

TEST_F(LocalControllerTest, AKilledPostmasterIsSeenDeadAtOnceAndRestarts) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  Sql(n1, "CREATE TABLE kept (x int)");
  Sql(n1, "INSERT INTO kept VALUES (42)");
  const std::string pid_file = n1.options.data_dir + "/postmaster.pid";
  FILE* f = std::fopen(pid_file.c_str(), "r");
  ASSERT_NE(f, nullptr);
  int pid = 0;
  ASSERT_EQ(std::fscanf(f, "%d", &pid), 1);
  std::fclose(f);
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // No waiting for PID 1 to reap: the controller is the postmaster's parent.
  const absl::Time killed = absl::Now();
  while (MustState(n1).running && absl::Now() - killed < absl::Seconds(5)) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_LT(absl::Now() - killed, absl::Milliseconds(500));
  EXPECT_EQ(MustState(n1).cluster_state, "in production");  // crashed, not shut down
  ASSERT_TRUE(n1.controller->Start(In(absl::Seconds(60))).ok());
  EXPECT_EQ(Sql(n1, "SELECT x FROM kept").at(0).at(0), "42");
}

TEST_F(LocalControllerTest, BootstrapRefusesANonEmptyDataDirectory) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  absl::Status again = n1.controller->Bootstrap({}, In(absl::Seconds(60)));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition) << again;
}

TEST_F(LocalControllerTest, AMissingBinDirIsNotFoundWithTheFix) {
  LocalControllerOptions options = Options("n1");
  options.bin_dir = "/usr/lib/postgresql/99/bin";
  absl::Status status = NewLocalController(options).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("bin_dir"), absl::string_view::npos) << status;
}

TEST_F(LocalControllerTest, APortInUseIsReportedBeforeStarting) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n1.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30))).ok());
  const int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(n1.options.port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  absl::Status status = n1.controller->Start(In(absl::Seconds(30)));
  close(blocker);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find(std::to_string(n1.options.port)), absl::string_view::npos);
}

TEST_F(LocalControllerTest, APostmasterStartedByOthersIsNeverStartedTwiceButCanBeStopped) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n1.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30))).ok());
  // Someone starts it behind warden's back (the seed's "start failed" story).
  pg_internal::Command pg_ctl;
  pg_ctl.argv = {n1.options.bin_dir + "/pg_ctl", "start", "-w", "-D", n1.options.data_dir, "-l",
                 base_ + "/n1/outside.log"};
  if (pg_internal::RunningAsRoot()) pg_ctl.run_as_user = "postgres";
  absl::StatusOr<pg_internal::CommandResult> started =
      pg_internal::RunCommand(pg_ctl, In(absl::Seconds(60)));
  ASSERT_TRUE(started.ok() && started->exit_code == 0) << started.status();
  absl::Status status = n1.controller->Start(In(absl::Seconds(30)));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find("already in use by postmaster pid"), absl::string_view::npos)
      << status;
  EXPECT_TRUE(MustState(n1).running);  // and the snapshot still reads it
  // But it can be stopped (an agent restarted while its PostgreSQL ran on must be able to demote
  // it), and then started as warden's own.
  status = n1.controller->Stop(StopMode::kFast, absl::Seconds(10), In(absl::Seconds(30)));
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_FALSE(MustState(n1).running);
  EXPECT_TRUE(n1.controller->Start(In(absl::Seconds(60))).ok());
  EXPECT_TRUE(MustState(n1).running);
}

TEST_F(LocalControllerTest, AMissingPgHbaReplicationLineIsNamedWithTheFix) {
  LocalControllerOptions primary = Options("n1");
  primary.pg_hba = {"local all all scram-sha-256",
                    "host replication replicator 127.0.0.1/32 scram-sha-256"};
  Node& n1 = AddNode("n1", primary);
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  LocalControllerOptions options = Options("n2");
  options.replication = {"rep", "rep-secret"};  // n1's pg_hba admits only "replicator"
  Node& n2 = AddNode("n2", options);
  absl::Status status = n2.controller->Clone(n1.upstream(), nullptr, In(absl::Seconds(60)));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_NE(status.message().find("'rep'"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("host replication rep"), absl::string_view::npos) << status;
  EXPECT_FALSE(fs::exists(options.data_dir + "/PG_VERSION"));  // no half copy left behind
}

TEST_F(LocalControllerTest, AMissingReplicationRoleIsNamedWithTheFix) {
  LocalControllerOptions primary = Options("n1");
  primary.pg_hba = {"local all all scram-sha-256", "host replication all 127.0.0.1/32 trust"};
  Node& n1 = AddNode("n1", primary);
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  LocalControllerOptions options = Options("n2");
  options.replication = {"rep", "rep-secret"};  // no such role on n1
  Node& n2 = AddNode("n2", options);
  absl::Status status = n2.controller->Clone(n1.upstream(), nullptr, In(absl::Seconds(60)));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_NE(status.message().find("'rep' does not exist"), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("CREATE ROLE rep WITH REPLICATION"), absl::string_view::npos)
      << status;
}

// The Patroni docs' configuration: initdb with md5 for TCP and trust for the socket, and a
// bootstrap.pg_hba list. initdb then sets password_encryption = md5; warden's lines (scram
// before the user's) locked warden out of its own server. As Patroni: initdb's file with the
// list appended, and the replica clones through it.
TEST_F(LocalControllerTest, Md5InitdbWithAPgHbaListBootstrapsAndClones) {
  LocalControllerOptions primary = Options("n1");
  primary.bootstrap_pg_hba = {"host replication replicator 127.0.0.1/32 md5",
                              "host all all 0.0.0.0/0 md5"};
  Node& n1 = AddNode("n1", primary);
  BootstrapOptions initdb;
  initdb.initdb_args = {"--auth-host=md5", "--auth-local=trust"};
  absl::Status status = n1.controller->Bootstrap(initdb, In(absl::Seconds(60)));
  ASSERT_TRUE(status.ok()) << status;
  std::vector<pg_internal::Row> rows = Sql(n1, "SHOW password_encryption");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].value_or(""), "md5");
  rows =
      Sql(n1,
          "SELECT type || ' ' || array_to_string(database, ',') || ' ' || "
          "array_to_string(user_name, ',') || ' ' || coalesce(address, '') || ' ' || auth_method "
          "FROM pg_hba_file_rules ORDER BY line_number");
  std::vector<std::string> rules;
  for (const pg_internal::Row& row : rows) rules.push_back(row[0].value_or(""));
  EXPECT_EQ(rules.front(), "local all all  trust");  // initdb's own lines come first
  EXPECT_EQ(rules.back(), "host all all 0.0.0.0 md5");
  EXPECT_EQ(rules[rules.size() - 2], "host replication replicator 127.0.0.1 md5");
  Node& n2 = AddNode("n2");
  status = n2.controller->Clone(n1.upstream(), nullptr, In(absl::Seconds(60)));
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_TRUE(n2.controller->Start(In(absl::Seconds(60))).ok());
  EXPECT_TRUE(CaughtUp(n2, n1));
}

// A pg_hba that does not admit warden's own login is refused at bootstrap with the line to add,
// rather than retried forever.
TEST_F(LocalControllerTest, APgHbaThatLocksWardenOutSaysWhichLineToAdd) {
  LocalControllerOptions options = Options("n1");
  options.pg_hba = {"local all all scram-sha-256", "host all all 127.0.0.1/32 md5"};
  Node& n1 = AddNode("n1", options);
  BootstrapOptions initdb;
  initdb.initdb_args = {"--auth=md5"};  // md5 passwords: a scram-sha-256 login must fail
  absl::Status status = n1.controller->Bootstrap(initdb, In(absl::Seconds(60)));
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("'local all postgres"));
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("password_encryption"));
}

// Parameters reach a running server by reload; a restart-only one is pending until a restart; a
// value PostgreSQL rejects changes nothing, so the server runs on and restarts as it was.
TEST_F(LocalControllerTest, ParametersReloadWaitForARestartOrAreRefusedWhole) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  auto show = [&](const std::string& name) {
    std::vector<pg_internal::Row> rows = Sql(n1, "SHOW " + name);
    return rows.empty() ? std::string() : rows[0][0].value_or("");
  };
  absl::Status status = n1.controller->SetParameters({{"work_mem", "16MB"}}, In(absl::Seconds(30)));
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(show("work_mem"), "16MB");
  EXPECT_FALSE(MustState(n1).pending_restart);
  status = n1.controller->SetParameters({{"work_mem", "16MB"}, {"max_connections", "150"}},
                                        In(absl::Seconds(30)));
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_TRUE(MustState(n1).pending_restart);
  EXPECT_EQ(show("max_connections"), "100");
  status = n1.controller->SetParameters({{"work_mem", "lots"}, {"max_connections", "150"}},
                                        In(absl::Seconds(30)));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("work_mem"));
  EXPECT_EQ(show("work_mem"), "16MB");
  ASSERT_TRUE(n1.controller->Restart(In(absl::Seconds(60))).ok());
  EXPECT_EQ(show("max_connections"), "150");
  EXPECT_EQ(show("work_mem"), "16MB");
  EXPECT_FALSE(MustState(n1).pending_restart);
}

TEST_F(LocalControllerTest, FollowingAnotherClusterIsASystemIdMismatch) {
  Node& a = AddNode("a");
  Node& b = AddNode("b");
  ASSERT_TRUE(a.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  ASSERT_TRUE(b.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  const uint64_t id_a = MustState(a).system_identifier;
  const uint64_t id_b = MustState(b).system_identifier;
  ASSERT_NE(id_a, id_b);
  absl::Status status = b.controller->Follow(a.upstream(), In(absl::Seconds(30)));
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_NE(status.message().find(std::to_string(id_a)), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find(std::to_string(id_b)), absl::string_view::npos) << status;
  EXPECT_NE(status.message().find("reinit"), absl::string_view::npos) << status;
  EXPECT_EQ(MustState(b).role, PgRole::kPrimary);  // nothing changed
}

TEST_F(LocalControllerTest, AFailedRewindIsReportedAndDeletesNothing) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  Upstream nowhere{"127.0.0.1", test::FreePort(), ""};
  absl::Status status = n1.controller->Rewind(nowhere, In(absl::Seconds(60)));
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("pg_rewind"), absl::string_view::npos) << status;
  EXPECT_TRUE(fs::exists(n1.options.data_dir + "/PG_VERSION"));
  EXPECT_TRUE(fs::exists(n1.options.data_dir + "/base"));
}

// A primary that wrote past the fork point and crashed is rewound from a replica promoted a
// moment ago, before any checkpoint there. pg_rewind reads the source's timeline from its
// control file, which still names the old one until that checkpoint: the node must start anyway
// and stream the new timeline (it used to fail with "requested timeline 2 does not contain
// minimum recovery point ... on timeline 1").
TEST_F(LocalControllerTest, ARewindRightAfterAPromotionLeavesANodeThatStartsAndStreams) {
  Node& n1 = AddNode("n1");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  Sql(n1, "CREATE TABLE t (id int)");
  Node& n2 = AddNode("n2");
  ASSERT_TRUE(n2.controller
                  ->Clone(
                      n1.upstream(), [](const CloneProgress&) {}, In(absl::Seconds(120)))
                  .ok());
  ASSERT_TRUE(n2.controller->Start(In(absl::Seconds(60))).ok());
  // Enough data that n2, crashed and recovered, has thousands of dirty buffers when it promotes:
  // the checkpoint a promotion requests is spread at 100 ms per buffer, so it lasts minutes.
  Sql(n1, "INSERT INTO t SELECT generate_series(1, 300000)");
  ASSERT_TRUE(CaughtUp(n2, n1));
  // n1 goes on alone, writing WAL that n2 never receives, and crashes.
  ASSERT_TRUE(
      n2.controller->Stop(StopMode::kImmediate, absl::Seconds(10), In(absl::Seconds(30))).ok());
  Sql(n1, "INSERT INTO t SELECT generate_series(1, 1000)");
  ASSERT_TRUE(
      n1.controller->Stop(StopMode::kImmediate, absl::Seconds(10), In(absl::Seconds(30))).ok());
  ASSERT_TRUE(n2.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n2.controller->Promote(In(absl::Seconds(60))).ok());
  Sql(n2, "INSERT INTO t VALUES (-1)");

  ASSERT_TRUE(n1.controller->Rewind(n2.upstream(), In(absl::Seconds(120))).ok());
  ASSERT_TRUE(n1.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(CaughtUp(n1, n2));
  const LocalPostgres s1 = MustState(n1);
  EXPECT_EQ(s1.role, PgRole::kReplica);
  EXPECT_EQ(s1.timeline, 2);
  EXPECT_EQ(Sql(n1, "SELECT count(*), min(id) FROM t").at(0),
            (pg_internal::Row{std::string("300001"), std::string("-1")}));
}

// A replica that followed a newly promoted primary and was stopped before that primary
// checkpointed its promotion has the old timeline in its latest restartpoint; what it replayed
// of the new one shows in its minimum recovery point. Stopped, it must report the new timeline,
// or it looks diverged and gets a needless (and failing) pg_rewind.
TEST_F(LocalControllerTest, AStoppedReplicaReportsTheTimelineItReplayed) {
  ASSERT_NO_FATAL_FAILURE(StopAReplicaThatFollowedANewPrimary());
  const LocalPostgres stopped = MustState(*nodes_[2]);
  EXPECT_FALSE(stopped.running);
  EXPECT_EQ(stopped.timeline, 2);
}

// The same kind of node, but diverged from the source: its restartpoint names timeline 1, its
// data reached timeline 2, and the source went on on timeline 1. PostgreSQL 15's pg_rewind
// takes the target's timeline from the restartpoint and would find nothing to do (or fail, with
// "could not find previous WAL record"); the node must be rewound and stream from the source.
TEST_F(LocalControllerTest, ARewindOfANodeWhoseRestartpointNamesAnOldTimeline) {
  ASSERT_NO_FATAL_FAILURE(StopAReplicaThatFollowedANewPrimary());
  Node& n1 = *nodes_[0];
  Node& n3 = *nodes_[2];
  ASSERT_EQ(MustState(n3).timeline, 2);
  // n1 comes back as the primary of timeline 1 and goes on writing.
  ASSERT_TRUE(n1.controller->Start(In(absl::Seconds(60))).ok());
  Sql(n1, "INSERT INTO t VALUES (-1)");

  ASSERT_TRUE(n3.controller->Rewind(n1.upstream(), In(absl::Seconds(120))).ok());
  ASSERT_TRUE(n3.controller->Start(In(absl::Seconds(60))).ok());
  Sql(n1, "INSERT INTO t VALUES (-3)");
  ASSERT_TRUE(CaughtUp(n3, n1));
  EXPECT_EQ(MustState(n3).timeline, 1);
  EXPECT_EQ(Sql(n3, "SELECT count(*), min(id) FROM t").at(0),
            (pg_internal::Row{std::string("300002"), std::string("-3")}));
}

// A promote of a frozen postmaster returns by its deadline, and meanwhile StateIfIdle (what
// GET /patroni reads) does not wait it out.
TEST_F(LocalControllerTest, AHungPromoteReturnsByItsDeadlineAndHoldsUpNoReader) {
  Node& n1 = AddNode("n1");
  Node& n2 = AddNode("n2");
  ASSERT_TRUE(n1.controller->Bootstrap({}, In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n2.controller->Clone(n1.upstream(), nullptr, In(absl::Seconds(120))).ok());
  ASSERT_TRUE(n2.controller->Start(In(absl::Seconds(60))).ok());
  ASSERT_TRUE(n2.controller->StateIfIdle(In(absl::Seconds(5))).ok());
  FILE* f = std::fopen((n2.options.data_dir + "/postmaster.pid").c_str(), "r");
  ASSERT_NE(f, nullptr);
  int pid = 0;
  ASSERT_EQ(std::fscanf(f, "%d", &pid), 1);
  std::fclose(f);
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  absl::Status promoted;
  absl::Duration promote_took;
  std::thread promote([&] {
    const absl::Time start = absl::Now();
    promoted = n2.controller->Promote(In(absl::Seconds(3)));
    promote_took = absl::Now() - start;
  });
  absl::StatusOr<LocalPostgres> busy;
  absl::Duration read_took;
  const absl::Time give_up = absl::Now() + absl::Seconds(2);
  do {  // until the promote holds the controller
    const absl::Time start = absl::Now();
    busy = n2.controller->StateIfIdle(start + absl::Seconds(5));
    read_took = absl::Now() - start;
  } while (busy.status().code() != absl::StatusCode::kUnavailable && absl::Now() < give_up);
  promote.join();
  kill(pid, SIGCONT);
  EXPECT_EQ(busy.status().code(), absl::StatusCode::kUnavailable) << busy.status();
  EXPECT_LT(read_took, absl::Seconds(1));
  EXPECT_FALSE(promoted.ok());
  EXPECT_LT(promote_took, absl::Seconds(4));
}

}  // namespace
}  // namespace warden
