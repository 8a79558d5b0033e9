// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "tests/compat/snapshot_diff.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace warden::test {
namespace {

std::string ValueOf(const Snapshot& snapshot, const std::string& what) {
  const auto it = snapshot.find(what);
  return it == snapshot.end() ? kAbsent : it->second;
}

// pg_hba and slots are several lines; keep them aligned under their label.
std::string Indented(const std::string& value) {
  return absl::StrReplaceAll(value, {{"\n", "\n             "}});
}

}  // namespace

std::vector<Difference> Diff(const Snapshot& patroni, const Snapshot& warden) {
  std::set<std::string> whats;
  for (const auto& [what, value] : patroni) whats.insert(what);
  for (const auto& [what, value] : warden) whats.insert(what);
  std::vector<Difference> differences;
  for (const std::string& what : whats) {
    std::string p = ValueOf(patroni, what);
    std::string w = ValueOf(warden, what);
    if (p != w) differences.push_back({what, std::move(p), std::move(w)});
  }
  return differences;
}

std::string DiffText(const std::vector<Difference>& differences) {
  std::string text;
  for (const Difference& d : differences) {
    absl::StrAppend(&text, "  ", d.what, "\n    patroni: ", Indented(d.patroni),
                    "\n    warden:  ", Indented(d.warden), "\n");
  }
  return text;
}

}  // namespace warden::test
