// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/dcs_capture.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "tests/compat/json_flatten.h"

namespace warden::test {
namespace {

// The harness's scope.
constexpr char kPrefix[] = "/service/e2e/";

std::string Decoded(const nlohmann::json& base64) {
  std::string text;
  if (!base64.is_string() || !absl::Base64Unescape(base64.get<std::string>(), &text)) return "?";
  return text;
}

// history is a list of [timeline, lsn, reason, time, new leader]; the last two came with
// Patroni 2 and may be absent.
std::string History(const nlohmann::json& lines, const Normalizer& normalizer) {
  nlohmann::json normalised = nlohmann::json::array();
  for (nlohmann::json line : lines) {
    if (line.is_array() && line.size() > 1) line[1] = "<lsn>";
    if (line.is_array() && line.size() > 3) line[3] = "<time>";
    normalised.push_back(line);
  }
  return normalizer.Text(normalised.dump());
}

bool AllDigits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), absl::ascii_isdigit);
}

void CaptureValue(const std::string& key, const std::string& value, const Normalizer& normalizer,
                  Snapshot* out) {
  const std::string what = absl::StrCat("dcs/", key);
  if (key == "initialize") {
    (*out)[what] = AllDigits(value) ? "<sysid>" : normalizer.Text(value);
    return;
  }
  const nlohmann::json json = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || json.is_string() || json.is_number()) {
    (*out)[what] = normalizer.Text(value);  // leader: a member's name
  } else if (key == "history" && json.is_array()) {
    (*out)[what] = History(json, normalizer);
  } else {
    FlattenJson(json, what, normalizer, out);
  }
}

}  // namespace

void CaptureDcs(const CaptureContext& context, Snapshot* out) {
  absl::StatusOr<std::string> listed =
      context.cluster->etcd().Etcdctl({"get", "--prefix", kPrefix, "-w", "json"});
  const nlohmann::json reply =
      listed.ok() ? nlohmann::json::parse(*listed, nullptr, false) : nlohmann::json(nullptr);
  if (!reply.is_object()) {
    (*out)["dcs/keys"] = "<etcdctl failed>";
    return;
  }
  std::vector<std::string> keys;
  for (const nlohmann::json& kv : reply.value("kvs", nlohmann::json::array())) {
    std::string key = Decoded(kv["key"]);
    if (!absl::StartsWith(key, kPrefix)) continue;
    key = key.substr(sizeof(kPrefix) - 1);
    keys.push_back(key);
    (*out)[absl::StrCat("dcs-lease/", key)] = kv.value("lease", int64_t{0}) != 0 ? "lease" : "none";
    CaptureValue(key, Decoded(kv["value"]), *context.normalizer, out);
  }
  (*out)["dcs/keys"] = absl::StrJoin(keys, ", ");  // etcd lists keys in byte order
}

}  // namespace warden::test
