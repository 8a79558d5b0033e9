// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The regular expressions are PyYAML's (yaml/resolver.py), verbatim but for the verbose-mode
// whitespace.

#include "yaml_resolve.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <regex>
#include <string>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"

namespace warden::ctl {
namespace {

const std::regex& BoolPattern() {
  static const std::regex re(
      "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
  return re;
}

const std::regex& FloatPattern() {
  static const std::regex re(
      R"(^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?)"
      R"(|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$)");
  return re;
}

const std::regex& IntPattern() {
  static const std::regex re(
      R"(^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)"
      R"(|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$)");
  return re;
}

const std::regex& TimestampPattern() {
  static const std::regex re(
      R"(^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])"
      R"(|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9])"
      R"(:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$)");
  return re;
}

// Integers in the bases YAML 1.1 knows; nullopt-as-false when out of range.
bool ParseYamlInt(std::string text, int64_t* out) {
  text = absl::StrReplaceAll(text, {{"_", ""}});
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.erase(0, 1);
  }
  int base = 10;
  if (text.starts_with("0b")) {
    base = 2;
    text.erase(0, 2);
  } else if (text.starts_with("0x")) {
    base = 16;
    text.erase(0, 2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.erase(0, 1);
  }
  int64_t value = 0;
  if (text.find(':') != std::string::npos) {  // sexagesimal: 1:30 is 90
    size_t start = 0;
    while (start <= text.size()) {
      const size_t colon = std::min(text.find(':', start), text.size());
      int64_t part = 0;
      const auto r = std::from_chars(text.data() + start, text.data() + colon, part);
      if (r.ec != std::errc() || r.ptr != text.data() + colon) return false;
      value = value * 60 + part;
      start = colon + 1;
    }
  } else {
    const auto r = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return false;
  }
  *out = negative ? -value : value;
  return true;
}

Json FloatValue(const std::string& text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower.find(':') != std::string::npos) return text;  // sexagesimal floats: keep the text
  double value = 0;
  if (!absl::SimpleAtod(absl::StrReplaceAll(text, {{"_", ""}}), &value)) return text;
  return value;
}

}  // namespace

YamlImplicit ResolvePlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return YamlImplicit::kNull;
  }
  if (text == "<<") return YamlImplicit::kMerge;
  if (text == "=") return YamlImplicit::kValue;
  if (std::regex_match(text, BoolPattern())) return YamlImplicit::kBool;
  if (std::regex_match(text, IntPattern())) return YamlImplicit::kInt;
  if (std::regex_match(text, FloatPattern())) return YamlImplicit::kFloat;
  if (std::regex_match(text, TimestampPattern())) return YamlImplicit::kTimestamp;
  return YamlImplicit::kStr;
}

Json PlainScalarValue(const std::string& text) {
  switch (ResolvePlainScalar(text)) {
    case YamlImplicit::kNull:
      return nullptr;
    case YamlImplicit::kBool: {
      const std::string lower = absl::AsciiStrToLower(text);
      return lower == "yes" || lower == "true" || lower == "on";
    }
    case YamlImplicit::kInt: {
      int64_t value = 0;
      if (ParseYamlInt(text, &value)) return value;
      return text;
    }
    case YamlImplicit::kFloat:
      return FloatValue(text);
    default:
      return text;
  }
}

}  // namespace warden::ctl
