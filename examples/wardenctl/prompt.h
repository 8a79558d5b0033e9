// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// click's confirm() and prompt(), which patronictl users answer (and script with `yes |` or a
// here-document): the same questions, the same "[y/N]" and "[default]" suffixes.

#ifndef WARDEN_EXAMPLES_WARDENCTL_PROMPT_H_
#define WARDEN_EXAMPLES_WARDENCTL_PROMPT_H_

#include <iosfwd>
#include <optional>
#include <string>

namespace warden::ctl {

// Asks "<question> [y/N]: " until the answer is y/yes, n/no or empty (no). End of input: no.
bool Confirm(std::istream& in, std::ostream& out, const std::string& question);

// Asks "<text> [<default>]: " (or "<text>: " without a default) and returns the line read,
// trimmed; an empty answer takes the default, and without one asks again. nullopt at end of
// input.
std::optional<std::string> Prompt(std::istream& in, std::ostream& out, const std::string& text,
                                  const std::optional<std::string>& default_value);

}  // namespace warden::ctl

#endif  // WARDEN_EXAMPLES_WARDENCTL_PROMPT_H_
