// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The ASCII table patronictl prints (a PrettyTable with a title laid over its top border):
//
//   + Cluster: demo (7218046306071193898) -+---------+----+-----------+
//   | Member | Host     | Role    | State   | TL | Lag in MB |
//   ...
//
// Reproduced to the character, because users grep and diff this output.

#ifndef WARDEN_EXAMPLES_WARDENCTL_TABLE_H_
#define WARDEN_EXAMPLES_WARDENCTL_TABLE_H_

#include <string>
#include <vector>

namespace warden::ctl {

struct TextTable {
  std::vector<std::string> columns;
  // One flag per column: right-aligned (numbers) instead of left-aligned.
  std::vector<bool> right_aligned;
  // Cells may hold several lines; the table then rules every row, as PrettyTable's ALL does.
  std::vector<std::vector<std::string>> rows;
  // Laid over the top border after its first character; empty: a plain border.
  std::string title;
};

// The table, each line ending in '\n'. With no rows, only the header block (PrettyTable's way).
std::string RenderTable(const TextTable& table);

// Display width of UTF-8 text: one column per code point.
size_t DisplayWidth(const std::string& text);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_TABLE_H_
