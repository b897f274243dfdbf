// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/rate_window.h"

#include <gtest/gtest.h>

namespace hs::tui {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Segment requests of 1000 bytes each, and half as many playlist requests of 100 bytes.
stats::Snapshot Counters(std::uint64_t segments) {
  stats::Snapshot s;
  s.requests.enabled = true;
  s.requests.by_kind["segment"].requests = segments;
  s.requests.by_kind["segment"].body_bytes = segments * 1000;
  s.requests.by_kind["playlist"].requests = segments / 2;
  s.requests.by_kind["playlist"].body_bytes = segments / 2 * 100;
  s.bytes_received = segments * 1000 + segments / 2 * 100;
  return s;
}

struct RateWindowTest : testing::Test {
  RateWindow window_;
  SteadyTime t0_ = SteadyTime{} + std::chrono::hours(1);
};

TEST_F(RateWindowTest, NoRateFromOneSample) {
  EXPECT_FALSE(window_.RequestRate("segment", seconds(1)));
  window_.Add(Counters(10), t0_);
  EXPECT_FALSE(window_.RequestRate("segment", seconds(1)));
  EXPECT_FALSE(window_.ByteRate(RateWindow::kAllKinds, seconds(1)));
  EXPECT_TRUE(window_.ThroughputHistory(10).empty());
}

TEST_F(RateWindowTest, RatesFromTwoSnapshots) {
  window_.Add(Counters(100), t0_);
  window_.Add(Counters(150), t0_ + seconds(1));
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(1)), 50.0);
  EXPECT_DOUBLE_EQ(*window_.RequestRate("playlist", seconds(1)), 25.0);
  EXPECT_DOUBLE_EQ(*window_.RequestRate(RateWindow::kAllKinds, seconds(1)), 75.0);
  EXPECT_DOUBLE_EQ(*window_.RequestRate("key", seconds(1)), 0.0);
  EXPECT_DOUBLE_EQ(*window_.ByteRate("segment", seconds(1)), 50'000.0);
  EXPECT_DOUBLE_EQ(*window_.ByteRate(RateWindow::kAllKinds, seconds(1)), 52'500.0);
  // Longer windows than the history use the oldest sample.
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(30)), 50.0);
}

TEST_F(RateWindowTest, WindowPicksTheSampleClosestToItsStart) {
  // 10 segments/s for the first 30 s, then 40/s: sampled every 500 ms for 40 s.
  std::uint64_t n = 0;
  for (int i = 0; i <= 80; ++i) {
    window_.Add(Counters(n), t0_ + milliseconds(500 * i));
    n += i < 60 ? 5 : 20;
  }
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(1)), 40.0);
  // The last 30 s: 10 s at 40/s and 20 s at 10/s.
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(30)), (400.0 + 200.0) / 30.0);
}

TEST_F(RateWindowTest, LateRedrawMeasuresTheRealInterval) {
  window_.Add(Counters(0), t0_);
  window_.Add(Counters(10), t0_ + milliseconds(500));
  window_.Add(Counters(30), t0_ + milliseconds(1700));  // the timer ran late
  // Closest to "1 s before 1.7 s" is the 0.5 s sample: 20 requests in 1.2 s.
  EXPECT_NEAR(*window_.RequestRate("segment", seconds(1)), 20 / 1.2, 1e-9);
}

TEST_F(RateWindowTest, SampleAtTheSameTimeReplacesTheNewest) {
  window_.Add(Counters(0), t0_);
  window_.Add(Counters(10), t0_ + seconds(1));
  window_.Add(Counters(20), t0_ + seconds(1));
  window_.Add(Counters(30), t0_ + milliseconds(900));  // time never goes backwards
  EXPECT_EQ(window_.size(), 2u);
  EXPECT_EQ(window_.latest().requests.at("segment"), 30u);
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(1)), 30.0);
}

TEST_F(RateWindowTest, CountersGoingDownCountAsNoProgress) {
  window_.Add(Counters(100), t0_);
  window_.Add(Counters(10), t0_ + seconds(1));
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(1)), 0.0);
}

TEST_F(RateWindowTest, BoundedRingAndThroughputHistory) {
  RateWindow small(4);
  for (int i = 0; i < 10; ++i)
    small.Add(Counters(static_cast<std::uint64_t>(i * i)), t0_ + seconds(i));
  EXPECT_EQ(small.size(), 4u);
  // Samples 6..9: bytes 36, 49, 64, 81 segments × 1000 (+ playlists).
  const std::vector<double> h = small.ThroughputHistory(10);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_DOUBLE_EQ(h[0], 13'000.0 + (24 - 18) * 100.0);
  EXPECT_DOUBLE_EQ(h[2], 17'000.0 + (40 - 32) * 100.0);
  EXPECT_EQ(small.ThroughputHistory(1).size(), 1u);
  EXPECT_DOUBLE_EQ(small.ThroughputHistory(1)[0], h[2]);
}

TEST_F(RateWindowTest, RequestsFromFfmpegLogWithoutTheTap) {
  stats::Snapshot a, b;
  a.logged_requests_by_kind = {{"segment", 4}};
  b.logged_requests_by_kind = {{"segment", 8}};
  window_.Add(a, t0_);
  window_.Add(b, t0_ + seconds(2));
  EXPECT_DOUBLE_EQ(*window_.RequestRate("segment", seconds(1)), 2.0);
  EXPECT_DOUBLE_EQ(*window_.ByteRate("segment", seconds(1)), 0.0);
}

}  // namespace
}  // namespace hs::tui
