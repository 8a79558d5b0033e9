// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// `warden-agent --validate`: every key of a patroni.yml with what warden does with it. The
// loader already says so for each key it does not honour, as a warning or an error that starts
// with the key's line; this walks the file and pairs each key with those. A key under
// bootstrap.dcs that the codec keeps without modelling is written to the config key for Patroni
// members and otherwise unused, and is reported as such.

#include <yaml-cpp/yaml.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "warden/agent/agent_config.h"

namespace warden {
namespace {

// "line 12: text" -> 12 and "text"; 0 when the message names no line.
int MessageLine(const std::string& message, std::string* text) {
  absl::string_view rest = message;
  int line = 0;
  if (!absl::ConsumePrefix(&rest, "line ")) return 0;
  const size_t colon = rest.find(':');
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(rest.substr(0, colon), &line)) {
    return 0;
  }
  *text = std::string(absl::StripLeadingAsciiWhitespace(rest.substr(colon + 1)));
  return line;
}

class Reporter {
 public:
  Reporter(std::map<int, ConfigKeyReport> messages, nlohmann::json kept)
      : messages_(std::move(messages)), kept_(std::move(kept)) {}

  // `parent`: the report of the key that holds `map` (null at the top); the keys below a warned,
  // refused or kept one share its verdict.
  void Walk(const YAML::Node& map, const std::string& prefix, const ConfigKeyReport* parent) {
    if (!map.IsMap()) return;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string path =
          prefix.empty() ? it->first.Scalar() : prefix + "." + it->first.Scalar();
      ConfigKeyReport report{.line = it->first.Mark().line + 1, .path = path};
      if (parent != nullptr && parent->verdict != "honoured") {
        report.verdict = parent->verdict;
        report.why = absl::StrCat("under '", parent->path, "'");
      } else if (auto m = messages_.find(report.line); m != messages_.end()) {
        report.verdict = m->second.verdict;
        report.why = m->second.why;
      } else if (Kept(path)) {
        report.verdict = "kept";
        report.why = "written to the config key for Patroni members; warden does not use it";
      } else {
        report.verdict = "honoured";
      }
      out_.push_back(report);
      Walk(it->second, path, &report);
    }
  }

  std::vector<ConfigKeyReport> Take() { return std::move(out_); }

 private:
  // Whether bootstrap.dcs.<path> is among the keys the codec kept unmodelled.
  bool Kept(const std::string& path) const {
    absl::string_view rest = path;
    if (!absl::ConsumePrefix(&rest, "bootstrap.dcs.")) return false;
    const nlohmann::json* node = &kept_;
    for (absl::string_view part : absl::StrSplit(rest, '.')) {
      if (!node->is_object()) return false;
      auto it = node->find(std::string(part));
      if (it == node->end()) return false;
      node = &*it;
    }
    return true;
  }

  std::map<int, ConfigKeyReport> messages_;
  nlohmann::json kept_;
  std::vector<ConfigKeyReport> out_;
};

}  // namespace

absl::StatusOr<std::vector<ConfigKeyReport>> ReportConfigKeys(
    std::string_view yaml, const std::map<std::string, std::string>& env) {
  absl::StatusOr<AgentConfig> config = ParseAgentConfig(yaml, env);
  std::vector<std::string> messages;
  std::string verdict = "warned";
  if (config.ok()) {
    messages = config->warnings;
  } else if (config.status().code() == absl::StatusCode::kInvalidArgument) {
    messages = absl::StrSplit(config.status().message(), '\n');
    verdict = "refused";
  } else {
    return config.status();
  }
  std::map<int, ConfigKeyReport> by_line;
  for (const std::string& message : messages) {
    std::string text;
    if (const int line = MessageLine(message, &text); line > 0) {
      by_line.emplace(line, ConfigKeyReport{.line = line, .verdict = verdict, .why = text});
    }
  }
  nlohmann::json kept = nlohmann::json::object();
  if (config.ok()) {
    kept = nlohmann::json::parse(config->agent.bootstrap_config.unknown_json, nullptr, false);
  }
  try {
    Reporter reporter(std::move(by_line), std::move(kept));
    reporter.Walk(YAML::Load(std::string(yaml)), "", nullptr);
    return reporter.Take();
  } catch (const YAML::Exception& e) {  // the parse above reported it already
    return config.status();
  }
}

}  // namespace warden
