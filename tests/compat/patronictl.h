// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Debian's patronictl (3.0.2) against either cluster: it reads the DCS in Patroni's layout, which
// warden shares, and talks to the leader's REST API for switchover and restart. The tests drive
// both clusters with it and compare what it prints about them.

#ifndef WARDEN_TESTS_COMPAT_PATRONICTL_H_
#define WARDEN_TESTS_COMPAT_PATRONICTL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/compat/snapshot.h"

namespace warden::test {

// Runs `/usr/bin/patronictl -c <config> args...`; its stdout on exit status 0, otherwise an
// error quoting its stderr.
absl::StatusOr<std::string> Patronictl(const std::string& config,
                                       const std::vector<std::string>& args);

// Adds, read through n1's patroni.yml:
//   patronictl/list/<member>/<column>       `list -f json`, one entry per member and column;
//   patronictl/topology/<row>/<column>      `topology` (a table only), rows in tree order;
//   patronictl/history/<row>/<column>       `history -f json`;
//   patronictl/show-config/<a.b>            `show-config`, one entry per setting;
//   patronictl/<command>                    "<failed>" when the command failed.
void CapturePatronictl(const CaptureContext& context, Snapshot* out);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_PATRONICTL_H_
