// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// edit-config without -s, -p or --apply opens the configuration in the user's editor, as
// patronictl does: $EDITOR, else `editor`, else `vi`, on a temporary .yaml file.

#ifndef WARDEN_EXAMPLES_WARDENCTL_EDITOR_H_
#define WARDEN_EXAMPLES_WARDENCTL_EDITOR_H_

#include <string>

#include "absl/status/statusor.h"

namespace warden::ctl {

// The text after editing. FAILED_PRECONDITION when no editor is found or it exits non-zero.
absl::StatusOr<std::string> EditInEditor(const std::string& text);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_EDITOR_H_
