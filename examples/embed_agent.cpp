// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Embedding warden: three Agents, each built from options, a Dcs and a Controller (here the
// in-memory DCS and fake PostgreSQL; a product passes NewEtcdDcs and NewLocalController, or its
// own). The leader is stopped; another agent takes over at once.
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "warden/agent/agent.h"
#include "warden/dcs/memory.h"
#include "warden/pg/fake_controller.h"

int main() {
  warden::MemoryStore store;
  warden::FakePgNetwork network;
  std::vector<std::unique_ptr<warden::MemoryDcs>> dcs;
  std::vector<std::unique_ptr<warden::FakeController>> postgres;
  std::vector<std::unique_ptr<warden::Agent>> agents;
  std::vector<std::thread> threads;
  absl::Mutex mu;
  absl::Notification took_over;
  std::string leader;               // guarded by mu
  std::set<std::string> streaming;  // guarded by mu
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "node" + std::to_string(i), host = "10.0.0." + std::to_string(i);
    dcs.push_back(store.NewClient(name));
    postgres.push_back(std::make_unique<warden::FakeController>(network, name, host, 5432));
    warden::AgentOptions options{.scope = "embedded", .name = name};
    options.connect_address = host + ":5432";
    options.restapi.listen = "127.0.0.1:0";  // any free port
    agents.push_back(*warden::Agent::Create(options, *dcs.back(), *postgres.back()));
    agents.back()->SetObserver([&, name](const warden::AgentStatus& status) {
      const bool primary = status.is_leader && status.postgres.role == warden::PgRole::kPrimary;
      absl::MutexLock lock(&mu);
      if (primary && leader.empty()) std::printf("%s leads\n", (leader = name).c_str());
      if (status.postgres.streaming) streaming.insert(name);
      if (primary && name != leader && !took_over.HasBeenNotified()) {
        std::printf("%s took over: %s\n", name.c_str(), status.last_decision.c_str());
        took_over.Notify();
      }
    });
  }
  for (auto& agent : agents) threads.emplace_back([&agent] { (void)agent->Run(); });
  // A leader known and two replicas streaming (from it: nobody else is primary).
  const auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !leader.empty() && streaming.size() == 2;
  };
  mu.LockWhen(absl::Condition(&ready));
  std::printf("the others stream from it; stopping %s\n", leader.c_str());
  warden::Agent& first = *agents[leader.back() - '1'];
  mu.Unlock();
  first.Stop();  // a graceful stop hands the leader key over at once
  took_over.WaitForNotification();
  for (auto& agent : agents) agent->Stop();
  for (auto& thread : threads) thread.join();
}
