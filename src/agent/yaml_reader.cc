// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Scalars are typed by hand, not with std::regex: libstdc++'s regex recurses once per input
// character and overflows the stack on long scalars, and a config loader must survive any file.

#include "src/agent/yaml_reader.h"

#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace warden::agent_config_internal {
namespace {

using Json = nlohmann::ordered_json;

constexpr int kMaxDepth = 64;
constexpr int kMaxNodes = 100000;

constexpr char kCoreTagPrefix[] = "tag:yaml.org,2002:";

bool IsNullText(const std::string& text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

bool AllOf(const std::string& text, size_t from, const char* allowed) {
  if (from >= text.size()) return false;
  return text.find_first_not_of(allowed, from) == std::string::npos;
}

// PyYAML's int forms: 0b..., 0x..., 0... (octal), decimal; underscores allowed after the first
// digit. Sexagesimal (1:30) is left a string: it is obscure and collides with host:port.
std::optional<int64_t> YamlInt(const std::string& text) {
  size_t start = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  const std::string body = text.substr(start);
  int base = 10;
  size_t digits_from = 0;
  if (body.size() > 2 && body[0] == '0' && body[1] == 'b' && AllOf(body, 2, "01_")) {
    base = 2, digits_from = 2;
  } else if (body.size() > 2 && body[0] == '0' && body[1] == 'x' &&
             AllOf(body, 2, "0123456789abcdefABCDEF_")) {
    base = 16, digits_from = 2;
  } else if (body.size() > 1 && body[0] == '0' && AllOf(body, 1, "01234567_")) {
    base = 8, digits_from = 1;
  } else if (!(body == "0" || (!body.empty() && body[0] >= '1' && body[0] <= '9' &&
                               AllOf(body, 0, "0123456789_")))) {
    return std::nullopt;
  }
  const std::string digits = absl::StrReplaceAll(body.substr(digits_from), {{"_", ""}});
  if (digits.empty() || digits.size() > 64) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(digits.c_str(), &end, base);  // NOLINT(runtime/int)
  if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
  return start == 1 && text[0] == '-' ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
}

// PyYAML's float: [-+]? digits . digits? ([eE][-+]digits)?, or .digits...; a dot is required,
// so 1e5 stays a string as PyYAML leaves it. Infinities and NaN stay strings (not JSON).
bool IsYamlFloat(const std::string& text) {
  size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  const auto digits = [&](bool underscores) {
    size_t n = 0;
    while (i < text.size() && (absl::ascii_isdigit(static_cast<unsigned char>(text[i])) ||
                               (underscores && n > 0 && text[i] == '_'))) {
      ++i, ++n;
    }
    return n;
  };
  const size_t whole = digits(true);
  if (i >= text.size() || text[i] != '.') return false;
  ++i;
  const size_t fraction = digits(true);
  if (whole == 0 && fraction == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i >= text.size() || (text[i] != '-' && text[i] != '+')) return false;
    ++i;
    if (digits(false) == 0) return false;
  }
  return i == text.size();
}

absl::StatusOr<Json> ScalarJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  switch (ResolveScalar(node)) {
    case ScalarKind::kNull:
      return Json(nullptr);
    case ScalarKind::kBool:
      return Json(*YamlBool(text));
    case ScalarKind::kInt:
      return Json(*YamlInt(text));
    case ScalarKind::kFloat: {
      double value = 0;
      if (absl::SimpleAtod(absl::StrReplaceAll(text, {{"_", ""}}), &value)) return Json(value);
      return Json(text);
    }
    case ScalarKind::kString:
      break;
  }
  return Json(text);
}

struct JsonBuilder {
  int nodes = 0;

  absl::StatusOr<Json> Convert(const YAML::Node& node, int depth) {
    if (++nodes > kMaxNodes) return Error(node, "too many YAML nodes (aliases expanding?)");
    if (depth > kMaxDepth) return Error(node, "YAML nested too deep");
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return ScalarJson(node);
      case YAML::NodeType::Sequence:
        return Sequence(node, depth);
      case YAML::NodeType::Map:
        return Map(node, depth);
      default:
        return Json(nullptr);
    }
  }

  absl::StatusOr<Json> Sequence(const YAML::Node& node, int depth) {
    Json out = Json::array();
    for (const YAML::Node& item : node) {
      absl::StatusOr<Json> value = Convert(item, depth + 1);
      if (!value.ok()) return value.status();
      out.push_back(*std::move(value));
    }
    return out;
  }

  absl::StatusOr<Json> Map(const YAML::Node& node, int depth) {
    Json out = Json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!it->first.IsScalar()) return Error(it->first, "a mapping key must be a scalar");
      absl::StatusOr<Json> value = Convert(it->second, depth + 1);
      if (!value.ok()) return value.status();
      out[it->first.Scalar()] = *std::move(value);  // a repeated key: the last wins, as in PyYAML
    }
    return out;
  }

  static absl::Status Error(const YAML::Node& node, const std::string& what) {
    const std::string line = LineOf(node);
    return absl::InvalidArgumentError(line.empty() ? what : absl::StrCat(line, ": ", what));
  }
};

const char* TypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "null";
  }
}

}  // namespace

std::optional<bool> YamlBool(const std::string& text) {
  static const std::set<std::string> kTrue = {"yes",  "Yes", "YES", "true", "True",
                                              "TRUE", "on",  "On",  "ON"};
  static const std::set<std::string> kFalse = {"no",    "No",  "NO",  "false", "False",
                                               "FALSE", "off", "Off", "OFF"};
  if (kTrue.count(text) > 0) return true;
  if (kFalse.count(text) > 0) return false;
  return std::nullopt;
}

std::optional<bool> ParseBool(const std::string& text) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "on" || lower == "true" || lower == "yes" || lower == "1") return true;
  if (lower == "off" || lower == "false" || lower == "no" || lower == "0") return false;
  return std::nullopt;
}

ScalarKind ResolveScalar(const YAML::Node& scalar) {
  if (scalar.IsNull()) return ScalarKind::kNull;
  if (!scalar.IsScalar()) return ScalarKind::kString;
  const std::string& tag = scalar.Tag();
  // "!" is what yaml-cpp gives a quoted scalar: always a string, as in PyYAML.
  if (tag == "!" || tag == std::string(kCoreTagPrefix) + "str") return ScalarKind::kString;
  const std::string& text = scalar.Scalar();
  if (IsNullText(text)) return ScalarKind::kNull;
  if (YamlBool(text)) return ScalarKind::kBool;
  if (YamlInt(text)) return ScalarKind::kInt;
  if (IsYamlFloat(text)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

std::string LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return "";
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return "";
  return absl::StrCat("line ", mark.line + 1);
}

absl::StatusOr<Json> YamlToJson(const YAML::Node& node) {
  JsonBuilder builder;
  return builder.Convert(node, 0);
}

void Diagnostics::Warn(const YAML::Node& at, const std::string& text) {
  const std::string line = LineOf(at);
  warnings_.push_back(line.empty() ? text : absl::StrCat(line, ": ", text));
}

void Diagnostics::Fail(const YAML::Node& at, const std::string& text) {
  const std::string line = LineOf(at);
  Fail(absl::InvalidArgumentError(line.empty() ? text : absl::StrCat(line, ": ", text)));
}

// Every error is kept (one a line), so a file with several refused keys names them all at once.
void Diagnostics::Fail(const absl::Status& status) {
  if (status.ok()) return;
  if (status_.ok()) {
    status_ = status;
  } else if (!absl::StrContains(status_.message(), status.message())) {
    status_ = absl::Status(status_.code(), absl::StrCat(status_.message(), "\n", status.message()));
  }
}

MapReader::MapReader(const YAML::Node& map, std::string path, Diagnostics* diag)
    : map_(map), path_(std::move(path)), diag_(diag) {
  if (!map.IsDefined() || map.IsNull()) return;
  if (!map.IsMap()) {
    diag_->Fail(map, absl::StrCat("'", path_, "' must be a mapping, got ", TypeName(map)));
    return;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      diag_->Fail(it->first, absl::StrCat("a key in '", path_, "' is not a scalar"));
      continue;
    }
    const std::string key = it->first.Scalar();
    if (entries_.count(key) > 0) {
      diag_->Warn(it->first, absl::StrCat("duplicate key '", PathOf(key), "' (the last wins)"));
    } else {
      order_.push_back(key);
    }
    // erase and emplace rather than assign: assigning a YAML::Node writes into the document.
    entries_.erase(key);
    entries_.emplace(key, Entry{it->first, it->second});
  }
}

YAML::Node MapReader::Take(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return YAML::Node();
  it->second.taken = true;
  return it->second.value;
}

YAML::Node MapReader::KeyNode(const std::string& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? YAML::Node() : it->second.key;
}

bool MapReader::TakeString(const std::string& key, std::string* out) {
  const YAML::Node value = Take(key);
  if (!value.IsDefined() || value.IsNull()) return false;
  if (!value.IsScalar()) {
    diag_->Fail(KeyNode(key),
                absl::StrCat("'", PathOf(key), "' must be a string, got ", TypeName(value)));
    return false;
  }
  *out = value.Scalar();
  return true;
}

bool MapReader::TakeBool(const std::string& key, bool* out) {
  const YAML::Node value = Take(key);
  if (!value.IsDefined() || value.IsNull()) return false;
  std::optional<bool> parsed;
  if (value.IsScalar()) {
    parsed = ResolveScalar(value) == ScalarKind::kBool ? YamlBool(value.Scalar())
                                                       : ParseBool(value.Scalar());
  }
  if (!parsed) {
    diag_->Fail(
        KeyNode(key),
        absl::StrCat("'", PathOf(key), "' must be a boolean (true/false, on/off), got ",
                     value.IsScalar() ? "'" + value.Scalar() + "'" : std::string(TypeName(value))));
    return false;
  }
  *out = *parsed;
  return true;
}

void MapReader::Unsupported(const std::string& key, const std::string& why) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.taken) return;
  it->second.taken = true;
  diag_->Warn(KeyNode(key), absl::StrCat("'", PathOf(key), "' is not supported (ignored)",
                                         why.empty() ? "" : ": ", why));
}

void MapReader::WarnUnknown() {
  for (const std::string& key : order_) {
    const Entry& entry = entries_.at(key);
    if (entry.taken) continue;
    diag_->Warn(entry.key, absl::StrCat("unknown key '", PathOf(key), "' (ignored)"));
  }
}

std::optional<std::string> ScalarText(const YAML::Node& value, const std::string& path,
                                      Diagnostics* diag) {
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (!value.IsScalar()) {
    diag->Fail(value, absl::StrCat("'", path, "' must be a string, got ", TypeName(value)));
    return std::nullopt;
  }
  return value.Scalar();
}

}  // namespace warden::agent_config_internal
