// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The conformance fixture, and the link anchor that keeps every test file of the suite in an
// embedder's test binary.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "warden/dcs/conformance.h"

namespace warden::conformance {

// Each test file defines one of these; referencing them here makes the linker keep the files
// (a static library member nothing refers to would be dropped with its tests).
extern const int kKvTestsAnchor;
extern const int kTxnTestsAnchor;
extern const int kLeaseTestsAnchor;
extern const int kWatchTestsAnchor;

bool LinkDcsConformance() {
  return kKvTestsAnchor + kTxnTestsAnchor + kLeaseTestsAnchor + kWatchTestsAnchor >= 0;
}

// --- DcsConformanceTest -------------------------------------------------------------------------

void DcsConformanceTest::SetUp() {
  harness_ = GetParam().make_harness();
  ASSERT_NE(harness_, nullptr);
  dcs_ = harness_->NewClient();
  ASSERT_NE(dcs_, nullptr);
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  prefix_ = harness_->KeyPrefix() + absl::StrReplaceAll(info->name(), {{"/", "."}}) + "/";
  // Start clean even if an earlier run on a shared server left keys behind.
  ASSERT_TRUE(dcs_->DeletePrefix(prefix_, Deadline()).ok());
}

void DcsConformanceTest::TearDown() {
  if (dcs_ != nullptr) (void)dcs_->DeletePrefix(prefix_, Deadline());
  dcs_.reset();
  harness_.reset();
}

Revision DcsConformanceTest::MustPut(std::string_view key, std::string_view value, LeaseId lease) {
  absl::StatusOr<Revision> revision = dcs_->Put(key, value, lease, Deadline());
  EXPECT_TRUE(revision.ok()) << revision.status();
  return revision.value_or(0);
}

KeyValue DcsConformanceTest::MustGet(std::string_view key) {
  absl::StatusOr<GetResult> got = dcs_->Get(key, Deadline());
  EXPECT_TRUE(got.ok()) << got.status();
  if (!got.ok() || !got->kv.has_value()) {
    ADD_FAILURE() << "key " << key << " is absent";
    return KeyValue{};
  }
  return *got->kv;
}

bool DcsConformanceTest::Absent(std::string_view key) {
  absl::StatusOr<GetResult> got = dcs_->Get(key, Deadline());
  EXPECT_TRUE(got.ok()) << got.status();
  return got.ok() && !got->kv.has_value();
}

Revision DcsConformanceTest::CurrentRevision() {
  absl::StatusOr<GetResult> got = dcs_->Get(Key("__revision_probe"), Deadline());
  EXPECT_TRUE(got.ok()) << got.status();
  return got.ok() ? got->revision : 0;
}

bool DcsConformanceTest::WaitUntilAbsent(std::string_view key) {
  absl::StatusOr<GetResult> got = dcs_->Get(key, Deadline());
  if (!got.ok()) return false;
  if (!got->kv.has_value()) return true;
  // Watch from just after the read, so a deletion between the read and the watch is not missed.
  WatchRecorder recorder;
  auto watch = dcs_->Watch(key, got->revision + 1, recorder.Callback(), Deadline());
  if (!watch.ok()) return false;
  absl::Time give_up = absl::Now() + Patience();
  for (size_t seen = 1; absl::Now() < give_up; ++seen) {
    if (!recorder.WaitForEvents(seen, give_up - absl::Now())) return false;
    const std::vector<WatchEvent> events = recorder.Events();
    if (events[seen - 1].kv.key == key && events[seen - 1].type == WatchEvent::Type::kDelete) {
      return true;
    }
  }
  return false;
}

}  // namespace warden::conformance
