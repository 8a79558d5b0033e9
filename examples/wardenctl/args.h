// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// wardenctl's command line, patronictl's: global options (-c CONFIG or --dcs URL --scope NAME),
// a command, its positional arguments and its options. Options may come before or after the
// command. Anything unknown, or an option the command does not take, is a usage error (exit 2).

#ifndef WARDEN_EXAMPLES_WARDENCTL_ARGS_H_
#define WARDEN_EXAMPLES_WARDENCTL_ARGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::ctl {

struct GlobalOptions {
  std::string config_path;  // -c/--config: the agent's patroni.yml
  std::string dcs_url;      // -d/--dcs: etcd3://host:port[,host:port]
  std::string scope;        // --scope
  std::string namespace_;   // -n/--namespace
  bool insecure = false;    // -k/--insecure: do not verify the agents' TLS certificates
  std::string cacert;       // --cacert: CA of the agents' REST API certificates
};

struct CommandArgs {
  std::string command;
  // After the command name: the cluster name, then member names where the command takes them.
  std::vector<std::string> positionals;
  std::string format = "pretty";
  bool extended = false;
  bool force = false;
  bool wait = false;
  bool quiet = false;
  std::optional<std::string> leader;
  std::optional<std::string> candidate;
  std::optional<std::string> scheduled;
  std::optional<std::string> role;
  std::optional<std::string> apply_file;
  std::optional<std::string> replace_file;
  std::vector<std::string> set_pairs;  // -s key=value
  std::vector<std::string> pg_pairs;   // -p param=value
};

struct CtlArgs {
  GlobalOptions global;
  CommandArgs command;
  bool help = false;  // -h/--help: print the usage (of the command, if one was named)
};

// INVALID_ARGUMENT with a one-line reason on a usage error.
absl::StatusOr<CtlArgs> ParseArgs(const std::vector<std::string>& args);

// Whether the command talks to a cluster (everything but `version`).
bool CommandNeedsCluster(const std::string& command);

// The full usage text, or one command's.
std::string UsageText();
std::string CommandUsageText(const std::string& name);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_ARGS_H_
