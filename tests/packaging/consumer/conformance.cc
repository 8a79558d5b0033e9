// An embedder runs warden's DCS conformance suite on a backend: here the in-memory one.
#include "warden/dcs/conformance.h"

#include <memory>

#include "warden/clock.h"
#include "warden/dcs/memory.h"

namespace {

class Harness final : public warden::conformance::DcsHarness {
 public:
  std::unique_ptr<warden::Dcs> NewClient() override { return store_.NewClient(); }
  void AdvanceTime(absl::Duration d) override { clock_.Advance(d); }
  absl::Status Compact(warden::Revision r) override { return store_.Compact(r); }

 private:
  warden::ManualClock clock_;
  warden::MemoryStore store_{warden::MemoryStoreOptions{.clock = &clock_}};
};

WARDEN_INSTANTIATE_DCS_CONFORMANCE(Consumer,
                                   warden::conformance::DcsBackend{
                                       "memory", [] { return std::make_unique<Harness>(); }});

}  // namespace
