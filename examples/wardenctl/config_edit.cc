// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "config_edit.h"

#include <exception>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "warden/core/codec.h"
#include "warden/core/config.h"
#include "yaml_text.h"

namespace warden::ctl {
namespace {

// patronictl's set_path_value.
void SetPath(Json* config, std::vector<std::string> path, const Json& value,
             const std::vector<std::string>& prefix) {
  if (prefix == std::vector<std::string>{"postgresql", "parameters"}) {
    path = {absl::StrJoin(path, ".")};
  }
  const std::string key = path.front();
  if (path.size() == 1) {
    if (value.is_null()) {
      config->erase(key);
    } else {
      (*config)[key] = value;
    }
    return;
  }
  if (!config->contains(key) || !(*config)[key].is_object()) (*config)[key] = Json::object();
  std::vector<std::string> nested_prefix = prefix;
  nested_prefix.push_back(key);
  SetPath(&(*config)[key], std::vector<std::string>(path.begin() + 1, path.end()), value,
          nested_prefix);
  if ((*config)[key].empty()) config->erase(key);
}

// A new subtree from a patch, without its nulls (they mean "absent").
Json WithoutNulls(const Json& value) {
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!it.value().is_null()) out[it.key()] = WithoutNulls(it.value());
  }
  return out;
}

}  // namespace

absl::Status SetConfigValue(Json* config, const std::string& pair) {
  const size_t eq = pair.find('=');
  if (pair.empty() || eq == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid parameter setting ", pair));
  }
  const std::string key_path(absl::StripAsciiWhitespace(pair.substr(0, eq)));
  std::vector<std::string> path = absl::StrSplit(key_path, '.');
  if (key_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("Invalid parameter setting ", pair));
  }
  absl::StatusOr<Json> value = ParseYaml(pair.substr(eq + 1));
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Invalid value in ", pair, ": ", value.status().message()));
  }
  try {
    SetPath(config, std::move(path), *value, {});
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("Cannot set ", pair, ": ", e.what()));
  }
  return absl::OkStatus();
}

void PatchConfig(Json* config, const Json& patch) {
  if (!patch.is_object()) return;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& name = it.key();
    const Json& value = it.value();
    if (value.is_null()) {
      config->erase(name);
    } else if (value.is_object() && config->contains(name) && (*config)[name].is_object()) {
      PatchConfig(&(*config)[name], value);
    } else {
      (*config)[name] = WithoutNulls(value);
    }
  }
}

bool SameConfig(const Json& a, const Json& b) {
  // nlohmann::json (unordered) compares objects as maps.
  return nlohmann::json::parse(CompactJson(a), nullptr, false) ==
         nlohmann::json::parse(CompactJson(b), nullptr, false);
}

absl::Status ValidateConfig(const Json& config) {
  absl::StatusOr<DynamicConfig> decoded = DecodeConfig(CompactJson(config));
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid configuration: ", decoded.status().message()));
  }
  std::string adjustment;
  AdjustTiming(*decoded, &adjustment);
  if (!adjustment.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid timing: ", adjustment));
  }
  return absl::OkStatus();
}

}  // namespace warden::ctl
