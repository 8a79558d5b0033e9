// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// The DCS conformance suite: the GoogleTest cases every Dcs backend must pass (CAS on every
// compare target, txn atomicity, revision rules, leases, watches, compaction, deadlines, bad
// input). Link `warden::dcs_conformance` and instantiate it for your backend:
//
//   class MyHarness : public warden::conformance::DcsHarness { ... };
//   WARDEN_INSTANTIATE_DCS_CONFORMANCE(MyBackend, warden::conformance::DcsBackend{
//       "my_backend", [] { return std::make_unique<MyHarness>(); }});
//
// Each test builds a fresh harness; keys live under harness->KeyPrefix() plus the test's name, so
// a backend that shares one server across tests still gives each test its own key space.

#ifndef WARDEN_DCS_CONFORMANCE_H_
#define WARDEN_DCS_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "warden/dcs/dcs.h"

namespace warden::conformance {

// What a backend provides to the suite, for one test.
class DcsHarness {
 public:
  virtual ~DcsHarness() = default;

  // A new, independent client of the store under test. All clients of one harness share a store.
  virtual std::unique_ptr<Dcs> NewClient() = 0;

  // Lets at least `d` pass on the clock that drives lease expiry: a ManualClock's Advance, or a
  // real sleep for a backend on real time.
  virtual void AdvanceTime(absl::Duration d) = 0;

  // Compacts the store's history at `revision` (etcd's Compact RPC; MemoryStore::Compact).
  virtual absl::Status Compact(Revision revision) = 0;

  // The largest value the backend accepts in one request (values just over it must be refused
  // with INVALID_ARGUMENT). At least 1 MiB.
  virtual size_t MaxRequestBytes() const { return size_t{1536} * 1024; }

  // The root of this harness's keys; the suite appends the test name.
  virtual std::string KeyPrefix() const { return "/warden-conformance/"; }

  // How long the suite waits for something it expects (a watch event, a lease expiry) before it
  // fails the test. Not a sleep: waits end as soon as the thing happens.
  virtual absl::Duration PatienceTimeout() const { return absl::Seconds(10); }
};

// A named harness factory: the suite's parameter.
struct DcsBackend {
  std::string name;
  std::function<std::unique_ptr<DcsHarness>()> make_harness;
};

inline std::ostream& operator<<(std::ostream& os, const DcsBackend& backend) {
  return os << backend.name;
}

// Collects what a watch delivers and lets a test wait for it.
class WatchRecorder {
 public:
  // A callback that records into this recorder. The recorder must outlive the watch.
  WatchCallback Callback();

  // Waits until at least `n` events have arrived, or `timeout` passes; returns whether they did.
  bool WaitForEvents(size_t n, absl::Duration timeout);
  // Waits until a response with a non-OK status has arrived; returns whether it did.
  bool WaitForError(absl::Duration timeout);

  std::vector<WatchEvent> Events() const;
  std::vector<WatchResponse> Responses() const;
  size_t CallCount() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<WatchResponse> responses_ ABSL_GUARDED_BY(mu_);
  std::vector<WatchEvent> events_ ABSL_GUARDED_BY(mu_);
  bool errored_ ABSL_GUARDED_BY(mu_) = false;
};

// The fixture every conformance test runs in.
class DcsConformanceTest : public ::testing::TestWithParam<DcsBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A key under this test's own prefix.
  std::string Key(std::string_view suffix) const { return prefix_ + std::string(suffix); }
  const std::string& prefix() const { return prefix_; }
  // A deadline far enough away for any healthy call.
  absl::Time Deadline() const { return absl::Now() + absl::Seconds(10); }
  absl::Duration Patience() const { return harness_->PatienceTimeout(); }

  // Puts and returns the write's revision; fails the test on error.
  Revision MustPut(std::string_view key, std::string_view value, LeaseId lease = kNoLease);
  // Reads a key that must exist.
  KeyValue MustGet(std::string_view key);
  // True if the key is absent.
  bool Absent(std::string_view key);
  // The store revision now.
  Revision CurrentRevision();
  // Waits (event-driven, up to Patience()) until `key` is absent; returns whether it went.
  bool WaitUntilAbsent(std::string_view key);

  std::unique_ptr<DcsHarness> harness_;
  std::unique_ptr<Dcs> dcs_;

 private:
  std::string prefix_;
};

// Pulls every test file of the suite into the link; the instantiation macro calls it.
bool LinkDcsConformance();

}  // namespace warden::conformance

// Instantiates the whole suite for one or more DcsBackend values. Use it at namespace scope
// (GoogleTest needs the fixture's plain name, hence the alias).
#define WARDEN_INSTANTIATE_DCS_CONFORMANCE(instance_name, ...)                                \
  using DcsConformanceTest = ::warden::conformance::DcsConformanceTest;                       \
  INSTANTIATE_TEST_SUITE_P(instance_name, DcsConformanceTest, ::testing::Values(__VA_ARGS__), \
                           [](const auto& info) { return info.param.name; });                 \
  [[maybe_unused]] static const bool warden_dcs_conformance_linked_##instance_name =          \
      ::warden::conformance::LinkDcsConformance()

#endif  // WARDEN_DCS_CONFORMANCE_H_
