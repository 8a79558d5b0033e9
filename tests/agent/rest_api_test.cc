// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// HandleRestRequest against a FakeAgentControl: each path, method, auth case and status code of
// the Patroni-compatible REST API, one behaviour per test.

#include "warden/agent/rest_api.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/agent/fake_agent_control.h"

namespace warden {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr Lsn kLeaderOptime = 0x30000000;
constexpr uint64_t kMiB = uint64_t{1024} * 1024;

Member MakeMember(const std::string& name, std::optional<Lsn> xlog) {
  Member m;
  m.name = name;
  m.conn_url = "postgres://10.0.0." + name.substr(1) + ":5432/postgres";
  m.api_url = "http://10.0.0." + name.substr(1) + ":8008/patroni";
  m.state = "running";
  m.role = name == "n1" ? "primary" : "replica";
  m.xlog_location = xlog;
  m.timeline = 2;
  return m;
}

// A three-member cluster led by n1, as seen from `name`.
AgentStatus ClusterStatusFor(const std::string& name) {
  AgentStatus s;
  s.name = name;
  s.scope = "demo";
  s.state = "running";
  s.view.leader = LeaderKey{.name = "n1", .create_revision = 5, .mod_revision = 9, .lease = 7};
  s.view.members = {MakeMember("n1", kLeaderOptime), MakeMember("n2", kLeaderOptime - kMiB),
                    MakeMember("n3", std::nullopt)};
  s.view.status.optime = kLeaderOptime;
  s.view.history = {{.timeline = 1,
                     .lsn = 0x3000060,
                     .reason = "no recovery target specified",
                     .timestamp = "2026-01-01T00:00:00+00:00",
                     .new_leader = "n1"}};
  s.dcs_last_seen = absl::FromUnixSeconds(1'800'000'000);
  s.dcs_reachable = true;
  s.last_loop = absl::Now();
  s.postgres.running = true;
  s.postgres.timeline = 2;
  s.postgres.server_version = 150005;
  s.postgres.system_identifier = 7'300'000'000'000'000'001ULL;
  s.postgres.postmaster_start_time = absl::FromUnixSeconds(1'700'000'000);
  return s;
}

AgentStatus Primary() {
  AgentStatus s = ClusterStatusFor("n1");
  s.is_leader = true;
  s.postgres.role = PgRole::kPrimary;
  s.postgres.wal_lsn = kLeaderOptime;
  s.postgres.synchronous_standby_names = "FIRST 1 (n2)";
  s.postgres.replication = {{.application_name = "n2",
                             .client_addr = "10.0.0.2",
                             .state = "streaming",
                             .sync_state = "sync"},
                            {.application_name = "n3",
                             .client_addr = "10.0.0.3",
                             .state = "streaming",
                             .sync_state = "async"}};
  return s;
}

// n2, a streaming replica exactly 1 MiB behind the leader.
AgentStatus Replica() {
  AgentStatus s = ClusterStatusFor("n2");
  s.postgres.role = PgRole::kReplica;
  s.postgres.received_lsn = kLeaderOptime - kMiB;
  s.postgres.replayed_lsn = kLeaderOptime - 2 * kMiB;
  s.postgres.streaming = true;
  return s;
}

AgentStatus Stopped() {
  AgentStatus s = ClusterStatusFor("n2");
  s.state = "stopped";
  s.postgres = LocalPostgres{};
  s.postgres.role = PgRole::kReplica;
  return s;
}

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() { agent_.SetStatus(Primary()); }

  RestResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    return HandleRestRequest(
        agent_, options_,
        RestRequest{
            .method = method, .target = target, .headers = std::move(headers), .body = body});
  }
  int Get(const std::string& target) { return Call("GET", target).status; }
  int Post(const std::string& target, const std::string& body) {
    return Call("POST", target, body).status;
  }
  Json GetJson(const std::string& target) { return Json::parse(Call("GET", target).body); }
  void Set(AgentStatus status) { agent_.SetStatus(std::move(status)); }

  static std::string Header(const RestResponse& r, const std::string& name) {
    for (const auto& [key, value] : r.headers) {
      if (key == name) return value;
    }
    return "";
  }

  FakeAgentControl agent_;
  RestApiOptions options_;
};

// ---------------------------------------------------------------------------------------------
// Health checks.

TEST_F(RestApiTest, LeaderPrimaryPassesThePrimaryChecks) {
  for (const char* path : {"/primary", "/master", "/leader", "/", "/read-write", "/read-only",
                           "/health", "/readiness", "/liveness"}) {
    EXPECT_EQ(Get(path), 200) << path;
  }
  for (const char* path : {"/replica", "/synchronous", "/asynchronous", "/standby-leader"}) {
    EXPECT_EQ(Get(path), 503) << path;
  }
}

TEST_F(RestApiTest, PrimaryWithoutTheLeaderKeyIsNotPrimary) {
  AgentStatus s = Primary();
  s.is_leader = false;
  Set(s);
  EXPECT_EQ(Get("/primary"), 503);
  EXPECT_EQ(Get("/readiness"), 503);
  EXPECT_EQ(Get("/health"), 200);
}

TEST_F(RestApiTest, StreamingReplicaPassesTheReplicaChecks) {
  Set(Replica());
  for (const char* path : {"/replica", "/read-only", "/health", "/asynchronous", "/async",
                           "/readiness", "/liveness"}) {
    EXPECT_EQ(Get(path), 200) << path;
  }
  for (const char* path : {"/primary", "/master", "/leader", "/", "/synchronous"}) {
    EXPECT_EQ(Get(path), 503) << path;
  }
}

TEST_F(RestApiTest, StoppedMemberFailsEveryRoleCheck) {
  Set(Stopped());
  for (const char* path :
       {"/primary", "/replica", "/read-only", "/health", "/readiness", "/asynchronous"}) {
    EXPECT_EQ(Get(path), 503) << path;
  }
}

TEST_F(RestApiTest, StandbyLeaderIsNeverAnswered200) {
  EXPECT_EQ(Get("/standby-leader"), 503);
  Set(Replica());
  EXPECT_EQ(Get("/standby_leader"), 503);
}

TEST_F(RestApiTest, HeadAndOptionsAnswerTheGetStatusWithoutABody) {
  for (const char* method : {"HEAD", "OPTIONS"}) {
    RestResponse primary = Call(method, "/primary");
    EXPECT_EQ(primary.status, 200) << method;
    EXPECT_EQ(primary.body, "") << method;
    RestResponse replica = Call(method, "/replica");
    EXPECT_EQ(replica.status, 503) << method;
    EXPECT_EQ(replica.body, "") << method;
  }
}

TEST_F(RestApiTest, HaproxyDefaultCheckOptionsSlashIsThePrimaryCheck) {
  EXPECT_EQ(Call("OPTIONS", "/").status, 200);
  Set(Replica());
  EXPECT_EQ(Call("OPTIONS", "/").status, 503);
}

TEST_F(RestApiTest, RoleChecksAnswerWithThePatroniDocument) {
  Json body = GetJson("/replica");  // 503, but with the document, as Patroni
  EXPECT_EQ(body["role"], "master");
  EXPECT_EQ(body["patroni"]["scope"], "demo");
}

TEST_F(RestApiTest, NoloadbalanceReplicaTakesNoReads) {
  AgentStatus s = Replica();
  s.tags.noloadbalance = true;
  Set(s);
  EXPECT_EQ(Get("/replica"), 503);
  EXPECT_EQ(Get("/read-only"), 503);
  EXPECT_EQ(Get("/health"), 200);
}

TEST_F(RestApiTest, LagLimitComparesWithTheLeaderOptimeInBytesOrUnits) {
  Set(Replica());  // received 1 MiB behind, replayed 2 MiB behind: received counts
  EXPECT_EQ(Get("/replica?lag=1048576"), 200);
  EXPECT_EQ(Get("/replica?lag=1048575"), 503);
  EXPECT_EQ(Get("/replica?lag=1MB"), 200);
  EXPECT_EQ(Get("/replica?lag=1023kB"), 503);
  EXPECT_EQ(Get("/replica?lag=16MB"), 200);
  EXPECT_EQ(Get("/replica?lag=1%20GB"), 200);
  EXPECT_EQ(Get("/replica?lag=0.5MB"), 503);
  EXPECT_EQ(Get("/read-only?lag=1kB"), 503);
  EXPECT_EQ(Get("/asynchronous?lag=1kB"), 503);
}

TEST_F(RestApiTest, LagUsesTheLeaderMemberPositionWithoutAnOptime) {
  AgentStatus s = Replica();
  s.view.status.optime = 0;
  Set(s);  // n1's xlog_location is the same position
  EXPECT_EQ(Get("/replica?lag=1MB"), 200);
  EXPECT_EQ(Get("/replica?lag=1kB"), 503);
}

TEST_F(RestApiTest, LagIsIgnoredWhenTheLeaderPositionIsUnknown) {
  AgentStatus s = Replica();
  s.view.status.optime = 0;
  s.view.leader.reset();
  Set(s);
  EXPECT_EQ(Get("/replica?lag=0"), 200);
}

TEST_F(RestApiTest, MalformedLagIs400) {
  Set(Replica());
  for (const char* lag : {"abc", "-1", "16XB", "1e3", "MB", "16mb", "99999999999TB"}) {
    EXPECT_EQ(Get(std::string("/replica?lag=") + lag), 400) << lag;
  }
}

TEST_F(RestApiTest, TagFiltersMustAllMatchTheMembersTags) {
  AgentStatus s = Replica();
  s.tags.nofailover = true;
  s.tags.unknown_json = R"({"dc":"east","rack":3})";
  Set(s);
  EXPECT_EQ(Get("/replica?tag_dc=east"), 200);
  EXPECT_EQ(Get("/replica?tag_dc=east&tag_rack=3&tag_nofailover=true"), 200);
  EXPECT_EQ(Get("/replica?tag_dc=west"), 503);
  EXPECT_EQ(Get("/replica?tag_zone=a"), 503);
  EXPECT_EQ(Get("/replica?tag_nosync=false"), 503);  // unset booleans are not tags
  EXPECT_EQ(Get("/health?tag_dc=west"), 503);
}

TEST_F(RestApiTest, SynchronousAndAsynchronousFollowTheSyncKey) {
  AgentStatus s = Replica();
  s.config.synchronous_mode = SynchronousMode::kOn;
  s.view.sync = SyncState{.leader = "n1", .sync_standby = {"N2"}};
  Set(s);
  EXPECT_EQ(Get("/synchronous"), 200);
  EXPECT_EQ(Get("/sync"), 200);
  EXPECT_EQ(Get("/asynchronous"), 503);
  s.view.sync->sync_standby = {"n3"};
  Set(s);
  EXPECT_EQ(Get("/synchronous"), 503);
  EXPECT_EQ(Get("/async"), 200);
}

// Patroni 4's endpoints: in quorum mode a standby of the sync key answers /quorum, not /sync;
// the read-only variants pass on the primary too.
TEST_F(RestApiTest, QuorumAndReadOnlyVariantsFollowTheSyncKeyAsPatroni4) {
  AgentStatus s = Replica();
  s.config.synchronous_mode = SynchronousMode::kQuorum;
  s.view.sync = SyncState{.leader = "n1", .sync_standby = {"n2", "n3"}, .quorum = 1};
  Set(s);
  EXPECT_EQ(Get("/quorum"), 200);
  EXPECT_EQ(Get("/read-only-quorum"), 200);
  EXPECT_EQ(Get("/sync"), 503);
  EXPECT_EQ(Get("/read-only-sync"), 503);
  EXPECT_EQ(Get("/async"), 503);
  s.config.synchronous_mode = SynchronousMode::kOn;
  Set(s);
  EXPECT_EQ(Get("/quorum"), 503);
  EXPECT_EQ(Get("/read-only-sync"), 200);
  Set(Primary());
  EXPECT_EQ(Get("/read-only-sync"), 200);
  EXPECT_EQ(Get("/read-only-quorum"), 200);
  EXPECT_EQ(Get("/quorum"), 503);
}

TEST_F(RestApiTest, SyncKeyCountsOnlyInSynchronousMode) {
  AgentStatus s = Replica();
  s.view.sync = SyncState{.leader = "n1", .sync_standby = {"n2"}};
  Set(s);
  EXPECT_EQ(Get("/synchronous"), 503);
  EXPECT_EQ(Get("/asynchronous"), 200);
}

TEST_F(RestApiTest, LivenessWantsARecentLoopAndHasNoBody) {
  RestResponse fresh = Call("GET", "/liveness");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.body, "");
  AgentStatus s = Primary();
  s.last_loop = absl::Now() - absl::Seconds(31);  // ttl 30 s
  Set(s);
  EXPECT_EQ(Get("/liveness"), 503);
  s.last_loop = absl::InfinitePast();
  Set(s);
  EXPECT_EQ(Get("/liveness"), 503);
}

TEST_F(RestApiTest, LivenessToleratesTwiceTheTtlOnAReplica) {
  AgentStatus s = Replica();
  s.last_loop = absl::Now() - absl::Seconds(45);
  Set(s);
  EXPECT_EQ(Get("/liveness"), 200);
  s.last_loop = absl::Now() - absl::Seconds(61);
  Set(s);
  EXPECT_EQ(Get("/liveness"), 503);
}

TEST_F(RestApiTest, LivenessHoldsInPauseAndWhileStopping) {
  AgentStatus s = Primary();
  s.config.pause = true;
  s.last_loop = absl::Now() - absl::Hours(1);
  Set(s);
  EXPECT_EQ(Get("/liveness"), 200);
  s = Primary();
  s.stopping = true;
  Set(s);
  EXPECT_EQ(Get("/liveness"), 200);
}

TEST_F(RestApiTest, ReadinessWantsALeaderPrimaryOrAStreamingReplica) {
  AgentStatus s = Replica();
  s.postgres.streaming = false;
  Set(s);
  EXPECT_EQ(Get("/readiness"), 503);
  s.postgres.streaming = true;
  Set(s);
  EXPECT_EQ(Call("GET", "/readiness").body, "");
  EXPECT_EQ(Get("/readiness"), 200);
  s.stopping = true;
  Set(s);
  EXPECT_EQ(Get("/readiness"), 503);
}

// ---------------------------------------------------------------------------------------------
// /patroni, /cluster, /history, /metrics.

TEST_F(RestApiTest, PatroniDocumentOfAPrimary) {
  RestResponse r = Call("GET", "/patroni");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["state"], "running");
  EXPECT_EQ(j["postmaster_start_time"], "2023-11-14 22:13:20+00:00");
  EXPECT_EQ(j["role"], "master");
  EXPECT_EQ(j["server_version"], 150005);
  EXPECT_EQ(j["xlog"], Json({{"location", kLeaderOptime}}));
  EXPECT_EQ(j["timeline"], 2);
  EXPECT_EQ(j["dcs_last_seen"], 1'800'000'000);
  EXPECT_EQ(j["database_system_identifier"], "7300000000000000001");
  EXPECT_EQ(j["patroni"], Json({{"version", "0.1.0"}, {"scope", "demo"}}));
  EXPECT_FALSE(j.contains("cluster_unlocked"));
  EXPECT_FALSE(j.contains("pause"));
  EXPECT_FALSE(j.contains("pending_restart"));
  EXPECT_FALSE(j.contains("tags"));
}

// Peers decide on /patroni (is it running, how far is its WAL): it shows PostgreSQL as read at
// the request, as Patroni's does; the health checks HAProxy polls answer from the snapshot.
TEST_F(RestApiTest, PatroniDocumentReadsPostgresNowWhereHealthChecksUseTheSnapshot) {
  AgentStatus live = Replica();
  live.postgres.received_lsn = kLeaderOptime;
  live.postgres.replayed_lsn = kLeaderOptime;
  Set(Replica());
  agent_.SetLivePostgres(live.postgres);
  Json j = GetJson("/patroni");
  EXPECT_EQ(j["xlog"]["received_location"], kLeaderOptime);
  EXPECT_EQ(j["xlog"]["replayed_location"], kLeaderOptime);
  // The snapshot's replica is 1 MiB behind; read now it is not behind at all.
  EXPECT_EQ(Get("/replica?lag=1048575"), 503);
}

TEST_F(RestApiTest, PatroniDocumentListsWalSendersWithSyncPriority) {
  Json replication = GetJson("/patroni")["replication"];
  ASSERT_EQ(replication.size(), 2u);
  EXPECT_EQ(replication[0]["application_name"], "n2");
  EXPECT_EQ(replication[0]["client_addr"], "10.0.0.2");
  EXPECT_EQ(replication[0]["state"], "streaming");
  EXPECT_EQ(replication[0]["sync_state"], "sync");
  EXPECT_EQ(replication[0]["sync_priority"], 1);
  EXPECT_EQ(replication[1]["sync_priority"], 0);
}

TEST_F(RestApiTest, PatroniDocumentOfAReplica) {
  Set(Replica());
  Json j = GetJson("/patroni");
  EXPECT_EQ(j["role"], "replica");
  EXPECT_EQ(j["xlog"]["received_location"], kLeaderOptime - kMiB);
  EXPECT_EQ(j["xlog"]["replayed_location"], kLeaderOptime - 2 * kMiB);
  EXPECT_TRUE(j["xlog"]["replayed_timestamp"].is_null());
  EXPECT_EQ(j["xlog"]["paused"], false);
  EXPECT_FALSE(j.contains("replication"));
}

// Patroni's do_GET_patroni answers 200 in every state: monitoring reads the state from the body.
TEST_F(RestApiTest, PatroniDocumentOfAStoppedMemberIs200WithItsState) {
  Set(Stopped());
  RestResponse r = Call("GET", "/patroni");
  EXPECT_EQ(r.status, 200);
  Json j = Json::parse(r.body);
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["role"], "replica");
  EXPECT_FALSE(j.contains("xlog"));
  EXPECT_FALSE(j.contains("server_version"));
}

TEST_F(RestApiTest, PatroniDocumentOfAStoppedMemberShowsWhereItsDataEnds) {
  AgentStatus status = Stopped();
  status.postgres.stopped_lsn = 0x3000028;
  status.postgres.timeline = 2;
  Set(status);
  Json j = Json::parse(Call("GET", "/patroni").body);
  EXPECT_EQ(j["xlog"]["location"], 0x3000028);
  EXPECT_EQ(j["timeline"], 2);
}

TEST_F(RestApiTest, PatroniDocumentFlagsWhatIsSet) {
  AgentStatus s = Primary();
  s.view.leader.reset();
  s.config.pause = true;
  s.postgres.pending_restart = true;
  s.tags.nofailover = true;
  s.last_decision = "no action: I am the leader with the lock";
  Set(s);
  Json j = GetJson("/patroni");
  EXPECT_EQ(j["cluster_unlocked"], true);
  EXPECT_EQ(j["pause"], true);
  EXPECT_EQ(j["pending_restart"], true);
  EXPECT_EQ(j["tags"], Json({{"nofailover", true}}));
  EXPECT_EQ(j["warden"]["last_decision"], "no action: I am the leader with the lock");
}

TEST_F(RestApiTest, ClusterListsMembersWithRolesHostsAndLag) {
  AgentStatus s = Primary();
  s.config.synchronous_mode = SynchronousMode::kOn;
  s.view.sync = SyncState{.leader = "n1", .sync_standby = {"n2"}};
  s.view.members[2].tags.unknown_json = R"({"dc":"east"})";
  Set(s);
  Json members = GetJson("/cluster")["members"];
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0], Json::parse(R"({"name":"n1","role":"leader","state":"running",
      "api_url":"http://10.0.0.1:8008/patroni","host":"10.0.0.1","port":5432,"timeline":2})"));
  EXPECT_EQ(members[1]["role"], "sync_standby");
  EXPECT_EQ(members[1]["lag"], kMiB);
  EXPECT_EQ(members[2]["role"], "replica");
  EXPECT_EQ(members[2]["lag"], "unknown");
  EXPECT_EQ(members[2]["tags"], Json({{"dc", "east"}}));
}

TEST_F(RestApiTest, ClusterShowsPauseAndAScheduledSwitchover) {
  AgentStatus s = Primary();
  s.config.pause = true;
  s.view.failover = FailoverRequest{
      .leader = "n1", .candidate = "n2", .scheduled_at = absl::FromUnixSeconds(1'900'000'000)};
  Set(s);
  Json j = GetJson("/cluster");
  EXPECT_EQ(j["pause"], true);
  EXPECT_EQ(j["scheduled_switchover"],
            Json({{"at", "2030-03-17T17:46:40+00:00"}, {"from", "n1"}, {"to", "n2"}}));
  EXPECT_EQ(Get("/cluster"), 200);
}

TEST_F(RestApiTest, HistoryIsAListOfLists) {
  EXPECT_EQ(GetJson("/history"), Json::parse(R"([[1,50331744,"no recovery target specified",
                              "2026-01-01T00:00:00+00:00","n1"]])"));
}

TEST_F(RestApiTest, MetricsUsePatroniNamesLabelledWithScopeAndName) {
  AgentStatus s = Primary();
  s.counters.ha_loops = 42;
  s.counters.leader_changes = 3;
  Set(s);
  RestResponse r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  for (const char* line :
       {"# HELP patroni_primary Value is 1 if this node is the leader, 0 otherwise.\n",
        "# TYPE patroni_primary gauge\n", "patroni_version{scope=\"demo\",name=\"n1\"} 000100\n",
        "patroni_primary{scope=\"demo\",name=\"n1\"} 1\n",
        "patroni_master{scope=\"demo\",name=\"n1\"} 1\n",
        "patroni_replica{scope=\"demo\",name=\"n1\"} 0\n",
        "patroni_postgres_running{scope=\"demo\",name=\"n1\"} 1\n",
        "patroni_xlog_location{scope=\"demo\",name=\"n1\"} 805306368\n",
        "patroni_postgres_timeline{scope=\"demo\",name=\"n1\"} 2\n",
        "patroni_postgres_server_version{scope=\"demo\",name=\"n1\"} 150005\n",
        "patroni_cluster_unlocked{scope=\"demo\",name=\"n1\"} 0\n",
        "patroni_dcs_last_seen{scope=\"demo\",name=\"n1\"} 1800000000\n",
        "patroni_postmaster_start_time{scope=\"demo\",name=\"n1\"} 1700000000.000000\n",
        "patroni_is_paused{scope=\"demo\",name=\"n1\"} 0\n",
        "# TYPE warden_ha_loops_total counter\n",
        "warden_ha_loops_total{scope=\"demo\",name=\"n1\"} 42\n",
        "warden_leader_changes_total{scope=\"demo\",name=\"n1\"} 3\n",
        "warden_replication_lag_bytes{scope=\"demo\",name=\"n1\"} 0\n"}) {
    EXPECT_THAT(r.body, HasSubstr(line));
  }
}

TEST_F(RestApiTest, MetricsOfAReplicaShowItsLagAndPositions) {
  Set(Replica());
  const std::string body = Call("GET", "/metrics").body;
  EXPECT_THAT(body, HasSubstr("patroni_replica{scope=\"demo\",name=\"n2\"} 1\n"));
  EXPECT_THAT(body, HasSubstr("patroni_xlog_location{scope=\"demo\",name=\"n2\"} 0\n"));
  EXPECT_THAT(body, HasSubstr("patroni_xlog_received_location{scope=\"demo\",name=\"n2\"} "
                              "804257792\n"));
  EXPECT_THAT(body, HasSubstr("warden_replication_lag_bytes{scope=\"demo\",name=\"n2\"} "
                              "1048576\n"));
}

TEST_F(RestApiTest, MetricsEscapeLabelValues) {
  AgentStatus s = Primary();
  s.scope = "a\"b\\c\nd";
  Set(s);
  EXPECT_THAT(Call("GET", "/metrics").body,
              HasSubstr("patroni_primary{scope=\"a\\\"b\\\\c\\nd\",name=\"n1\"} 1\n"));
}

// ---------------------------------------------------------------------------------------------
// /config.

TEST_F(RestApiTest, GetConfigAnswersTheAgentsConfigJson) {
  RestResponse r = Call("GET", "/config");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"ttl":30,"loop_wait":10})");
  agent_.SetConfigJson(absl::UnavailableError("DCS down"));
  EXPECT_EQ(Get("/config"), 503);
  EXPECT_EQ(Call("HEAD", "/config").status, 503);
}

TEST_F(RestApiTest, PatchMergesAndPutReplacesTheConfig) {
  agent_.SetUpdateConfigResult(std::string(R"({"ttl":40})"));
  RestResponse patch = Call("PATCH", "/config", R"({"ttl":40})");
  EXPECT_EQ(patch.status, 200);
  EXPECT_EQ(patch.body, R"({"ttl":40})");
  EXPECT_EQ(Call("PUT", "/config", R"({"loop_wait":5})").status, 200);
  const auto updates = agent_.calls().config_updates;
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[0], std::make_pair(std::string(R"({"ttl":40})"), false));
  EXPECT_EQ(updates[1], std::make_pair(std::string(R"({"loop_wait":5})"), true));
}

TEST_F(RestApiTest, ConfigUpdatesMustBeJsonObjectsAndMapAgentErrors) {
  EXPECT_EQ(Call("PATCH", "/config", "[1,2]").status, 400);
  EXPECT_EQ(Call("PATCH", "/config", "{").status, 400);
  EXPECT_EQ(Call("PUT", "/config", "").status, 400);
  EXPECT_TRUE(agent_.calls().config_updates.empty());
  agent_.SetUpdateConfigResult(absl::InvalidArgumentError("ttl must be a number"));
  EXPECT_EQ(Call("PATCH", "/config", R"({"ttl":"x"})").status, 400);
  agent_.SetUpdateConfigResult(absl::AbortedError("config changed concurrently"));
  EXPECT_EQ(Call("PATCH", "/config", R"({"ttl":40})").status, 409);
}

// ---------------------------------------------------------------------------------------------
// Switchover and failover.

TEST_F(RestApiTest, SwitchoverPassesTheRequestToTheAgent) {
  RestResponse r = Call("POST", "/switchover", R"({"leader":"n1","candidate":"n2"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Successfully switched over");
  const auto switchovers = agent_.calls().switchovers;
  ASSERT_EQ(switchovers.size(), 1u);
  EXPECT_EQ(switchovers[0].leader, "n1");
  EXPECT_EQ(switchovers[0].candidate, "n2");
  EXPECT_FALSE(switchovers[0].failover);
  EXPECT_FALSE(switchovers[0].scheduled_at);
}

TEST_F(RestApiTest, SwitchoverAcceptsPatronisOlderMemberField) {
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","member":"n3"})"), 200);
  EXPECT_EQ(agent_.calls().switchovers.at(0).candidate, "n3");
}

TEST_F(RestApiTest, SwitchoverNeedsALeader) {
  RestResponse r = Call("POST", "/switchover", R"({"candidate":"n2"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Switchover could be performed only from a specific leader");
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestApiTest, SwitchoverBodyMustBeAJsonObjectWithStrings) {
  for (const char* body : {"", "not json", "[]", "\"n1\"", R"({"leader":1})",
                           R"({"leader":"n1","candidate":["n2"]})"}) {
    EXPECT_EQ(Post("/switchover", body), 400) << body;
  }
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestApiTest, ScheduledSwitchoverIs202WithTheParsedTime) {
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","scheduled_at":"2099-01-01T02:00:00+02:00"})"),
            202);
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","scheduled_at":"2099-01-01T00:00:00.5Z"})"), 202);
  const auto switchovers = agent_.calls().switchovers;
  ASSERT_EQ(switchovers.size(), 2u);
  const absl::Time expected = absl::FromCivil(absl::CivilSecond(2099, 1, 1), absl::UTCTimeZone());
  EXPECT_EQ(switchovers[0].scheduled_at, expected);
  EXPECT_EQ(switchovers[1].scheduled_at, expected + absl::Milliseconds(500));
}

TEST_F(RestApiTest, ScheduledSwitchoverTimeMustBeValidZonedAndAhead) {
  RestResponse naive =
      Call("POST", "/switchover", R"({"leader":"n1","scheduled_at":"2099-01-01T00:00:00"})");
  EXPECT_EQ(naive.status, 400);
  EXPECT_EQ(naive.body, "Timezone information is mandatory for the scheduled switchover");
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","scheduled_at":"tomorrow"})"), 400);
  RestResponse past =
      Call("POST", "/switchover", R"({"leader":"n1","scheduled_at":"2001-01-01T00:00:00Z"})");
  EXPECT_EQ(past.status, 422);
  EXPECT_EQ(past.body, "Cannot schedule switchover in the past");
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestApiTest, PausedClusterNeedsACandidateAndCannotSchedule) {
  AgentStatus s = Primary();
  s.config.pause = true;
  Set(s);
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1"})"), 400);
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","candidate":"n2",
                                     "scheduled_at":"2099-01-01T00:00:00Z"})"),
            400);
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","candidate":"n2"})"), 200);
}

TEST_F(RestApiTest, AgentErrorsMapToHttpCodes) {
  const std::vector<std::pair<absl::Status, int>> cases = {
      {absl::InvalidArgumentError("x"), 400},
      {absl::PermissionDeniedError("x"), 403},
      {absl::NotFoundError("x"), 404},
      {absl::AbortedError("x"), 409},
      {absl::FailedPreconditionError("x"), 412},
      {absl::UnavailableError("x"), 503},
      {absl::DeadlineExceededError("x"), 503},
      {absl::InternalError("x"), 500},
      {absl::UnknownError("x"), 500}};
  for (const auto& [status, code] : cases) {
    agent_.SetSwitchoverResult(status);
    RestResponse r = Call("POST", "/switchover", R"({"leader":"n1"})");
    EXPECT_EQ(r.status, code) << status;
    EXPECT_EQ(r.body, "x");
  }
}

TEST_F(RestApiTest, FailoverNeedsACandidateAndCannotBeScheduled) {
  RestResponse r = Call("POST", "/failover", R"({"leader":"n1"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "Failover could be performed only to a specific candidate");
  EXPECT_EQ(Post("/failover", R"({"candidate":"n2","scheduled_at":"2099-01-01T00:00:00Z"})"), 400);
  EXPECT_EQ(Post("/failover", R"({"candidate":"n2"})"), 200);
  const auto switchovers = agent_.calls().switchovers;
  ASSERT_EQ(switchovers.size(), 1u);
  EXPECT_TRUE(switchovers[0].failover);
  EXPECT_EQ(switchovers[0].candidate, "n2");
}

TEST_F(RestApiTest, DeleteSwitchoverCancelsTheScheduledOne) {
  EXPECT_EQ(Call("DELETE", "/switchover").status, 200);
  agent_.SetCancelResult(absl::NotFoundError("no switchover is scheduled"));
  RestResponse r = Call("DELETE", "/switchover");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "no switchover is scheduled");
  EXPECT_EQ(agent_.calls().cancels, 2);
}

// ---------------------------------------------------------------------------------------------
// Restart, reload, reinitialize, failsafe.

TEST_F(RestApiTest, RestartWithoutConditionsRestarts) {
  EXPECT_EQ(Post("/restart", ""), 200);
  EXPECT_EQ(Post("/restart", "{}"), 200);
  EXPECT_EQ(agent_.calls().restarts, 2);
  agent_.SetRestartResult(absl::UnavailableError("postgres did not start"));
  EXPECT_EQ(Post("/restart", ""), 503);
}

TEST_F(RestApiTest, RestartConditionsThatDoNotHoldAre412) {
  EXPECT_EQ(Post("/restart", R"({"role":"replica"})"), 412);
  EXPECT_EQ(Post("/restart", R"({"restart_pending":true})"), 412);
  EXPECT_EQ(Post("/restart", R"({"postgres_version":"15.5"})"), 412);
  EXPECT_EQ(Call("POST", "/restart", R"({"role":"replica"})").body,
            "restart conditions are not satisfied");
  EXPECT_EQ(agent_.calls().restarts, 0);
}

TEST_F(RestApiTest, RestartConditionsThatHoldRestart) {
  AgentStatus s = Primary();
  s.postgres.pending_restart = true;
  Set(s);
  EXPECT_EQ(Post("/restart", R"({"role":"master","restart_pending":true})"), 200);
  EXPECT_EQ(Post("/restart", R"({"role":"primary","postgres_version":"15.6"})"), 200);
  EXPECT_EQ(agent_.calls().restarts, 2);
}

TEST_F(RestApiTest, RestartRefusesSchedulesAndUnknownFilters) {
  EXPECT_EQ(Call("POST", "/restart", R"({"schedule":"2099-01-01T00:00:00Z"})").body,
            "scheduled restarts are not supported");
  for (const char* body : {R"({"schedule":"2099-01-01T00:00:00Z"})", R"({"role":"leader"})",
                           R"({"postgres_version":"fifteen"})", R"({"when":"now"})", "[]",
                           R"({"restart_pending":"perhaps"})"}) {
    EXPECT_EQ(Post("/restart", body), 400) << body;
  }
  EXPECT_EQ(agent_.calls().restarts, 0);
}

TEST_F(RestApiTest, ReloadIsAccepted202) {
  RestResponse r = Call("POST", "/reload");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "reload scheduled");
  agent_.SetReloadResult(absl::FailedPreconditionError("postgres is not running"));
  EXPECT_EQ(Post("/reload", ""), 412);
  EXPECT_EQ(agent_.calls().reloads, 2);
}

TEST_F(RestApiTest, ReinitializePassesForceAndAnswers503OnRefusal) {
  EXPECT_EQ(Post("/reinitialize", R"({"force":true})"), 200);
  EXPECT_EQ(Post("/reinitialize", ""), 200);
  EXPECT_EQ(Post("/reinitialize", R"({"force":"off"})"), 200);
  EXPECT_EQ(Post("/reinitialize", R"({"force":"sometimes"})"), 400);
  EXPECT_EQ(agent_.calls().reinitializes, (std::vector<bool>{true, false, false}));
  agent_.SetReinitializeResult(absl::FailedPreconditionError("I am the leader"));
  RestResponse r = Call("POST", "/reinitialize", "{}");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "I am the leader");
}

TEST_F(RestApiTest, GetFailsafeShowsTheKeyAsTheAgentLastReadIt) {
  EXPECT_EQ(Call("GET", "/failsafe").status, 502);
  AgentStatus status = agent_.Status();
  status.view.failsafe = {{"n1", "http://10.0.0.1:8008/patroni"},
                          {"n2", "http://10.0.0.2:8008/patroni"}};
  agent_.SetStatus(status);
  RestResponse r = Call("GET", "/failsafe");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body),
            nlohmann::json::parse(R"({"n1":"http://10.0.0.1:8008/patroni",)"
                                  R"("n2":"http://10.0.0.2:8008/patroni"})"));
}

TEST_F(RestApiTest, FailsafeHeartbeatIsAcceptedOrRejected) {
  RestResponse r = Call("POST", "/failsafe", R"({"name":"n1","conn_url":"postgres://x"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "Accepted");
  agent_.SetAcceptFailsafe(false);
  EXPECT_EQ(Post("/failsafe", R"({"name":"n1"})"), 500);
  EXPECT_EQ(Post("/failsafe", R"({"conn_url":"postgres://x"})"), 400);
  EXPECT_EQ(agent_.calls().failsafe_leaders, (std::vector<std::string>{"n1", "n1"}));
}

// ---------------------------------------------------------------------------------------------
// Authentication and protocol errors.

class RestApiAuthTest : public RestApiTest {
 protected:
  RestApiAuthTest() {
    options_.username = "admin";
    options_.password = "s3cret";
  }
  int PostWithAuth(const std::string& path, const std::string& authorization) {
    return Call("POST", path, "", {{"authorization", authorization}}).status;
  }
  static std::string Basic(const std::string& credentials) {
    return "Basic " + absl::Base64Escape(credentials);
  }
};

TEST_F(RestApiAuthTest, WritesWithoutCredentialsAre401WithAChallenge) {
  RestResponse r = Call("POST", "/reload");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Basic realm=\"warden\"");
  EXPECT_EQ(Call("DELETE", "/switchover").status, 401);
  EXPECT_EQ(Call("PATCH", "/config", "{}").status, 401);
  EXPECT_EQ(agent_.calls().reloads, 0);
  EXPECT_EQ(agent_.calls().cancels, 0);
}

TEST_F(RestApiAuthTest, OnlyTheRightCredentialsPass) {
  EXPECT_EQ(PostWithAuth("/reload", Basic("admin:s3cret")), 202);
  EXPECT_EQ(PostWithAuth("/reload", "basic " + absl::Base64Escape("admin:s3cret")), 202);
  EXPECT_EQ(PostWithAuth("/reload", Basic("admin:s3cre")), 401);
  EXPECT_EQ(PostWithAuth("/reload", Basic("admin:s3cret ")), 401);
  EXPECT_EQ(PostWithAuth("/reload", Basic("root:s3cret")), 401);
  EXPECT_EQ(PostWithAuth("/reload", Basic("")), 401);
  EXPECT_EQ(PostWithAuth("/reload", "Basic !!!not-base64"), 401);
  EXPECT_EQ(PostWithAuth("/reload", "Bearer " + absl::Base64Escape("admin:s3cret")), 401);
  EXPECT_EQ(agent_.calls().reloads, 2);
}

TEST_F(RestApiAuthTest, ReadsNeverNeedCredentials) {
  for (const char* path : {"/primary", "/patroni", "/cluster", "/metrics", "/config"}) {
    EXPECT_EQ(Get(path), 200) << path;
  }
}

TEST_F(RestApiTest, UnknownPathIs404) {
  EXPECT_EQ(Get("/nowhere"), 404);
  EXPECT_EQ(Get("/primary/"), 404);
  EXPECT_EQ(Post("/nowhere", "{}"), 404);
}

TEST_F(RestApiTest, UnsupportedMethodIs405WithAllow) {
  RestResponse post = Call("POST", "/primary", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(Header(post, "Allow"), "GET, HEAD, OPTIONS");
  RestResponse get = Call("GET", "/switchover");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(Header(get, "Allow"), "POST, DELETE");
  EXPECT_EQ(Call("DELETE", "/config").status, 405);
  EXPECT_EQ(Call("get", "/primary").status, 405);
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestApiTest, OversizedBodyIs413) {
  options_.max_body_bytes = 16;
  EXPECT_EQ(Post("/switchover", R"({"leader":"n1","candidate":"n2"})"), 413);
  EXPECT_EQ(Call("GET", "/primary", std::string(17, ' ')).status, 413);
  EXPECT_EQ(Post("/reload", "{}"), 202);
  EXPECT_TRUE(agent_.calls().switchovers.empty());
}

TEST_F(RestApiTest, TargetMustBeAPath) {
  EXPECT_EQ(Get("primary"), 400);
  EXPECT_EQ(Get(""), 400);
  EXPECT_EQ(Get("http://10.0.0.1/primary"), 400);
}

TEST_F(RestApiTest, QueryAndFragmentDoNotChangeThePath) {
  EXPECT_EQ(Get("/primary?x=1#frag"), 200);
  EXPECT_EQ(Post("/reload?now=1", ""), 202);
}

// A few thousand requests made of known pieces, mutated at random: no crash, no exception, and
// only codes of the API's vocabulary.
TEST_F(RestApiTest, RandomRequestsAnswerKnownCodes) {
  const std::set<int> known = {200, 202, 400, 401, 403, 404, 405,
                               409, 412, 413, 422, 500, 502, 503};
  const std::vector<std::string> methods = {
      "GET", "HEAD",   "OPTIONS", "POST", "PATCH",
      "PUT", "DELETE", "TRACE",   "",     std::string("G\0T", 3)};
  const std::vector<std::string> targets = {"/",
                                            "/primary",
                                            "/replica?lag=",
                                            "/replica?lag=16MB&tag_dc=%",
                                            "/read-only?tag_=",
                                            "/patroni",
                                            "/cluster",
                                            "/history",
                                            "/config",
                                            "/metrics",
                                            "/switchover",
                                            "/failover",
                                            "/restart",
                                            "/reload",
                                            "/reinitialize",
                                            "/failsafe",
                                            "/liveness",
                                            "//",
                                            "?",
                                            "%00"};
  const std::vector<std::string> bodies = {
      "",
      "{}",
      "[]",
      "null",
      R"({"leader":"n1","candidate":"n2"})",
      R"({"leader":"n1","scheduled_at":"2099-13-01T00:00:00Z"})",
      R"({"force":1e999})",
      R"({"role":null,"restart_pending":[]})",
      R"({"name":{"a":1}})",
      std::string(300, '['),
      "{\"leader\":\"\xff\xfe\"}"};
  std::mt19937 rng(20260101);
  auto pick = [&rng](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  auto mutate = [&rng](std::string s) {
    const int edits = rng() % 2 ? 0 : 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < edits && !s.empty(); ++i) {
      const size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0:
          s[at] = static_cast<char>(rng() % 256);
          break;
        case 1:
          s.erase(at, 1);
          break;
        default:
          s.insert(at, 1, static_cast<char>(rng() % 256));
      }
    }
    return s;
  };
  options_.username = "admin";
  options_.max_body_bytes = 200;
  std::vector<AgentStatus> statuses = {Primary(), Replica(), Stopped(), AgentStatus{}};
  std::map<int, int> seen;
  for (int i = 0; i < 4000; ++i) {
    agent_.SetStatus(statuses[i % statuses.size()]);
    RestRequest request{.method = mutate(pick(methods)),
                        .target = mutate(pick(targets)),
                        .headers = {},
                        .body = mutate(pick(bodies))};
    if (rng() % 2) {
      request.headers["authorization"] = mutate("Basic " + absl::Base64Escape("admin:"));
    }
    const RestResponse r = HandleRestRequest(agent_, options_, request);
    ++seen[r.status];
    ASSERT_TRUE(known.contains(r.status))
        << r.status << " for " << request.method << " " << request.target << " " << request.body;
    if (request.method == "HEAD" || request.method == "OPTIONS") {
      EXPECT_EQ(r.body, "");
    }
  }
  // The mutations leave enough requests intact to reach the handlers behind the checks.
  for (int code : {200, 400, 401, 404, 405, 413, 503}) EXPECT_GT(seen[code], 10) << code;
}

}  // namespace
}  // namespace warden
