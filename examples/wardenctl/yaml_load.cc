// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The loader half of yaml_text.h: yaml-cpp parses, and plain scalars are typed by PyYAML's
// resolvers rather than yaml-cpp's own (which follow YAML 1.2 and would read `on` as a string).

#include <yaml-cpp/yaml.h>

#include <exception>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "yaml_resolve.h"
#include "yaml_text.h"

namespace warden::ctl {
namespace {

// Deeper documents are refused: nothing patronictl edits nests more than a few levels, and the
// conversion recurses.
constexpr int kMaxDepth = 64;

constexpr char kStrTag[] = "tag:yaml.org,2002:str";

absl::StatusOr<Json> Convert(const YAML::Node& node, int depth);

Json ConvertScalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // "!" marks a quoted scalar (or a non-specific tag): a string, whatever it looks like.
  if (node.Tag() == "!" || node.Tag() == kStrTag) return text;
  return PlainScalarValue(text);
}

absl::StatusOr<Json> ConvertMap(const YAML::Node& node, int depth) {
  Json object = Json::object();
  for (const auto& entry : node) {
    if (!entry.first.IsScalar() && !entry.first.IsNull()) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", entry.first.Mark().line + 1, ": a key must be a scalar"));
    }
    absl::StatusOr<Json> value = Convert(entry.second, depth + 1);
    if (!value.ok()) return value.status();
    object[entry.first.IsNull() ? std::string("null") : entry.first.Scalar()] = *std::move(value);
  }
  return object;
}

absl::StatusOr<Json> Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) return absl::InvalidArgumentError("YAML nested too deeply");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      return ConvertScalar(node);
    case YAML::NodeType::Sequence: {
      Json array = Json::array();
      for (const auto& item : node) {
        absl::StatusOr<Json> value = Convert(item, depth + 1);
        if (!value.ok()) return value.status();
        array.push_back(*std::move(value));
      }
      return array;
    }
    case YAML::NodeType::Map:
      return ConvertMap(node, depth);
  }
  return Json(nullptr);
}

}  // namespace

absl::StatusOr<Json> ParseYaml(const std::string& text) {
  try {
    return Convert(YAML::Load(text), 0);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not valid YAML: ", e.what()));
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read YAML: ", e.what()));
  }
}

}  // namespace warden::ctl
