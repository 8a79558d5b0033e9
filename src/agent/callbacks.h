// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// CallbackRunner: runs the configured scripts on PostgreSQL events (Patroni's
// postgresql.callbacks) as `SCRIPT ACTION ROLE SCOPE`, one at a time on a thread of its own, so a
// slow script never delays the HA loop; each is killed after the configured timeout.

#ifndef WARDEN_SRC_AGENT_CALLBACKS_H_
#define WARDEN_SRC_AGENT_CALLBACKS_H_

#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "warden/agent/agent.h"

namespace warden {

class CallbackRunner {
 public:
  // `on_done` (optional) hears each finished callback: its action and a one-line outcome.
  CallbackRunner(CallbackOptions options, std::string scope,
                 std::function<void(const std::string&, const std::string&)> on_done = nullptr);
  ~CallbackRunner();  // runs what is queued (each bounded by its timeout), then returns
  CallbackRunner(const CallbackRunner&) = delete;
  CallbackRunner& operator=(const CallbackRunner&) = delete;

  // Queues `action` ("on_start", "on_stop", "on_restart", "on_reload", "on_role_change") for
  // `role` ("primary" or "replica") if a script is configured for it. Returns at once.
  void Fire(const std::string& action, const std::string& role) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Job {
    std::string action;
    std::vector<std::string> argv;
  };
  void Loop();

  const CallbackOptions options_;
  const std::string scope_;
  const std::function<void(const std::string&, const std::string&)> on_done_;
  absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace warden

#endif  // WARDEN_SRC_AGENT_CALLBACKS_H_
