// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/scenario.h"

#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "tests/compat/patronictl.h"

namespace warden::test {
namespace {

constexpr char kScope[] = "e2e";  // the harness's
constexpr char kDcsPrefix[] = "/service/e2e/";

const char* AgentName(AgentKind agent) {
  return agent == AgentKind::kPatroni ? "patroni" : "warden";
}

std::string EtcdValue(const E2eCluster& c, const std::string& key) {
  absl::StatusOr<std::string> value =
      c.etcd().Etcdctl({"get", absl::StrCat(kDcsPrefix, key), "--print-value-only"});
  return value.ok() ? std::string(absl::StripAsciiWhitespace(*value)) : "";
}

bool AllNodes(const E2eCluster& c, const std::string& sql, const std::string& expected) {
  for (int node = 0; node < c.size(); ++node) {
    absl::StatusOr<std::string> value = c.Sql(node, sql);
    if (!value.ok() || *value != expected) return false;
  }
  return true;
}

// The cluster as PostgreSQL and etcd see it: `primary` the only writable node and the DCS leader,
// every other node in recovery with its WAL receiver streaming (from the primary or, with
// replicatefrom, from another replica), and a member key for every node.
bool Steady(const E2eCluster& c, int primary) {
  for (int node = 0; node < c.size(); ++node) {
    const char* sql = node == primary ? "SELECT NOT pg_is_in_recovery()"
                                      : "SELECT status = 'streaming' FROM pg_stat_wal_receiver";
    absl::StatusOr<std::string> ok = c.Sql(node, sql);
    if (!ok.ok() || *ok != "t") return false;
    if (EtcdValue(c, absl::StrCat("members/", c.name(node))).empty()) return false;
  }
  return EtcdValue(c, "leader") == c.name(primary);
}

// Each member's JSON in the DCS says pending_restart, which `restart --pending` goes by.
bool AllPendingRestart(const E2eCluster& c) {
  for (int node = 0; node < c.size(); ++node) {
    const nlohmann::json member = nlohmann::json::parse(
        EtcdValue(c, absl::StrCat("members/", c.name(node))), nullptr, /*allow_exceptions=*/false);
    if (!member.is_object() || !member.value("pending_restart", false)) return false;
  }
  return true;
}

// Runs one point's action and waits until the cluster settles, keeping track of the node that
// should be primary. An error ends the run; `steps` notes waits that timed out without ending it.
class PointDriver {
 public:
  PointDriver(E2eCluster& cluster, const CompatConfig& config) : c_(cluster), config_(config) {}

  absl::Status Run(Point point, Snapshot* steps) {
    steps_ = steps;
    switch (point) {
      case Point::kBootstrap:
        return Settle("bootstrap", absl::Seconds(120));
      case Point::kSwitchover:
        return Switchover();
      case Point::kFailover:
        return Failover();
      case Point::kEditConfig:
        return EditConfig();
    }
    return absl::InternalError("unknown point");
  }

 private:
  absl::Status Settle(const std::string& what, absl::Duration timeout) {
    if (E2eCluster::WaitFor([&] { return Steady(c_, primary_); }, timeout)) {
      return absl::OkStatus();
    }
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": ", c_.name(primary_), " not the steady primary"));
  }

  // A wait that may time out without ending the run; the snapshot notes it.
  void Step(const std::string& step, const std::function<bool()>& done, absl::Duration timeout) {
    const bool ok = E2eCluster::WaitFor(done, timeout);
    (*steps_)[absl::StrCat(kScenarioKey, "/", step)] = ok ? "done" : "timed out";
  }

  absl::Status Ctl(const std::string& what, const std::vector<std::string>& args) {
    absl::StatusOr<std::string> out = Patronictl(c_.config_path(0), args);
    if (out.ok()) return absl::OkStatus();
    std::fprintf(stderr, "compat: %s\n", std::string(out.status().message()).c_str());
    return absl::FailedPreconditionError(absl::StrCat(what, ": patronictl failed"));
  }

  absl::Status Switchover() {
    primary_ = 1;
    if (absl::Status s = Ctl("switchover", {"switchover", "--force", "--candidate", "n2", kScope});
        !s.ok()) {
      return s;
    }
    return Settle("switchover", absl::Seconds(60));
  }

  absl::Status Failover() {
    const int old = primary_;
    primary_ = config_.failover_target;
    c_.KillAgent(old, /*with_postgres=*/true);
    if (!E2eCluster::WaitFor([&] { return EtcdValue(c_, "leader") == c_.name(primary_); },
                             absl::Seconds(60))) {
      return absl::DeadlineExceededError(
          absl::StrCat("failover: ", c_.name(primary_), " did not take the leader key"));
    }
    if (absl::Status s = c_.StartAgent(old); !s.ok()) return s;
    return Settle("failover", absl::Seconds(120));
  }

  absl::Status EditConfig() {
    if (absl::Status s = Ctl("edit-config", {"edit-config", "--force", "-p", "work_mem=8MB", "-p",
                                             "max_connections=150", kScope});
        !s.ok()) {
      return s;
    }
    const auto reloaded = [&] { return AllNodes(c_, "SHOW work_mem", "8MB"); };
    Step("reloaded", reloaded, absl::Seconds(30));
    const auto flagged = [&] { return AllPendingRestart(c_); };
    Step("pending_restart", flagged, absl::Seconds(20));
    if (absl::Status s = Ctl("restart", {"restart", "--force", "--pending", kScope}); !s.ok()) {
      return s;
    }
    const auto restarted = [&] { return AllNodes(c_, "SHOW max_connections", "150"); };
    Step("restarted", restarted, absl::Seconds(60));
    return Settle("edit_config", absl::Seconds(60));
  }

  E2eCluster& c_;
  const CompatConfig& config_;
  Snapshot* steps_ = nullptr;
  int primary_ = 0;  // the harness bootstraps n1
};

}  // namespace

ScenarioRun RunScenario(const CompatConfig& config, AgentKind agent) {
  ScenarioRun run;
  E2eClusterOptions options = config.options;
  options.agent = agent;
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<E2eCluster>> cluster = E2eCluster::Start(options);
  if (!cluster.ok()) {
    // The harness quotes n1's log in its error; the snapshot keeps a stable line.
    run.logs = std::string(cluster.status().message());
    for (Point point : config.points) run.snapshots[PointName(point)][kScenarioKey] = "not reached";
    run.snapshots[PointName(config.points.front())][kScenarioKey] =
        "failed: the cluster did not start";
    return run;
  }
  const Normalizer normalizer(**cluster);
  PointDriver driver(**cluster, config);
  bool failed = false;
  for (Point point : config.points) {
    Snapshot& snapshot = run.snapshots[PointName(point)];
    if (failed) {
      snapshot[kScenarioKey] = "not reached";
      continue;
    }
    if (absl::Status s = driver.Run(point, &snapshot); !s.ok()) {
      failed = true;
      snapshot[kScenarioKey] = absl::StrCat("failed: ", s.message());
      run.logs = (*cluster)->Logs();
      continue;
    }
    const CaptureContext context{cluster->get(), &normalizer, &config};
    snapshot.merge(SettledCapture(context, absl::Seconds(40)));
    snapshot[kScenarioKey] = "reached";
    std::fprintf(stderr, "compat: %s under %s: %s captured after %.1f s\n", config.name.c_str(),
                 AgentName(agent), PointName(point).c_str(),
                 absl::ToDoubleSeconds(absl::Now() - start));
  }
  return run;
}

}  // namespace warden::test
