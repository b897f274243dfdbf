// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "pool/schedule.h"

#include <gtest/gtest.h>

namespace hs::pool {
namespace {

using std::chrono::milliseconds;

TEST(RampScheduleTest, NoJitterIsEvenlySpacedAtTheRate) {
  std::mt19937_64 rng(42);
  auto slots = BuildRampSchedule(5, 10, 4.0, Duration::zero(), rng);
  ASSERT_EQ(slots.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(slots[static_cast<size_t>(i)].viewer_id, 10 + i);
    EXPECT_EQ(slots[static_cast<size_t>(i)].offset, milliseconds(250 * i));
  }
}

TEST(RampScheduleTest, JitterStaysInRangeAndMeanRateMatches) {
  std::mt19937_64 rng(7);
  const int n = 1000;
  auto slots = BuildRampSchedule(n, 0, 20.0, milliseconds(100), rng);
  std::vector<bool> seen(n, false);
  for (const auto& s : slots) {
    const auto base = milliseconds(50 * s.viewer_id);
    EXPECT_GE(s.offset, base);
    EXPECT_LT(s.offset, base + milliseconds(100));
    seen[static_cast<size_t>(s.viewer_id)] = true;
  }
  for (bool b : seen) EXPECT_TRUE(b);
  for (size_t i = 1; i < slots.size(); ++i) EXPECT_LE(slots[i - 1].offset, slots[i].offset);
  // Achieved mean rate: (n-1) starts over (last - first) seconds.
  const double span = ToSeconds(slots.back().offset - slots.front().offset);
  EXPECT_NEAR((n - 1) / span, 20.0, 0.1);
}

TEST(RampScheduleTest, SameSeedSameSchedule) {
  std::mt19937_64 a(99), b(99);
  auto x = BuildRampSchedule(50, 0, 5, milliseconds(300), a);
  auto y = BuildRampSchedule(50, 0, 5, milliseconds(300), b);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].viewer_id, y[i].viewer_id);
    EXPECT_EQ(x[i].offset, y[i].offset);
  }
}

TEST(BackoffTest, GrowsByFactorAndIsCapped) {
  std::mt19937_64 rng(1);
  const Duration cap = std::chrono::seconds(5);
  const double expected[] = {0.25, 0.425, 0.7225, 1.228, 2.088, 3.55, 5, 5, 5};
  for (int attempt = 0; attempt < 9; ++attempt) {
    for (int k = 0; k < 50; ++k) {
      const double d = ToSeconds(RestartBackoff(attempt, cap, rng));
      EXPECT_GE(d, expected[attempt] * 0.8 - 1e-3) << attempt;
      EXPECT_LE(d, expected[attempt] * 1.2 + 1e-3) << attempt;
    }
  }
}

TEST(BackoffTest, ZeroCapMeansFiveSeconds) {
  std::mt19937_64 rng(3);
  for (int k = 0; k < 100; ++k) {
    const double d = ToSeconds(RestartBackoff(30, Duration::zero(), rng));
    EXPECT_GE(d, 4.0 - 1e-6);
    EXPECT_LE(d, 6.0 + 1e-6);
  }
}

}  // namespace
}  // namespace hs::pool
