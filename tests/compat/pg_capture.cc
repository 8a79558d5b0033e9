// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/pg_capture.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace warden::test {
namespace {

// 'override' settings are PostgreSQL's own (computed at start), as are 'default' ones.
constexpr char kSettingsSql[] =
    "SELECT coalesce(json_agg(json_build_array(name, setting, source, pending_restart) "
    "ORDER BY name), '[]') FROM pg_settings WHERE source NOT IN ('default', 'override')";
// File order matters in pg_hba; the line numbers themselves do not.
constexpr char kHbaSql[] =
    "SELECT coalesce(json_agg(json_build_array(type, database, user_name, address, netmask, "
    "auth_method, error) ORDER BY line_number), '[]') FROM pg_hba_file_rules";
constexpr char kSlotsSql[] =
    "SELECT coalesce(json_agg(json_build_array(slot_name, slot_type, active, temporary) "
    "ORDER BY slot_name), '[]') FROM pg_replication_slots";

// The rows of one of the queries above (one JSON array in one cell); nullopt when the node did
// not answer.
std::optional<nlohmann::json> Rows(const E2eCluster& cluster, int node, const char* sql) {
  absl::StatusOr<std::string> cell = cluster.Sql(node, sql);
  if (!cell.ok()) return std::nullopt;
  nlohmann::json rows = nlohmann::json::parse(*cell, nullptr, /*allow_exceptions=*/false);
  if (!rows.is_array()) return std::nullopt;
  return rows;
}

// A cell as text: SQL NULL as "-", arrays (pg_hba's database and user_name) as "a,b".
std::string Cell(const nlohmann::json& cell, const Normalizer& normalizer) {
  if (cell.is_null()) return "-";
  if (cell.is_string()) return normalizer.Text(cell.get<std::string>());
  if (cell.is_array()) {
    std::vector<std::string> items;
    for (const nlohmann::json& item : cell) items.push_back(Cell(item, normalizer));
    return absl::StrJoin(items, ",");
  }
  return normalizer.Text(cell.dump());
}

std::string Lines(const nlohmann::json& rows, const Normalizer& normalizer) {
  std::vector<std::string> lines;
  for (const nlohmann::json& row : rows) {
    std::vector<std::string> cells;
    for (const nlohmann::json& cell : row) cells.push_back(Cell(cell, normalizer));
    lines.push_back(absl::StrJoin(cells, " "));
  }
  return absl::StrJoin(lines, "\n");
}

void CaptureSettings(const CaptureContext& c, int node, Snapshot* out) {
  const std::string prefix = absl::StrCat("pg_settings/", c.cluster->name(node));
  std::optional<nlohmann::json> rows = Rows(*c.cluster, node, kSettingsSql);
  if (!rows) {
    (*out)[prefix] = "<no answer>";
    return;
  }
  for (const nlohmann::json& row : *rows) {
    const bool pending = row[3].is_boolean() && row[3].get<bool>();
    const std::string name = absl::StrCat(prefix, "/", row[0].get<std::string>());
    (*out)[name] = absl::StrCat(Cell(row[1], *c.normalizer), pending ? " (pending restart)" : "");
    (*out)[name + "/source"] = Cell(row[2], *c.normalizer);
  }
}

void CaptureLines(const CaptureContext& c, int node, const char* section, const char* sql,
                  Snapshot* out) {
  std::optional<nlohmann::json> rows = Rows(*c.cluster, node, sql);
  (*out)[absl::StrCat(section, "/", c.cluster->name(node))] =
      rows ? Lines(*rows, *c.normalizer) : "<no answer>";
}

}  // namespace

void CapturePostgres(const CaptureContext& context, Snapshot* out) {
  for (int node = 0; node < context.cluster->size(); ++node) {
    CaptureSettings(context, node, out);
    CaptureLines(context, node, "pg_hba", kHbaSql, out);
    CaptureLines(context, node, "slots", kSlotsSql, out);
  }
}

}  // namespace warden::test
