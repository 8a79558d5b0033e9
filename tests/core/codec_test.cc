// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The Patroni-compatible codec, read as a spec. Samples are written the way Patroni 3.0 writes
// each key (compact JSON from json.dumps(..., separators=(',', ':'))); newer fields appear where
// Patroni 3.1+ adds them.

#include "warden/core/codec.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "warden/core/cluster.h"
#include "warden/core/config.h"
#include "warden/dcs/types.h"

namespace warden {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;

using Json = nlohmann::json;

// --- Samples, as Patroni 3.0 writes them. ---------------------------------------------------

constexpr char kPatroniPrimary[] =
    R"({"conn_url":"postgres://10.0.0.1:5432/postgres","api_url":"http://10.0.0.1:8008/patroni",)"
    R"("state":"running","role":"master","version":"3.0.2","checkpoint_after_promote":false,)"
    R"("tags":{"clonefrom":true,"rack":"r1"},"pending_restart":true,"xlog_location":50331968,)"
    R"("timeline":2})";

constexpr char kPatroniReplica[] =
    R"({"conn_url":"postgres://10.0.0.2:5432/postgres","api_url":"http://10.0.0.2:8008/patroni",)"
    R"("state":"running","role":"replica","version":"3.0.2","tags":{"nofailover":true},)"
    R"("xlog_location":50331800,"replication_state":"streaming","timeline":2,)"
    R"("receive_lsn":50331968,"replay_lsn":50331800})";

constexpr char kPatroniConfig[] =
    R"({"ttl":30,"loop_wait":10,"retry_timeout":10,"maximum_lag_on_failover":1048576,)"
    R"("master_start_timeout":300,"synchronous_mode":true,"max_timelines_history":0,)"
    R"("postgresql":{"use_pg_rewind":true,"use_slots":true,"parameters":{"max_connections":200,)"
    R"("shared_buffers":"256MB","checkpoint_completion_target":0.9,"wal_log_hints":true,)"
    R"("hot_standby":"on"},"pg_hba":["host replication replicator 0.0.0.0/0 md5"]},)"
    R"("slots":{"cdc":{"type":"logical","database":"app","plugin":"pgoutput"}},)"
    R"("ignore_slots":[{"name":"ext"}],"standby_cluster":{"host":"10.1.0.1","port":5432}})";

ClusterKeys Keys() { return ClusterKeys("service", "pg"); }

Member NamedMember(const std::string& name, const std::string& role) {
  Member member;
  member.name = name;
  member.role = role;
  return member;
}

KeyValue Kv(const std::string& key, const std::string& value, Revision mod = 0,
            LeaseId lease = kNoLease, Revision create = 0) {
  return KeyValue{.key = key,
                  .value = value,
                  .create_revision = create,
                  .mod_revision = mod,
                  .version = 1,
                  .lease = lease};
}

ListResult Listing(std::vector<KeyValue> kvs, Revision revision = 100) {
  return ListResult{.kvs = std::move(kvs), .revision = revision};
}

// Every object key of `in`, at every depth, is also in `out`.
void ExpectKeysKept(const Json& in, const Json& out, const std::string& path = "") {
  if (!in.is_object()) return;
  ASSERT_TRUE(out.is_object()) << path;
  for (auto it = in.begin(); it != in.end(); ++it) {
    ASSERT_TRUE(out.contains(it.key())) << "lost " << path << "/" << it.key();
    ExpectKeysKept(it.value(), out[it.key()], path + "/" + it.key());
  }
}

// --- Keys. -----------------------------------------------------------------------------------

TEST(ClusterKeysTest, LayOutPatronisKeysUnderNamespaceAndScope) {
  ClusterKeys keys("service", "pg");
  EXPECT_EQ(keys.prefix(), "/service/pg/");
  EXPECT_EQ(keys.leader(), "/service/pg/leader");
  EXPECT_EQ(keys.member("n1"), "/service/pg/members/n1");
  EXPECT_EQ(keys.sync(), "/service/pg/sync");
}

TEST(ClusterKeysTest, CollapseRepeatedSlashesLikePatroni) {
  EXPECT_EQ(ClusterKeys("/service/", "pg").prefix(), "/service/pg/");
  EXPECT_EQ(ClusterKeys("", "pg").prefix(), "/pg/");
}

// --- Members. --------------------------------------------------------------------------------

TEST(MemberCodecTest, ReadsPatroni30PrimaryWithMasterRoleAsPrimary) {
  absl::StatusOr<Member> m = DecodeMember("n1", kPatroniPrimary);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->name, "n1");
  EXPECT_EQ(m->role, "primary");
  EXPECT_EQ(m->conn_url, "postgres://10.0.0.1:5432/postgres");
  EXPECT_EQ(m->api_url, "http://10.0.0.1:8008/patroni");
  EXPECT_EQ(m->state, "running");
  EXPECT_EQ(m->version, "3.0.2");
  EXPECT_EQ(m->xlog_location, 50331968u);
  EXPECT_EQ(m->timeline, 2);
  EXPECT_TRUE(m->tags.clonefrom);
  EXPECT_EQ(m->tags.unknown_json, R"({"rack":"r1"})");
  EXPECT_EQ(m->unknown_json, R"({"checkpoint_after_promote":false,"pending_restart":true})");
}

TEST(MemberCodecTest, ReadsReplicaAndKeepsNewerFieldsAsUnknown) {
  absl::StatusOr<Member> m = DecodeMember("n2", kPatroniReplica);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->role, "replica");
  EXPECT_TRUE(m->tags.nofailover);
  EXPECT_FALSE(m->tags.CanFailover());
  EXPECT_EQ(m->unknown_json,
            R"({"replication_state":"streaming","receive_lsn":50331968,"replay_lsn":50331800})");
}

TEST(MemberCodecTest, ReadsPrimaryRoleAsWrittenByPatroni4) {
  absl::StatusOr<Member> m = DecodeMember("n1", R"({"role":"primary","state":"running"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->role, "primary");
}

TEST(MemberCodecTest, WritesPrimaryAsMasterAsPatroni30Does) {
  Member m = NamedMember("n1", "primary");
  EXPECT_EQ(Json::parse(EncodeMember(m))["role"], "master");
  m.role = "standby_leader";
  EXPECT_EQ(Json::parse(EncodeMember(m))["role"], "standby_leader");
}

TEST(MemberCodecTest, WritesCompactJsonWithPatronisFieldNames) {
  Member m = NamedMember("n1", "replica");
  m.conn_url = "postgres://h:5432/postgres";
  m.api_url = "http://h:8008/patroni";
  m.state = "running";
  m.version = "0.1.0";
  m.xlog_location = 7;
  m.timeline = 1;
  EXPECT_EQ(EncodeMember(m),
            R"({"conn_url":"postgres://h:5432/postgres","api_url":"http://h:8008/patroni",)"
            R"("state":"running","role":"replica","version":"0.1.0","xlog_location":7,)"
            R"("timeline":1})");
}

TEST(MemberCodecTest, RoundTripKeepsEveryFieldPatroniWrote) {
  for (const char* sample : {kPatroniPrimary, kPatroniReplica}) {
    absl::StatusOr<Member> m = DecodeMember("n", sample);
    ASSERT_TRUE(m.ok());
    const Json in = Json::parse(sample), out = Json::parse(EncodeMember(*m));
    ExpectKeysKept(in, out);
    EXPECT_EQ(out, in);  // Patroni wrote "master" and so do we: nothing changes at all
  }
}

TEST(MemberCodecTest, DecodeOfEncodeIsIdentity) {
  Member m{.name = "n3",
           .conn_url = "postgres://h:5432/postgres",
           .api_url = "http://h:8008/patroni",
           .state = "running",
           .role = "primary",
           .version = "0.1.0",
           .xlog_location = ~uint64_t{0},
           .timeline = 7,
           .tags = {.nofailover = true,
                    .failover_priority = 3,
                    .nosync = true,
                    .sync_priority = 5,
                    .noloadbalance = true,
                    .clonefrom = true,
                    .replicatefrom = "n1",
                    .nostream = true,
                    .unknown_json = R"({"zone":"a"})"},
           .unknown_json = R"({"pending_restart":true})"};
  absl::StatusOr<Member> back = DecodeMember("n3", EncodeMember(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
}

TEST(MemberCodecTest, ReadsTagsAsPatroniTestsThem) {
  absl::StatusOr<Member> m =
      DecodeMember("n", R"({"tags":{"nofailover":"false","failover_priority":"0","nosync":1,)"
                        R"("noloadbalance":0,"replicatefrom":"n1","nostream":true}})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_FALSE(m->tags.nofailover);  // a written "false" is not true, whatever Python thinks
  EXPECT_EQ(m->tags.failover_priority, 0);
  EXPECT_FALSE(m->tags.CanFailover());
  EXPECT_TRUE(m->tags.nosync);
  EXPECT_FALSE(m->tags.noloadbalance);
  EXPECT_EQ(m->tags.replicatefrom, "n1");
  EXPECT_TRUE(m->tags.nostream);
}

TEST(MemberCodecTest, ReadsXlogLocationWrittenAsString) {
  absl::StatusOr<Member> m = DecodeMember("n", R"({"xlog_location":"1234"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->xlog_location, 1234u);
}

TEST(MemberCodecTest, ReadsGovernorConnectionUrlLikePatroni) {
  absl::StatusOr<Member> m = DecodeMember(
      "n", "postgres://u:p@h:5432/postgres?application_name=http%3A%2F%2Fh%3A8008%2Fpatroni");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->conn_url, "postgres://u:p@h:5432/postgres");
  EXPECT_EQ(m->api_url, "http://h:8008/patroni");
}

TEST(MemberCodecTest, RefusesWhatIsNotAMemberObject) {
  for (const char* bad : {"", "{", "not json", "[]", "\"running\"", "42", "null"}) {
    EXPECT_EQ(DecodeMember("n", bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(MemberCodecTest, NamesTheFieldOfTheWrongType) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"({"xlog_location":-5})", "xlog_location"},
      {R"({"xlog_location":1.5})", "xlog_location"},
      {R"({"xlog_location":1e30})", "xlog_location"},
      {R"({"xlog_location":99999999999999999999999})", "xlog_location"},
      {R"({"timeline":"abc"})", "timeline"},
      {R"({"role":7})", "role"},
      {R"({"tags":[]})", "tags"},
      {R"({"tags":{"failover_priority":"high"}})", "tags.failover_priority"},
      {R"({"api_url":{"x":1}})", "api_url"},
  };
  for (const auto& [json, field] : cases) {
    absl::StatusOr<Member> m = DecodeMember("n", json);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(m.status().message(), HasSubstr(field)) << json;
  }
}

TEST(MemberCodecTest, AcceptsTheLargestLsn) {
  absl::StatusOr<Member> m = DecodeMember("n", R"({"xlog_location":18446744073709551615})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->xlog_location, ~uint64_t{0});
}

// --- The dynamic configuration. ----------------------------------------------------------------

TEST(ConfigCodecTest, ReadsPatroniBootstrapConfig) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig(kPatroniConfig);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ttl, absl::Seconds(30));
  EXPECT_EQ(c->loop_wait, absl::Seconds(10));
  EXPECT_EQ(c->retry_timeout, absl::Seconds(10));
  EXPECT_EQ(c->maximum_lag_on_failover, 1048576);
  EXPECT_EQ(c->synchronous_mode, SynchronousMode::kOn);
  EXPECT_EQ(c->primary_start_timeout, absl::Seconds(300));  // from master_start_timeout
  EXPECT_TRUE(c->use_pg_rewind);
  EXPECT_TRUE(c->use_slots);
  EXPECT_THAT(c->postgresql_parameters,
              ElementsAre(Pair("checkpoint_completion_target", "0.9"), Pair("hot_standby", "on"),
                          Pair("max_connections", "200"), Pair("shared_buffers", "256MB"),
                          Pair("wal_log_hints", "on")));
}

TEST(ConfigCodecTest, KeepsEverythingItDoesNotModelInUnknownJson) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig(kPatroniConfig);
  ASSERT_TRUE(c.ok());
  const Json unknown = Json::parse(c->unknown_json);
  EXPECT_EQ(unknown["postgresql"]["pg_hba"][0], "host replication replicator 0.0.0.0/0 md5");
  EXPECT_EQ(unknown["slots"]["cdc"]["plugin"], "pgoutput");
  EXPECT_FALSE(unknown.contains("ignore_slots"));  // modelled: DynamicConfig::ignore_slots
  EXPECT_EQ(c->ignore_slots, (std::vector<SlotMatcher>{SlotMatcher{.name = "ext"}}));
  EXPECT_EQ(unknown["standby_cluster"]["host"], "10.1.0.1");
  EXPECT_EQ(unknown["master_start_timeout"], 300);
  EXPECT_FALSE(unknown.contains("ttl"));
  EXPECT_FALSE(unknown["postgresql"].contains("use_slots"));
}

TEST(ConfigCodecTest, RoundTripKeepsEveryKey) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig(kPatroniConfig);
  ASSERT_TRUE(c.ok());
  const Json out = Json::parse(EncodeConfig(*c));
  ExpectKeysKept(Json::parse(kPatroniConfig), out);
  EXPECT_EQ(out["postgresql"]["parameters"]["max_connections"], 200);  // still a number
  EXPECT_EQ(out["postgresql"]["parameters"]["checkpoint_completion_target"], 0.9);
  EXPECT_EQ(out["postgresql"]["parameters"]["shared_buffers"], "256MB");
  EXPECT_EQ(out["primary_start_timeout"], 300);
}

TEST(ConfigCodecTest, DecodeOfEncodeIsIdentity) {
  DynamicConfig c;
  c.ttl = absl::Seconds(40);
  c.loop_wait = absl::Milliseconds(2500);
  c.synchronous_mode = SynchronousMode::kQuorum;
  c.synchronous_node_count = 2;
  c.failsafe_mode = true;
  c.pause = true;
  c.check_timeline = true;
  c.primary_stop_timeout = absl::Seconds(60);
  c.postgresql_parameters = {{"max_connections", "100"}, {"work_mem", "4MB"}, {"x", "-1.5"}};
  c.unknown_json = R"({"slots":{"s":{"type":"physical"}}})";
  absl::StatusOr<DynamicConfig> back = DecodeConfig(EncodeConfig(c));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, c);
}

TEST(ConfigCodecTest, MissingFieldsTakePatronisDefaults) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig("{}");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, DynamicConfig{});
}

TEST(ConfigCodecTest, ReadsSecondsAsIntegersFloatsOrStrings) {
  absl::StatusOr<DynamicConfig> c =
      DecodeConfig(R"({"ttl":30.5,"loop_wait":"5","retry_timeout":7.0})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->ttl, absl::Milliseconds(30500));
  EXPECT_EQ(c->loop_wait, absl::Seconds(5));
  EXPECT_EQ(c->retry_timeout, absl::Seconds(7));
  EXPECT_THAT(EncodeConfig(*c), HasSubstr(R"("ttl":30.5,"loop_wait":5,"retry_timeout":7,)"));
}

TEST(ConfigCodecTest, ReadsEverySpellingOfSynchronousMode) {
  const std::vector<std::pair<const char*, SynchronousMode>> cases = {
      {"true", SynchronousMode::kOn},
      {"false", SynchronousMode::kOff},
      {R"("on")", SynchronousMode::kOn},
      {R"("off")", SynchronousMode::kOff},
      {R"("quorum")", SynchronousMode::kQuorum},
      {"null", SynchronousMode::kOff}};
  for (const auto& [value, mode] : cases) {
    absl::StatusOr<DynamicConfig> c =
        DecodeConfig(std::string(R"({"synchronous_mode":)") + value + "}");
    ASSERT_TRUE(c.ok()) << value;
    EXPECT_EQ(c->synchronous_mode, mode) << value;
  }
  EXPECT_FALSE(DecodeConfig(R"({"synchronous_mode":"maybe"})").ok());
}

TEST(ConfigCodecTest, WritesSynchronousModeAsPatroniReadsIt) {
  DynamicConfig c;
  c.synchronous_mode = SynchronousMode::kQuorum;
  EXPECT_EQ(Json::parse(EncodeConfig(c))["synchronous_mode"], "quorum");
  c.synchronous_mode = SynchronousMode::kOn;
  EXPECT_EQ(Json::parse(EncodeConfig(c))["synchronous_mode"], true);
}

TEST(ConfigCodecTest, PrimaryTimeoutsWinOverTheMasterSpelling) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig(
      R"({"primary_start_timeout":30,"master_start_timeout":300,"master_stop_timeout":5})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->primary_start_timeout, absl::Seconds(30));
  EXPECT_EQ(c->primary_stop_timeout, absl::Seconds(5));
}

TEST(ConfigCodecTest, KeepsTheMasterSpellingEqualToTheValueItWrites) {
  absl::StatusOr<DynamicConfig> c = DecodeConfig(R"({"master_start_timeout":300})");
  ASSERT_TRUE(c.ok());
  c->primary_start_timeout = absl::Seconds(60);
  const Json out = Json::parse(EncodeConfig(*c));
  EXPECT_EQ(out["primary_start_timeout"], 60);
  EXPECT_EQ(out["master_start_timeout"], 60);
  EXPECT_FALSE(out.contains("master_stop_timeout"));  // written only where it was read
}

TEST(ConfigCodecTest, WritesParameterTextAsNumberOnlyWhenItIsJsonsSpellingOfOne) {
  DynamicConfig c;
  c.postgresql_parameters = {{"a", "100"}, {"b", "0.9"}, {"c", "256MB"}, {"d", "on"},
                             {"e", "007"}, {"f", "1e3"}, {"g", ""}};
  const Json p = Json::parse(EncodeConfig(c))["postgresql"]["parameters"];
  EXPECT_EQ(p["a"], 100);
  EXPECT_EQ(p["b"], 0.9);
  EXPECT_EQ(p["c"], "256MB");
  EXPECT_EQ(p["d"], "on");
  EXPECT_EQ(p["e"], "007");
  EXPECT_EQ(p["f"], "1e3");
  EXPECT_EQ(p["g"], "");
}

TEST(ConfigCodecTest, KeepsParametersThatAreNotScalarsAsUnknown) {
  absl::StatusOr<DynamicConfig> c =
      DecodeConfig(R"({"postgresql":{"parameters":{"odd":[1,2],"work_mem":"4MB"}}})");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->postgresql_parameters, ElementsAre(Pair("work_mem", "4MB")));
  EXPECT_EQ(c->unknown_json, R"({"postgresql":{"parameters":{"odd":[1,2]}}})");
  EXPECT_EQ(Json::parse(EncodeConfig(*c))["postgresql"]["parameters"]["odd"], Json({1, 2}));
}

TEST(ConfigCodecTest, RefusesGarbageNamingTheField) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"[]", "object"},
      {R"("ttl")", "object"},
      {R"({"ttl":-1})", "ttl"},
      {R"({"ttl":"soon"})", "ttl"},
      {R"({"loop_wait":[10]})", "loop_wait"},
      {R"({"maximum_lag_on_failover":1e30})", "maximum_lag_on_failover"},
      {R"({"synchronous_node_count":99999999999})", "synchronous_node_count"},
      {R"({"pause":"perhaps"})", "pause"},
      {R"({"postgresql":"yes"})", "postgresql"},
      {R"({"postgresql":{"parameters":[]}})", "postgresql.parameters"},
      {R"({"postgresql":{"use_slots":{}}})", "postgresql.use_slots"},
      {R"({"master_stop_timeout":"x"})", "master_stop_timeout"},
  };
  for (const auto& [json, field] : cases) {
    absl::StatusOr<DynamicConfig> c = DecodeConfig(json);
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << json;
    EXPECT_THAT(c.status().message(), HasSubstr(field)) << json;
  }
}

// --- Failover. -------------------------------------------------------------------------------

TEST(FailoverCodecTest, ReadsAScheduledSwitchoverFromPatronictl) {
  absl::StatusOr<FailoverRequest> f = DecodeFailover(
      R"({"leader":"n1","member":"n2","scheduled_at":"2024-03-01T12:30:00.250000+00:00"})");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->leader, "n1");
  EXPECT_EQ(f->candidate, "n2");
  EXPECT_EQ(f->scheduled_at,
            absl::FromCivil(absl::CivilSecond(2024, 3, 1, 12, 30, 0), absl::UTCTimeZone()) +
                absl::Milliseconds(250));
}

TEST(FailoverCodecTest, ReadsScheduledAtInAnyTimeZone) {
  const absl::Time noon_utc =
      absl::FromCivil(absl::CivilSecond(2016, 1, 14, 12, 0, 0), absl::UTCTimeZone());
  for (const char* text : {"2016-01-14T12:00:00Z", "2016-01-14T14:00:00+02:00",
                           "2016-01-14T07:00:00-0500", "2016-01-14 12:00:00.000+00:00"}) {
    absl::StatusOr<FailoverRequest> f =
        DecodeFailover(std::string(R"({"scheduled_at":")") + text + "\"}");
    ASSERT_TRUE(f.ok()) << text << ": " << f.status();
    EXPECT_EQ(f->scheduled_at, noon_utc) << text;
  }
}

TEST(FailoverCodecTest, RefusesScheduledAtWithoutTimeZoneOrGarbage) {
  for (const char* text : {"2016-01-14T12:00:00", "tomorrow", "2016-13-45T99:00:00Z"}) {
    EXPECT_FALSE(DecodeFailover(std::string(R"({"scheduled_at":")") + text + "\"}").ok()) << text;
  }
  EXPECT_FALSE(DecodeFailover(R"({"scheduled_at":1700000000})").ok());
}

TEST(FailoverCodecTest, ReadsAFailoverWithOnlyACandidate) {
  absl::StatusOr<FailoverRequest> f = DecodeFailover(R"({"member":"n2","scheduled_at":""})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->leader, "");
  EXPECT_EQ(f->candidate, "n2");
  EXPECT_FALSE(f->scheduled_at.has_value());
}

TEST(FailoverCodecTest, WritesWhatPatronisManualFailoverWrites) {
  FailoverRequest f;
  f.leader = "n1";
  f.candidate = "n2";
  EXPECT_EQ(EncodeFailover(f), R"({"leader":"n1","member":"n2"})");
  f.scheduled_at = absl::FromCivil(absl::CivilSecond(2024, 3, 1, 12, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(EncodeFailover(f),
            R"({"leader":"n1","member":"n2","scheduled_at":"2024-03-01T12:30:00+00:00"})");
  f.scheduled_at = *f.scheduled_at + absl::Microseconds(1500);
  EXPECT_THAT(EncodeFailover(f), HasSubstr(R"("2024-03-01T12:30:00.001500+00:00")"));
  EXPECT_EQ(EncodeFailover(FailoverRequest{}), "{}");
}

TEST(FailoverCodecTest, DecodeOfEncodeIsIdentity) {
  FailoverRequest f{
      .leader = "a", .candidate = "b", .scheduled_at = absl::FromUnixMicros(1'700'000'000'123'456)};
  absl::StatusOr<FailoverRequest> back = DecodeFailover(EncodeFailover(f));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, f);
}

// --- Sync. -----------------------------------------------------------------------------------

TEST(SyncCodecTest, ReadsCommaSeparatedStandbysAsPatroni30WritesThem) {
  absl::StatusOr<SyncState> s = DecodeSync(R"({"leader":"n1","sync_standby":"n2,n3"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->leader, "n1");
  EXPECT_THAT(s->sync_standby, ElementsAre("n2", "n3"));
  EXPECT_FALSE(s->quorum.has_value());
}

TEST(SyncCodecTest, ReadsStandbysAsAList) {
  absl::StatusOr<SyncState> s = DecodeSync(R"({"leader":"n1","sync_standby":["n2","n3"]})");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->sync_standby, ElementsAre("n2", "n3"));
}

TEST(SyncCodecTest, ReadsNoStandbysAndTheQuorumOfNewerPatroni) {
  absl::StatusOr<SyncState> s = DecodeSync(R"({"leader":"n1","quorum":1,"sync_standby":null})");
  ASSERT_TRUE(s.ok());
  EXPECT_THAT(s->sync_standby, IsEmpty());
  EXPECT_EQ(s->quorum, 1);
  EXPECT_THAT(DecodeSync(R"({"leader":"n1","sync_standby":" a , ,b "})")->sync_standby,
              ElementsAre("a", "b"));
}

TEST(SyncCodecTest, WritesSortedNamesAndNullWhenNone) {
  SyncState sync;
  sync.leader = "n1";
  EXPECT_EQ(EncodeSync(sync), R"({"leader":"n1","sync_standby":null})");
  sync.sync_standby = {"n3", "n2"};
  EXPECT_EQ(EncodeSync(sync), R"({"leader":"n1","sync_standby":"n2,n3"})");
  sync.sync_standby = {"n2"};
  sync.quorum = 1;
  EXPECT_EQ(EncodeSync(sync), R"({"leader":"n1","sync_standby":"n2","quorum":1})");
}

TEST(SyncCodecTest, RefusesGarbage) {
  for (const char* bad : {"[]", R"({"sync_standby":5})", R"({"sync_standby":[1]})",
                          R"({"quorum":"x"})", R"({"quorum":-1})", R"({"leader":["n1"]})"}) {
    EXPECT_FALSE(DecodeSync(bad).ok()) << bad;
  }
}

// --- History. --------------------------------------------------------------------------------

TEST(HistoryCodecTest, ReadsLinesOfThreeFourAndFiveItems) {
  absl::StatusOr<std::vector<TimelineHistoryEntry>> h = DecodeHistory(
      R"([[1,25165984,"no recovery target specified"],)"
      R"([2,50331808,"no recovery target specified","2024-03-01T12:00:00.123456+00:00"],)"
      R"([3,67109024,"no recovery target specified","2024-03-02T08:00:00+00:00","n2"]])");
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_THAT(*h, SizeIs(3));
  EXPECT_EQ((*h)[0], (TimelineHistoryEntry{1, 25165984, "no recovery target specified", "", ""}));
  EXPECT_EQ((*h)[1].timestamp, "2024-03-01T12:00:00.123456+00:00");
  EXPECT_EQ((*h)[1].new_leader, "");
  EXPECT_EQ((*h)[2].lsn, 67109024u);
  EXPECT_EQ((*h)[2].new_leader, "n2");
}

TEST(HistoryCodecTest, WritesEachLineAsLongAsWhatItCarries) {
  const std::vector<TimelineHistoryEntry> history = {
      {1, 100, "r", "", ""}, {2, 200, "r", "t2", ""}, {3, 300, "r", "t3", "n2"}};
  EXPECT_EQ(EncodeHistory(history), R"([[1,100,"r"],[2,200,"r","t2"],[3,300,"r","t3","n2"]])");
  absl::StatusOr<std::vector<TimelineHistoryEntry>> back = DecodeHistory(EncodeHistory(history));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, history);
  EXPECT_EQ(EncodeHistory({}), "[]");
}

TEST(HistoryCodecTest, RefusesMalformedLinesNamingTheLine) {
  for (const char* bad :
       {"{}", "[1]", R"([[1,2]])", R"([[1,2,"r","t","n","x"]])", R"([[1,-2,"r"]])",
        R"([["x",2,"r"]])", R"([[1,2,3]])", R"([[1,2,"r",5]])", R"([[1,2.5,"r"]])"}) {
    absl::StatusOr<std::vector<TimelineHistoryEntry>> h = DecodeHistory(bad);
    EXPECT_FALSE(h.ok()) << bad;
  }
  EXPECT_THAT(DecodeHistory(R"([[1,2,"r"],[2]])").status().message(), HasSubstr("line 1"));
}

// --- Status. ---------------------------------------------------------------------------------

TEST(StatusCodecTest, ReadsOptimeAndSlotsAndIgnoresNewerRetainSlots) {
  absl::StatusOr<ClusterStatus> s = DecodeStatus(
      R"({"optime":67109024,"slots":{"cdc":67108000,"n2":67109024},"retain_slots":["n2"]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->optime, 67109024u);
  EXPECT_THAT(s->slots, ElementsAre(Pair("cdc", 67108000u), Pair("n2", 67109024u)));
}

TEST(StatusCodecTest, ReadsTheLegacyBareOptimeAndSlotsAsAString) {
  EXPECT_EQ(DecodeStatus("12345")->optime, 12345u);
  absl::StatusOr<ClusterStatus> s = DecodeStatus(R"({"optime":"7","slots":"{\"s\":5}"})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->optime, 7u);
  EXPECT_THAT(s->slots, ElementsAre(Pair("s", 5u)));
}

TEST(StatusCodecTest, WritesWhatPatroniWrites) {
  ClusterStatus status;
  status.optime = 5;
  EXPECT_EQ(EncodeStatus(status), R"({"optime":5})");
  status.slots = {{"s", 3}};
  EXPECT_EQ(EncodeStatus(status), R"({"optime":5,"slots":{"s":3}})");
  status = ClusterStatus{.optime = ~uint64_t{0}, .slots = {{"a", 1}, {"b", 2}}};
  EXPECT_EQ(*DecodeStatus(EncodeStatus(status)), status);
}

TEST(StatusCodecTest, RefusesGarbage) {
  for (const char* bad : {"-1", "[]", "\"x\"", R"({"optime":-5})", R"({"slots":{"s":"abc"}})",
                          R"({"slots":[1]})", R"({"slots":"{"})", R"({"optime":1e40})"}) {
    EXPECT_FALSE(DecodeStatus(bad).ok()) << bad;
  }
}

// --- Failsafe. -------------------------------------------------------------------------------

TEST(FailsafeCodecTest, ReadsAndWritesNameToApiUrl) {
  const char* json = R"({"n1":"http://10.0.0.1:8008/patroni","n2":"http://10.0.0.2:8008/patroni"})";
  absl::StatusOr<std::map<std::string, std::string>> f = DecodeFailsafe(json);
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(*f, ElementsAre(Pair("n1", "http://10.0.0.1:8008/patroni"),
                              Pair("n2", "http://10.0.0.2:8008/patroni")));
  EXPECT_EQ(EncodeFailsafe(*f), json);
}

TEST(FailsafeCodecTest, RefusesGarbage) {
  for (const char* bad : {"[]", "null", R"({"n1":1})", R"({"n1":{"api_url":"x"}})"}) {
    EXPECT_FALSE(DecodeFailsafe(bad).ok()) << bad;
  }
}

// --- The whole cluster. ------------------------------------------------------------------------

ListResult PatroniClusterListing() {
  return Listing({
      Kv("/service/pg/config", kPatroniConfig, 3),
      Kv("/service/pg/failover", R"({"leader":"n1","member":"n2"})", 40),
      Kv("/service/pg/history", R"([[1,25165984,"no recovery target specified"]])", 12),
      Kv("/service/pg/initialize", "7301234567890123456", 2),
      Kv("/service/pg/leader", "n1", 50, 0x1234, 11),
      Kv("/service/pg/members/n2", kPatroniReplica, 49, 0x5678),
      Kv("/service/pg/members/n1", kPatroniPrimary, 48, 0x1234),
      Kv("/service/pg/status", R"({"optime":67109024})", 51),
      Kv("/service/pg/sync", R"({"leader":"n1","sync_standby":"n2"})", 30),
      Kv("/service/pg/failsafe", R"({"n1":"http://10.0.0.1:8008/patroni"})", 52),
  });
}

TEST(ClusterCodecTest, ReadsEveryKeyPatroniWrites) {
  ClusterView v = DecodeCluster(Keys(), PatroniClusterListing());
  EXPECT_THAT(v.decode_errors, IsEmpty());
  EXPECT_EQ(v.revision, 100);
  EXPECT_EQ(v.initialize, 7301234567890123456u);
  EXPECT_EQ(v.config.synchronous_mode, SynchronousMode::kOn);
  EXPECT_EQ(v.config_revision, 3);
  EXPECT_EQ(v.leader, (LeaderKey{"n1", 11, 50, 0x1234}));
  ASSERT_THAT(v.members, SizeIs(2));
  EXPECT_EQ(v.members[0].name, "n1");  // in name order, whatever the listing's
  EXPECT_EQ(v.members[0].mod_revision, 48);
  EXPECT_EQ(v.members[0].lease, 0x1234);
  EXPECT_EQ(v.members[1].role, "replica");
  EXPECT_EQ(v.status.optime, 67109024u);
  EXPECT_EQ(v.failover->candidate, "n2");
  EXPECT_EQ(v.failover->mod_revision, 40);
  EXPECT_THAT(v.sync->sync_standby, ElementsAre("n2"));
  EXPECT_EQ(v.sync->mod_revision, 30);
  EXPECT_THAT(v.history, SizeIs(1));
  EXPECT_THAT(v.failsafe, SizeIs(1));
  ASSERT_NE(v.FindMember("n2"), nullptr);
}

TEST(ClusterCodecTest, IgnoresKeysItDoesNotKnow) {
  ClusterView v = DecodeCluster(
      Keys(), Listing({Kv("/service/pg/members/n1/extra", "{"), Kv("/service/pg/whatever", "{"),
                       Kv("/service/other/leader", "x"), Kv("/service/pg", "x"),
                       Kv("/service/pg/optime", "{"), Kv("/service/pg/1/leader", "citus")}));
  EXPECT_THAT(v.decode_errors, IsEmpty());
  ClusterView empty;
  empty.revision = 100;
  EXPECT_EQ(v, empty);
}

TEST(ClusterCodecTest, ReportsAndSkipsKeysItCannotRead) {
  ClusterView v = DecodeCluster(
      Keys(), Listing({Kv("/service/pg/config", "[1,2]", 3), Kv("/service/pg/members/bad", "{"),
                       Kv("/service/pg/members/good", R"({"role":"replica"})"),
                       Kv("/service/pg/sync", "7"), Kv("/service/pg/history", "{}"),
                       Kv("/service/pg/failover", "null"), Kv("/service/pg/status", "[]"),
                       Kv("/service/pg/failsafe", "[]"), Kv("/service/pg/members/", "{}")}));
  EXPECT_THAT(v.decode_errors, SizeIs(8));
  EXPECT_THAT(v.decode_errors[0], HasSubstr("/service/pg/config: expected a JSON object"));
  EXPECT_THAT(v.decode_errors[1], HasSubstr("/service/pg/members/bad: not valid JSON"));
  EXPECT_EQ(v.config, DynamicConfig{});  // the defaults, as Patroni falls back to them
  EXPECT_EQ(v.config_revision, 0);
  ASSERT_THAT(v.members, SizeIs(1));
  EXPECT_EQ(v.members[0].name, "good");
  EXPECT_FALSE(v.sync.has_value());
  EXPECT_FALSE(v.failover.has_value());
}

TEST(ClusterCodecTest, ReadsAnInitializeKeyWithoutIdentifierAsClaimed) {
  ClusterView empty = DecodeCluster(Keys(), Listing({Kv("/service/pg/initialize", "")}));
  EXPECT_EQ(empty.initialize, 0u);
  EXPECT_THAT(empty.decode_errors, IsEmpty());
  ClusterView garbage = DecodeCluster(Keys(), Listing({Kv("/service/pg/initialize", "x1")}));
  EXPECT_EQ(garbage.initialize, 0u);  // never "not initialized": that invites a 2nd bootstrap
  EXPECT_THAT(garbage.decode_errors, SizeIs(1));
}

// Patroni 3.0.2 leaves the failover key as {} after a switchover; to it (and so to warden) that
// is no request, not a switchover to any member.
TEST(ClusterCodecTest, ReadsAnEmptiedFailoverKeyAsNoRequest) {
  ClusterView emptied = DecodeCluster(Keys(), Listing({Kv("/service/pg/failover", "{}")}));
  EXPECT_FALSE(emptied.failover.has_value());
  EXPECT_THAT(emptied.decode_errors, IsEmpty());
  ClusterView scheduled_only = DecodeCluster(
      Keys(),
      Listing({Kv("/service/pg/failover", R"({"scheduled_at":"2026-12-08T10:00:00+00:00"})")}));
  EXPECT_FALSE(scheduled_only.failover.has_value());
  ClusterView request =
      DecodeCluster(Keys(), Listing({Kv("/service/pg/failover", R"({"member":"n2"})")}));
  ASSERT_TRUE(request.failover.has_value());
  EXPECT_EQ(request.failover->candidate, "n2");
}

TEST(ClusterCodecTest, ReadsTheLegacyOptimeKeyOnlyWithoutAStatusKey) {
  ClusterView legacy = DecodeCluster(Keys(), Listing({Kv("/service/pg/optime/leader", "777")}));
  EXPECT_EQ(legacy.status.optime, 777u);
  ClusterView both = DecodeCluster(Keys(), Listing({Kv("/service/pg/optime/leader", "777"),
                                                    Kv("/service/pg/status", R"({"optime":9})")}));
  EXPECT_EQ(both.status.optime, 9u);
}

TEST(ClusterCodecTest, WritesEveryKeyOfAViewAndReadsItBack) {
  ClusterView v = DecodeCluster(Keys(), PatroniClusterListing());
  std::vector<KeyValue> kvs;
  for (auto& [key, value] : EncodeCluster(Keys(), v)) kvs.push_back(Kv(key, value));
  ClusterView back = DecodeCluster(Keys(), Listing(kvs, v.revision));
  // Metadata comes from the DCS, not the values; everything else survives the trip.
  v.config_revision = 0;
  v.leader->create_revision = v.leader->mod_revision = v.leader->lease = 0;
  for (Member& m : v.members) m.mod_revision = m.lease = 0;
  v.failover->mod_revision = v.sync->mod_revision = 0;
  back.config_revision = 0;
  EXPECT_EQ(back, v);
}

TEST(ClusterCodecTest, WritesKeysInPatronisLayoutAndOmitsWhatIsAbsent) {
  ClusterView v;
  EXPECT_THAT(EncodeCluster(Keys(), v), IsEmpty());
  v.initialize = 42;
  v.leader = LeaderKey{"n1", 0, 0, kNoLease};
  v.members.push_back(NamedMember("n1", "primary"));
  std::vector<std::pair<std::string, std::string>> kvs = EncodeCluster(Keys(), v);
  ASSERT_THAT(kvs, SizeIs(3));
  EXPECT_THAT(kvs[0], Pair("/service/pg/initialize", "42"));
  EXPECT_THAT(kvs[1], Pair("/service/pg/leader", "n1"));
  EXPECT_EQ(kvs[2].first, "/service/pg/members/n1");
  v.initialize = 0;
  EXPECT_THAT(EncodeCluster(Keys(), v)[0], Pair("/service/pg/initialize", ""));
}

// --- Hostile input. --------------------------------------------------------------------------

// Every decoder, over one value, must answer without throwing or crashing.
void DecodeEverything(const std::string& value) {
  (void)DecodeMember("n", value);
  (void)DecodeConfig(value);
  (void)DecodeFailover(value);
  (void)DecodeSync(value);
  (void)DecodeHistory(value);
  (void)DecodeStatus(value);
  (void)DecodeFailsafe(value);
  std::vector<KeyValue> kvs;
  for (const char* key : {"config", "failover", "failsafe", "history", "initialize", "leader",
                          "members/n", "optime/leader", "sync"}) {
    kvs.push_back(Kv(std::string("/service/pg/") + key, value));
  }
  ClusterView v = DecodeCluster(Keys(), Listing(kvs));
  (void)EncodeCluster(Keys(), v);
}

TEST(HostileInputTest, RefusesDeeplyNestedJsonWithoutRecursing) {
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_THAT(DecodeHistory(deep).status().message(), HasSubstr("nested"));
  const std::string deep_object = R"({"a":)" + std::string(100000, '[') + "}";
  EXPECT_FALSE(DecodeMember("n", deep_object).ok());
  DecodeEverything(deep);
  DecodeEverything(std::string(100000, '{'));
}

TEST(HostileInputTest, AcceptsModestNestingInUnknownFields) {
  std::string nested = "1";
  for (int i = 0; i < 30; ++i) nested = "[" + nested + "]";
  absl::StatusOr<DynamicConfig> c = DecodeConfig(R"({"x":)" + nested + "}");
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(EncodeConfig(*c), HasSubstr(nested));
}

TEST(HostileInputTest, WritesInvalidUtf8WithoutThrowing) {
  Member m = NamedMember("n", "replica");
  m.conn_url = "\xff\xfe";
  m.tags.replicatefrom = "\xc3";
  const std::string json = EncodeMember(m);
  EXPECT_TRUE(Json::accept(json));
  EXPECT_TRUE(DecodeMember("n", json).ok());
  EXPECT_TRUE(Json::accept(EncodeFailsafe({{"\x80", "\xff"}})));
}

TEST(HostileInputTest, IgnoresAnUnknownJsonThatIsNotAnObject) {
  Member m = NamedMember("n", "replica");
  m.unknown_json = "[oops";
  m.tags.unknown_json = "42";
  EXPECT_EQ(Json::parse(EncodeMember(m))["tags"], nullptr);
  DynamicConfig c;
  c.unknown_json = "not json";
  EXPECT_TRUE(DecodeConfig(EncodeConfig(c)).ok());
}

TEST(HostileInputTest, SurvivesTenThousandRandomByteStringsAsEveryKey) {
  std::mt19937 rng(20260101);  // fixed: a failure reproduces
  const std::string json_bytes = "{}[]\",:0123456789-+.eEtrufalsn \\/u";
  for (int i = 0; i < 10000; ++i) {
    std::string value(rng() % 48, '\0');
    const bool structured = i % 2 == 0;  // half from JSON's alphabet, to get past the lexer
    for (char& c : value) {
      c = structured ? json_bytes[rng() % json_bytes.size()] : static_cast<char>(rng() & 0xFF);
    }
    DecodeEverything(value);
  }
}

TEST(HostileInputTest, SurvivesMutationsOfRealSamples) {
  std::mt19937 rng(7);
  const std::vector<std::string> samples = {
      kPatroniPrimary,
      kPatroniReplica,
      kPatroniConfig,
      R"({"leader":"n1","member":"n2","scheduled_at":"2024-03-01T12:30:00+00:00"})",
      R"([[1,25165984,"r"],[2,50331808,"r","2024-03-01T12:00:00+00:00","n2"]])",
      R"({"optime":67109024,"slots":{"cdc":67108000}})"};
  for (int i = 0; i < 3000; ++i) {
    std::string value = samples[rng() % samples.size()];
    for (int flips = 1 + rng() % 4; flips > 0; --flips) {
      value[rng() % value.size()] = static_cast<char>(rng() & 0xFF);
    }
    DecodeEverything(value);
  }
}

}  // namespace
}  // namespace warden
