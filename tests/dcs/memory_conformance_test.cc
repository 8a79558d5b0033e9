// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Runs the DCS conformance suite on the in-memory backend, in virtual time.

#include <memory>

#include "warden/clock.h"
#include "warden/dcs/conformance.h"
#include "warden/dcs/memory.h"

namespace warden {
namespace {

class MemoryHarness final : public conformance::DcsHarness {
 public:
  std::unique_ptr<Dcs> NewClient() override { return store_.NewClient("conformance"); }
  void AdvanceTime(absl::Duration d) override { clock_.Advance(d); }
  absl::Status Compact(Revision revision) override { return store_.Compact(revision); }

 private:
  ManualClock clock_;  // declared first: the store uses it until it is destroyed
  MemoryStore store_{MemoryStoreOptions{.clock = &clock_}};
};

WARDEN_INSTANTIATE_DCS_CONFORMANCE(Memory,
                                   conformance::DcsBackend{
                                       "memory", [] { return std::make_unique<MemoryHarness>(); }});

}  // namespace
}  // namespace warden
