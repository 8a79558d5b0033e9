// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "output.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "table.h"
#include "yaml_text.h"

namespace warden::ctl {
namespace {

bool IsEmptyCell(const Json& cell) {
  return cell.is_null() || (cell.is_string() && cell.get_ref<const std::string&>().empty());
}

// A list of objects, one per row; with a title, empty cells are left out (patronictl's
// `if not header or str(v)`), so the leader's row has no "Lag in MB".
Json RowObjects(const Output& output) {
  Json list = Json::array();
  for (const auto& row : output.rows) {
    Json object = Json::object();
    for (size_t i = 0; i < output.columns.size() && i < row.size(); ++i) {
      if (output.title && IsEmptyCell(row[i])) continue;
      object[output.columns[i]] = row[i];
    }
    list.push_back(std::move(object));
  }
  return list;
}

std::string Tsv(const Output& output) {
  std::string out;
  if (!output.columns.empty()) out += absl::StrJoin(output.columns, "\t") + "\n";
  for (const auto& row : output.rows) {
    std::vector<std::string> cells;
    cells.reserve(row.size());
    for (const Json& cell : row) cells.push_back(CellText(cell));
    out += absl::StrJoin(cells, "\t") + "\n";
  }
  return out;
}

// Tables: patronictl drops the cluster column (the title names the cluster) and shows
// collections as block YAML in the pretty table, flow YAML in the topology one.
std::string Pretty(const Output& output, bool block_yaml) {
  const bool drop_first =
      output.title && !output.columns.empty() && output.columns.front() == "Cluster";
  const size_t first = drop_first ? 1 : 0;
  TextTable table;
  table.title = output.title.value_or("");
  for (size_t i = first; i < output.columns.size(); ++i) {
    table.columns.push_back(output.columns[i]);
    table.right_aligned.push_back(output.right_aligned.count(output.columns[i]) > 0);
  }
  for (const auto& row : output.rows) {
    std::vector<std::string> cells;
    for (size_t i = first; i < row.size(); ++i) {
      const bool collection = row[i].is_object() || row[i].is_array();
      cells.push_back(collection && block_yaml
                          ? std::string(absl::StripAsciiWhitespace(ToYaml(row[i])))
                          : CellText(row[i]));
    }
    table.rows.push_back(std::move(cells));
  }
  return RenderTable(table);
}

}  // namespace

bool IsKnownFormat(const std::string& format) {
  return format == "pretty" || format == "topology" || format == "tsv" || format == "json" ||
         format == "yaml" || format == "yml";
}

std::string CellText(const Json& cell) {
  if (cell.is_null()) return "";
  if (cell.is_string()) return cell.get<std::string>();
  if (cell.is_object() || cell.is_array()) {
    return std::string(absl::StripAsciiWhitespace(ToFlowYaml(cell)));
  }
  if (cell.is_boolean()) return cell.get<bool>() ? "True" : "False";  // Python's str()
  return cell.dump();
}

std::string FormatOutput(const Output& output, const std::string& format) {
  if (format == "json") return PyJsonDumps(RowObjects(output)) + "\n";
  // patronictl echoes the YAML document, which already ends in a newline: hence the blank line.
  if (format == "yaml" || format == "yml") return ToYaml(RowObjects(output)) + "\n";
  if (format == "tsv") return Tsv(output);
  return Pretty(output, format == "pretty");
}

}  // namespace warden::ctl
