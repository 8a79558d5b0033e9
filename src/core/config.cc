// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// AdjustTiming mirrors Patroni's Config._validate_and_adjust_timeouts (patroni/config.py), so
// that a warden member and a Patroni member reading the same /config run on the same timings:
//  1. ttl, loop_wait and retry_timeout are whole seconds (Patroni reads each with int(), which
//     truncates) and at least 5 s, 1 s and 3 s. Patroni 3.0 (Debian's) has no floors; later
//     releases document ttl >= 20 s because their leader lock is refreshed by the HA loop. Warden
//     keeps its lease alive on a timer of its own every ttl / 3, decoupled from the loop, so it
//     can fail over in seconds; 5 s leaves room for two keep-alives to fail before the lease goes.
//  2. If even the shortest loop_wait breaks loop_wait + 2 * retry_timeout <= ttl, loop_wait
//     becomes 1 s and retry_timeout (ttl - 1) / 2 (rounded down).
//  3. Otherwise, if the rule is broken, loop_wait shrinks to ttl - 2 * retry_timeout: Patroni
//     prefers a shorter loop to a shorter retry.
// Patroni has no upper bound; we cap each at the longest lease TTL a DCS grants, which also keeps
// the arithmetic from overflowing on absurd values.

#include "warden/core/config.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "warden/dcs/types.h"

namespace warden {
namespace {

constexpr int64_t kMinTtlSeconds = 5;
constexpr int64_t kMinLoopWaitSeconds = 1;
constexpr int64_t kMinRetryTimeoutSeconds = 3;

// Step 1 for one setting: whole seconds, within [minimum, the DCS's longest lease].
int64_t WholeSecondsAtLeast(absl::Duration value, int64_t minimum) {
  const int64_t most = absl::ToInt64Seconds(kMaxLeaseTtl);
  return std::clamp(absl::ToInt64Seconds(value), minimum, most);
}

// Records `name` going from `before` to `after`, if it did.
void NoteChange(const char* name, absl::Duration before, absl::Duration after,
                std::vector<std::string>* notes) {
  if (before == after) return;
  notes->push_back(
      absl::StrCat(name, " ", absl::FormatDuration(before), " -> ", absl::FormatDuration(after)));
}

}  // namespace

DynamicConfig AdjustTiming(DynamicConfig config, std::string* adjustment) {
  const int64_t ttl = WholeSecondsAtLeast(config.ttl, kMinTtlSeconds);
  int64_t loop_wait = WholeSecondsAtLeast(config.loop_wait, kMinLoopWaitSeconds);
  int64_t retry_timeout = WholeSecondsAtLeast(config.retry_timeout, kMinRetryTimeoutSeconds);
  if (kMinLoopWaitSeconds + 2 * retry_timeout > ttl) {
    loop_wait = kMinLoopWaitSeconds;
    retry_timeout = (ttl - kMinLoopWaitSeconds) / 2;
  } else if (loop_wait + 2 * retry_timeout > ttl) {
    loop_wait = ttl - 2 * retry_timeout;
  }
  std::vector<std::string> notes;
  NoteChange("ttl", config.ttl, absl::Seconds(ttl), &notes);
  NoteChange("loop_wait", config.loop_wait, absl::Seconds(loop_wait), &notes);
  NoteChange("retry_timeout", config.retry_timeout, absl::Seconds(retry_timeout), &notes);
  config.ttl = absl::Seconds(ttl);
  config.loop_wait = absl::Seconds(loop_wait);
  config.retry_timeout = absl::Seconds(retry_timeout);
  if (adjustment != nullptr) {
    *adjustment = notes.empty() ? std::string()
                                : absl::StrCat(absl::StrJoin(notes, ", "),
                                               " (Patroni's rule: whole seconds, ttl >= 5s, "
                                               "loop_wait >= 1s, retry_timeout >= 3s, "
                                               "loop_wait + 2 * retry_timeout <= ttl)");
  }
  return config;
}

}  // namespace warden
