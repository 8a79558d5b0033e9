// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.

#include "warden/clock.h"

#include "gtest/gtest.h"

namespace warden {
namespace {

TEST(ManualClockTest, MovesOnlyForwardAndOnlyWhenTold) {
  ManualClock clock;
  absl::Time start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Seconds(3));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(3));
  clock.Advance(-absl::Seconds(10));
  EXPECT_EQ(clock.Now(), start + absl::Seconds(3));
}

TEST(ManualClockTest, JumpListenersRunInsideAdvanceUntilRemoved) {
  ManualClock clock;
  int calls = 0;
  int id = clock.AddJumpListener([&] {
    ++calls;
    (void)clock.Now();  // no clock lock is held while listeners run
  });
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(calls, 1);
  clock.RemoveJumpListener(id);
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(calls, 1);
}

TEST(SteadyClockTest, NeverGoesBackwards) {
  absl::Time previous = SteadyClock::Default()->Now();
  for (int i = 0; i < 1000; ++i) {
    absl::Time now = SteadyClock::Default()->Now();
    EXPECT_GE(now, previous);
    previous = now;
  }
}

}  // namespace
}  // namespace warden
