// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// WatchRecorder, in a file of its own: a test that only records watches links it without pulling
// in the conformance tests themselves.

#include <utility>
#include <vector>

#include "warden/dcs/conformance.h"

namespace warden::conformance {

WatchCallback WatchRecorder::Callback() {
  return [this](const WatchResponse& response) {
    absl::MutexLock lock(&mu_);
    responses_.push_back(response);
    events_.insert(events_.end(), response.events.begin(), response.events.end());
    if (!response.status.ok()) errored_ = true;
  };
}

bool WatchRecorder::WaitForEvents(size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return events_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool WatchRecorder::WaitForError(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&errored_), timeout);
}

std::vector<WatchEvent> WatchRecorder::Events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::vector<WatchResponse> WatchRecorder::Responses() const {
  absl::MutexLock lock(&mu_);
  return responses_;
}

size_t WatchRecorder::CallCount() const {
  absl::MutexLock lock(&mu_);
  return responses_.size();
}

}  // namespace warden::conformance
