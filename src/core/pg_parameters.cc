// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/core/pg_parameters.h"

#include <cstdint>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace warden {
namespace {

using Check = bool (*)(const std::string& value);

// Python's int() of the text: an optional sign and decimal digits, spaces around allowed.
std::optional<int64_t> PlainInt(const std::string& value) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(value), &n)) return std::nullopt;
  return n;
}

bool IntAtLeast(const std::string& value, int64_t minimum) {
  std::optional<int64_t> n = PlainInt(value);
  return n.has_value() && *n >= minimum;
}

// A size in MB: "128MB", "1GB", "131072kB", or a bare number of MB.
std::optional<int64_t> Megabytes(const std::string& value) {
  absl::string_view text = absl::StripAsciiWhitespace(value);
  size_t digits = 0;
  while (digits < text.size() && absl::ascii_isdigit(text[digits])) ++digits;
  int64_t n = 0;
  if (digits == 0 || !absl::SimpleAtoi(text.substr(0, digits), &n)) return std::nullopt;
  const absl::string_view unit = absl::StripAsciiWhitespace(text.substr(digits));
  if (unit.empty() || unit == "MB") return n;
  if (unit == "kB") return n / 1024;
  if (unit == "GB") return n * 1024;
  if (unit == "TB") return n * 1024 * 1024;
  return std::nullopt;
}

struct Rule {
  const char* name;
  const char* default_value;  // nullptr: warden sets it itself
  Check valid;                // the cluster's value is taken when it passes; nullptr: never
  const char* requirement;
  bool always_on = false;  // warden sets it on: asking for on is no conflict worth a word
};

bool IsOn(const std::string& value) {
  const std::string b = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value));
  return b == "on" || b == "true" || b == "yes" || b == "1";
}

// Patroni 3.0's ConfigHandler.CMDLINE_OPTIONS for PostgreSQL 13 and later.
constexpr Rule kRules[] = {
    {"listen_addresses", nullptr, nullptr, "set from postgresql.listen"},
    {"port", nullptr, nullptr, "set from postgresql.listen"},
    {"cluster_name", nullptr, nullptr, "set by warden"},
    {"hot_standby", nullptr, nullptr, "always on", true},
    {"wal_log_hints", nullptr, nullptr, "always on (pg_rewind needs it)", true},
    {"wal_level", "replica",
     [](const std::string& v) {
       const std::string level = absl::AsciiStrToLower(v);
       return level == "hot_standby" || level == "replica" || level == "logical";
     },
     "must be replica or logical"},
    {"max_connections", "100", [](const std::string& v) { return IntAtLeast(v, 25); },
     "must be an integer >= 25"},
    {"max_wal_senders", "10", [](const std::string& v) { return IntAtLeast(v, 3); },
     "must be an integer >= 3"},
    {"wal_keep_size", "128MB", [](const std::string& v) { return Megabytes(v).value_or(0) >= 16; },
     "must be at least 16MB"},
    {"max_prepared_transactions", "0", [](const std::string& v) { return IntAtLeast(v, 0); },
     "must be an integer >= 0"},
    {"max_locks_per_transaction", "64", [](const std::string& v) { return IntAtLeast(v, 32); },
     "must be an integer >= 32"},
    {"track_commit_timestamp", "off",
     [](const std::string& v) {
       const std::string b = absl::AsciiStrToLower(absl::StripAsciiWhitespace(v));
       return b == "on" || b == "off" || b == "true" || b == "false" || b == "yes" || b == "no" ||
              b == "1" || b == "0";
     },
     "must be a boolean"},
    {"max_replication_slots", "10", [](const std::string& v) { return IntAtLeast(v, 4); },
     "must be an integer >= 4"},
    {"max_worker_processes", "8", [](const std::string& v) { return IntAtLeast(v, 2); },
     "must be an integer >= 2"},
    // The controller's own (LocalController writes them after the parameters, so they win).
    {"unix_socket_directories", nullptr, nullptr,
     "warden puts the socket beside the data directory (it connects there)"},
    {"synchronous_standby_names", nullptr, nullptr,
     "warden sets it from synchronous_mode in the cluster config"},
    {"primary_conninfo", nullptr, nullptr, "warden sets it to stream from the leader"},
    {"primary_slot_name", nullptr, nullptr, "warden sets it from use_slots"},
    // PostgreSQL 13 replaced it by wal_keep_size; Patroni drops it there.
    {"wal_keep_segments", nullptr, nullptr, "PostgreSQL 13+ has wal_keep_size instead"},
};

const Rule* RuleFor(const std::string& lower_name) {
  for (const Rule& rule : kRules) {
    if (lower_name == rule.name) return &rule;
  }
  return nullptr;
}

void Note(std::vector<std::string>* ignored, std::string text) {
  if (ignored != nullptr) ignored->push_back(std::move(text));
}

}  // namespace

bool IsLocalParameterIgnored(const std::string& name) {
  return RuleFor(absl::AsciiStrToLower(name)) != nullptr;
}

std::map<std::string, std::string> EffectivePostgresParameters(
    const std::map<std::string, std::string>& cluster,
    const std::map<std::string, std::string>& local, std::vector<std::string>* ignored) {
  std::map<std::string, std::string> out;
  for (const Rule& rule : kRules) {
    if (rule.default_value != nullptr) out[rule.name] = rule.default_value;
  }
  for (const auto& [name, value] : cluster) {
    const std::string lower = absl::AsciiStrToLower(name);
    const Rule* rule = RuleFor(lower);
    if (rule == nullptr || (rule->valid != nullptr && rule->valid(value))) {
      out[lower] = value;
    } else if (!(rule->always_on && IsOn(value))) {
      Note(ignored, absl::StrCat("the cluster's postgresql.parameters.", name, " = '", value,
                                 "' is ignored: ", rule->requirement));
    }
  }
  for (const auto& [name, value] : local) {
    const std::string lower = absl::AsciiStrToLower(name);
    const Rule* rule = RuleFor(lower);
    if (rule == nullptr) {
      out[lower] = value;
    } else if (rule->always_on && IsOn(value)) {
      continue;
    } else if (rule->default_value == nullptr) {
      Note(ignored,
           absl::StrCat("postgresql.parameters.", name, " is ignored: ", rule->requirement));
    } else {
      Note(ignored, absl::StrCat("postgresql.parameters.", name,
                                 " is ignored: every member must share it, so it is taken from "
                                 "the cluster config only (bootstrap.dcs.postgresql.parameters, "
                                 "edit-config -p)"));
    }
  }
  return out;
}

}  // namespace warden
