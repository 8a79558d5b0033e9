// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// PyYAML's implicit resolvers (YAML 1.1): what type a plain (unquoted) scalar reads as. The
// emitter quotes a string exactly when its plain form would resolve to something else; the
// loader converts plain scalars by the same rules.

#ifndef WARDEN_EXAMPLES_WARDENCTL_YAML_RESOLVE_H_
#define WARDEN_EXAMPLES_WARDENCTL_YAML_RESOLVE_H_

#include <string>

#include "py_json.h"

namespace warden::ctl {

enum class YamlImplicit { kStr, kBool, kInt, kFloat, kNull, kTimestamp, kMerge, kValue };

YamlImplicit ResolvePlainScalar(const std::string& text);

// The value a plain scalar reads as. Timestamps stay strings (JSON has no dates), as do numbers
// too large for JSON.
Json PlainScalarValue(const std::string& text);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_YAML_RESOLVE_H_
