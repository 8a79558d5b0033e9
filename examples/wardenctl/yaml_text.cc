// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The emitter half of yaml_text.h: a small PyYAML look-alike for the JSON-shaped data wardenctl
// prints (configuration, tags, list output). The scalar rules follow PyYAML's
// Emitter.analyze_scalar; multi-line strings are written double-quoted with \n escapes, where
// PyYAML folds them into a single-quoted block (both read back the same).

#include "yaml_text.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "yaml_resolve.h"

namespace warden::ctl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Characters PyYAML would escape: the C0 controls but for the line break, and DEL.
bool HasSpecialCharacters(const std::string& text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\n') || u == 0x7F;
  });
}

struct Indicators {
  bool flow = false;
  bool block = false;
};

// Which indicator characters the text holds that keep it from being written plain.
Indicators FindIndicators(const std::string& text) {
  Indicators found;
  if (text.starts_with("---") || text.starts_with("...")) found.flow = found.block = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool followed_by_space = i + 1 >= text.size() || IsSpace(text[i + 1]);
    const bool preceded_by_space = i == 0 || IsSpace(text[i - 1]);
    if (i == 0) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) {
        found.flow = found.block = true;
      }
      if (c == '?' || c == ':') {
        found.flow = true;
        if (followed_by_space) found.block = true;
      }
      if (c == '-' && followed_by_space) found.flow = found.block = true;
    } else {
      if (std::string_view(",?[]{}").find(c) != std::string_view::npos) found.flow = true;
      if (c == ':') {
        found.flow = true;
        if (followed_by_space) found.block = true;
      }
      if (c == '#' && preceded_by_space) found.flow = found.block = true;
    }
  }
  return found;
}

bool PlainAllowed(const std::string& text, bool flow) {
  if (text.empty() || IsSpace(text.front()) || IsSpace(text.back())) return false;
  if (text.find('\n') != std::string::npos || HasSpecialCharacters(text)) return false;
  const Indicators found = FindIndicators(text);
  if (flow ? found.flow : found.block) return false;
  return ResolvePlainScalar(text) == YamlImplicit::kStr;
}

std::string SingleQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string DoubleQuoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      out += absl::StrFormat("\\x%02X", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string StringScalar(const std::string& text, bool flow) {
  if (PlainAllowed(text, flow)) return text;
  if (text.find('\n') == std::string::npos && !HasSpecialCharacters(text)) {
    return SingleQuoted(text);
  }
  return DoubleQuoted(text);
}

// PyYAML's represent_float: repr(), with ".0" added before an exponent that lacks a point.
std::string FloatScalar(const Json& value) {
  std::string text = value.dump();
  const size_t e = text.find('e');
  if (e != std::string::npos && text.find('.') == std::string::npos) text.insert(e, ".0");
  return text;
}

std::string Scalar(const Json& value, bool flow) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_float()) return FloatScalar(value);
  if (value.is_number()) return value.dump();
  if (value.is_string()) return StringScalar(value.get_ref<const std::string&>(), flow);
  if (value.is_object()) return "{}";
  return "[]";
}

std::vector<std::string> SortedKeys(const Json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool IsNonEmptyContainer(const Json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

void EmitBlock(const Json& value, int indent, std::string* out);

// A collection as a sequence item: its first line shares the line of the dash.
void EmitSequenceItem(const Json& item, int indent, std::string* out) {
  if (!IsNonEmptyContainer(item)) {
    *out += std::string(indent, ' ') + "- " + Scalar(item, false) + "\n";
    return;
  }
  std::string nested;
  EmitBlock(item, indent + 2, &nested);
  *out += std::string(indent, ' ') + "- " + nested.substr(indent + 2);
}

void EmitMapping(const Json& object, int indent, std::string* out) {
  for (const std::string& key : SortedKeys(object)) {
    const Json& value = object[key];
    *out += std::string(indent, ' ') + StringScalar(key, false) + ":";
    if (!IsNonEmptyContainer(value)) {
      *out += " " + Scalar(value, false) + "\n";
    } else if (value.is_object()) {
      *out += "\n";
      EmitMapping(value, indent + 2, out);
    } else {
      *out += "\n";
      EmitBlock(value, indent, out);  // PyYAML does not indent a sequence inside a mapping
    }
  }
}

void EmitBlock(const Json& value, int indent, std::string* out) {
  if (value.is_object()) return EmitMapping(value, indent, out);
  for (const Json& item : value) EmitSequenceItem(item, indent, out);
}

std::string Flow(const Json& value) {
  if (value.is_object()) {
    std::vector<std::string> items;
    for (const std::string& key : SortedKeys(value)) {
      items.push_back(StringScalar(key, true) + ": " + Flow(value[key]));
    }
    return "{" + absl::StrJoin(items, ", ") + "}";
  }
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const Json& item : value) items.push_back(Flow(item));
    return "[" + absl::StrJoin(items, ", ") + "]";
  }
  return Scalar(value, true);
}

}  // namespace

std::string ToYaml(const Json& value) {
  if (!IsNonEmptyContainer(value)) return Scalar(value, false) + "\n";
  std::string out;
  EmitBlock(value, 0, &out);
  return out;
}

std::string ToFlowYaml(const Json& value) { return Flow(value) + "\n"; }

}  // namespace warden::ctl
