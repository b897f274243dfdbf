// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/histogram.h"

#include <random>

#include <gtest/gtest.h>

namespace hs::stats {
namespace {

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 10; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 10u);
  EXPECT_EQ(h.Percentile(50), 5u);  // nearest rank: ceil(0.5*10) = 5th value
  EXPECT_EQ(h.Percentile(90), 9u);
  EXPECT_EQ(h.Percentile(100), 10u);
  EXPECT_DOUBLE_EQ(h.Mean(), 5.5);
}

TEST(HistogramTest, BucketEdgesAreContiguous) {
  for (int i = 0; i + 1 < Histogram::kBucketCount - 1; ++i) {
    const auto edge = Histogram::BucketUpperEdge(i);
    EXPECT_EQ(Histogram::BucketIndex(edge), i) << i;
    EXPECT_EQ(Histogram::BucketIndex(edge + 1), i + 1) << i;
  }
}

TEST(HistogramTest, RelativeErrorBounded) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> dist(9.0, 2.0);
  std::vector<std::uint64_t> values;
  Histogram h;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::uint64_t>(dist(rng));
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    auto rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(values.size())));
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.Percentile(p));
    EXPECT_NEAR(got, exact, exact / Histogram::kSubCount + 1) << p;
  }
}

TEST(HistogramTest, MergeEqualsRecordingEverything) {
  Histogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; v += 7) {
    (v % 2 ? a : b).Record(v * 13);
    all.Record(v * 13);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 99.0}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
}

TEST(HistogramTest, CountAtOrBelow) {
  Histogram h;
  for (std::uint64_t v : {1, 2, 3, 100, 1000, 100000}) h.Record(v);
  EXPECT_EQ(h.CountAtOrBelow(3), 3u);
  EXPECT_EQ(h.CountAtOrBelow(1000), 5u);
  EXPECT_EQ(h.CountAtOrBelow(1'000'000), 6u);
  EXPECT_EQ(Histogram().Percentile(50), 0u);
}

}  // namespace
}  // namespace hs::stats
