// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/json_flatten.h"

#include "absl/strings/str_cat.h"

namespace warden::test {
namespace {

void Walk(const nlohmann::json& value, const std::string& prefix, const std::string& path,
          const std::string& field, bool under_slots, const Normalizer& normalizer, Snapshot* out) {
  const std::string key = path.empty() ? prefix : absl::StrCat(prefix, "/", path);
  if (!value.is_object() || value.empty()) {
    // The leader's `status` key maps slot names to their LSNs, which differ on every run.
    (*out)[key] = under_slots && value.is_number() ? "<lsn>" : normalizer.Leaf(value, field);
    return;
  }
  for (const auto& [name, child] : value.items()) {
    Walk(child, prefix, path.empty() ? name : absl::StrCat(path, ".", name), name,
         under_slots || name == "slots", normalizer, out);
  }
}

}  // namespace

void FlattenJson(const nlohmann::json& value, const std::string& prefix,
                 const Normalizer& normalizer, Snapshot* out) {
  Walk(value, prefix, "", "", false, normalizer, out);
}

void AddFieldTypes(const nlohmann::json& value, const std::string& prefix, Snapshot* out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [name, field] : value.items()) {
      (*out)[absl::StrCat(prefix, "/", name)] = field.type_name();
    }
  } else if (value.is_array()) {
    (*out)[prefix] = absl::StrCat("<array of ", value.size(), ">");
  } else {
    (*out)[prefix] =
        value.is_object() ? "<empty object>" : absl::StrCat("<", value.type_name(), ">");
  }
}

}  // namespace warden::test
