// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// A guard for untrusted JSON: how deeply it nests, counted before it is parsed, so that a
// hostile document cannot drive a recursive parser off the stack.

#ifndef WARDEN_SRC_CORE_JSON_DEPTH_H_
#define WARDEN_SRC_CORE_JSON_DEPTH_H_

#include <algorithm>
#include <string_view>

namespace warden {

// The deepest nesting of arrays and objects in `text`, brackets inside strings excluded.
inline int JsonNestingDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace warden

#endif  // WARDEN_SRC_CORE_JSON_DEPTH_H_
