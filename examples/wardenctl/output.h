// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// patronictl's print_output: one set of columns and rows printed as a table (pretty,
// topology), tab-separated values (tsv), JSON or YAML. Cells are JSON values so that the machine
// formats keep their types (TL is a number, "Lag in MB" a number or "unknown").

#ifndef WARDEN_EXAMPLES_WARDENCTL_OUTPUT_H_
#define WARDEN_EXAMPLES_WARDENCTL_OUTPUT_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "py_json.h"

namespace warden::ctl {

// The formats every table command accepts.
bool IsKnownFormat(const std::string& format);

struct Output {
  std::vector<std::string> columns;
  std::vector<std::vector<Json>> rows;
  std::set<std::string> right_aligned;
  // The table title (" Cluster: demo (7218...) "). With a title, the machine formats leave out
  // empty cells, and a first column named "Cluster" is dropped from the tables: patronictl's
  // rules, which its users' scripts depend on.
  std::optional<std::string> title;
};

// `format` is one of pretty, topology, tsv, json, yaml (checked by IsKnownFormat).
std::string FormatOutput(const Output& output, const std::string& format);

// A cell as text: strings as they are, numbers in decimal, collections as flow YAML.
std::string CellText(const Json& cell);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_OUTPUT_H_
