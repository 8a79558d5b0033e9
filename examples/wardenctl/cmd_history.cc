// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// history: the history key, one line per timeline switch, as patronictl 3.0 prints it.

#include <ostream>

#include "cluster_read.h"
#include "commands.h"
#include "output.h"

namespace warden::ctl {

int RunHistory(CtlContext& ctx) {
  absl::StatusOr<ClusterView> view = ReadCluster(ctx);
  if (!view.ok()) return Fail(ctx, view.status());
  Output output;
  output.columns = {"TL", "LSN", "Reason", "Timestamp", "New Leader"};
  output.right_aligned = {"TL", "LSN"};
  for (const TimelineHistoryEntry& entry : view->history) {
    output.rows.push_back(
        {entry.timeline, entry.lsn, entry.reason, entry.timestamp, entry.new_leader});
  }
  ctx.out << FormatOutput(output, ctx.args.format);
  return 0;
}

}  // namespace warden::ctl
