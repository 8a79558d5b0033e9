// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The unified diff edit-config shows before asking to apply a change, laid out as Python's
// difflib.unified_diff (three lines of context, "--- " / "+++ " headers without file names).

#ifndef WARDEN_EXAMPLES_WARDENCTL_DIFF_H_
#define WARDEN_EXAMPLES_WARDENCTL_DIFF_H_

#include <string>

namespace warden::ctl {

// Empty when the texts are equal. Lines end in '\n'.
std::string UnifiedDiff(const std::string& before, const std::string& after);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_DIFF_H_
