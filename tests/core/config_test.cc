// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// AdjustTiming, read as a spec of Patroni's timing rule (patroni/config.py,
// Config._validate_and_adjust_timeouts): whole seconds, minimums of ttl 5 s, loop_wait 1 s,
// retry_timeout 3 s, then loop_wait + 2 * retry_timeout <= ttl by shortening loop_wait first.

#include "warden/core/config.h"

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace warden {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

DynamicConfig Timing(absl::Duration ttl, absl::Duration loop_wait, absl::Duration retry_timeout) {
  DynamicConfig config;
  config.ttl = ttl;
  config.loop_wait = loop_wait;
  config.retry_timeout = retry_timeout;
  return config;
}

DynamicConfig TimingSeconds(int64_t ttl, int64_t loop_wait, int64_t retry_timeout) {
  return Timing(absl::Seconds(ttl), absl::Seconds(loop_wait), absl::Seconds(retry_timeout));
}

void ExpectTiming(const DynamicConfig& config, int64_t ttl, int64_t loop_wait,
                  int64_t retry_timeout) {
  EXPECT_EQ(config.ttl, absl::Seconds(ttl));
  EXPECT_EQ(config.loop_wait, absl::Seconds(loop_wait));
  EXPECT_EQ(config.retry_timeout, absl::Seconds(retry_timeout));
}

TEST(AdjustTimingTest, LeavesPatronisDefaultsAlone) {
  std::string adjustment = "stale";
  EXPECT_EQ(AdjustTiming(DynamicConfig{}, &adjustment), DynamicConfig{});
  EXPECT_THAT(adjustment, IsEmpty());
}

TEST(AdjustTimingTest, LeavesTheRuleHoldingExactlyAlone) {
  std::string adjustment;
  ExpectTiming(AdjustTiming(TimingSeconds(20, 2, 9), &adjustment), 20, 2, 9);
  EXPECT_THAT(adjustment, IsEmpty());
}

TEST(AdjustTimingTest, ShortensLoopWaitFirst) {
  std::string adjustment;
  ExpectTiming(AdjustTiming(TimingSeconds(30, 15, 10), &adjustment), 30, 10, 10);
  EXPECT_THAT(adjustment, HasSubstr("loop_wait 15s -> 10s"));
  EXPECT_THAT(adjustment, Not(HasSubstr("retry_timeout 10s")));
}

TEST(AdjustTimingTest, ShortensRetryTimeoutOnlyWhenTheShortestLoopIsNotEnough) {
  std::string adjustment;
  ExpectTiming(AdjustTiming(TimingSeconds(30, 10, 20), &adjustment), 30, 1, 14);
  EXPECT_THAT(adjustment, HasSubstr("loop_wait 10s -> 1s"));
  EXPECT_THAT(adjustment, HasSubstr("retry_timeout 20s -> 14s"));
}

TEST(AdjustTimingTest, RaisesEachToItsMinimum) {
  std::string adjustment;
  ExpectTiming(AdjustTiming(TimingSeconds(20, 0, 1), &adjustment), 20, 1, 3);
  EXPECT_THAT(adjustment, HasSubstr("loop_wait 0 -> 1s"));
  EXPECT_THAT(adjustment, HasSubstr("retry_timeout 1s -> 3s"));
  ExpectTiming(AdjustTiming(TimingSeconds(2, 1, 3), &adjustment), 5, 1, 2);
  EXPECT_THAT(adjustment, HasSubstr("ttl 2s -> 5s"));
}

TEST(AdjustTimingTest, KeepsAShortTtlAndShrinksTheRetry) {
  // Patroni 3.0 accepts ttl 10 as it is; 1 + 2 * 10 > 10, so the retry shrinks to (10 - 1) / 2.
  ExpectTiming(AdjustTiming(TimingSeconds(10, 10, 10), nullptr), 10, 1, 4);
  ExpectTiming(AdjustTiming(TimingSeconds(10, 2, 3), nullptr), 10, 2, 3);
  ExpectTiming(AdjustTiming(TimingSeconds(5, 1, 2), nullptr), 5, 1, 2);
}

TEST(AdjustTimingTest, TruncatesToWholeSecondsAsPatronisIntDoes) {
  std::string adjustment;
  const DynamicConfig adjusted = AdjustTiming(
      Timing(absl::Milliseconds(30900), absl::Milliseconds(2500), absl::Seconds(10)), &adjustment);
  ExpectTiming(adjusted, 30, 2, 10);
  EXPECT_THAT(adjustment, HasSubstr("ttl 30.9s -> 30s"));
}

TEST(AdjustTimingTest, CapsAbsurdValuesWithoutOverflowing) {
  const DynamicConfig adjusted = AdjustTiming(
      Timing(absl::InfiniteDuration(), absl::InfiniteDuration(), absl::InfiniteDuration()),
      nullptr);
  EXPECT_LE(adjusted.loop_wait + 2 * adjusted.retry_timeout, adjusted.ttl);
  EXPECT_GE(adjusted.loop_wait, absl::Seconds(1));
  const DynamicConfig negative = AdjustTiming(
      Timing(-absl::InfiniteDuration(), absl::Seconds(-5), absl::Seconds(-5)), nullptr);
  ExpectTiming(negative, 5, 1, 2);
}

TEST(AdjustTimingTest, TouchesNothingButTheThreeTimings) {
  DynamicConfig config = TimingSeconds(30, 29, 10);
  config.synchronous_mode = SynchronousMode::kQuorum;
  config.postgresql_parameters = {{"work_mem", "4MB"}};
  config.unknown_json = R"({"slots":{}})";
  DynamicConfig expected = config;
  expected.loop_wait = absl::Seconds(10);
  EXPECT_EQ(AdjustTiming(config, nullptr), expected);
}

TEST(AdjustTimingTest, AlwaysEndsWithTheRuleHoldingAndIsIdempotent) {
  for (int64_t ttl : {0, 1, 19, 20, 21, 30, 31, 60, 3600}) {
    for (int64_t loop_wait : {0, 1, 5, 10, 29, 100}) {
      for (int64_t retry_timeout : {0, 3, 9, 10, 15, 40}) {
        const DynamicConfig once =
            AdjustTiming(TimingSeconds(ttl, loop_wait, retry_timeout), nullptr);
        EXPECT_LE(once.loop_wait + 2 * once.retry_timeout, once.ttl);
        EXPECT_GE(once.ttl, absl::Seconds(5));
        EXPECT_GE(once.loop_wait, absl::Seconds(1));
        EXPECT_GE(once.retry_timeout, absl::Seconds(once.ttl < absl::Seconds(7) ? 2 : 3));
        std::string adjustment;
        EXPECT_EQ(AdjustTiming(once, &adjustment), once);
        EXPECT_THAT(adjustment, IsEmpty());
      }
    }
  }
}

}  // namespace
}  // namespace warden
