// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// wardenctl's commands, run as a user runs them (an argument list, typed answers on stdin)
// against the in-memory DCS seeded with the keys a Patroni 3.0 cluster writes, with the agents'
// REST API answered by a script. Each test checks what was printed and what was (or was not)
// written to the DCS or sent to an agent.

#include "ctl.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "config_edit.h"
#include "dcs_target.h"
#include "diff.h"
#include "http_client.h"
#include "py_json.h"
#include "warden/agent/agent_config.h"
#include "warden/dcs/memory.h"
#include "yaml_text.h"

namespace warden::ctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int64_t kMiB = 1024 * 1024;
constexpr int64_t kLeaderLsn = 64 * kMiB;
constexpr char kConfig[] =
    R"({"ttl":30,"loop_wait":10,"retry_timeout":10,"maximum_lag_on_failover":1048576,)"
    R"("postgresql":{"use_pg_rewind":true,"parameters":{"max_connections":100}}})";

// A member key as Patroni 3.0 writes it.
std::string MemberJson(const std::string& host, const std::string& role, const std::string& state,
                       std::optional<int64_t> xlog, const std::string& extra = "") {
  std::string json =
      absl::StrCat(R"({"conn_url":"postgres://)", host, R"(/postgres","api_url":"http://)",
                   host.substr(0, host.find(':')), R"(:8008/patroni","state":")", state,
                   R"(","role":")", role, R"(","version":"3.0.2")");
  if (xlog) absl::StrAppend(&json, R"(,"xlog_location":)", *xlog);
  absl::StrAppend(&json, R"(,"timeline":3)", extra, "}");
  return json;
}

// Scripted agents: replies by "METHOD URL", taken in order (the last one repeats). A request
// with no reply scripted cannot connect, like an agent that is down.
class FakeAgents {
 public:
  void Reply(const std::string& method, const std::string& url, int status,
             const std::string& body) {
    replies_[method + " " + url].push_back(HttpResponse{status, body});
  }
  void Fail(const std::string& method, const std::string& url, absl::Status status) {
    replies_[method + " " + url].push_back(std::move(status));
  }
  absl::StatusOr<HttpResponse> operator()(const HttpRequest& request) {
    requests_.push_back(request);
    auto it = replies_.find(request.method + " " + request.url);
    if (it == replies_.end()) {
      return absl::UnavailableError(absl::StrCat(request.url, ": connection refused"));
    }
    absl::StatusOr<HttpResponse> reply = it->second.front();
    if (it->second.size() > 1) it->second.pop_front();
    return reply;
  }
  const std::vector<HttpRequest>& requests() const { return requests_; }
  std::vector<std::string> Sent() const {
    std::vector<std::string> sent;
    for (const HttpRequest& r : requests_) sent.push_back(r.method + " " + r.url + " " + r.body);
    return sent;
  }

 private:
  std::map<std::string, std::deque<absl::StatusOr<HttpResponse>>> replies_;
  std::vector<HttpRequest> requests_;
};

// A Dcs that lets another writer change the config key just before our first transaction:
// the race a compare-and-swap exists for.
class RacingDcs final : public Dcs {
 public:
  RacingDcs(std::unique_ptr<Dcs> inner, Dcs* racer, std::string key, std::string value, int races)
      : inner_(std::move(inner)),
        racer_(racer),
        key_(std::move(key)),
        value_(std::move(value)),
        races_(races) {}

  absl::StatusOr<TxnResult> Txn(const TxnRequest& txn, absl::Time deadline) override {
    if (races_-- > 0) {
      EXPECT_TRUE(racer_->Put(key_, value_, kNoLease, deadline).ok());
    }
    return inner_->Txn(txn, deadline);
  }
  absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) override {
    return inner_->Get(key, deadline);
  }
  absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) override {
    return inner_->List(prefix, deadline);
  }
  absl::StatusOr<Revision> Put(std::string_view key, std::string_view value, LeaseId lease,
                               absl::Time deadline) override {
    return inner_->Put(key, value, lease, deadline);
  }
  absl::StatusOr<DeleteResult> Delete(std::string_view key, absl::Time deadline) override {
    return inner_->Delete(key, deadline);
  }
  absl::StatusOr<DeleteResult> DeletePrefix(std::string_view prefix, absl::Time deadline) override {
    return inner_->DeletePrefix(prefix, deadline);
  }
  absl::StatusOr<Lease> GrantLease(absl::Duration ttl, absl::Time deadline) override {
    return inner_->GrantLease(ttl, deadline);
  }
  absl::StatusOr<absl::Duration> KeepAlive(LeaseId lease, absl::Time deadline) override {
    return inner_->KeepAlive(lease, deadline);
  }
  absl::Status RevokeLease(LeaseId lease, absl::Time deadline) override {
    return inner_->RevokeLease(lease, deadline);
  }
  absl::StatusOr<LeaseStatus> LeaseTimeToLive(LeaseId lease, absl::Time deadline) override {
    return inner_->LeaseTimeToLive(lease, deadline);
  }
  absl::StatusOr<std::unique_ptr<WatchHandle>> Watch(std::string_view prefix, Revision from,
                                                     WatchCallback callback,
                                                     absl::Time deadline) override {
    return inner_->Watch(prefix, from, std::move(callback), deadline);
  }

 private:
  std::unique_ptr<Dcs> inner_;
  Dcs* racer_;
  std::string key_;
  std::string value_;
  int races_;
};

class CtlTest : public ::testing::Test {
 protected:
  CtlTest() : seed_(store_.NewClient("seed")) {}

  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(seed_->Put(key, value, kNoLease, absl::InfiniteFuture()).ok());
  }
  std::optional<std::string> Value(const std::string& key) {
    absl::StatusOr<GetResult> got = seed_->Get(key, absl::InfiniteFuture());
    EXPECT_TRUE(got.ok());
    if (!got.ok() || !got->kv) return std::nullopt;
    return got->kv->value;
  }
  Revision ModRevision(const std::string& key) {
    absl::StatusOr<GetResult> got = seed_->Get(key, absl::InfiniteFuture());
    return got.ok() && got->kv ? got->kv->mod_revision : 0;
  }

  // A healthy three-member cluster: node1 leads, node2 is its synchronous standby, node3 is
  // 2.5 MiB behind (which Python's round() shows as 2).
  void SeedCluster() {
    Put("/service/demo/initialize", "7218046306071193898");
    Put("/service/demo/config", kConfig);
    Put("/service/demo/leader", "node1");
    Put("/service/demo/status", absl::StrCat(R"({"optime":)", kLeaderLsn, "}"));
    Put("/service/demo/sync", R"({"leader":"node1","sync_standby":"node2"})");
    Put("/service/demo/members/node1",
        MemberJson("10.0.0.1:5432", "master", "running", kLeaderLsn));
    Put("/service/demo/members/node2",
        MemberJson("10.0.0.2:5432", "replica", "streaming", kLeaderLsn));
    Put("/service/demo/members/node3",
        MemberJson("10.0.0.3:5432", "replica", "streaming", kLeaderLsn - 5 * kMiB / 2));
  }

  // Runs wardenctl against the demo cluster; `input` is what the user types.
  int Run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--dcs", "etcd3://127.0.0.1:2379", "--scope", "demo"});
    return RunRaw(args, input);
  }

  int RunRaw(const std::vector<std::string>& args, const std::string& input = "") {
    std::istringstream in(input);
    std::ostringstream out, err;
    CtlDeps deps;
    deps.open_dcs = [this](const DcsTarget& target) -> absl::StatusOr<std::unique_ptr<Dcs>> {
      opened_ = target;
      std::unique_ptr<MemoryDcs> client = store_.NewClient("wardenctl");
      if (partitioned_) client->Partition();
      if (race_) {
        return std::make_unique<RacingDcs>(std::move(client), seed_.get(), race_->first,
                                           race_->second, races_);
      }
      return std::unique_ptr<Dcs>(std::move(client));
    };
    deps.load_config = load_config_;
    deps.http = [this](const HttpRequest& request) { return agents_(request); };
    deps.edit = edit_;
    deps.in = &in;
    deps.out = &out;
    deps.err = &err;
    deps.now = [this] { return now_; };
    deps.sleep = [this](absl::Duration d) {
      now_ += d;
      sleeps_.push_back(d);
    };
    deps.time_zone = absl::UTCTimeZone();
    const int rc = RunWardenctl(args, deps);
    out_ = out.str();
    err_ = err.str();
    return rc;
  }

  MemoryStore store_;
  std::unique_ptr<MemoryDcs> seed_;
  FakeAgents agents_;
  ConfigLoader load_config_;
  EditFn edit_;
  bool partitioned_ = false;
  std::optional<std::pair<std::string, std::string>> race_;
  int races_ = 1;
  std::optional<DcsTarget> opened_;
  absl::Time now_ = absl::FromCivil(absl::CivilSecond(2026, 5, 4, 10, 0, 0), absl::UTCTimeZone());
  std::vector<absl::Duration> sleeps_;
  std::string out_;
  std::string err_;
};

constexpr char kListTable[] =
    "+ Cluster: demo (7218046306071193898) ---------+----+-----------+\n"
    "| Member | Host     | Role         | State     | TL | Lag in MB |\n"
    "+--------+----------+--------------+-----------+----+-----------+\n"
    "| node1  | 10.0.0.1 | Leader       | running   |  3 |           |\n"
    "| node2  | 10.0.0.2 | Sync Standby | streaming |  3 |         0 |\n"
    "| node3  | 10.0.0.3 | Replica      | streaming |  3 |         2 |\n"
    "+--------+----------+--------------+-----------+----+-----------+\n";

// --- command line ---------------------------------------------------------------------------

TEST_F(CtlTest, HelpListsEveryCommand) {
  EXPECT_EQ(RunRaw({"--help"}), 0);
  for (const char* command :
       {"list", "topology", "switchover", "failover", "restart", "reload", "reinit", "pause",
        "resume", "show-config", "edit-config", "history", "remove"}) {
    EXPECT_THAT(out_, HasSubstr(absl::StrCat("\n  ", command, " "))) << command;
  }
}

TEST_F(CtlTest, UnknownCommandIsAUsageError) {
  EXPECT_EQ(Run({"lsit"}), 2);
  EXPECT_THAT(err_, HasSubstr("No such command 'lsit'"));
  EXPECT_THAT(err_, HasSubstr("Usage: wardenctl"));
}

TEST_F(CtlTest, UnknownOrMisplacedOptionIsAUsageError) {
  EXPECT_EQ(Run({"list", "--bogus"}), 2);
  EXPECT_THAT(err_, HasSubstr("No such option: --bogus"));
  EXPECT_EQ(Run({"list", "--candidate", "node2"}), 2);
  EXPECT_THAT(err_, HasSubstr("'--candidate' does not apply to 'list'"));
  EXPECT_EQ(Run({"switchover", "--candidate"}), 2);
  EXPECT_THAT(err_, HasSubstr("requires an argument"));
  EXPECT_EQ(Run({"list", "--format", "xml"}), 2);
  EXPECT_EQ(Run({"restart", "demo", "--role", "standby"}), 2);
  EXPECT_THAT(err_, HasSubstr("Invalid role 'standby'"));
}

TEST_F(CtlTest, MissingClusterArgumentIsAUsageError) {
  SeedCluster();
  EXPECT_EQ(Run({"restart"}), 2);
  EXPECT_THAT(err_, HasSubstr("Missing argument"));
  EXPECT_THAT(agents_.requests(), IsEmpty());
}

TEST_F(CtlTest, NeedsADcsAndAScope) {
  EXPECT_EQ(RunRaw({"list"}), 2);
  EXPECT_THAT(err_, HasSubstr("no DCS"));
  EXPECT_EQ(RunRaw({"--dcs", "etcd3://127.0.0.1:2379", "list"}), 2);
  EXPECT_THAT(err_, HasSubstr("no cluster"));
}

TEST_F(CtlTest, ClusterNameMustBeTheScope) {
  SeedCluster();
  EXPECT_EQ(Run({"list", "other"}), 2);
  EXPECT_THAT(err_, HasSubstr("cluster 'other' is not this configuration's scope 'demo'"));
  EXPECT_EQ(RunRaw({"--dcs", "etcd3://127.0.0.1:2379", "list", "demo"}), 0);
  EXPECT_EQ(out_, kListTable);
}

TEST(DcsUrlTest, ParsesEtcd3Hosts) {
  EXPECT_THAT(*ParseDcsUrl("etcd3://10.0.0.1:2379,10.0.0.2"),
              ElementsAre("10.0.0.1:2379", "10.0.0.2:2379"));
  EXPECT_THAT(*ParseDcsUrl("localhost"), ElementsAre("localhost:2379"));
  EXPECT_EQ(ParseDcsUrl("zookeeper://h:2181").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseDcsUrl("etcd3://").ok());
}

TEST_F(CtlTest, ConfigFileGivesScopeNamespaceHostsAndRestCredentials) {
  load_config_ = [](const std::string& path) -> absl::StatusOr<AgentConfig> {
    if (path != "/etc/patroni.yml") return absl::NotFoundError("no such file");
    AgentConfig config;
    config.agent.scope = "demo";
    config.agent.namespace_ = "/db";
    config.agent.restapi.username = "admin";
    config.agent.restapi.password = "secret";
    config.dcs.hosts = {"10.0.0.9:2379"};
    return config;
  };
  Put("/db/demo/leader", "node1");
  Put("/db/demo/members/node1", MemberJson("10.0.0.1:5432", "master", "running", kLeaderLsn));
  agents_.Reply("POST", "http://10.0.0.1:8008/restart", 200, "restarted");
  EXPECT_EQ(RunRaw({"-c", "/etc/patroni.yml", "restart", "demo", "node1", "--force"}), 0) << err_;
  ASSERT_TRUE(opened_);
  EXPECT_THAT(opened_->etcd.endpoints, ElementsAre("10.0.0.9:2379"));
  ASSERT_EQ(agents_.requests().size(), 1u);
  EXPECT_EQ(agents_.requests()[0].username, "admin");
  EXPECT_EQ(agents_.requests()[0].password, "secret");
  EXPECT_THAT(out_, HasSubstr("Success: restart on member node1"));
  EXPECT_EQ(RunRaw({"-c", "/missing.yml", "list"}), 1);
  EXPECT_THAT(err_, HasSubstr("/missing.yml: no such file"));
}

// --- list, topology ---------------------------------------------------------------------------

TEST_F(CtlTest, ListPrintsPatronictlTable) {
  SeedCluster();
  EXPECT_EQ(Run({"list"}), 0) << err_;
  EXPECT_EQ(out_, kListTable);
  EXPECT_EQ(err_, "");
}

TEST_F(CtlTest, ListJsonHasPatronictlKeysAndTypes) {
  SeedCluster();
  EXPECT_EQ(Run({"list", "--format", "json"}), 0);
  EXPECT_EQ(out_,
            R"([{"Cluster": "demo", "Member": "node1", "Host": "10.0.0.1", "Role": "Leader", )"
            R"("State": "running", "TL": 3}, )"
            R"({"Cluster": "demo", "Member": "node2", "Host": "10.0.0.2", "Role": "Sync Standby", )"
            R"("State": "streaming", "TL": 3, "Lag in MB": 0}, )"
            R"({"Cluster": "demo", "Member": "node3", "Host": "10.0.0.3", "Role": "Replica", )"
            R"("State": "streaming", "TL": 3, "Lag in MB": 2}])"
            "\n");
}

TEST_F(CtlTest, ListShowsPortsWhenMembersShareAHostAndUnknownLag) {
  Put("/service/demo/leader", "a");
  Put("/service/demo/members/a", MemberJson("127.0.0.1:5432", "master", "running", 3 * kMiB));
  Put("/service/demo/members/b", MemberJson("127.0.0.1:5433", "replica", "starting", std::nullopt));
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_EQ(out_,
            "+ Cluster: demo (uninitialized) ----+----------+----+-----------+\n"
            "| Member | Host           | Role    | State    | TL | Lag in MB |\n"
            "+--------+----------------+---------+----------+----+-----------+\n"
            "| a      | 127.0.0.1:5432 | Leader  | running  |  3 |           |\n"
            "| b      | 127.0.0.1:5433 | Replica | starting |  3 |   unknown |\n"
            "+--------+----------------+---------+----------+----+-----------+\n");
}

TEST_F(CtlTest, ListFooterShowsMaintenanceAndScheduledSwitchover) {
  SeedCluster();
  Put("/service/demo/config", R"({"ttl":30,"pause":true})");
  Put("/service/demo/failover",
      R"({"leader":"node1","member":"node2","scheduled_at":"2026-05-04T12:00:00+00:00"})");
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_THAT(out_, StartsWith(kListTable));
  EXPECT_EQ(out_.substr(std::string(kListTable).size()),
            " Maintenance mode: on\n"
            " Switchover scheduled at: 2026-05-04T12:00:00+00:00\n"
            "                    from: node1\n"
            "                      to: node2\n");
}

TEST_F(CtlTest, ListShowsTagsColumnWhenAMemberHasTags) {
  SeedCluster();
  Put("/service/demo/members/node3", MemberJson("10.0.0.3:5432", "replica", "streaming", kLeaderLsn,
                                                R"(,"tags":{"nofailover":true})"));
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_THAT(out_, HasSubstr("| Lag in MB | Tags             |\n"));
  EXPECT_THAT(out_, HasSubstr("|         0 | nofailover: true |\n"));
}

TEST_F(CtlTest, ListExtendedShowsPendingAndScheduledRestarts) {
  SeedCluster();
  Put("/service/demo/members/node2",
      MemberJson(
          "10.0.0.2:5432", "replica", "streaming", kLeaderLsn,
          R"(,"pending_restart":true,"scheduled_restart":{"schedule":"2026-05-05T01:00:00+00:00"})"));
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_THAT(out_, HasSubstr("| Lag in MB | Pending restart | Scheduled restart         |\n"));
  EXPECT_THAT(out_, HasSubstr("|         0 | *               | 2026-05-05T01:00:00+00:00 |\n"));
  EXPECT_EQ(Run({"list", "-e", "-f", "tsv"}), 0);
  EXPECT_THAT(out_, HasSubstr("Cluster\tMember\tHost\tRole\tState\tTL\tLag in MB\tPending restart\t"
                              "Scheduled restart\tTags\n"));
  EXPECT_THAT(out_, HasSubstr("demo\tnode3\t10.0.0.3\tReplica\tstreaming\t3\t2\t\t\t\n"));
}

TEST_F(CtlTest, ListWarnsAboutUnreadableKeysAndShowsTheRest) {
  SeedCluster();
  Put("/service/demo/members/node4", "{not json");
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_EQ(out_, kListTable);
  EXPECT_THAT(err_, HasSubstr("Warning: /service/demo/members/node4"));
}

TEST_F(CtlTest, TopologyIndentsReplicasUnderTheirUpstream) {
  SeedCluster();
  Put("/service/demo/members/node3", MemberJson("10.0.0.3:5432", "replica", "streaming", kLeaderLsn,
                                                R"(,"tags":{"replicatefrom":"node2"})"));
  EXPECT_EQ(Run({"topology"}), 0);
  EXPECT_THAT(out_, HasSubstr("| node1     | 10.0.0.1 | Leader       |"));
  EXPECT_THAT(out_, HasSubstr("| + node2   | 10.0.0.2 | Sync Standby |"));
  EXPECT_THAT(out_, HasSubstr("|   + node3 | 10.0.0.3 | Replica      |"));
  EXPECT_THAT(out_, HasSubstr("{replicatefrom: node2}"));  // flow YAML in the topology
}

TEST_F(CtlTest, ListFailsWhenTheDcsIsUnreachable) {
  SeedCluster();
  partitioned_ = true;
  EXPECT_EQ(Run({"list"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: cannot read /service/demo/ from the DCS"));
  EXPECT_EQ(out_, "");
}

// --- switchover, failover ---------------------------------------------------------------------

TEST_F(CtlTest, SwitchoverPostsToTheLeader) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/switchover", 200,
                "Successfully switched over to \"node3\"");
  EXPECT_EQ(Run({"switchover", "--leader", "node1", "--candidate", "node3", "--force"}), 0) << err_;
  EXPECT_THAT(
      agents_.Sent(),
      ElementsAre(
          R"(POST http://10.0.0.1:8008/switchover {"leader":"node1","candidate":"node3"})"));
  EXPECT_THAT(out_,
              HasSubstr("2026-05-04 10:00:00.00000 Successfully switched over to \"node3\"\n"));
  EXPECT_THAT(out_, HasSubstr("Current cluster topology\n+ Cluster: demo"));
  EXPECT_EQ(Value("/service/demo/failover"), std::nullopt);
}

TEST_F(CtlTest, SwitchoverAsksWhatWasNotGiven) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/switchover", 200, "ok");
  EXPECT_EQ(Run({"switchover"}, "\nnode2\n\ny\n"), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Primary [node1]: "));
  EXPECT_THAT(out_, HasSubstr("Candidate ['node2', 'node3'] []: "));
  EXPECT_THAT(out_,
              HasSubstr("When should the switchover take place (e.g. 2026-05-04T11:00 )  [now]: "));
  EXPECT_THAT(out_, HasSubstr("Are you sure you want to switchover cluster demo, demoting current "
                              "leader node1? [y/N]: "));
  EXPECT_THAT(
      agents_.Sent(),
      ElementsAre(
          R"(POST http://10.0.0.1:8008/switchover {"leader":"node1","candidate":"node2"})"));
}

TEST_F(CtlTest, SwitchoverDeclinedSendsNothing) {
  SeedCluster();
  EXPECT_EQ(
      Run({"switchover", "--leader", "node1", "--candidate", "node2", "--scheduled", "now"}, "n\n"),
      1);
  EXPECT_THAT(err_, HasSubstr("Error: Aborting switchover"));
  EXPECT_THAT(agents_.requests(), IsEmpty());
  EXPECT_EQ(Value("/service/demo/failover"), std::nullopt);
}

TEST_F(CtlTest, SwitchoverRefusesAWrongLeader) {
  SeedCluster();
  EXPECT_EQ(Run({"switchover", "--leader", "node2", "--candidate", "node3", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: Member node2 is not the leader of cluster demo"));
  EXPECT_THAT(agents_.requests(), IsEmpty());
}

TEST_F(CtlTest, SwitchoverRefusesUnknownOrSameCandidate) {
  SeedCluster();
  EXPECT_EQ(Run({"switchover", "--candidate", "node9", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Member node9 does not exist in cluster demo"));
  EXPECT_EQ(Run({"switchover", "--candidate", "node1", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Switchover target and source are the same."));
  EXPECT_THAT(agents_.requests(), IsEmpty());
}

TEST_F(CtlTest, SwitchoverFallsBackToTheFailoverKeyWhenNoAgentAnswers) {
  SeedCluster();
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--force"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Could not switchover using Patroni api, falling back to DCS"));
  EXPECT_EQ(Value("/service/demo/failover"), R"({"leader":"node1","member":"node2"})");
}

TEST_F(CtlTest, SwitchoverReportsAnAgentsRefusal) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/switchover", 412, "candidate node2 is lagging");
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Switchover failed, details: 412, candidate node2 is lagging"));
  EXPECT_EQ(Value("/service/demo/failover"), std::nullopt);
}

TEST_F(CtlTest, SwitchoverWhoseAnswerTimesOutIsNotRetriedThroughTheDcs) {
  SeedCluster();
  agents_.Fail("POST", "http://10.0.0.1:8008/switchover", absl::DeadlineExceededError("slow"));
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Switchover status unknown"));
  EXPECT_EQ(Value("/service/demo/failover"), std::nullopt);
}

TEST_F(CtlTest, ScheduledSwitchoverSendsTheTimeAndIsRefusedWhilePaused) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/switchover", 202, "Switchover scheduled");
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--scheduled", "2026-05-04T14:30+02:00",
                 "--force"}),
            0)
      << err_;
  EXPECT_THAT(agents_.Sent(),
              ElementsAre(R"(POST http://10.0.0.1:8008/switchover {"leader":"node1",)"
                          R"("candidate":"node2","scheduled_at":"2026-05-04T12:30:00+00:00"})"));
  Put("/service/demo/config", R"({"pause":true})");
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--scheduled", "2026-05-04T14:30+02:00",
                 "--force"}),
            1);
  EXPECT_THAT(err_, HasSubstr("Can't schedule switchover in the paused state"));
  EXPECT_EQ(Run({"switchover", "--candidate", "node2", "--scheduled", "tomorrow", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Unable to parse scheduled timestamp (tomorrow)"));
}

TEST_F(CtlTest, FailoverPostsTheCandidate) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/failover", 200, "Successfully failed over");
  EXPECT_EQ(Run({"failover", "--candidate", "node3", "--force"}), 0) << err_;
  EXPECT_THAT(agents_.Sent(),
              ElementsAre(R"(POST http://10.0.0.1:8008/failover {"candidate":"node3"})"));
}

TEST_F(CtlTest, FailoverWithoutALeaderAsksTheCandidateThenTheDcs) {
  SeedCluster();
  ASSERT_TRUE(seed_->Delete("/service/demo/leader", absl::InfiniteFuture()).ok());
  EXPECT_EQ(Run({"failover", "--candidate", "node3", "--force"}), 0) << err_;
  EXPECT_THAT(agents_.Sent(),
              ElementsAre(R"(POST http://10.0.0.3:8008/failover {"candidate":"node3"})"));
  EXPECT_EQ(Value("/service/demo/failover"), R"({"member":"node3"})");
}

TEST_F(CtlTest, FailoverNeedsAnEligibleCandidate) {
  SeedCluster();
  EXPECT_EQ(Run({"failover", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Failover could be performed only to a specific candidate"));
  Put("/service/demo/members/node3", MemberJson("10.0.0.3:5432", "replica", "streaming", kLeaderLsn,
                                                R"(,"tags":{"nofailover":true})"));
  EXPECT_EQ(Run({"failover", "--candidate", "node3", "--force"}), 1);
  EXPECT_THAT(err_,
              HasSubstr("Member node3 does not exist in cluster demo or is tagged as nofailover"));
  EXPECT_THAT(agents_.requests(), IsEmpty());
}

// --- restart, reload, reinit ------------------------------------------------------------------

TEST_F(CtlTest, RestartOneMember) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.2:8008/restart", 200, "restarted successfully");
  EXPECT_EQ(Run({"restart", "demo", "node2", "--force"}), 0) << err_;
  EXPECT_THAT(agents_.Sent(), ElementsAre("POST http://10.0.0.2:8008/restart {}"));
  EXPECT_THAT(out_, HasSubstr("Success: restart on member node2\n"));
}

TEST_F(CtlTest, RestartAllAfterConfirmationReportsEachMember) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/restart", 200, "ok");
  agents_.Reply("POST", "http://10.0.0.2:8008/restart", 503, "restart failed");
  agents_.Reply("POST", "http://10.0.0.3:8008/restart", 202, "scheduled");
  EXPECT_EQ(Run({"restart", "demo"}, "y\n"), 1);
  EXPECT_THAT(out_,
              HasSubstr("Are you sure you want to restart members node1, node2, node3? [y/N]: "));
  EXPECT_THAT(out_,
              HasSubstr("Success: restart on member node1\n"
                        "Failed: restart for member node2, status code=503, (restart failed)\n"
                        "Success: restart scheduled on member node3\n"));
}

TEST_F(CtlTest, RestartDeclinedOrUnknownMemberSendsNothing) {
  SeedCluster();
  EXPECT_EQ(Run({"restart", "demo", "node2"}, "n\n"), 1);
  EXPECT_THAT(err_, HasSubstr("Error: Aborted restart"));
  EXPECT_EQ(Run({"restart", "demo", "node7", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: node7 is not a member of cluster"));
  EXPECT_THAT(agents_.requests(), IsEmpty());
}

TEST_F(CtlTest, RestartByRoleOnlyTouchesReplicas) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.2:8008/restart", 200, "ok");
  agents_.Reply("POST", "http://10.0.0.3:8008/restart", 200, "ok");
  EXPECT_EQ(Run({"restart", "demo", "--role", "replica", "--force"}), 0) << err_;
  EXPECT_THAT(agents_.Sent(), ElementsAre("POST http://10.0.0.2:8008/restart {}",
                                          "POST http://10.0.0.3:8008/restart {}"));
}

TEST_F(CtlTest, UnreachableMemberIsAFailedLine) {
  SeedCluster();
  EXPECT_EQ(Run({"restart", "demo", "node3", "--force"}), 1);
  EXPECT_THAT(out_, HasSubstr("Failed: restart for member node3, (http://10.0.0.3:8008/restart: "
                              "connection refused)"));
}

TEST_F(CtlTest, ReloadSaysWhenItApplies) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.1:8008/reload", 202, "reload scheduled");
  agents_.Reply("POST", "http://10.0.0.2:8008/reload", 200, "nothing to do");
  EXPECT_EQ(Run({"reload", "demo", "node1", "node2", "--force"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Reload request received for member node1 and will be processed "
                              "within 10 seconds\nNo changes to apply on member node2\n"));
}

TEST_F(CtlTest, ReinitSendsForceAndOffersToForceARunningOne) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.3:8008/reinitialize", 503,
                "reinitialize already in progress");
  agents_.Reply("POST", "http://10.0.0.3:8008/reinitialize", 200, "reinitialize started");
  EXPECT_EQ(Run({"reinit", "demo", "node3"}, "y\ny\n"), 0) << err_;
  EXPECT_THAT(agents_.Sent(),
              ElementsAre(R"(POST http://10.0.0.3:8008/reinitialize {"force":false})",
                          R"(POST http://10.0.0.3:8008/reinitialize {"force":true})"));
  EXPECT_THAT(out_, HasSubstr("Do you want to cancel it and reinitialize anyway? [y/N]: "));
  EXPECT_THAT(out_, HasSubstr("Success: reinitialize for member node3\n"));
}

TEST_F(CtlTest, ReinitWaitPollsUntilTheReplicaIsCreated) {
  SeedCluster();
  agents_.Reply("POST", "http://10.0.0.3:8008/reinitialize", 200, "started");
  agents_.Reply("GET", "http://10.0.0.3:8008/patroni", 200, R"({"state":"creating replica"})");
  agents_.Reply("GET", "http://10.0.0.3:8008/patroni", 200, R"({"state":"running"})");
  EXPECT_EQ(Run({"reinit", "demo", "node3", "--force", "--wait"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Waiting for reinitialize to complete on: node3\n"
                              "Reinitialize is completed on: node3\n"));
  EXPECT_EQ(sleeps_.size(), 2u);
}

// --- pause, resume ----------------------------------------------------------------------------

TEST_F(CtlTest, PauseSetsPauseKeepingTheRestOfTheConfig) {
  SeedCluster();
  EXPECT_EQ(Run({"pause"}), 0) << err_;
  EXPECT_EQ(out_, "Success: cluster management is paused\n");
  const Json config = ParseJsonOrDiscarded(*Value("/service/demo/config"));
  EXPECT_EQ(config["pause"], true);
  EXPECT_EQ(config["postgresql"]["parameters"]["max_connections"], 100);
  EXPECT_EQ(config["ttl"], 30);
  EXPECT_EQ(Run({"pause"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: Cluster is already paused"));
}

TEST_F(CtlTest, PauseAndEditConfigRefuseAClusterThatDoesNotExist) {
  EXPECT_EQ(Run({"pause"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: no cluster 'demo' in the DCS"));
  EXPECT_EQ(Run({"edit-config", "-s", "ttl=40", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: no cluster 'demo' in the DCS"));
  EXPECT_EQ(Value("/service/demo/config"), std::nullopt);
}

TEST_F(CtlTest, ResumeClearsPause) {
  SeedCluster();
  EXPECT_EQ(Run({"resume"}), 1);
  EXPECT_THAT(err_, HasSubstr("Cluster is not paused"));
  ASSERT_EQ(Run({"pause"}), 0);
  EXPECT_EQ(Run({"resume"}), 0) << err_;
  EXPECT_EQ(ParseJsonOrDiscarded(*Value("/service/demo/config"))["pause"], false);
}

TEST_F(CtlTest, PauseRetriesWhenTheConfigChangesUnderIt) {
  SeedCluster();
  race_ = {"/service/demo/config", R"({"ttl":30,"loop_wait":7})"};
  EXPECT_EQ(Run({"pause"}), 0) << err_;
  const Json config = ParseJsonOrDiscarded(*Value("/service/demo/config"));
  EXPECT_EQ(config["pause"], true);
  EXPECT_EQ(config["loop_wait"], 7);  // the concurrent change survived
}

TEST_F(CtlTest, PauseWaitPollsEveryMember) {
  SeedCluster();
  for (const char* host : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) {
    const std::string url = absl::StrCat("http://", host, ":8008/patroni");
    agents_.Reply("GET", url, 200, R"({"state":"running"})");
    agents_.Reply("GET", url, 200, R"({"state":"running","pause":true})");
  }
  EXPECT_EQ(Run({"pause", "--wait"}), 0) << err_;
  EXPECT_EQ(out_,
            "'pause' request sent, waiting until it is recognized by all nodes\n"
            "Success: cluster management is paused\n");
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(CtlTest, PauseWaitGivesUpNamingTheLaggards) {
  SeedCluster();
  agents_.Reply("GET", "http://10.0.0.1:8008/patroni", 200, R"({"pause":true})");
  agents_.Reply("GET", "http://10.0.0.2:8008/patroni", 200, R"({"pause":true})");
  EXPECT_EQ(Run({"pause", "--wait"}), 1);
  EXPECT_THAT(err_, HasSubstr("Error: node3 did not recognize the pause state after 30 seconds"));
  EXPECT_EQ(ParseJsonOrDiscarded(*Value("/service/demo/config"))["pause"], true);
}

// --- show-config, edit-config -----------------------------------------------------------------

TEST_F(CtlTest, ShowConfigPrintsSortedYaml) {
  SeedCluster();
  EXPECT_EQ(Run({"show-config"}), 0);
  EXPECT_EQ(out_,
            "loop_wait: 10\n"
            "maximum_lag_on_failover: 1048576\n"
            "postgresql:\n"
            "  parameters:\n"
            "    max_connections: 100\n"
            "  use_pg_rewind: true\n"
            "retry_timeout: 10\n"
            "ttl: 30\n"
            "\n");
}

TEST_F(CtlTest, EditConfigSetsValuesShowsTheDiffAndWrites) {
  SeedCluster();
  EXPECT_EQ(Run({"edit-config", "-s", "loop_wait=5", "-p", "max_connections=200", "--force"}), 0)
      << err_;
  EXPECT_EQ(out_,
            "--- \n"
            "+++ \n"
            "@@ -1,8 +1,8 @@\n"
            "-loop_wait: 10\n"
            "+loop_wait: 5\n"
            " maximum_lag_on_failover: 1048576\n"
            " postgresql:\n"
            "   parameters:\n"
            "-    max_connections: 100\n"
            "+    max_connections: 200\n"
            "   use_pg_rewind: true\n"
            " retry_timeout: 10\n"
            " ttl: 30\n"
            "Configuration changed\n");
  EXPECT_EQ(Value("/service/demo/config"),
            R"({"ttl":30,"loop_wait":5,"retry_timeout":10,"maximum_lag_on_failover":1048576,)"
            R"("postgresql":{"use_pg_rewind":true,"parameters":{"max_connections":200}}})");
}

TEST_F(CtlTest, EditConfigDeclinedWritesNothing) {
  SeedCluster();
  const Revision before = ModRevision("/service/demo/config");
  EXPECT_EQ(Run({"edit-config", "-s", "loop_wait=5"}, "n\n"), 0);
  EXPECT_THAT(out_, HasSubstr("Apply these changes? [y/N]: "));
  EXPECT_THAT(out_, Not(HasSubstr("Configuration changed")));
  EXPECT_EQ(ModRevision("/service/demo/config"), before);
}

TEST_F(CtlTest, EditConfigNullDeletesAndDottedKeysNest) {
  SeedCluster();
  EXPECT_EQ(Run({"edit-config", "-s", "maximum_lag_on_failover=null", "-s",
                 "postgresql.parameters.auto_explain.log_min_duration=250ms", "-s",
                 "synchronous_mode=on", "--force", "-q"}),
            0)
      << err_;
  EXPECT_EQ(out_, "Configuration changed\n");
  const Json config = ParseJsonOrDiscarded(*Value("/service/demo/config"));
  EXPECT_FALSE(config.contains("maximum_lag_on_failover"));
  EXPECT_EQ(config["postgresql"]["parameters"]["auto_explain.log_min_duration"], "250ms");
  EXPECT_EQ(config["synchronous_mode"], true);  // YAML 1.1: on is a boolean
}

TEST_F(CtlTest, EditConfigRefusesABrokenTimingRule) {
  SeedCluster();
  const Revision before = ModRevision("/service/demo/config");
  EXPECT_EQ(Run({"edit-config", "-s", "loop_wait=20", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("invalid timing"));
  EXPECT_EQ(Run({"edit-config", "-s", "ttl=thirty", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("invalid configuration"));
  EXPECT_EQ(ModRevision("/service/demo/config"), before);
}

TEST_F(CtlTest, EditConfigAbortsOnAConcurrentChange) {
  SeedCluster();
  race_ = {"/service/demo/config", R"({"ttl":30,"loop_wait":7})"};
  EXPECT_EQ(Run({"edit-config", "-s", "loop_wait=5", "--force"}), 1);
  EXPECT_THAT(err_, HasSubstr("Config modification aborted due to concurrent changes"));
  EXPECT_EQ(Value("/service/demo/config"), R"({"ttl":30,"loop_wait":7})");
}

TEST_F(CtlTest, EditConfigNotChanged) {
  SeedCluster();
  const Revision before = ModRevision("/service/demo/config");
  EXPECT_EQ(Run({"edit-config", "-s", "ttl=30", "--force"}), 0);
  EXPECT_EQ(out_, "Not changed\n");
  EXPECT_EQ(ModRevision("/service/demo/config"), before);
}

TEST_F(CtlTest, EditConfigAppliesAFileAndWantsForceForStdin) {
  SeedCluster();
  const std::string path = ::testing::TempDir() + "/wardenctl_apply.yaml";
  std::ofstream(path) << "loop_wait: 5\npostgresql:\n  parameters:\n    work_mem: 8MB\n";
  EXPECT_EQ(Run({"edit-config", "--apply", path, "--force"}), 0) << err_;
  Json config = ParseJsonOrDiscarded(*Value("/service/demo/config"));
  EXPECT_EQ(config["loop_wait"], 5);
  EXPECT_EQ(config["postgresql"]["parameters"]["work_mem"], "8MB");
  EXPECT_EQ(config["postgresql"]["parameters"]["max_connections"], 100);
  std::remove(path.c_str());

  const Revision before = ModRevision("/service/demo/config");
  EXPECT_EQ(Run({"edit-config", "--apply", "-"}, "ttl: 40\n"), 0);
  EXPECT_THAT(out_, HasSubstr("+ttl: 40\nUse --force option to apply changes\n"));
  EXPECT_EQ(ModRevision("/service/demo/config"), before);
}

TEST_F(CtlTest, EditConfigInTheEditor) {
  SeedCluster();
  edit_ = [](const std::string& text) -> absl::StatusOr<std::string> {
    std::string edited = text;
    edited.replace(edited.find("ttl: 30"), 7, "ttl: 40");
    return edited;
  };
  EXPECT_EQ(Run({"edit-config"}, "y\n"), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("-ttl: 30\n+ttl: 40\n"));
  EXPECT_EQ(ParseJsonOrDiscarded(*Value("/service/demo/config"))["ttl"], 40);
}

// --- history, remove --------------------------------------------------------------------------

TEST_F(CtlTest, HistoryTableAndJson) {
  Put("/service/demo/history",
      R"([[1,25165824,"no recovery target specified","2026-05-01T10:00:00+00:00","node1"],)"
      R"([2,50331648,"no recovery target specified"]])");
  EXPECT_EQ(Run({"history"}), 0);
  EXPECT_EQ(
      out_,
      "+----+----------+------------------------------+---------------------------+------------+\n"
      "| TL |      LSN | Reason                       | Timestamp                 | New Leader |\n"
      "+----+----------+------------------------------+---------------------------+------------+\n"
      "|  1 | 25165824 | no recovery target specified | 2026-05-01T10:00:00+00:00 | node1      |\n"
      "|  2 | 50331648 | no recovery target specified |                           |            |\n"
      "+----+----------+------------------------------+---------------------------+------------+"
      "\n");
  EXPECT_EQ(Run({"history", "-f", "json"}), 0);
  EXPECT_THAT(out_, HasSubstr(R"({"TL": 2, "LSN": 50331648, "Reason": "no recovery target )"
                              R"(specified", "Timestamp": "", "New Leader": ""})"));
}

TEST_F(CtlTest, RemoveDeletesTheClusterAfterThreeAnswers) {
  SeedCluster();
  Put("/service/other/leader", "x");
  EXPECT_EQ(Run({"remove", "demo"}, "demo\nYes I am aware\nnode1\n"), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("Please confirm the cluster name to remove: "));
  EXPECT_THAT(out_, HasSubstr("please type: \"Yes I am aware\": "));
  EXPECT_THAT(out_, HasSubstr("Please specify the leader name to continue: "));
  EXPECT_EQ(Value("/service/demo/leader"), std::nullopt);
  EXPECT_EQ(Value("/service/demo/members/node2"), std::nullopt);
  EXPECT_EQ(Value("/service/other/leader"), "x");
}

TEST_F(CtlTest, RemoveRefusesWrongAnswers) {
  SeedCluster();
  EXPECT_EQ(Run({"remove", "demo"}, "dmeo\n"), 1);
  EXPECT_THAT(err_, HasSubstr("Cluster names specified do not match"));
  EXPECT_EQ(Run({"remove", "demo"}, "demo\nyes\n"), 1);
  EXPECT_THAT(err_, HasSubstr("You did not exactly type \"Yes I am aware\""));
  EXPECT_EQ(Run({"remove", "demo"}, "demo\nYes I am aware\nnode2\n"), 1);
  EXPECT_THAT(err_, HasSubstr("You did not specify the current leader of the cluster"));
  EXPECT_EQ(Value("/service/demo/leader"), "node1");
}

// --- the pieces -------------------------------------------------------------------------------

TEST(YamlTest, DumpsLikePyYaml) {
  const Json data = Json::parse(
      R"({"b":"on","a":"10","c":"x: y","d":"","e":[1,{"g":"h","f":null}],"f":{},"g":"plain text",)"
      R"("h":1.5,"i":"it's","j":"- x"})");
  EXPECT_EQ(ToYaml(data),
            "a: '10'\n"
            "b: 'on'\n"
            "c: 'x: y'\n"
            "d: ''\n"
            "e:\n"
            "- 1\n"
            "- f: null\n"
            "  g: h\n"
            "f: {}\n"
            "g: plain text\n"
            "h: 1.5\n"
            "i: it's\n"
            "j: '- x'\n");
  EXPECT_EQ(ToFlowYaml(Json::parse(R"({"nofailover":true,"replicatefrom":"a,b"})")),
            "{nofailover: true, replicatefrom: 'a,b'}\n");
}

TEST(YamlTest, LoadsLikePyYamlSafeLoad) {
  EXPECT_EQ(*ParseYaml("on"), true);
  EXPECT_EQ(*ParseYaml("Off"), false);
  EXPECT_EQ(*ParseYaml("010"), 8);
  EXPECT_EQ(*ParseYaml("0x1F"), 31);
  EXPECT_EQ(*ParseYaml("1_000"), 1000);
  EXPECT_EQ(*ParseYaml("1e5"), "1e5");  // YAML 1.1 floats need a dot
  EXPECT_EQ(*ParseYaml("0.5"), 0.5);
  EXPECT_EQ(*ParseYaml("'on'"), "on");
  EXPECT_TRUE(ParseYaml("~")->is_null());
  EXPECT_TRUE(ParseYaml("")->is_null());
  EXPECT_EQ(*ParseYaml("{a: [1, x]}"), Json::parse(R"({"a":[1,"x"]})"));
  EXPECT_FALSE(ParseYaml("a: [1").ok());
}

TEST(DiffTest, UnifiedDiffHunksWithThreeLinesOfContext) {
  const std::string before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
  const std::string after = "a\nB\nc\nd\ne\nf\ng\nh\ni\nJ\n";
  EXPECT_EQ(UnifiedDiff(before, after),
            "--- \n+++ \n"
            "@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n"
            "@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J\n");
  EXPECT_EQ(UnifiedDiff(before, before), "");
}

TEST(ConfigEditTest, ParametersKeepTheirDots) {
  Json config = Json::object();
  ASSERT_TRUE(SetConfigValue(&config, "postgresql.parameters.pg_stat_statements.max=5000").ok());
  EXPECT_EQ(config,
            Json::parse(R"({"postgresql":{"parameters":{"pg_stat_statements.max":5000}}})"));
  ASSERT_TRUE(SetConfigValue(&config, "postgresql.parameters.pg_stat_statements.max=").ok());
  EXPECT_EQ(config, Json::object());  // emptied mappings go too
  EXPECT_FALSE(SetConfigValue(&config, "loop_wait").ok());
}

TEST(HttpTest, EndpointUrlAndBasicAuth) {
  EXPECT_EQ(EndpointUrl("http://10.0.0.1:8008/patroni", "switchover"),
            "http://10.0.0.1:8008/switchover");
  EXPECT_EQ(EndpointUrl("https://[::1]:8008", "restart"), "https://[::1]:8008/restart");
  EXPECT_EQ(BasicAuthorization("admin", "secret"), "Basic YWRtaW46c2VjcmV0");
  EXPECT_EQ(BasicAuthorization("a", "b"), "Basic YTpi");
}

// A listening socket on 127.0.0.1 and a free port.
int Listen(int* port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd, 4) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

TEST(HttpTest, RealClientTalksHttpWithBasicAuth) {
  int port = 0;
  const int fd = Listen(&port);
  ASSERT_GE(fd, 0);
  std::string received;
  std::thread server([&] {
    const int conn = ::accept(fd, nullptr, nullptr);
    char buffer[4096];
    while (received.find("\r\n\r\n") == std::string::npos ||
           received.find("{\"a\":1}") == std::string::npos) {
      const ssize_t n = ::read(conn, buffer, sizeof(buffer));
      if (n <= 0) break;
      received.append(buffer, static_cast<size_t>(n));
    }
    const std::string reply = "HTTP/1.1 202 Accepted\r\nContent-Length: 9\r\n\r\nscheduled";
    EXPECT_EQ(::write(conn, reply.data(), reply.size()), static_cast<ssize_t>(reply.size()));
    ::close(conn);
  });
  HttpRequest request{.method = "POST",
                      .url = absl::StrCat("http://127.0.0.1:", port, "/switchover"),
                      .body = R"({"a":1})",
                      .username = "admin",
                      .password = "secret",
                      .timeout = absl::Seconds(5),
                      .cacert = "",
                      .insecure = false};
  absl::StatusOr<HttpResponse> response = CallHttp(request);
  server.join();
  ::close(fd);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "scheduled");
  EXPECT_THAT(received, StartsWith("POST /switchover HTTP/1.1\r\n"));
  EXPECT_THAT(received, HasSubstr("Authorization: Basic YWRtaW46c2VjcmV0\r\n"));
}

TEST(HttpTest, RealClientSaysWhetherTheRequestWentOut) {
  int port = 0;
  int fd = Listen(&port);
  ASSERT_GE(fd, 0);
  HttpRequest request{.method = "GET",
                      .url = absl::StrCat("http://127.0.0.1:", port, "/patroni"),
                      .body = "",
                      .username = "",
                      .password = "",
                      .timeout = absl::Milliseconds(300),
                      .cacert = "",
                      .insecure = false};
  // Listening but never answering: connected and sent, then no answer in time.
  EXPECT_EQ(CallHttp(request).status().code(), absl::StatusCode::kDeadlineExceeded);
  ::close(fd);
  // Nobody listening: could not connect.
  EXPECT_EQ(CallHttp(request).status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace warden::ctl
