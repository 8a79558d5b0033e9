// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// warden-agent: the reference HA agent. Reads a patroni.yml-style file, connects to etcd (v3),
// controls the local PostgreSQL with pg_ctl-free LocalController, serves the Patroni REST API,
// and runs until SIGTERM or SIGINT (a primary hands over before it exits).
//
//   warden-agent /etc/warden.yml
//   warden-agent --validate /etc/warden.yml     # check the file only: each key with what
//                                               # warden does with it

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "warden/agent/agent.h"
#include "warden/agent/agent_config.h"
#include "warden/etcd/etcd.h"
#include "warden/pg/local_controller.h"

namespace {

void Log(const char* level, const std::string& message) {
  const std::string when =
      absl::FormatTime("%Y-%m-%d %H:%M:%E3S", absl::Now(), absl::LocalTimeZone());
  std::fprintf(stderr, "%s %s: %s\n", when.c_str(), level, message.c_str());
}

warden::EtcdOptions EtcdOptionsFrom(const warden::DcsSettings& dcs, absl::Duration ttl) {
  warden::EtcdOptions etcd;
  // The lease's keep-alives, every third of the ttl, prove the member alive: probe the watch
  // stream only when one is overdue, not between every two of them.
  etcd.watch_probe_interval = std::max(etcd.watch_probe_interval, ttl / 3 + absl::Seconds(1));
  etcd.endpoints = dcs.hosts;
  etcd.username = dcs.username;
  etcd.password = dcs.password;
  if (dcs.protocol == "https" || !dcs.cacert.empty()) {
    etcd.tls =
        warden::EtcdTlsOptions{.ca_file = dcs.cacert, .cert_file = dcs.cert, .key_file = dcs.key};
  }
  return etcd;
}

// Every key of the file with its verdict (honoured, warned, refused, kept), then the outcome:
// someone moving from Patroni sees each difference before starting.
int Validate(const std::string& path) {
  absl::StatusOr<std::vector<warden::ConfigKeyReport>> report = warden::ReportConfigFile(path);
  if (report.ok()) {
    for (const warden::ConfigKeyReport& key : *report) {
      std::printf("%5d  %-50s %s%s%s\n", key.line, key.path.c_str(), key.verdict.c_str(),
                  key.why.empty() ? "" : ": ", key.why.c_str());
    }
  }
  absl::StatusOr<warden::AgentConfig> config = warden::LoadAgentConfig(path);
  if (!config.ok()) {
    std::printf("%s: refused:\n%s\n", path.c_str(), std::string(config.status().message()).c_str());
    return 1;
  }
  std::printf("%s: configuration is valid (%zu warnings)\n", path.c_str(), config->warnings.size());
  return 0;
}

int Usage() {
  std::fprintf(stderr, "usage: warden-agent [--validate] CONFIG.yml\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian's abseil is built without NDEBUG, so its Mutex checks for deadlock cycles on every
  // lock: a global graph update and at times a stack trace, a tenth of an idle agent's CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  const bool validate = argc == 3 && std::strcmp(argv[1], "--validate") == 0;
  if (argc != 2 && !validate) return Usage();
  const std::string path = argv[argc - 1];
  if (validate) return Validate(path);
  absl::StatusOr<warden::AgentConfig> config = warden::LoadAgentConfig(path);
  if (!config.ok()) {
    Log("ERROR", absl::StrCat(path, ": ", config.status().message()));
    return 1;
  }
  for (const std::string& warning : config->warnings) Log("WARNING", warning);
  absl::StatusOr<std::unique_ptr<warden::Dcs>> dcs =
      warden::NewEtcdDcs(EtcdOptionsFrom(config->dcs, config->agent.bootstrap_config.ttl));
  if (!dcs.ok()) {
    Log("ERROR", absl::StrCat("etcd: ", dcs.status().message()));
    return 1;
  }
  absl::StatusOr<std::unique_ptr<warden::Controller>> postgres =
      warden::NewLocalController(config->postgres);
  if (!postgres.ok()) {
    Log("ERROR", absl::StrCat("postgresql: ", postgres.status().message()));
    return 1;
  }
  config->agent.handle_signals = true;
  absl::StatusOr<std::unique_ptr<warden::Agent>> agent =
      warden::Agent::Create(config->agent, **dcs, **postgres);
  if (!agent.ok()) {
    Log("ERROR", std::string(agent.status().message()));
    return 1;
  }
  std::string last;
  std::string last_adjustment;
  std::string last_parameters_error;
  std::vector<std::string> last_parameters_ignored;
  (*agent)->SetObserver([&](const warden::AgentStatus& status) {
    if (status.parameters_ignored != last_parameters_ignored) {
      last_parameters_ignored = status.parameters_ignored;
      for (const std::string& why : last_parameters_ignored) {
        Log("WARNING", absl::StrCat(status.name, ": ", why));
      }
    }
    if (status.parameters_error != last_parameters_error) {
      last_parameters_error = status.parameters_error;
      Log(last_parameters_error.empty() ? "INFO" : "ERROR",
          absl::StrCat(status.name, ": ",
                       last_parameters_error.empty() ? "PostgreSQL parameters applied"
                                                     : last_parameters_error));
    }
    if (status.config_adjustment != last_adjustment) {
      last_adjustment = status.config_adjustment;
      if (!last_adjustment.empty()) {
        Log("WARNING", absl::StrCat(status.name, ": dynamic config adjusted: ", last_adjustment));
      }
    }
    if (status.last_decision == last) return;  // log changes, not every loop
    last = status.last_decision;
    Log("INFO", absl::StrCat(status.name, ": ", last));
  });
  Log("INFO", absl::StrCat("warden-agent ", config->agent.name, " of ", config->agent.scope,
                           " starting; etcd ", absl::StrJoin(config->dcs.hosts, ",")));
  if (absl::Status s = (*agent)->Run(); !s.ok()) {
    Log("ERROR", std::string(s.message()));
    return 1;
  }
  Log("INFO", "stopped");
  return 0;
}
