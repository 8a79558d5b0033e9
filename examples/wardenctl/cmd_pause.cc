// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// pause and resume: "pause" in the config key, written with a compare-and-swap (retried a few
// times when an agent changes the key between our read and our write). patronictl sends PATCH
// /config to an agent instead; writing the key ourselves works with no agent reachable, and
// the agents read it either way. --wait then asks every member's GET /patroni until each
// reports the new state ("pause": true while paused, absent or false otherwise).

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cluster_read.h"
#include "commands.h"
#include "config_key.h"
#include "py_json.h"
#include "warden/core/codec.h"

namespace warden::ctl {
namespace {

constexpr int kWriteAttempts = 5;

// One read-modify-write. OK(true) written, OK(false) lost a race, error otherwise.
absl::StatusOr<bool> TryWritePause(CtlContext& ctx, bool paused) {
  absl::StatusOr<ConfigKey> read = ReadConfigKey(ctx);
  if (!read.ok()) return read.status();
  absl::StatusOr<DynamicConfig> decoded = DecodeConfig(CompactJson(read->config));
  if (!decoded.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat(ctx.keys.config(), " is not valid: ", decoded.status().message()));
  }
  if (decoded->pause == paused) {
    return absl::FailedPreconditionError(paused ? "Cluster is already paused"
                                                : "Cluster is not paused");
  }
  Json config = read->config;
  config["pause"] = paused;
  return WriteConfigKey(ctx, *read, config);
}

bool ReportsPause(CtlContext& ctx, const Member& member, bool paused) {
  absl::StatusOr<HttpResponse> r =
      CallMember(ctx, member, "GET", "patroni", "", ctx.timeouts.rest_read);
  if (!r.ok() || r->status != 200) return false;
  const Json status = ParseJsonOrDiscarded(r->body);
  if (!status.is_object()) return false;
  const auto pause = status.find("pause");
  const bool reported = pause != status.end() && pause->is_boolean() && pause->get<bool>();
  return reported == paused;
}

int WaitForPause(CtlContext& ctx, bool paused) {
  ctx.out << "'" << (paused ? "pause" : "resume")
          << "' request sent, waiting until it is recognized by all nodes\n";
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) return Fail(ctx, view.status());
  std::vector<const Member*> pending;
  for (const Member& m : view->members) {
    if (!m.api_url.empty()) pending.push_back(&m);
  }
  // An agent applies the change on its next loop: give it at least loop_wait.
  const absl::Duration limit =
      std::max(ctx.timeouts.wait, view->config.loop_wait + absl::Seconds(1));
  const absl::Time deadline = ctx.now() + limit;
  for (;;) {
    std::erase_if(pending, [&](const Member* m) { return ReportsPause(ctx, *m, paused); });
    if (pending.empty()) break;
    if (ctx.now() >= deadline) {
      std::vector<std::string> names;
      names.reserve(pending.size());
      for (const Member* m : pending) names.push_back(m->name);
      return Fail(
          ctx, absl::StrCat(absl::StrJoin(names, ", "), " did not recognize the pause state after ",
                            absl::ToInt64Seconds(limit), " seconds"));
    }
    ctx.sleep(ctx.timeouts.poll_interval);
  }
  ctx.out << "Success: cluster management is " << (paused ? "paused" : "resumed") << "\n";
  return 0;
}

int TogglePause(CtlContext& ctx, bool paused) {
  if (absl::Status exists = CheckClusterExists(ctx); !exists.ok()) return Fail(ctx, exists);
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<bool> written = TryWritePause(ctx, paused);
    if (!written.ok()) return Fail(ctx, written.status());
    if (*written) break;
    if (attempt + 1 == kWriteAttempts) {
      return Fail(ctx, absl::StrCat(ctx.keys.config(), " kept changing under us; try again"));
    }
  }
  if (ctx.args.wait) return WaitForPause(ctx, paused);
  ctx.out << "Success: cluster management is " << (paused ? "paused" : "resumed") << "\n";
  return 0;
}

}  // namespace

int RunPause(CtlContext& ctx) { return TogglePause(ctx, true); }

int RunResume(CtlContext& ctx) { return TogglePause(ctx, false); }

}  // namespace warden::ctl
