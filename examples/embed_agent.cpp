// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Embedding warden: three agents in one process, each an Agent built from options, a Dcs and a
// Controller (here the in-memory DCS and fake PostgreSQL; a product passes NewEtcdDcs and
// NewLocalController, or its own). The leader is stopped; another agent takes over.
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

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
  absl::Notification first_leader, second_leader;
  std::string leader;
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "node" + std::to_string(i), host = "127.0.0." + std::to_string(i);
    dcs.push_back(store.NewClient(name));
    postgres.push_back(std::make_unique<warden::FakeController>(network, name, host, 5432));
    warden::AgentOptions options;
    options.scope = "embedded";
    options.name = name;
    options.connect_address = host + ":5432";
    options.restapi.listen = "127.0.0.1:0";  // any free port
    options.bootstrap_config.loop_wait = absl::Seconds(1);
    agents.push_back(*warden::Agent::Create(options, *dcs.back(), *postgres.back()));
    agents.back()->SetObserver([&, name](const warden::AgentStatus& status) {
      if (!status.is_leader || status.postgres.role != warden::PgRole::kPrimary) return;
      if (!first_leader.HasBeenNotified()) {
        leader = name;
        std::printf("%s leads: %s\n", name.c_str(), status.last_decision.c_str());
        first_leader.Notify();
      } else if (name != leader && !second_leader.HasBeenNotified()) {
        std::printf("%s took over: %s\n", name.c_str(), status.last_decision.c_str());
        second_leader.Notify();
      }
    });
  }
  for (auto& agent : agents) threads.emplace_back([&agent] { (void)agent->Run(); });
  first_leader.WaitForNotification();
  std::printf("stopping %s\n", leader.c_str());
  agents[leader.back() - '1']->Stop();  // a graceful stop hands the leader key over at once
  second_leader.WaitForNotification();
  for (auto& agent : agents) agent->Stop();
  for (auto& thread : threads) thread.join();
}
