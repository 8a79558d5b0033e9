// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// A longest-common-subsequence diff (configurations are a few hundred lines at most, so the
// quadratic table is cheap), turned into difflib's opcodes and grouped into hunks the way
// SequenceMatcher.get_grouped_opcodes does.

#include "diff.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace warden::ctl {
namespace {

using Lines = std::vector<std::string>;

constexpr size_t kContext = 3;

// A run of equal or changed lines: before[i1, i2) became after[j1, j2).
struct Opcode {
  bool equal = false;
  size_t i1 = 0, i2 = 0, j1 = 0, j2 = 0;
};

Lines SplitLines(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
  return absl::StrSplit(trimmed, '\n');
}

// Opcodes from an LCS table; in a changed run deletions come before insertions, as in difflib.
std::vector<Opcode> Opcodes(const Lines& a, const Lines& b) {
  std::vector<std::vector<size_t>> lcs(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Opcode> codes;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    Opcode op{
        .equal = i < a.size() && j < b.size() && a[i] == b[j], .i1 = i, .i2 = i, .j1 = j, .j2 = j};
    if (op.equal) {
      while (i < a.size() && j < b.size() && a[i] == b[j]) ++i, ++j;
    } else {
      while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) break;
        if (j >= b.size() || (i < a.size() && lcs[i + 1][j] >= lcs[i][j + 1])) {
          ++i;
        } else {
          ++j;
        }
      }
    }
    op.i2 = i;
    op.j2 = j;
    codes.push_back(op);
  }
  return codes;
}

// difflib's get_grouped_opcodes(n=3).
std::vector<std::vector<Opcode>> Group(std::vector<Opcode> codes) {
  if (codes.empty()) codes.push_back(Opcode{.equal = true, .i1 = 0, .i2 = 1, .j1 = 0, .j2 = 1});
  if (codes.front().equal) {
    Opcode& c = codes.front();
    c.i1 = std::max(c.i1, c.i2 - std::min(c.i2, kContext));
    c.j1 = std::max(c.j1, c.j2 - std::min(c.j2, kContext));
  }
  if (codes.back().equal) {
    Opcode& c = codes.back();
    c.i2 = std::min(c.i2, c.i1 + kContext);
    c.j2 = std::min(c.j2, c.j1 + kContext);
  }
  std::vector<std::vector<Opcode>> groups;
  std::vector<Opcode> group;
  for (Opcode c : codes) {
    if (c.equal && c.i2 - c.i1 > 2 * kContext) {
      group.push_back(
          {true, c.i1, std::min(c.i2, c.i1 + kContext), c.j1, std::min(c.j2, c.j1 + kContext)});
      groups.push_back(std::move(group));
      group.clear();
      c.i1 = std::max(c.i1, c.i2 - kContext);
      c.j1 = std::max(c.j1, c.j2 - kContext);
    }
    group.push_back(c);
  }
  if (!group.empty() && !(group.size() == 1 && group.front().equal)) groups.push_back(group);
  return groups;
}

// difflib's _format_range_unified.
std::string Range(size_t start, size_t stop) {
  size_t beginning = start + 1;
  const size_t length = stop - start;
  if (length == 1) return absl::StrCat(beginning);
  if (length == 0) beginning -= 1;
  return absl::StrCat(beginning, ",", length);
}

}  // namespace

std::string UnifiedDiff(const std::string& before, const std::string& after) {
  const Lines a = SplitLines(before);
  const Lines b = SplitLines(after);
  if (a == b) return "";
  std::string out = "--- \n+++ \n";
  for (const std::vector<Opcode>& group : Group(Opcodes(a, b))) {
    absl::StrAppend(&out, "@@ -", Range(group.front().i1, group.back().i2), " +",
                    Range(group.front().j1, group.back().j2), " @@\n");
    for (const Opcode& c : group) {
      for (size_t i = c.i1; i < c.i2; ++i) absl::StrAppend(&out, c.equal ? " " : "-", a[i], "\n");
      if (c.equal) continue;
      for (size_t j = c.j1; j < c.j2; ++j) absl::StrAppend(&out, "+", b[j], "\n");
    }
  }
  return out;
}

}  // namespace warden::ctl
