// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// CallbackRunner runs the configured script as `SCRIPT ACTION ROLE SCOPE`, in order, off the
// caller's thread, and kills one that overstays its timeout.

#include "src/agent/callbacks.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace warden {
namespace {

class CallbacksTest : public ::testing::Test {
 protected:
  CallbacksTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("warden-callbacks-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    script_ = (dir_ / "callback.sh").string();
    std::ofstream(script_) << "#!/bin/sh\n"
                           << "[ \"$1\" = on_stop ] && sleep 30\n"
                           << "echo \"$@\" >> " << (dir_ / "calls").string() << "\n";
    std::filesystem::permissions(script_, std::filesystem::perms::owner_all);
  }
  ~CallbacksTest() override { std::filesystem::remove_all(dir_); }

  std::string Calls() const {
    std::ifstream in(dir_ / "calls");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // Runs `fire` with a runner, then waits (the destructor) for every queued callback.
  void RunWith(const CallbackOptions& options, const std::function<void(CallbackRunner&)>& fire) {
    CallbackRunner runner(options, "demo",
                          [this](const std::string& action, const std::string& outcome) {
                            absl::MutexLock lock(&mu_);
                            outcomes_.push_back(action + ": " + outcome);
                          });
    fire(runner);
  }

  std::filesystem::path dir_;
  std::string script_;
  absl::Mutex mu_;
  std::vector<std::string> outcomes_;
};

TEST_F(CallbacksTest, RunsTheScriptWithActionRoleAndScopeInOrder) {
  CallbackOptions options;
  options.on_start = script_;
  options.on_role_change = script_;
  RunWith(options, [](CallbackRunner& runner) {
    runner.Fire("on_start", "replica");
    runner.Fire("on_role_change", "primary");
  });
  EXPECT_EQ(Calls(), "on_start replica demo\non_role_change primary demo\n");
}

TEST_F(CallbacksTest, AnUnconfiguredActionRunsNothing) {
  CallbackOptions options;
  options.on_start = script_;
  RunWith(options, [](CallbackRunner& runner) { runner.Fire("on_reload", "replica"); });
  EXPECT_EQ(Calls(), "");
  EXPECT_TRUE(outcomes_.empty());
}

TEST_F(CallbacksTest, AScriptPastItsTimeoutIsKilled) {
  CallbackOptions options;
  options.on_stop = script_;
  options.on_start = script_;
  options.timeout = absl::Milliseconds(300);
  const absl::Time start = absl::Now();
  RunWith(options, [](CallbackRunner& runner) {
    runner.Fire("on_stop", "primary");  // sleeps 30 s
    runner.Fire("on_start", "replica");
  });
  EXPECT_LT(absl::Now() - start, absl::Seconds(20));
  EXPECT_EQ(Calls(), "on_start replica demo\n");  // the next one still ran
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_NE(outcomes_[0].find("on_stop"), std::string::npos);
  EXPECT_EQ(outcomes_[0].find(": ok"), std::string::npos) << outcomes_[0];
  EXPECT_EQ(outcomes_[1], "on_start: ok");
}

}  // namespace
}  // namespace warden
