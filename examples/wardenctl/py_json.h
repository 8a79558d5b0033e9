// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// JSON spelled as Python's json.dumps() spells it (", " and ": " separators, non-ASCII escaped
// as \uXXXX), so that `wardenctl list --format json` prints what `patronictl list -f json`
// prints and scripts parsing either keep working.

#ifndef WARDEN_EXAMPLES_WARDENCTL_PY_JSON_H_
#define WARDEN_EXAMPLES_WARDENCTL_PY_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

namespace warden::ctl {

using Json = nlohmann::ordered_json;

std::string PyJsonDumps(const Json& value);

// Compact JSON (what goes into the DCS); invalid UTF-8 is replaced, never thrown on.
std::string CompactJson(const Json& value);

// Parses JSON text without throwing; nullopt-like: a discarded value on error.
Json ParseJsonOrDiscarded(const std::string& text);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_PY_JSON_H_
