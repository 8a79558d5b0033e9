// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "table.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"

namespace warden::ctl {
namespace {

using Lines = std::vector<std::string>;

Lines SplitLines(const std::string& cell) { return absl::StrSplit(cell, '\n'); }

std::string Justify(const std::string& text, size_t width, bool right) {
  const size_t pad = width - std::min(width, DisplayWidth(text));
  return right ? std::string(pad, ' ') + text : text + std::string(pad, ' ');
}

std::vector<size_t> ColumnWidths(const TextTable& table) {
  std::vector<size_t> widths;
  for (const std::string& column : table.columns) widths.push_back(DisplayWidth(column));
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      for (const std::string& line : SplitLines(row[i])) {
        widths[i] = std::max(widths[i], DisplayWidth(line));
      }
    }
  }
  return widths;
}

std::string Rule(const std::vector<size_t>& widths) {
  std::string rule = "+";
  for (size_t width : widths) rule += std::string(width + 2, '-') + "+";
  return rule;
}

// patronictl's PatronictlPrettyTable: the title replaces the border from the second character
// on, cut so that the border's last character survives.
std::string TitledRule(const std::string& rule, const std::string& title) {
  if (title.empty() || rule.size() < 2) return rule;
  const std::string head = title.substr(0, rule.size() - 2);
  return rule.substr(0, 1) + head + rule.substr(1 + head.size());
}

bool AnyMultiline(const TextTable& table) {
  for (const auto& row : table.rows) {
    for (const std::string& cell : row) {
      if (cell.find('\n') != std::string::npos) return true;
    }
  }
  return false;
}

// One table row, as many text lines as its tallest cell (cells are top-aligned).
std::string RenderRow(const std::vector<std::string>& cells, const std::vector<size_t>& widths,
                      const std::vector<bool>& right) {
  std::vector<Lines> split;
  size_t height = 1;
  for (size_t i = 0; i < widths.size(); ++i) {
    split.push_back(i < cells.size() ? SplitLines(cells[i]) : Lines{""});
    height = std::max(height, split.back().size());
  }
  std::string out;
  for (size_t line = 0; line < height; ++line) {
    out += "|";
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string text = line < split[i].size() ? split[i][line] : "";
      out += " " + Justify(text, widths[i], i < right.size() && right[i]) + " |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

std::string RenderTable(const TextTable& table) {
  const std::vector<size_t> widths = ColumnWidths(table);
  const std::string rule = Rule(widths);
  const bool rule_every_row = AnyMultiline(table);
  std::string out = TitledRule(rule, table.title) + "\n";
  out += RenderRow(table.columns, widths, table.right_aligned);
  out += rule + "\n";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    out += RenderRow(table.rows[i], widths, table.right_aligned);
    if (rule_every_row || i + 1 == table.rows.size()) out += rule + "\n";
  }
  return out;
}

}  // namespace warden::ctl
