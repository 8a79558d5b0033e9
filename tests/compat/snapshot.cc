// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/snapshot.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/compat/dcs_capture.h"
#include "tests/compat/patronictl.h"
#include "tests/compat/pg_capture.h"
#include "tests/compat/rest_capture.h"

namespace warden::test {
namespace {

// The entries whose values differ, for the message about a cluster that would not settle.
std::string ChangedEntries(const Snapshot& before, const Snapshot& after) {
  std::string changed;
  for (const auto& [what, value] : after) {
    const auto it = before.find(what);
    if (it == before.end() || it->second != value) absl::StrAppend(&changed, " ", what);
  }
  for (const auto& [what, value] : before) {
    if (!after.contains(what)) absl::StrAppend(&changed, " ", what);
  }
  return changed;
}

}  // namespace

Snapshot Capture(const CaptureContext& context) {
  Snapshot snapshot;
  CapturePostgres(context, &snapshot);
  CaptureDcs(context, &snapshot);
  CaptureRest(context, &snapshot);
  CapturePatronictl(context, &snapshot);
  return snapshot;
}

Snapshot SettledCapture(const CaptureContext& context, absl::Duration timeout) {
  // An agent publishes its state once per loop: two equal captures inside one loop_wait prove
  // nothing, so the snapshot must hold for two loops and a bit.
  const absl::Duration window = absl::Seconds(2 * context.config->options.loop_wait_seconds + 1);
  const absl::Time give_up = absl::Now() + timeout;
  absl::Time since = absl::Now();
  Snapshot last = Capture(context);
  std::string changed;
  while (absl::Now() < give_up) {
    const absl::Time at = absl::Now();
    Snapshot next = Capture(context);
    if (next == last) {
      if (absl::Now() - since >= window) return last;
      continue;
    }
    changed = ChangedEntries(last, next);
    last = std::move(next);
    since = at;
  }
  std::fprintf(stderr, "compat: the snapshot did not settle in %s; last changed:%s\n",
               absl::FormatDuration(timeout).c_str(), changed.c_str());
  return last;
}

std::string SnapshotText(const Snapshot& snapshot) {
  std::string text;
  for (const auto& [what, value] : snapshot) absl::StrAppend(&text, what, " = ", value, "\n");
  return text;
}

}  // namespace warden::test
