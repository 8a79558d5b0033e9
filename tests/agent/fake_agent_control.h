// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// FakeAgentControl: an AgentControl whose status a test sets and whose calls it records, for
// testing the REST API without a DCS, a PostgreSQL or an HA loop. Thread-safe, so that a server
// test can drive it from its I/O and worker threads; a hook lets a test hold a switchover open.

#ifndef WARDEN_AGENT_FAKE_AGENT_CONTROL_H_
#define WARDEN_AGENT_FAKE_AGENT_CONTROL_H_

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "warden/agent/status.h"

namespace warden {

class FakeAgentControl : public AgentControl {
 public:
  // What the agent was asked, in order.
  struct Calls {
    std::vector<SwitchoverRequest> switchovers;
    int cancels = 0;
    int config_reads = 0;
    std::vector<std::pair<std::string, bool>> config_updates;  // json, replace
    int restarts = 0;
    int reloads = 0;
    std::vector<bool> reinitializes;  // force
    std::vector<std::string> failsafe_leaders;
  };

  void SetStatus(AgentStatus status) {
    std::lock_guard lock(mu_);
    status_ = std::move(status);
  }
  AgentStatus Status() const override {
    std::lock_guard lock(mu_);
    return status_;
  }
  // What PostgreSQL says when read now (LiveStatus); unset, the snapshot's.
  void SetLivePostgres(LocalPostgres postgres) { Set(&live_postgres_, std::move(postgres)); }
  AgentStatus LiveStatus() const override {
    std::lock_guard lock(mu_);
    AgentStatus status = status_;
    if (live_postgres_.has_value()) status.postgres = *live_postgres_;
    return status;
  }
  Calls calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

  void SetSwitchoverResult(absl::StatusOr<std::string> result) { Set(&switchover_, result); }
  void SetCancelResult(absl::Status result) { Set(&cancel_, result); }
  void SetConfigJson(absl::StatusOr<std::string> result) { Set(&config_, result); }
  // Unset: UpdateConfig answers with the JSON it was given.
  void SetUpdateConfigResult(absl::StatusOr<std::string> result) {
    std::lock_guard lock(mu_);
    update_config_ = std::move(result);
    update_config_set_ = true;
  }
  void SetRestartResult(absl::StatusOr<std::string> result) { Set(&restart_, result); }
  void SetReloadResult(absl::StatusOr<std::string> result) { Set(&reload_, result); }
  void SetReinitializeResult(absl::StatusOr<std::string> result) { Set(&reinitialize_, result); }
  void SetAcceptFailsafe(bool accept) { Set(&accept_failsafe_, accept); }
  // Runs inside RequestSwitchover, before it returns, on the caller's thread.
  void SetSwitchoverHook(std::function<void()> hook) { Set(&switchover_hook_, std::move(hook)); }

  absl::StatusOr<std::string> RequestSwitchover(const SwitchoverRequest& request) override {
    std::function<void()> hook;
    {
      std::lock_guard lock(mu_);
      calls_.switchovers.push_back(request);
      hook = switchover_hook_;
    }
    if (hook) hook();
    std::lock_guard lock(mu_);
    return switchover_;
  }
  absl::Status CancelSwitchover() override {
    std::lock_guard lock(mu_);
    ++calls_.cancels;
    return cancel_;
  }
  absl::StatusOr<std::string> ConfigJson() override {
    std::lock_guard lock(mu_);
    ++calls_.config_reads;
    return config_;
  }
  absl::StatusOr<std::string> UpdateConfig(const std::string& json, bool replace) override {
    std::lock_guard lock(mu_);
    calls_.config_updates.emplace_back(json, replace);
    return update_config_set_ ? update_config_ : absl::StatusOr<std::string>(json);
  }
  absl::StatusOr<std::string> Restart() override {
    std::lock_guard lock(mu_);
    ++calls_.restarts;
    return restart_;
  }
  absl::StatusOr<std::string> Reload() override {
    std::lock_guard lock(mu_);
    ++calls_.reloads;
    return reload_;
  }
  absl::StatusOr<std::string> Reinitialize(bool force) override {
    std::lock_guard lock(mu_);
    calls_.reinitializes.push_back(force);
    return reinitialize_;
  }
  bool AcceptFailsafe(const std::string& leader) override {
    std::lock_guard lock(mu_);
    calls_.failsafe_leaders.push_back(leader);
    return accept_failsafe_;
  }

 private:
  template <typename T, typename V>
  void Set(T* field, V value) {
    std::lock_guard lock(mu_);
    *field = std::move(value);
  }

  mutable std::mutex mu_;
  AgentStatus status_;
  std::optional<LocalPostgres> live_postgres_;
  Calls calls_;
  absl::StatusOr<std::string> switchover_ = std::string("Successfully switched over");
  absl::Status cancel_;
  absl::StatusOr<std::string> config_ = std::string(R"({"ttl":30,"loop_wait":10})");
  absl::StatusOr<std::string> update_config_;
  bool update_config_set_ = false;
  absl::StatusOr<std::string> restart_ = std::string("restarted successfully");
  absl::StatusOr<std::string> reload_ = std::string("reload scheduled");
  absl::StatusOr<std::string> reinitialize_ = std::string("reinitialize started");
  bool accept_failsafe_ = true;
  std::function<void()> switchover_hook_;
};

}  // namespace warden

#endif  // WARDEN_AGENT_FAKE_AGENT_CONTROL_H_
