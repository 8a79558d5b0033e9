// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// Clock: the one source of "now" for lease expiry and HA decisions.
//
// A Clock is passed in (as LevelDB passes an Env), never reached through a global, so a test or a
// simulator swaps the real clock for a ManualClock and drives time itself.

#ifndef WARDEN_CLOCK_H_
#define WARDEN_CLOCK_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace warden {

// A source of monotonic time. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  // The current time. Never goes backwards.
  virtual absl::Time Now() const = 0;

  // Registers `listener` to be called after the clock jumps forward by a means other than the
  // passing of real time (ManualClock::Advance). Clocks that follow real time never call it.
  // Returns an id for RemoveJumpListener. The listener runs on the thread that moved the clock,
  // with no clock lock held, so it may call Now().
  // NOLINTNEXTLINE(performance-unnecessary-value-param): by value so overrides can move it.
  virtual int AddJumpListener(std::function<void()> /*listener*/) { return 0; }

  // Unregisters a listener. An Advance already under way on another thread may still call it once,
  // so a listener should hold only weak references to what it wakes.
  virtual void RemoveJumpListener(int /*id*/) {}
};

// The process's monotonic clock (std::chrono::steady_clock): immune to wall-clock steps, which is
// what lease deadlines need. Its epoch is arbitrary; compare its times only with each other.
class SteadyClock final : public Clock {
 public:
  absl::Time Now() const override {
    return absl::UnixEpoch() +
           absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
  }

  // A process-wide instance, never destroyed.
  static SteadyClock* Default() {
    static auto* clock = new SteadyClock();
    return clock;
  }
};

// A clock that moves only when told to. Deterministic tests and the simulator own one, hand it to
// every component, and call Advance() to make leases expire.
class ManualClock final : public Clock {
 public:
  // Starts at `start`; the default is an arbitrary fixed point so runs are reproducible.
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1'000'000'000)) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }

  // Moves time forward by `d` (negative values are ignored: time never goes back), then runs the
  // jump listeners, so that when Advance returns every listener has seen the new time.
  void Advance(absl::Duration d) {
    std::vector<std::function<void()>> to_call;
    {
      absl::MutexLock lock(&mu_);
      if (d > absl::ZeroDuration()) now_ += d;
      to_call.reserve(listeners_.size());
      for (const auto& [id, fn] : listeners_) to_call.push_back(fn);
    }
    for (const auto& fn : to_call) fn();
  }

  int AddJumpListener(std::function<void()> listener) override {
    absl::MutexLock lock(&mu_);
    int id = ++last_id_;
    listeners_.emplace(id, std::move(listener));
    return id;
  }

  void RemoveJumpListener(int id) override {
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
  int last_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int, std::function<void()>> listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace warden

#endif  // WARDEN_CLOCK_H_
