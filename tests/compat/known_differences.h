// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// known_differences.yaml: the differences between a Patroni cluster and a warden cluster that
// are known, one entry per cause, with its reason ("open: ..." until it is fixed or made
// deliberate). Every difference a compat test finds must be covered by an entry, and every entry
// must still cover a difference in each configuration it names, so that the file stays true.
//
//   - config: docs_style          # a CompatConfig's name, a list of names, or "*" for all
//     point: bootstrap            # a point's name, a list of names, or "*" for any
//     what: pg_settings/*/work_mem    # a snapshot path glob (* stops at "/"), or a list of them
//     reason: "open: warden keeps the default"
//     sometimes: true             # optional: timing decides whether it shows; never stale
//
// An entry is stale when a configuration it names ran, and at none of the entry's points of that
// run did one of its globs cover a difference.

#ifndef WARDEN_TESTS_COMPAT_KNOWN_DIFFERENCES_H_
#define WARDEN_TESTS_COMPAT_KNOWN_DIFFERENCES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace warden::test {

struct KnownDifference {
  std::vector<std::string> configs = {};  // {"*"} for every configuration
  std::vector<std::string> points = {};   // {"*"} for every point
  std::vector<std::string> whats = {};
  std::string reason = {};
  bool sometimes = false;
  int line = 0;  // in the file, for messages

  bool AppliesTo(const std::string& config) const;
  bool AppliesAt(const std::string& point) const;
};

class KnownDifferences {
 public:
  // INVALID_ARGUMENT naming the line of an entry that lacks a field or is malformed.
  static absl::StatusOr<KnownDifferences> Parse(const std::string& yaml);
  static absl::StatusOr<KnownDifferences> Load(const std::string& path);

  const std::vector<KnownDifference>& entries() const { return entries_; }

  // Whether an entry covers the difference at `what`; every entry that does is marked as used.
  // One object serves one configuration's run.
  bool Covers(const std::string& config, const std::string& point, const std::string& what);
  // The entries that apply to `config` and one of the `points` it ran, covered nothing in this
  // run and are not `sometimes`.
  std::vector<KnownDifference> Stale(const std::string& config,
                                     const std::vector<std::string>& points) const;

 private:
  std::vector<KnownDifference> entries_;
  std::vector<bool> used_;
};

// "line N: <first what> [and K more] (reason)" for each, one per line.
std::string KnownDifferencesText(const std::vector<KnownDifference>& entries);

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMPAT_KNOWN_DIFFERENCES_H_
