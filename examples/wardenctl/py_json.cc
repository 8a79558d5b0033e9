// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "py_json.h"

#include <cstdint>
#include <exception>
#include <string>

#include "absl/strings/str_format.h"

namespace warden::ctl {
namespace {

// Decodes one UTF-8 sequence at text[*i]; invalid bytes come back as themselves (Latin-1), so
// that nothing is dropped.
uint32_t NextCodePoint(const std::string& text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(*i);
  ++*i;
  if (lead < 0xC0) return lead;  // ASCII, or a stray continuation byte
  const size_t extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  if (*i + extra > text.size()) return lead;
  uint32_t cp = lead & (0x3F >> extra);
  for (size_t k = 0; k < extra; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) return lead;
    cp = (cp << 6) | (byte(*i + k) & 0x3F);
  }
  *i += extra;
  return cp;
}

void AppendEscaped(const std::string& text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = NextCodePoint(text, &i);
    switch (cp) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x10000) {
      *out += absl::StrFormat("\\u%04x", cp);
    } else {  // a surrogate pair, as Python writes astral characters
      const uint32_t v = cp - 0x10000;
      *out += absl::StrFormat("\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    }
  }
  out->push_back('"');
}

void Append(const Json& value, std::string* out) {
  if (value.is_object()) {
    *out += "{";
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) *out += ", ";
      first = false;
      AppendEscaped(it.key(), out);
      *out += ": ";
      Append(it.value(), out);
    }
    *out += "}";
  } else if (value.is_array()) {
    *out += "[";
    for (size_t i = 0; i < value.size(); ++i) {
      if (i > 0) *out += ", ";
      Append(value[i], out);
    }
    *out += "]";
  } else if (value.is_string()) {
    AppendEscaped(value.get_ref<const std::string&>(), out);
  } else {
    *out += value.dump();  // numbers, booleans and null are spelled alike
  }
}

}  // namespace

std::string PyJsonDumps(const Json& value) {
  std::string out;
  try {
    Append(value, &out);
  } catch (const std::exception&) {  // only allocation failure can get here
    return "null";
  }
  return out;
}

std::string CompactJson(const Json& value) {
  try {
    return value.dump(-1, ' ', false, Json::error_handler_t::replace);
  } catch (const std::exception&) {
    return "null";
  }
}

Json ParseJsonOrDiscarded(const std::string& text) {
  try {
    return Json::parse(text, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception&) {
    return Json(Json::value_t::discarded);
  }
}

}  // namespace warden::ctl
