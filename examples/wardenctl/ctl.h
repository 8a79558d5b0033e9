// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// wardenctl as a function of its arguments and its dependencies, so that the tests run every
// command against an in-memory DCS, scripted REST replies and string streams, and main() only
// passes the real ones.

#ifndef WARDEN_EXAMPLES_WARDENCTL_CTL_H_
#define WARDEN_EXAMPLES_WARDENCTL_CTL_H_

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "context.h"
#include "dcs_target.h"
#include "http_client.h"
#include "warden/dcs/dcs.h"

namespace warden::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CtlDeps {
  // Connects to the cluster's DCS (the real one: OpenEtcd).
  std::function<absl::StatusOr<std::unique_ptr<Dcs>>(const DcsTarget&)> open_dcs;
  // Reads -c CONFIG (the real one: LoadAgentConfig). Unset: -c is refused.
  ConfigLoader load_config;
  HttpFn http;
  EditFn edit;
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  std::function<absl::Time()> now = absl::Now;
  std::function<void(absl::Duration)> sleep = absl::SleepFor;
  absl::TimeZone time_zone = absl::LocalTimeZone();
  CtlTimeouts timeouts;
  // The config file to read when neither -c nor --dcs is given (PATRONICTL_CONFIG_FILE).
  std::string default_config_path;
};

// The real dependencies, but for load_config (which main() sets, so that this library links
// without the agent's configuration code).
CtlDeps DefaultDeps();

// Runs one wardenctl command line (without the program name). Returns the exit status: 0 done,
// 1 failed, 2 usage error.
int RunWardenctl(const std::vector<std::string>& argv, const CtlDeps& deps);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_CTL_H_
