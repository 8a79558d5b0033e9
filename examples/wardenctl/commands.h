// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The commands. Each returns the exit code: 0 done, 1 failed (the reason printed on ctx.err).

#ifndef WARDEN_EXAMPLES_WARDENCTL_COMMANDS_H_
#define WARDEN_EXAMPLES_WARDENCTL_COMMANDS_H_

#include "context.h"

namespace warden::ctl {

int RunList(CtlContext& ctx);        // cmd_list.cc
int RunTopology(CtlContext& ctx);    // cmd_list.cc
int RunSwitchover(CtlContext& ctx);  // cmd_switchover.cc
int RunFailover(CtlContext& ctx);    // cmd_switchover.cc
int RunRestart(CtlContext& ctx);     // cmd_member_action.cc
int RunReload(CtlContext& ctx);      // cmd_member_action.cc
int RunReinit(CtlContext& ctx);      // cmd_member_action.cc
int RunPause(CtlContext& ctx);       // cmd_pause.cc
int RunResume(CtlContext& ctx);      // cmd_pause.cc
int RunShowConfig(CtlContext& ctx);  // cmd_config.cc
int RunEditConfig(CtlContext& ctx);  // cmd_config.cc
int RunHistory(CtlContext& ctx);     // cmd_history.cc
int RunRemove(CtlContext& ctx);      // cmd_remove.cc

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_COMMANDS_H_
