// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "ctl.h"

#include <cstdlib>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "args.h"
#include "commands.h"
#include "editor.h"

namespace warden::ctl {
namespace {

using Command = int (*)(CtlContext&);

const std::map<std::string, Command>& CommandTable() {
  static const auto* table = new std::map<std::string, Command>{
      {"list", RunList},
      {"topology", RunTopology},
      {"switchover", RunSwitchover},
      {"failover", RunFailover},
      {"restart", RunRestart},
      {"reload", RunReload},
      {"reinit", RunReinit},
      {"pause", RunPause},
      {"resume", RunResume},
      {"show-config", RunShowConfig},
      {"edit-config", RunEditConfig},
      {"history", RunHistory},
      {"remove", RunRemove},
  };
  return *table;
}

int UsageError(const CtlDeps& deps, const absl::Status& status) {
  *deps.err << "Usage: wardenctl [OPTIONS] COMMAND [ARGS]...\n"
            << "Try 'wardenctl --help' for help.\n\n"
            << "Error: " << status.message() << "\n";
  return kExitUsage;
}

int RunCommand(const CtlArgs& args, const DcsTarget& target, Dcs& dcs, const CtlDeps& deps) {
  CtlContext ctx{.dcs = dcs,
                 .keys = ClusterKeys(target.namespace_, target.scope),
                 .scope = target.scope,
                 .args = args.command,
                 .http = deps.http,
                 .rest_username = target.rest_username,
                 .rest_password = target.rest_password,
                 .cacert = args.global.cacert,
                 .insecure = args.global.insecure,
                 .in = *deps.in,
                 .out = *deps.out,
                 .err = *deps.err,
                 .now = deps.now,
                 .sleep = deps.sleep,
                 .time_zone = deps.time_zone,
                 .timeouts = deps.timeouts,
                 .edit = deps.edit};
  return CommandTable().at(args.command.command)(ctx);
}

}  // namespace

CtlDeps DefaultDeps() {
  CtlDeps deps;
  deps.open_dcs = OpenEtcd;
  deps.http = CallHttp;
  deps.edit = EditInEditor;
  deps.in = &std::cin;
  deps.out = &std::cout;
  deps.err = &std::cerr;
  for (const char* name : {"WARDENCTL_CONFIG_FILE", "PATRONICTL_CONFIG_FILE"}) {
    // main() calls this before any thread exists.
    const char* path = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
    if (path != nullptr && *path != '\0') {
      deps.default_config_path = path;
      break;
    }
  }
  return deps;
}

int RunWardenctl(const std::vector<std::string>& argv, const CtlDeps& deps) {
  absl::StatusOr<CtlArgs> args = ParseArgs(argv);
  if (!args.ok()) return UsageError(deps, args.status());
  if (args->help) {
    *deps.out << (args->command.command.empty() ? UsageText()
                                                : CommandUsageText(args->command.command));
    return kExitOk;
  }
  if (!CommandNeedsCluster(args->command.command)) {
    *deps.out << "wardenctl version " << WARDEN_VERSION << "\n";
    return kExitOk;
  }
  GlobalOptions global = args->global;
  if (global.config_path.empty() && global.dcs_url.empty()) {
    global.config_path = deps.default_config_path;
  }
  const std::string cluster =
      args->command.positionals.empty() ? "" : args->command.positionals.front();
  absl::StatusOr<DcsTarget> target = ResolveTarget(global, cluster, deps.load_config);
  if (!target.ok()) {
    if (target.status().code() == absl::StatusCode::kInvalidArgument) {
      return UsageError(deps, target.status());
    }
    *deps.err << "Error: " << target.status().message() << "\n";
    return kExitFailure;
  }
  absl::StatusOr<std::unique_ptr<Dcs>> dcs = deps.open_dcs(*target);
  if (!dcs.ok()) {
    *deps.err << "Error: cannot open the DCS: " << dcs.status().message() << "\n";
    return kExitFailure;
  }
  return RunCommand(*args, *target, **dcs, deps);
}

}  // namespace warden::ctl
