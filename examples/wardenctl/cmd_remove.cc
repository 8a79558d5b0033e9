// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// remove: deletes every key of the cluster, after the three questions patronictl asks (the
// cluster's name, "Yes I am aware", and the leader's name while there is one). There is no
// --force: a wrong answer to any of them aborts with nothing deleted.

#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "cluster_read.h"
#include "commands.h"
#include "members_table.h"
#include "prompt.h"

namespace warden::ctl {
namespace {

constexpr char kAwareness[] = "Yes I am aware";

bool Answered(CtlContext& ctx, const std::string& question, const std::string& expected) {
  std::optional<std::string> answer = Prompt(ctx.in, ctx.out, question, std::nullopt);
  return answer && *answer == expected;
}

}  // namespace

int RunRemove(CtlContext& ctx) {
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) return Fail(ctx, view.status());
  ctx.out << FormatMembers(*view, ctx.scope, ctx.args.format, false);
  if (!Answered(ctx, "Please confirm the cluster name to remove", ctx.scope)) {
    return Fail(ctx, "Cluster names specified do not match");
  }
  if (!Answered(ctx,
                absl::StrCat("You are about to remove all information in DCS for ", ctx.scope,
                             ", please type: \"", kAwareness, "\""),
                kAwareness)) {
    return Fail(ctx, absl::StrCat("You did not exactly type \"", kAwareness, "\""));
  }
  if (view->leader && !view->leader->name.empty() &&
      !Answered(ctx,
                "This cluster currently is healthy. Please specify the leader name to continue",
                view->leader->name)) {
    return Fail(ctx, "You did not specify the current leader of the cluster");
  }
  absl::StatusOr<DeleteResult> deleted = ctx.dcs.DeletePrefix(ctx.keys.prefix(), ctx.DcsDeadline());
  if (!deleted.ok()) {
    return Fail(
        ctx, absl::StrCat("cannot delete ", ctx.keys.prefix(), ": ", deleted.status().message()));
  }
  ctx.out << "Removed " << deleted->deleted << " keys under " << ctx.keys.prefix() << "\n";
  return 0;
}

}  // namespace warden::ctl
