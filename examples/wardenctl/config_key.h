// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The config key as a JSON object, read and written back with a compare-and-swap on its
// mod_revision: a change made between our read and our write (by an agent, or another
// wardenctl) makes the write fail instead of being silently overwritten.

#ifndef WARDEN_EXAMPLES_WARDENCTL_CONFIG_KEY_H_
#define WARDEN_EXAMPLES_WARDENCTL_CONFIG_KEY_H_

#include "absl/status/statusor.h"
#include "context.h"
#include "py_json.h"
#include "warden/dcs/types.h"

namespace warden::ctl {

struct ConfigKey {
  Json config = Json::object();  // {} when the key does not exist
  Revision mod_revision = 0;     // 0: absent
};

// FAILED_PRECONDITION when the key holds something other than a JSON object.
absl::StatusOr<ConfigKey> ReadConfigKey(CtlContext& ctx);

// Writes `config` if the key is still at `read.mod_revision`. false: it changed meanwhile.
absl::StatusOr<bool> WriteConfigKey(CtlContext& ctx, const ConfigKey& read, const Json& config);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_CONFIG_KEY_H_
