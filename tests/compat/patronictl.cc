// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/patronictl.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "src/pg/subprocess.h"
#include "tests/compat/json_flatten.h"
#include "yaml-cpp/yaml.h"

namespace warden::test {
namespace {

// A YAML document as JSON. A quoted scalar stays a string and a plain one becomes what JSON
// makes of it, so that a number stored as a string ('120') still differs from a number (120).
nlohmann::json YamlToJson(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& item : node) object[item.first.Scalar()] = YamlToJson(item.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::json array = nlohmann::json::array();
    for (const YAML::Node& item : node) array.push_back(YamlToJson(item));
    return array;
  }
  if (!node.IsScalar()) return nullptr;
  if (node.Tag() == "!") return node.Scalar();
  nlohmann::json plain = nlohmann::json::parse(node.Scalar(), nullptr, false);
  return plain.is_discarded() || plain.is_object() || plain.is_array()
             ? nlohmann::json(node.Scalar())
             : plain;
}

// `-f json` rows, keyed by `key_column` when given, else by row number.
void CaptureRows(const std::string& prefix, const nlohmann::json& rows,
                 const std::string& key_column, const Normalizer& normalizer, Snapshot* out) {
  if (!rows.is_array()) {
    (*out)[prefix] = "<not a json list>";
    return;
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const nlohmann::json& row = rows[i];
    std::string key = std::to_string(i);
    if (!key_column.empty() && row.contains(key_column) && row[key_column].is_string()) {
      key = row[key_column].get<std::string>();
    }
    if (!row.is_object()) {
      (*out)[absl::StrCat(prefix, "/", key)] = normalizer.Text(row.dump());
      continue;
    }
    for (const auto& [column, value] : row.items()) {
      (*out)[absl::StrCat(prefix, "/", key, "/", column)] = normalizer.Leaf(value, column);
    }
  }
}

void CaptureTable(const CaptureContext& c, const std::string& command,
                  const std::string& key_column, Snapshot* out) {
  const std::string prefix = absl::StrCat("patronictl/", command);
  absl::StatusOr<std::string> text = Patronictl(c.cluster->config_path(0), {command, "-f", "json"});
  const nlohmann::json rows =
      text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!text.ok() || rows.is_discarded()) {
    (*out)[prefix] = "<failed>";
    return;
  }
  CaptureRows(prefix, rows, key_column, *c.normalizer, out);
}

// The cells of a pretty-printed table's row ("| n1 | 127.0.0.1:5432 | Leader |") without their
// padding: one space before, any after. Indentation in the member cell shows the tree's depth.
std::vector<std::string> Cells(absl::string_view row) {
  std::vector<std::string> cells;
  for (absl::string_view cell : absl::StrSplit(row, '|')) {
    absl::ConsumePrefix(&cell, " ");
    cells.emplace_back(absl::StripTrailingAsciiWhitespace(cell));
  }
  // The text before the first bar and after the last one is no cell.
  if (cells.size() >= 2) cells = std::vector<std::string>(cells.begin() + 1, cells.end() - 1);
  return cells;
}

// `topology` prints only a table (it has no -f): its rows, by row number and column header, so
// that column widths do not matter. The member column shows the cascade ("+ n1" under n3). A
// cell of several lines (two tags) continues on lines whose member cell is empty.
void CaptureTopology(const CaptureContext& c, Snapshot* out) {
  absl::StatusOr<std::string> text = Patronictl(c.cluster->config_path(0), {"topology"});
  if (!text.ok()) {
    (*out)["patronictl/topology"] = "<failed>";
    return;
  }
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::StartsWith(line, "|")) continue;  // borders and the title with the system id
    std::vector<std::string> cells = Cells(line);
    if (header.empty()) {
      header = std::move(cells);
    } else if (!rows.empty() && !cells.empty() && cells[0].empty()) {
      for (size_t i = 0; i < cells.size() && i < rows.back().size(); ++i) {
        if (!cells[i].empty()) absl::StrAppend(&rows.back()[i], " ", cells[i]);
      }
    } else {
      rows.push_back(std::move(cells));
    }
  }
  for (size_t row = 0; row < rows.size(); ++row) {
    for (size_t i = 0; i < rows[row].size() && i < header.size(); ++i) {
      (*out)[absl::StrCat("patronictl/topology/", row, "/", header[i])] =
          c.normalizer->Text(rows[row][i]);
    }
  }
}

void CaptureShowConfig(const CaptureContext& c, Snapshot* out) {
  absl::StatusOr<std::string> text = Patronictl(c.cluster->config_path(0), {"show-config"});
  if (!text.ok()) {
    (*out)["patronictl/show-config"] = "<failed>";
    return;
  }
  try {
    FlattenJson(YamlToJson(YAML::Load(*text)), "patronictl/show-config", *c.normalizer, out);
  } catch (const YAML::Exception&) {
    (*out)["patronictl/show-config"] = "<not yaml>";
  }
}

}  // namespace

absl::StatusOr<std::string> Patronictl(const std::string& config,
                                       const std::vector<std::string>& args) {
  // stderr to a file of its own: Python's warnings there would spoil the JSON on stdout.
  const std::string stderr_file = config + ".patronictl.err";
  pg_internal::Command command;
  command.argv = {
      "/bin/sh", "-c",  "exec \"$0\" \"$@\" 2>\"$PATRONICTL_STDERR\"", "/usr/bin/patronictl",
      "-c",      config};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.env = {{"PATH", "/usr/bin:/bin"}, {"HOME", "/tmp"}, {"PATRONICTL_STDERR", stderr_file}};
  absl::StatusOr<pg_internal::CommandResult> result =
      pg_internal::RunCommand(command, absl::Now() + absl::Seconds(60));
  if (!result.ok()) return result.status();
  if (result->exit_code != 0) {
    std::stringstream error;
    error << std::ifstream(stderr_file).rdbuf();
    return absl::UnknownError(absl::StrCat("patronictl ", absl::StrJoin(args, " "), " exited ",
                                           result->exit_code, ": ", error.str(), result->output));
  }
  return result->output;
}

void CapturePatronictl(const CaptureContext& context, Snapshot* out) {
  CaptureTable(context, "list", "Member", out);
  CaptureTopology(context, out);
  CaptureTable(context, "history", "", out);
  CaptureShowConfig(context, out);
}

}  // namespace warden::test
