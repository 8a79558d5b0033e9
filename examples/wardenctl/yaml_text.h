// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// YAML as patronictl reads and writes it. patronictl shows configuration with PyYAML's
// safe_dump (sorted keys, block style) and parses user input with safe_load, which follows YAML
// 1.1: `on`, `yes` and `off` are booleans, `010` is octal, `1e5` is a string. The same rules
// here mean `-s`, `-p` and `--apply` give the config key what patronictl would give it.

#ifndef WARDEN_EXAMPLES_WARDENCTL_YAML_TEXT_H_
#define WARDEN_EXAMPLES_WARDENCTL_YAML_TEXT_H_

#include <string>

#include "absl/status/statusor.h"
#include "py_json.h"

namespace warden::ctl {

// PyYAML's safe_dump(value, default_flow_style=False, allow_unicode=True): block style, keys
// sorted, strings quoted only where a plain one would read back as something else.
std::string ToYaml(const Json& value);

// The flow style ({a: 1, b: [x, y]}) patronictl uses for tags in topology and tsv output.
std::string ToFlowYaml(const Json& value);

// Parses one YAML document (JSON is YAML too) into JSON, resolving plain scalars the way
// PyYAML's safe_load does. INVALID_ARGUMENT with the parser's message on malformed input.
absl::StatusOr<Json> ParseYaml(const std::string& text);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_YAML_TEXT_H_
