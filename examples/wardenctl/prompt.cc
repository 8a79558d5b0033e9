// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "prompt.h"

#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/ascii.h"

namespace warden::ctl {
namespace {

std::optional<std::string> ReadLine(std::istream& in, std::ostream& out) {
  out.flush();
  std::string line;
  if (!std::getline(in, line)) {
    out << "\n";  // the user's ^D left the cursor on the prompt line
    return std::nullopt;
  }
  return std::string(absl::StripAsciiWhitespace(line));
}

}  // namespace

bool Confirm(std::istream& in, std::ostream& out, const std::string& question) {
  for (;;) {
    out << question << " [y/N]: ";
    std::optional<std::string> answer = ReadLine(in, out);
    if (!answer) return false;
    const std::string lower = absl::AsciiStrToLower(*answer);
    if (lower == "y" || lower == "yes") return true;
    if (lower.empty() || lower == "n" || lower == "no") return false;
    out << "Error: invalid input\n";
  }
}

std::optional<std::string> Prompt(std::istream& in, std::ostream& out, const std::string& text,
                                  const std::optional<std::string>& default_value) {
  for (;;) {
    out << text;
    if (default_value) out << " [" << *default_value << "]";
    out << ": ";
    std::optional<std::string> answer = ReadLine(in, out);
    if (!answer) return std::nullopt;
    if (!answer->empty()) return answer;
    if (default_value) return default_value;
  }
}

}  // namespace warden::ctl
