// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The entries in which a Patroni cluster's snapshot and a warden cluster's differ.

#ifndef WARDEN_TESTS_COMPAT_SNAPSHOT_DIFF_H_
#define WARDEN_TESTS_COMPAT_SNAPSHOT_DIFF_H_

#include <string>
#include <vector>

#include "tests/compat/snapshot.h"

namespace warden::test {

// What an entry holds when only the other snapshot has it.
inline constexpr char kAbsent[] = "<absent>";

struct Difference {
  std::string what = {};
  std::string patroni = {};
  std::string warden = {};
};

// Every entry whose values differ or that only one snapshot has, in `what` order.
std::vector<Difference> Diff(const Snapshot& patroni, const Snapshot& warden);

// "  what\n    patroni: ...\n    warden:  ...\n" for each; multi-line values indented.
std::string DiffText(const std::vector<Difference>& differences);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_SNAPSHOT_DIFF_H_
