// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// wardenctl: patronictl for warden (and Patroni) clusters on etcd v3.
//
//   wardenctl -c /etc/patroni.yml list
//   wardenctl --dcs etcd3://10.0.0.1:2379 --scope demo switchover --candidate node2 --force

#include <string>
#include <vector>

#include "ctl.h"
#include "warden/agent/agent_config.h"

int main(int argc, char** argv) {
  warden::ctl::CtlDeps deps = warden::ctl::DefaultDeps();
  deps.load_config = [](const std::string& path) { return warden::LoadAgentConfig(path); };
  return warden::ctl::RunWardenctl(std::vector<std::string>(argv + 1, argv + argc), deps);
}
