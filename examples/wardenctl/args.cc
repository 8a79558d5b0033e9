// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "args.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "output.h"

namespace warden::ctl {
namespace {

enum class Opt {
  kConfig,
  kDcs,
  kScope,
  kNamespace,
  kInsecure,
  kCacert,
  kHelp,  // global
  kFormat,
  kExtended,
  kForce,
  kWait,
  kQuiet,
  kLeader,
  kCandidate,
  kScheduled,
  kRole,
  kSet,
  kPg,
  kApply,
  kReplace,
};

struct OptionSpec {
  Opt id;
  std::vector<std::string> names;
  std::string metavar;  // empty: a flag
  std::string help;
  bool global = false;
};

const std::vector<OptionSpec>& Options() {
  static const auto* options = new std::vector<OptionSpec>{
      {Opt::kConfig,
       {"-c", "--config", "--config-file"},
       "FILE",
       "the agent's patroni.yml: scope, namespace, etcd3 hosts, REST API credentials",
       true},
      {Opt::kDcs,
       {"-d", "--dcs"},
       "URL",
       "etcd3://HOST:PORT[,HOST:PORT...] (over the config's)",
       true},
      {Opt::kScope, {"--scope"}, "NAME", "the cluster (default: the config's scope)", true},
      {Opt::kNamespace, {"-n", "--namespace"}, "PATH", "DCS namespace (default: /service)", true},
      {Opt::kInsecure,
       {"-k", "--insecure"},
       "",
       "do not verify the agents' TLS certificates",
       true},
      {Opt::kCacert, {"--cacert"}, "FILE", "CA of the agents' REST API certificates", true},
      {Opt::kHelp, {"-h", "--help"}, "", "show this help (or a command's)", true},
      {Opt::kFormat, {"-f", "--format"}, "FORMAT", "pretty (default), tsv, json or yaml"},
      {Opt::kExtended, {"-e", "--extended"}, "", "show pending restarts, scheduled restarts, tags"},
      {Opt::kForce, {"--force"}, "", "do not ask for confirmation"},
      {Opt::kWait, {"--wait"}, "", "wait until every member has applied it"},
      {Opt::kQuiet, {"-q", "--quiet"}, "", "do not show the changes"},
      {Opt::kLeader, {"--leader", "--primary", "--master"}, "NAME", "the current leader"},
      {Opt::kCandidate, {"--candidate"}, "NAME", "the member to promote"},
      {Opt::kScheduled, {"--scheduled"}, "TIME", "when: ISO 8601 time, or now"},
      {Opt::kRole, {"-r", "--role"}, "ROLE", "only members with this role: leader, replica, any"},
      {Opt::kSet, {"-s", "--set"}, "KEY=VALUE", "set a config value (dotted key; null deletes)"},
      {Opt::kPg, {"-p", "--pg"}, "PARAM=VALUE", "set postgresql.parameters.PARAM"},
      {Opt::kApply, {"--apply"}, "FILE", "merge a YAML or JSON file (- for stdin)"},
      {Opt::kReplace, {"--replace"}, "FILE", "replace the config with a file (- for stdin)"},
  };
  return *options;
}

struct CommandSpec {
  std::string name;
  std::string synopsis;
  std::string help;
  std::vector<Opt> options;
  size_t min_positionals = 0;
  size_t max_positionals = 1;  // SIZE_MAX: any number
};

const std::vector<CommandSpec>& Commands() {
  static const auto* commands = new std::vector<CommandSpec>{
      {"list",
       "[CLUSTER]",
       "list the members, their roles, state and lag",
       {Opt::kFormat, Opt::kExtended}},
      {"topology", "[CLUSTER]", "the members as a replication tree", {Opt::kExtended}},
      {"switchover",
       "[CLUSTER]",
       "move the leader to another member (planned)",
       {Opt::kLeader, Opt::kCandidate, Opt::kScheduled, Opt::kForce}},
      {"failover",
       "[CLUSTER]",
       "promote a member now (the leader may be gone)",
       {Opt::kLeader, Opt::kCandidate, Opt::kForce}},
      {"restart",
       "CLUSTER [MEMBER]...",
       "restart PostgreSQL on members (all by default)",
       {Opt::kRole, Opt::kForce},
       1,
       SIZE_MAX},
      {"reload",
       "CLUSTER [MEMBER]...",
       "reload the configuration of members (all by default)",
       {Opt::kRole, Opt::kForce},
       1,
       SIZE_MAX},
      {"reinit",
       "CLUSTER [MEMBER]...",
       "wipe and re-clone replicas from the leader",
       {Opt::kForce, Opt::kWait},
       1,
       SIZE_MAX},
      {"pause", "[CLUSTER]", "maintenance mode: stop automatic failover", {Opt::kWait}},
      {"resume", "[CLUSTER]", "leave maintenance mode", {Opt::kWait}},
      {"show-config", "[CLUSTER]", "print the dynamic configuration", {}},
      {"edit-config",
       "[CLUSTER]",
       "change the dynamic configuration",
       {Opt::kSet, Opt::kPg, Opt::kApply, Opt::kReplace, Opt::kForce, Opt::kQuiet}},
      {"history", "[CLUSTER]", "timeline history: failovers and switchovers", {Opt::kFormat}},
      {"remove", "CLUSTER", "delete the cluster's keys from the DCS", {Opt::kFormat}, 1, 1},
      {"version", "", "print wardenctl's version", {}, 0, 0},
  };
  return *commands;
}

// The first two names; the others are patronictl's older spellings, accepted but not shown.
std::string ShownNames(const OptionSpec& option) {
  const auto shown = static_cast<std::ptrdiff_t>(std::min<size_t>(option.names.size(), 2));
  return absl::StrJoin(option.names.begin(), option.names.begin() + shown, ", ");
}

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& spec : Options()) {
    if (std::find(spec.names.begin(), spec.names.end(), name) != spec.names.end()) return &spec;
  }
  return nullptr;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : Commands()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::Status Usage(std::string_view message) {
  return absl::InvalidArgumentError(std::string(message));
}

void Apply(Opt id, const std::string& value, CtlArgs* out) {
  CommandArgs& c = out->command;
  switch (id) {
    case Opt::kConfig:
      out->global.config_path = value;
      break;
    case Opt::kDcs:
      out->global.dcs_url = value;
      break;
    case Opt::kScope:
      out->global.scope = value;
      break;
    case Opt::kNamespace:
      out->global.namespace_ = value;
      break;
    case Opt::kInsecure:
      out->global.insecure = true;
      break;
    case Opt::kCacert:
      out->global.cacert = value;
      break;
    case Opt::kHelp:
      out->help = true;
      break;
    case Opt::kFormat:
      c.format = value;
      break;
    case Opt::kExtended:
      c.extended = true;
      break;
    case Opt::kForce:
      c.force = true;
      break;
    case Opt::kWait:
      c.wait = true;
      break;
    case Opt::kQuiet:
      c.quiet = true;
      break;
    case Opt::kLeader:
      c.leader = value;
      break;
    case Opt::kCandidate:
      c.candidate = value;
      break;
    case Opt::kScheduled:
      c.scheduled = value;
      break;
    case Opt::kRole:
      c.role = value;
      break;
    case Opt::kSet:
      c.set_pairs.push_back(value);
      break;
    case Opt::kPg:
      c.pg_pairs.push_back(value);
      break;
    case Opt::kApply:
      c.apply_file = value;
      break;
    case Opt::kReplace:
      c.replace_file = value;
      break;
  }
}

// Checks what the command was given against what it takes.
absl::Status CheckCommand(const CtlArgs& args, const std::vector<const OptionSpec*>& used) {
  const CommandArgs& c = args.command;
  if (c.command.empty()) return Usage("Missing command.");
  const CommandSpec* spec = FindCommand(c.command);
  if (spec == nullptr) return Usage(absl::StrCat("No such command '", c.command, "'."));
  for (const OptionSpec* option : used) {
    if (option->global ||
        std::find(spec->options.begin(), spec->options.end(), option->id) != spec->options.end()) {
      continue;
    }
    return Usage(
        absl::StrCat("Option '", option->names.back(), "' does not apply to '", c.command, "'."));
  }
  if (c.positionals.size() < spec->min_positionals) {
    return Usage(absl::StrCat("Missing argument: '", c.command, "' takes ", spec->synopsis, "."));
  }
  if (c.positionals.size() > spec->max_positionals) {
    return Usage(absl::StrCat("Got unexpected extra argument (",
                              c.positionals[spec->max_positionals], ")."));
  }
  if (c.role && *c.role != "leader" && *c.role != "primary" && *c.role != "master" &&
      *c.role != "replica" && *c.role != "any") {
    return Usage(absl::StrCat("Invalid role '", *c.role, "': leader, replica or any."));
  }
  if (!IsKnownFormat(c.format)) {
    return Usage(absl::StrCat("Unknown format '", c.format, "': pretty, tsv, json or yaml."));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CtlArgs> ParseArgs(const std::vector<std::string>& args) {
  CtlArgs out;
  std::vector<const OptionSpec*> used;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      if (out.command.command.empty()) {
        out.command.command = arg;
      } else {
        out.command.positionals.push_back(arg);
      }
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    const size_t eq = arg.starts_with("--") ? arg.find('=') : std::string::npos;
    const std::string name = arg.substr(0, eq);
    const OptionSpec* spec = FindOption(name);
    if (spec == nullptr) return Usage(absl::StrCat("No such option: ", name));
    std::string value;
    if (!spec->metavar.empty()) {
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Usage(absl::StrCat("Option '", name, "' requires an argument."));
      }
    } else if (eq != std::string::npos) {
      return Usage(absl::StrCat("Option '", name, "' does not take a value."));
    }
    Apply(spec->id, value, &out);
    used.push_back(spec);
  }
  if (out.help) return out;
  if (absl::Status s = CheckCommand(out, used); !s.ok()) return s;
  return out;
}

bool CommandNeedsCluster(const std::string& command) { return command != "version"; }

std::string UsageText() {
  std::string out =
      "Usage: wardenctl [OPTIONS] COMMAND [ARGS]...\n\n"
      "  Look after a warden (or Patroni) cluster, as patronictl does:\n"
      "    wardenctl -c /etc/patroni.yml list\n"
      "    wardenctl --dcs etcd3://10.0.0.1:2379 --scope demo switchover --candidate node2\n\n"
      "Options:\n";
  for (const OptionSpec& option : Options()) {
    if (!option.global) continue;
    std::string names = ShownNames(option);
    if (!option.metavar.empty()) absl::StrAppend(&names, " ", option.metavar);
    absl::StrAppend(&out, absl::StrFormat("  %-28s %s\n", names, option.help));
  }
  absl::StrAppend(&out, "\nCommands:\n");
  for (const CommandSpec& command : Commands()) {
    absl::StrAppend(&out, absl::StrFormat("  %-12s %s\n", command.name, command.help));
  }
  absl::StrAppend(&out, "\nwardenctl COMMAND --help shows a command's arguments and options.\n",
                  "Exit status: 0 done, 1 failed, 2 usage error.\n");
  return out;
}

std::string CommandUsageText(const std::string& name) {
  const CommandSpec* spec = FindCommand(name);
  if (spec == nullptr) return UsageText();
  std::string out = absl::StrCat(
      "Usage: wardenctl [OPTIONS] ", spec->name, spec->synopsis.empty() ? "" : " ", spec->synopsis,
      spec->options.empty() ? "" : " [COMMAND OPTIONS]", "\n\n  ", spec->help, "\n");
  if (!spec->options.empty()) absl::StrAppend(&out, "\nCommand options:\n");
  for (Opt id : spec->options) {
    for (const OptionSpec& option : Options()) {
      if (option.id != id) continue;
      std::string names = ShownNames(option);
      if (!option.metavar.empty()) absl::StrAppend(&names, " ", option.metavar);
      absl::StrAppend(&out, absl::StrFormat("  %-28s %s\n", names, option.help));
    }
  }
  return out;
}

}  // namespace warden::ctl
