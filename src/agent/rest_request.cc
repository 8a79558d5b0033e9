// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Request plumbing of the REST API: targets, JSON bodies, basic auth, and the replies built from
// them.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/agent/rest_internal.h"
#include "src/core/json_depth.h"

namespace warden::rest_internal {
namespace {

// Patroni's documents nest a few levels; the limit keeps a hostile body from driving nlohmann's
// recursive dump and destruction into a stack overflow.
constexpr int kMaxJsonDepth = 64;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// As Python's unquote_plus: "+" is a space, a bad escape stays as written.
std::string DecodeQueryPart(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Compares in time that depends only on `expected`'s length, so that a client cannot find the
// password one byte at a time.
bool ConstantTimeEquals(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    const char g = i < given.size() ? given[i] : '\0';
    diff |= static_cast<unsigned char>(g ^ expected[i]);
  }
  return diff == 0;
}

}  // namespace

const std::string* Target::Param(std::string_view key) const {
  for (const auto& [name, value] : query) {
    if (name == key) return &value;
  }
  return nullptr;
}

absl::StatusOr<Target> ParseTarget(const std::string& target) {
  if (target.empty() || target.front() != '/') {
    return absl::InvalidArgumentError("the request target must be a path starting with /");
  }
  std::string_view rest(target);
  rest = rest.substr(0, rest.find('#'));
  Target parsed;
  const size_t question = rest.find('?');
  parsed.path = std::string(rest.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  const std::string query(rest.substr(question + 1));
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    // Like Python's parse_qs: parameters without a value are dropped.
    if (equals == absl::string_view::npos || equals + 1 == pair.size()) continue;
    std::string key = DecodeQueryPart(std::string_view(pair.data(), equals));
    std::string value =
        DecodeQueryPart(std::string_view(pair.data() + equals + 1, pair.size() - equals - 1));
    parsed.query.emplace_back(std::move(key), std::move(value));
  }
  return parsed;
}

RestResponse TextResponse(int status, std::string message) {
  RestResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(message);
  return response;
}

RestResponse JsonResponse(int status, std::string json) {
  RestResponse response;
  response.status = status;
  response.body = std::move(json);
  return response;
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kFailedPrecondition:
      return 412;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

RestResponse ErrorResponse(const absl::Status& status) {
  return TextResponse(HttpStatusFor(status), std::string(status.message()));
}

absl::StatusOr<Json> ParseJsonObject(const std::string& body, bool empty_ok) {
  if (empty_ok && absl::StripAsciiWhitespace(body).empty()) return Json::object();
  if (JsonNestingDepth(body) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(
        absl::StrCat("the body nests deeper than ", kMaxJsonDepth, " levels"));
  }
  try {
    Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return absl::InvalidArgumentError("the body is not valid JSON");
    if (!parsed.is_object()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the body must be a JSON object, not ", parsed.type_name()));
    }
    return parsed;
  } catch (const std::exception& e) {  // allocation failure: parse errors do not throw here
    return absl::InvalidArgumentError(absl::StrCat("the body is not valid JSON: ", e.what()));
  }
}

std::string Dump(const Json& json) {
  try {
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";
  }
}

bool Authorized(const RestApiOptions& options, const RestRequest& request) {
  if (options.username.empty()) return true;
  const auto header = request.headers.find("authorization");
  if (header == request.headers.end()) return false;
  absl::string_view value = absl::StripAsciiWhitespace(header->second);
  constexpr absl::string_view kScheme = "basic ";
  if (value.size() <= kScheme.size() || !absl::StartsWithIgnoreCase(value, kScheme)) return false;
  std::string credentials;
  if (!absl::Base64Unescape(absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size())),
                            &credentials)) {
    return false;
  }
  return ConstantTimeEquals(credentials, options.username + ":" + options.password);
}

}  // namespace warden::rest_internal
