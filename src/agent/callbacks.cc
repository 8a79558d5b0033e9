// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "src/agent/callbacks.h"

#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "src/pg/subprocess.h"

namespace warden {
namespace {

const std::string* ScriptFor(const CallbackOptions& options, const std::string& action) {
  if (action == "on_start") return &options.on_start;
  if (action == "on_stop") return &options.on_stop;
  if (action == "on_restart") return &options.on_restart;
  if (action == "on_reload") return &options.on_reload;
  if (action == "on_role_change") return &options.on_role_change;
  return nullptr;
}

}  // namespace

CallbackRunner::CallbackRunner(CallbackOptions options, std::string scope,
                               std::function<void(const std::string&, const std::string&)> on_done)
    : options_(std::move(options)),
      scope_(std::move(scope)),
      on_done_(std::move(on_done)),
      thread_([this] { Loop(); }) {}

CallbackRunner::~CallbackRunner() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void CallbackRunner::Fire(const std::string& action, const std::string& role) {
  const std::string* script = ScriptFor(options_, action);
  if (script == nullptr || script->empty()) return;
  // Like Patroni: the configured command may carry its own arguments.
  std::vector<std::string> argv = absl::StrSplit(*script, ' ', absl::SkipWhitespace());
  argv.insert(argv.end(), {action, role, scope_});
  absl::MutexLock lock(&mu_);
  queue_.push_back(Job{action, std::move(argv)});
}

void CallbackRunner::Loop() {
  for (;;) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](CallbackRunner* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    pg_internal::Command command;
    command.argv = job.argv;
    // NOLINTNEXTLINE(concurrency-mt-unsafe): nothing in warden calls setenv.
    if (const char* path = std::getenv("PATH"); path != nullptr) command.env["PATH"] = path;
    absl::StatusOr<pg_internal::CommandResult> result =
        pg_internal::RunCommand(command, absl::Now() + options_.timeout);
    std::string outcome;
    if (!result.ok()) {
      outcome = std::string(result.status().message());
    } else if (result->exit_code != 0) {
      outcome = absl::StrCat("exit code ", result->exit_code, ": ", result->output);
    } else {
      outcome = "ok";
    }
    if (on_done_) on_done_(job.action, outcome);
  }
}

}  // namespace warden
