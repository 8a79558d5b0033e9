// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The edits `edit-config` makes to the config key's JSON, as patronictl makes them, and the
// check that the result is a configuration the agents will run with.

#ifndef WARDEN_EXAMPLES_WARDENCTL_CONFIG_EDIT_H_
#define WARDEN_EXAMPLES_WARDENCTL_CONFIG_EDIT_H_

#include <string>

#include "absl/status/status.h"
#include "py_json.h"

namespace warden::ctl {

// -s KEY=VALUE: KEY is a dotted path (loop_wait, postgresql.parameters.max_connections; below
// postgresql.parameters the rest is one name, since settings may hold dots), VALUE a YAML value
// (`200` a number, `on` a boolean, `null` or nothing deletes the key). Mappings left empty by a
// deletion go too. INVALID_ARGUMENT for a pair without '=' or an unreadable value.
absl::Status SetConfigValue(Json* config, const std::string& pair);

// Patroni's patch_config: merges `patch` into `config`, mappings recursively; null deletes.
void PatchConfig(Json* config, const Json& patch);

// Whether two configurations hold the same values, key order aside.
bool SameConfig(const Json& a, const Json& b);

// The result must decode as a dynamic configuration and keep Patroni's timing rule
// (loop_wait + 2 * retry_timeout <= ttl, whole seconds, ttl >= 5 s ...): agents would
// otherwise adjust or refuse it. INVALID_ARGUMENT saying what is wrong.
absl::Status ValidateConfig(const Json& config);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_CONFIG_EDIT_H_
