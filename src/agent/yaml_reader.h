// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Private YAML plumbing for agent_config.cc: reading a yaml-cpp tree the way Patroni's PyYAML
// (YAML 1.1) types it, with the 1-based line of every key, warnings for the keys nobody took,
// and the first error kept. Nothing here throws: callers still catch YAML::Exception around it,
// because yaml-cpp may throw from places this file does not wrap.

#ifndef WARDEN_SRC_AGENT_YAML_READER_H_
#define WARDEN_SRC_AGENT_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace warden::agent_config_internal {

// A plain (unquoted) scalar typed as PyYAML's YAML 1.1 resolver types it.
enum class ScalarKind { kNull, kBool, kInt, kFloat, kString };
ScalarKind ResolveScalar(const YAML::Node& scalar);
// The boolean a YAML 1.1 plain scalar spells (yes/no, on/off, true/false in three cases).
std::optional<bool> YamlBool(const std::string& text);
// Patroni's parse_bool, which also takes 1/0 and any case: for values written as strings.
std::optional<bool> ParseBool(const std::string& text);

// "line N" for a node (yaml-cpp's marks are 0-based), "" for a node not from the text.
std::string LineOf(const YAML::Node& node);

// Converts a subtree to JSON with PyYAML's typing (bootstrap.dcs and tags go through the JSON
// codec). Refuses non-scalar keys, nesting deeper than 64 and more than 100k nodes (aliases
// can make a small document expand without bound).
absl::StatusOr<nlohmann::ordered_json> YamlToJson(const YAML::Node& node);

// Warnings and errors of one parse; the status holds every error, one a line.
class Diagnostics {
 public:
  // "line N: text" (or just text when the node has no line).
  void Warn(const YAML::Node& at, const std::string& text);
  void Fail(const YAML::Node& at, const std::string& text);
  void Fail(const absl::Status& status);
  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }

 private:
  std::vector<std::string> warnings_;
  absl::Status status_;
};

// The keys of one YAML mapping, taken one by one; what is left is unknown. `path` is the
// mapping's dotted path ("postgresql.authentication"), "" at the top.
class MapReader {
 public:
  // `map` may be null or absent (an empty section); anything else but a map is an error.
  MapReader(const YAML::Node& map, std::string path, Diagnostics* diag);

  // The value of `key` (marked as taken); a null node when absent or written as null.
  YAML::Node Take(const std::string& key);
  bool Has(const std::string& key) const { return entries_.count(key) > 0; }
  // The key's own node (its line is where errors about the value point); null when absent.
  YAML::Node KeyNode(const std::string& key) const;

  // Each typed Take leaves `out` unchanged when the key is absent or null, and reports a wrong
  // type as an error naming the line and the key path. They return whether `out` was set.
  bool TakeString(const std::string& key, std::string* out);
  bool TakeBool(const std::string& key, bool* out);

  // Marks a key Patroni knows but warden does not use: warns "not supported (ignored)" unless
  // the key was taken already.
  void Unsupported(const std::string& key, const std::string& why = "");
  // Warns about every key not taken: "line N: unknown key 'path.key' (ignored)".
  void WarnUnknown();

  std::string PathOf(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }
  const YAML::Node& node() const { return map_; }
  Diagnostics* diag() const { return diag_; }

 private:
  struct Entry {
    YAML::Node key;
    YAML::Node value;
    bool taken = false;
  };
  YAML::Node map_;
  std::string path_;
  Diagnostics* diag_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;  // keys in document order, for warnings in that order
};

// The text of a scalar that must be a string (a YAML number or boolean reads as written, as
// PyYAML's str() would give for the usual cases); an error for maps and sequences.
std::optional<std::string> ScalarText(const YAML::Node& value, const std::string& path,
                                      Diagnostics* diag);

}  // namespace warden::agent_config_internal

#endif  // WARDEN_SRC_AGENT_YAML_READER_H_
