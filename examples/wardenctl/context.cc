// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "context.h"

#include <ostream>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace warden::ctl {

int Fail(CtlContext& ctx, std::string_view message) {
  ctx.err << "Error: " << message << "\n";
  return 1;
}

int Fail(CtlContext& ctx, const absl::Status& status) {
  ctx.err << "Error: " << status.message() << "\n";
  return 1;
}

std::string Timestamp(const CtlContext& ctx) {
  // Python's strftime('%Y-%m-%d %H:%M:%S.%f')[:-1]: microseconds cut to five digits.
  std::string text = absl::FormatTime("%Y-%m-%d %H:%M:%E6S", ctx.now(), ctx.time_zone);
  text.pop_back();
  return text;
}

}  // namespace warden::ctl
