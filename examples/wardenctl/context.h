// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// What a command runs with: the cluster's DCS and keys, the parsed arguments, the HTTP function
// for the agents' REST API, the terminal (prompts read `in`, output goes to `out`, errors to
// `err`) and the clock. Everything a test wants to fake is here, and nothing is global.

#ifndef WARDEN_EXAMPLES_WARDENCTL_CONTEXT_H_
#define WARDEN_EXAMPLES_WARDENCTL_CONTEXT_H_

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "args.h"
#include "http_client.h"
#include "warden/core/codec.h"
#include "warden/dcs/dcs.h"

namespace warden::ctl {

struct CtlTimeouts {
  absl::Duration dcs = absl::Seconds(10);  // each DCS call
  absl::Duration rest_read = absl::Seconds(5);
  // A switchover or restart request is answered when it is done (Patroni waits up to 30 s).
  absl::Duration rest_action = absl::Seconds(60);
  absl::Duration wait = absl::Seconds(30);  // pause --wait, reinit --wait
  absl::Duration poll_interval = absl::Seconds(1);
};

// Opens the editor on a text and returns the edited text (edit-config without -s/-p/--apply).
using EditFn = std::function<absl::StatusOr<std::string>(const std::string& text)>;

struct CtlContext {
  Dcs& dcs;
  ClusterKeys keys;
  std::string scope;
  CommandArgs args;
  HttpFn http;
  std::string rest_username;
  std::string rest_password;
  std::string cacert;
  bool insecure = false;
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  std::function<absl::Time()> now = absl::Now;
  std::function<void(absl::Duration)> sleep = absl::SleepFor;
  absl::TimeZone time_zone = absl::LocalTimeZone();
  CtlTimeouts timeouts;
  EditFn edit;

  absl::Time DcsDeadline() const { return absl::Now() + timeouts.dcs; }
};

// Prints "Error: <message>" (click's form) and returns the failure exit code, 1.
int Fail(CtlContext& ctx, std::string_view message);
int Fail(CtlContext& ctx, const absl::Status& status);  // its message

// patronictl's timestamp(): local time with five decimals, "2026-05-04 10:00:00.12345".
std::string Timestamp(const CtlContext& ctx);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_CONTEXT_H_
