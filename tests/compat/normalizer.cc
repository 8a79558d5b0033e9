// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/normalizer.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace warden::test {

Normalizer::Normalizer(const E2eCluster& cluster) {
  namespace fs = std::filesystem;
  for (int i = 0; i < cluster.size(); ++i) {
    const std::string node_dir = fs::path(cluster.data_dir(i)).parent_path().string();
    dirs_.emplace_back(node_dir, absl::StrCat("<dir:", cluster.name(i), ">"));
    ports_[std::to_string(cluster.pg_port(i))] = absl::StrCat("<pg:", cluster.name(i), ">");
    ports_[std::to_string(cluster.rest_port(i))] = absl::StrCat("<rest:", cluster.name(i), ">");
  }
  if (cluster.size() > 0) {
    const fs::path node_dir = fs::path(cluster.data_dir(0)).parent_path();
    dirs_.emplace_back(node_dir.parent_path().string(), "<dir>");
  }
  // A node's dir starts with the cluster's: the longer one must be replaced first.
  std::sort(dirs_.begin(), dirs_.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string Normalizer::Text(std::string_view text) const {
  std::string out(text);
  for (const auto& [dir, placeholder] : dirs_) {
    out = absl::StrReplaceAll(out, {{dir, placeholder}});
  }
  return Ports(out);
}

std::string Normalizer::Ports(std::string_view text) const {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      out.push_back(text[i++]);
      continue;
    }
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    const std::string number(text.substr(i, end - i));
    const auto port = ports_.find(number);
    out += port != ports_.end() ? port->second : number;
    i = end;
  }
  return out;
}

std::string Normalizer::Leaf(const nlohmann::json& value, std::string_view field) const {
  // pg_last_xact_replay_timestamp() is null until a replica replays its first commit, which
  // depends on whether anything committed after its base backup.
  if (field == "replayed_timestamp") return "<time or null>";
  if (std::string placeholder = VolatilePlaceholder(field); !placeholder.empty()) {
    return value.is_null() ? "null" : placeholder;
  }
  // Strings stay quoted: a timeline written as "1" by one agent and 1 by the other differs.
  if (value.is_string()) return nlohmann::json(Text(value.get<std::string>())).dump();
  return Text(value.dump());
}

std::string VolatilePlaceholder(std::string_view field) {
  static const auto* const kPlaceholders = new std::map<std::string, std::string, std::less<>>{
      {"xlog_location", "<lsn>"},
      {"optime", "<lsn>"},
      {"location", "<lsn>"},
      {"received_location", "<lsn>"},
      {"replayed_location", "<lsn>"},
      {"lsn", "<lsn>"},
      {"LSN", "<lsn>"},
      {"version", "<version>"},
      {"postmaster_start_time", "<time>"},
      {"dcs_last_seen", "<time>"},
      {"timestamp", "<time>"},
      {"Timestamp", "<time>"},
      {"database_system_identifier", "<sysid>"},
      {"system_identifier", "<sysid>"},
  };
  const auto it = kPlaceholders->find(field);
  return it == kPlaceholders->end() ? "" : it->second;
}

}  // namespace warden::test
