// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// list and topology: read the cluster once and print it.

#include <ostream>

#include "cluster_read.h"
#include "commands.h"
#include "members_table.h"

namespace warden::ctl {
namespace {

int PrintMembers(CtlContext& ctx, const std::string& format) {
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) return Fail(ctx, view.status());
  ctx.out << FormatMembers(*view, ctx.scope, format, ctx.args.extended);
  return 0;
}

}  // namespace

int RunList(CtlContext& ctx) { return PrintMembers(ctx, ctx.args.format); }

int RunTopology(CtlContext& ctx) { return PrintMembers(ctx, "topology"); }

}  // namespace warden::ctl
