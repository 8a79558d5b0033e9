// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Three Agents in one process, in real time (Asio timers, REST over loopback, HTTP probes) over
// the in-memory DCS and FakeControllers: a leader is elected, health checks answer as HAProxy
// expects, a stopped leader hands over at once, and a switchover through the REST API works.
// Waits are on observer events, never sleeps.

#include "warden/agent/agent.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "gtest/gtest.h"
#include "tests/common/http_status.h"
#include "warden/dcs/forwarding.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

namespace warden {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

int HttpStatus(int port, http::verb verb, const std::string& target, const std::string& body = "") {
  return test::HttpStatus(port, std::string(http::to_string(verb)), target, body);
}

// Counts the reads an agent sends.
class CountingDcs : public ForwardingDcs {
 public:
  using ForwardingDcs::ForwardingDcs;
  absl::StatusOr<ListResult> List(std::string_view prefix, absl::Time deadline) override {
    ++lists;
    return ForwardingDcs::List(prefix, deadline);
  }
  absl::StatusOr<GetResult> Get(std::string_view key, absl::Time deadline) override {
    ++gets;
    return ForwardingDcs::Get(key, deadline);
  }
  std::atomic<int> lists{0};
  std::atomic<int> gets{0};
};

class AgentTest : public ::testing::Test {
 protected:
  AgentTest() {
    for (int i = 1; i <= 3; ++i) {
      const std::string name = absl::StrCat("n", i), host = absl::StrCat("10.0.0.", i);
      dcs_.push_back(store_.NewClient(name));
      counted_.push_back(std::make_unique<CountingDcs>(*dcs_.back()));
      pgs_.push_back(std::make_unique<FakeController>(network_, name, host, 5432));
      AgentOptions options;
      options.scope = "agents";
      options.name = name;
      options.connect_address = host + ":5432";
      options.restapi.listen = "127.0.0.1:0";
      options.probe_timeout = absl::Seconds(1);
      options.bootstrap_config.ttl = absl::Seconds(20);
      options.bootstrap_config.loop_wait = absl::Seconds(1);
      options.bootstrap_config.retry_timeout = absl::Seconds(5);
      agents_.push_back(*Agent::Create(options, *counted_.back(), *pgs_.back()));
      agents_.back()->SetObserver([this, i](const AgentStatus& status) { Observe(i - 1, status); });
    }
    for (auto& agent : agents_) threads_.emplace_back([&agent] { EXPECT_TRUE(agent->Run().ok()); });
  }
  ~AgentTest() override {
    for (auto& agent : agents_) agent->Stop();
    for (auto& thread : threads_) thread.join();
  }

  void Observe(int index, const AgentStatus& status) {
    absl::MutexLock lock(&mu_);
    statuses_[index] = status;
  }

  // Waits until an agent other than `excluded` leads a primary and `streaming` others stream
  // from it; returns its index (-1 on timeout).
  int WaitForLeader(int excluded = -1, int streaming = 2) {
    absl::MutexLock lock(&mu_);
    excluded_ = excluded;
    expected_streaming_ = streaming;
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &AgentTest::LeaderReady), absl::Seconds(60))) {
      ADD_FAILURE() << "no leader in time";
      return -1;
    }
    return found_;
  }

  // Waits until every agent has run `loops` more HA loops.
  bool WaitForLoops(int64_t loops) {
    absl::MutexLock lock(&mu_);
    int64_t until[3];
    for (int i = 0; i < 3; ++i) until[i] = statuses_[i].counters.ha_loops + loops;
    auto done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (int i = 0; i < 3; ++i) {
        if (statuses_[i].counters.ha_loops < until[i]) return false;
      }
      return true;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&done), absl::Seconds(60));
  }

  bool LeaderReady() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int streaming = 0;
    found_ = -1;
    for (int i = 0; i < 3; ++i) {
      const AgentStatus& s = statuses_[i];
      if (i != excluded_ && s.is_leader && s.postgres.running &&
          s.postgres.role == PgRole::kPrimary) {
        found_ = i;
      } else if (s.postgres.running && s.postgres.streaming) {
        ++streaming;
      }
    }
    return found_ >= 0 && streaming >= expected_streaming_;
  }

  MemoryStore store_;
  FakePgNetwork network_;
  std::vector<std::unique_ptr<MemoryDcs>> dcs_;
  std::vector<std::unique_ptr<CountingDcs>> counted_;
  std::vector<std::unique_ptr<FakeController>> pgs_;
  std::vector<std::unique_ptr<Agent>> agents_;
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  AgentStatus statuses_[3] ABSL_GUARDED_BY(mu_);
  int excluded_ ABSL_GUARDED_BY(mu_) = -1;
  int expected_streaming_ ABSL_GUARDED_BY(mu_) = 2;
  int found_ ABSL_GUARDED_BY(mu_) = -1;
};

TEST_F(AgentTest, ElectsOneLeaderAndHealthChecksAnswerAsHaproxyExpects) {
  const int leader = WaitForLeader();
  ASSERT_GE(leader, 0);
  for (int i = 0; i < 3; ++i) {
    const int port = agents_[i]->rest_port();
    ASSERT_GT(port, 0);
    EXPECT_EQ(HttpStatus(port, http::verb::get, "/primary"), i == leader ? 200 : 503);
    EXPECT_EQ(HttpStatus(port, http::verb::options, "/primary"), i == leader ? 200 : 503);
    EXPECT_EQ(HttpStatus(port, http::verb::get, "/replica"), i == leader ? 503 : 200);
  }
}

TEST_F(AgentTest, AStoppedLeaderHandsOverWithoutWaitingForItsLease) {
  const int leader = WaitForLeader();
  ASSERT_GE(leader, 0);
  const absl::Time stopped = absl::Now();
  agents_[leader]->Stop();
  const int next = WaitForLeader(leader, 1);
  ASSERT_GE(next, 0);
  EXPECT_NE(next, leader);
  EXPECT_LT(absl::Now() - stopped, absl::Seconds(10));  // the ttl is 20 s
  EXPECT_FALSE(pgs_[leader]->State(absl::InfiniteFuture())->running);
}

TEST_F(AgentTest, ASwitchoverThroughTheRestApiMovesTheLeader) {
  const int leader = WaitForLeader();
  ASSERT_GE(leader, 0);
  const int candidate = (leader + 1) % 3;
  const std::string body =
      absl::StrCat(R"({"leader":"n)", leader + 1, R"(","candidate":"n)", candidate + 1, R"("})");
  EXPECT_EQ(HttpStatus(agents_[leader]->rest_port(), http::verb::post, "/switchover", body), 200);
  EXPECT_EQ(WaitForLeader(leader), candidate);
}

// An idle cluster's replicas read their view from the watch: they send no read each loop (as
// Patroni's etcd3 cache does not). The leader lists in each loop that follows no answer from the
// DCS within a loop (here, with keep-alives every 20/3 s and 1 s loops, most of them): that read
// is its proof that the DCS answers, on which its demotion and failsafe mode depend.
TEST_F(AgentTest, IdleReplicasReadTheirViewFromTheWatchNotByListing) {
  const int leader = WaitForLeader();
  ASSERT_GE(leader, 0);
  ASSERT_TRUE(WaitForLoops(2));  // the replicas' first loops as streaming members write their keys
  int reads_before[3];
  for (int i = 0; i < 3; ++i) reads_before[i] = counted_[i]->lists + counted_[i]->gets;
  ASSERT_TRUE(WaitForLoops(3));
  for (int i = 0; i < 3; ++i) {
    const int reads = counted_[i]->lists + counted_[i]->gets - reads_before[i];
    if (i == leader) {
      EXPECT_GE(reads, 1) << "the leader, n" << i + 1;
    } else {
      EXPECT_EQ(reads, 0) << "a replica, n" << i + 1;
    }
  }
}

TEST_F(AgentTest, RestApiRefusesASwitchoverFromTheWrongLeader) {
  const int leader = WaitForLeader();
  ASSERT_GE(leader, 0);
  const int other = (leader + 1) % 3;
  const std::string body = absl::StrCat(R"({"leader":"n)", other + 1, R"("})");
  EXPECT_EQ(HttpStatus(agents_[other]->rest_port(), http::verb::post, "/switchover", body), 412);
}

}  // namespace
}  // namespace warden
