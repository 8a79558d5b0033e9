// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// show-config and edit-config. edit-config follows patronictl: --replace, then --apply, then
// -s/-p (or, with none of them, the editor); "Not changed" when the result equals the key;
// otherwise the diff, a confirmation, and a compare-and-swap write, refused when the key changed
// meanwhile. Unlike patronictl it refuses a result the agents would not run with as written
// (an unreadable value, a broken timing rule).

#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cluster_read.h"
#include "commands.h"
#include "config_edit.h"
#include "config_key.h"
#include "diff.h"
#include "prompt.h"
#include "yaml_text.h"

namespace warden::ctl {
namespace {

absl::StatusOr<std::string> ReadInput(CtlContext& ctx, const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(ctx.in), std::istreambuf_iterator<char>());
  }
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", file));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A YAML (or JSON) mapping from a file or stdin.
absl::StatusOr<Json> ReadMapping(CtlContext& ctx, const std::string& file) {
  absl::StatusOr<std::string> text = ReadInput(ctx, file);
  if (!text.ok()) return text.status();
  absl::StatusOr<Json> data = ParseYaml(*text);
  if (!data.ok())
    return absl::InvalidArgumentError(absl::StrCat(file, ": ", data.status().message()));
  if (data->is_null()) return Json::object();
  if (!data->is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, " does not hold a YAML mapping"));
  }
  return data;
}

absl::Status ApplyPairs(const CommandArgs& args, Json* config) {
  for (const std::string& pair : args.set_pairs) {
    if (absl::Status s = SetConfigValue(config, pair); !s.ok()) return s;
  }
  for (const std::string& pair : args.pg_pairs) {
    const size_t start = pair.find_first_not_of(" \t");
    const std::string name = start == std::string::npos ? "" : pair.substr(start);
    if (absl::Status s = SetConfigValue(config, "postgresql.parameters." + name); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// The configuration the user asked for.
absl::StatusOr<Json> Edited(CtlContext& ctx, const Json& current, const std::string& before) {
  const CommandArgs& args = ctx.args;
  const bool from_arguments =
      args.replace_file || args.apply_file || !args.set_pairs.empty() || !args.pg_pairs.empty();
  Json changed = current;
  if (args.replace_file) {
    absl::StatusOr<Json> data = ReadMapping(ctx, *args.replace_file);
    if (!data.ok()) return data.status();
    changed = Json::object();
    PatchConfig(&changed, *data);
  }
  if (args.apply_file) {
    absl::StatusOr<Json> data = ReadMapping(ctx, *args.apply_file);
    if (!data.ok()) return data.status();
    PatchConfig(&changed, *data);
  }
  if (absl::Status s = ApplyPairs(args, &changed); !s.ok()) return s;
  if (from_arguments) return changed;
  if (!ctx.edit) return absl::FailedPreconditionError("no editor: use -s, -p or --apply");
  absl::StatusOr<std::string> text = ctx.edit(before);
  if (!text.ok()) return text.status();
  absl::StatusOr<Json> parsed = ParseYaml(*text);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object())
    return absl::InvalidArgumentError("the configuration must be a mapping");
  return parsed;
}

}  // namespace

int RunShowConfig(CtlContext& ctx) {
  absl::StatusOr<ConfigKey> read = ReadConfigKey(ctx);
  if (!read.ok()) return Fail(ctx, read.status());
  ctx.out << ToYaml(read->config) << "\n";  // patronictl echoes the document: a blank line ends it
  return 0;
}

int RunEditConfig(CtlContext& ctx) {
  if (absl::Status exists = CheckClusterExists(ctx); !exists.ok()) return Fail(ctx, exists);
  absl::StatusOr<ConfigKey> read = ReadConfigKey(ctx);
  if (!read.ok()) return Fail(ctx, read.status());
  const std::string before = ToYaml(read->config);
  absl::StatusOr<Json> changed = Edited(ctx, read->config, before);
  if (!changed.ok()) return Fail(ctx, changed.status());
  if (SameConfig(read->config, *changed)) {
    if (!ctx.args.quiet) ctx.out << "Not changed\n";
    return 0;
  }
  if (!ctx.args.quiet) ctx.out << UnifiedDiff(before, ToYaml(*changed));
  if ((ctx.args.apply_file == "-" || ctx.args.replace_file == "-") && !ctx.args.force) {
    ctx.out << "Use --force option to apply changes\n";  // stdin held the changes, not the answer
    return 0;
  }
  if (absl::Status valid = ValidateConfig(*changed); !valid.ok()) return Fail(ctx, valid);
  if (!ctx.args.force && !Confirm(ctx.in, ctx.out, "Apply these changes?")) return 0;
  absl::StatusOr<bool> written = WriteConfigKey(ctx, *read, *changed);
  if (!written.ok()) return Fail(ctx, written.status());
  if (!*written) return Fail(ctx, "Config modification aborted due to concurrent changes");
  ctx.out << "Configuration changed\n";
  return 0;
}

}  // namespace warden::ctl
