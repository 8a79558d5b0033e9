// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/known_differences.h"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace warden::test {
namespace {

bool Listed(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return n == "*" || n == name; });
}

// A scalar or a list of scalars, none empty.
absl::Status Names(const YAML::Node& entry, const char* field, int line,
                   std::vector<std::string>* out) {
  const YAML::Node node = entry[field];
  const absl::Status missing =
      absl::InvalidArgumentError(absl::StrCat("line ", line, ": no '", field, "'"));
  if (!node) return missing;
  if (node.IsScalar()) {
    out->push_back(node.Scalar());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) return missing;
      out->push_back(item.Scalar());
    }
  }
  const bool empty = std::any_of(out->begin(), out->end(), [](auto& s) { return s.empty(); });
  return out->empty() || empty ? missing : absl::OkStatus();
}

absl::StatusOr<KnownDifference> Entry(const YAML::Node& node) {
  const int line = node.Mark().line + 1;
  if (!node.IsMap()) return absl::InvalidArgumentError(absl::StrCat("line ", line, ": not a map"));
  KnownDifference entry{.line = line};
  for (auto [field, out] : {std::pair{"config", &entry.configs}, std::pair{"point", &entry.points},
                            std::pair{"what", &entry.whats}}) {
    if (absl::Status s = Names(node, field, line, out); !s.ok()) return s;
  }
  std::vector<std::string> reason;
  if (absl::Status s = Names(node, "reason", line, &reason); !s.ok()) return s;
  entry.reason = absl::StrJoin(reason, " ");
  if (node["sometimes"]) entry.sometimes = node["sometimes"].as<bool>(false);
  return entry;
}

bool Matches(const KnownDifference& entry, const std::string& config, const std::string& point,
             const std::string& what) {
  if (!entry.AppliesTo(config) || !entry.AppliesAt(point)) return false;
  return std::any_of(entry.whats.begin(), entry.whats.end(), [&](const std::string& glob) {
    return ::fnmatch(glob.c_str(), what.c_str(), FNM_PATHNAME) == 0;
  });
}

}  // namespace

bool KnownDifference::AppliesTo(const std::string& config) const { return Listed(configs, config); }

bool KnownDifference::AppliesAt(const std::string& point) const { return Listed(points, point); }

absl::StatusOr<KnownDifferences> KnownDifferences::Parse(const std::string& yaml) {
  KnownDifferences known;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(e.what());
  }
  if (!root.IsNull() && !root.IsSequence()) {
    return absl::InvalidArgumentError("known differences: not a list of entries");
  }
  for (const YAML::Node& node : root) {
    absl::StatusOr<KnownDifference> entry = Entry(node);
    if (!entry.ok()) return entry.status();
    known.entries_.push_back(*std::move(entry));
  }
  known.used_.assign(known.entries_.size(), false);
  return known;
}

absl::StatusOr<KnownDifferences> KnownDifferences::Load(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << file.rdbuf();
  return Parse(text.str());
}

bool KnownDifferences::Covers(const std::string& config, const std::string& point,
                              const std::string& what) {
  bool covered = false;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!Matches(entries_[i], config, point, what)) continue;
    used_[i] = true;
    covered = true;
  }
  return covered;
}

std::vector<KnownDifference> KnownDifferences::Stale(const std::string& config,
                                                     const std::vector<std::string>& points) const {
  std::vector<KnownDifference> stale;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const KnownDifference& e = entries_[i];
    const bool ran = std::any_of(points.begin(), points.end(),
                                 [&](const std::string& p) { return e.AppliesAt(p); });
    if (e.AppliesTo(config) && ran && !used_[i] && !e.sometimes) stale.push_back(e);
  }
  return stale;
}

std::string KnownDifferencesText(const std::vector<KnownDifference>& entries) {
  std::string text;
  for (const KnownDifference& e : entries) {
    const std::string more =
        e.whats.size() > 1 ? absl::StrCat(" and ", e.whats.size() - 1, " more") : "";
    absl::StrAppend(&text, "  line ", e.line, ": ", e.whats.front(), more, " (", e.reason, ")\n");
  }
  return text;
}

}  // namespace warden::test
