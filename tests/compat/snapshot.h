// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// A Snapshot is what one cluster looks like at one point, as flat entries "what" -> normalised
// value, where "what" is a stable path ("pg_settings/n1/work_mem", "rest/n2/replica/status",
// "dcs/members/n3/role", "patronictl/list/n1/Role") that known_differences.yaml names. Two
// snapshots of the same configuration, one per agent, compare entry by entry.

#ifndef WARDEN_TESTS_COMPAT_SNAPSHOT_H_
#define WARDEN_TESTS_COMPAT_SNAPSHOT_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/compat/compat_config.h"
#include "tests/compat/normalizer.h"
#include "tests/e2e/e2e_cluster.h"

namespace warden::test {

using Snapshot = std::map<std::string, std::string>;

// What the captures read from.
struct CaptureContext {
  const E2eCluster* cluster;
  const Normalizer* normalizer;
  const CompatConfig* config;
};

// Every capture once: PostgreSQL, DCS, REST, patronictl.
Snapshot Capture(const CaptureContext& context);

// Captures until two captures in a row agree, as agents publish their state a loop or two after
// the cluster looks steady from outside. Each capture takes longer than a loop_wait, so no pause
// is needed between them. The last capture if none settles within `timeout`.
Snapshot SettledCapture(const CaptureContext& context, absl::Duration timeout);

// The snapshot as text, one "what = value" line per entry (for WARDEN_COMPAT_DUMP).
std::string SnapshotText(const Snapshot& snapshot);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_SNAPSHOT_H_
