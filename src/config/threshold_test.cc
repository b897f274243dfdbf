// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/threshold.h"

#include <gtest/gtest.h>

#include "config/cli_test_util.h"

namespace hs::config {
namespace {

TEST(ThresholdTest, ParsesUnitsOperatorsAndAbort) {
  auto t = ParseThreshold("segment_ttfb_p99<500ms");
  ASSERT_TRUE(t) << t.error().detail;
  EXPECT_EQ(t->figure, "segment_ttfb_p99");
  EXPECT_EQ(t->unit, FigureUnit::kSeconds);
  EXPECT_EQ(t->op, CompareOp::kLess);
  EXPECT_DOUBLE_EQ(t->limit, 0.5);
  EXPECT_FALSE(t->abort);

  t = ParseThreshold(" errors_rate <= 1% ");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->expr, "errors_rate <= 1%");
  EXPECT_EQ(t->op, CompareOp::kLessEqual);
  EXPECT_DOUBLE_EQ(t->limit, 0.01);

  t = ParseThreshold("active_ratio>=99.5%:abort");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->op, CompareOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(t->limit, 0.995);
  EXPECT_TRUE(t->abort);

  t = ParseThreshold("rebuffer_ratio<0.005");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->limit, 0.005);
  t = ParseThreshold("startup_p90<3s");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->limit, 3);
  t = ParseThreshold("live_latency_p50<0.5m");
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->limit, 30);
  t = ParseThreshold("restarts>0");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->op, CompareOp::kGreater);
  t = ParseThreshold("playlist_download_p99.9<2s");
  ASSERT_TRUE(t) << t.error().detail;
  t = ParseThreshold("init_errors_rate<0.1%");
  ASSERT_TRUE(t) << t.error().detail;
  EXPECT_EQ(t->unit, FigureUnit::kRatio);
  t = ParseThreshold("segment_ttfb_mean<100ms");
  ASSERT_TRUE(t) << t.error().detail;
  t = ParseThreshold("key_ttfb_max<1s");
  ASSERT_TRUE(t) << t.error().detail;
}

TEST(ThresholdTest, HoldsComparesWithTheOperator) {
  Threshold t = *ParseThreshold("errors<=3");
  EXPECT_TRUE(t.Holds(3));
  EXPECT_FALSE(t.Holds(4));
  t = *ParseThreshold("active_ratio>99%");
  EXPECT_TRUE(t.Holds(1.0));
  EXPECT_FALSE(t.Holds(0.99));
}

TEST(ThresholdTest, BadExpressionsSayWhatIsWrong) {
  struct Case {
    const char* expr;
    const char* want;  // substring of the detail
  };
  const Case cases[] = {
      {"segment_ttfb_p99", "wants an operator"},
      {"segment_ttfb_p99<", "wants a number"},
      {"segment_ttfb_p99<500", "is a time: give a unit (ms, s or m), not ''"},
      {"segment_ttfb_p99<500kb", "not 'kb'"},
      {"errors_rate<5x", "is a ratio"},
      {"errors_rate<150%", "between 0% and 100%"},
      {"errors<1%", "is a count"},
      {"<1", "wants FIGURE<LIMIT"},
      {"segmnt_ttfb_p99<1s", "unknown figure 'segmnt_ttfb_p99'; known: errors_rate, errors"},
      {"segment_ttfb_p0<1s", "unknown figure"},
      {"segment_ttfb_p101<1s", "unknown figure"},
      {"segment_latency_p50<1s", "unknown figure"},
      {"startup_median<1s", "unknown figure"},
      {"errors<-1", "cannot be negative"},
  };
  for (const auto& c : cases) {
    auto t = ParseThreshold(c.expr);
    ASSERT_FALSE(t) << c.expr;
    EXPECT_EQ(t.error().code, ErrorCode::kUsage);
    EXPECT_NE(t.error().detail.find(c.want), std::string::npos)
        << c.expr << ": " << t.error().detail;
  }
}

TEST(ThresholdTest, StatPercentiles) {
  EXPECT_DOUBLE_EQ(StatPercentile("p99"), 99);
  EXPECT_DOUBLE_EQ(StatPercentile("p99.9"), 99.9);
  EXPECT_DOUBLE_EQ(StatPercentile("max"), 100);
  EXPECT_LT(StatPercentile("mean"), 0);
  EXPECT_LT(StatPercentile("p"), 0);
  EXPECT_LT(StatPercentile("p1x"), 0);
}

TEST_F(CliTest, ThresholdFlagsRepeatAndBadOnesAreUsageErrors) {
  Config c = Ok({"-threshold", "segment_ttfb_p99<500ms", "-threshold", "errors_rate<1%:abort",
                 "-threshold-grace", "10s", "-junit", "out.xml", kUrl});
  ASSERT_EQ(c.thresholds.size(), 2u);
  EXPECT_EQ(c.thresholds[0].figure, "segment_ttfb_p99");
  EXPECT_TRUE(c.thresholds[1].abort);
  EXPECT_EQ(c.threshold_grace.count(), 10000);
  EXPECT_EQ(c.junit_path, "out.xml");

  CliOutcome out = Parse({"-threshold", "segment_ttfb<1s", kUrl});
  EXPECT_EQ(out.action, Action::kUsageError);
  ASSERT_EQ(out.errors.size(), 1u) << Joined(out.errors);
  EXPECT_NE(
      out.errors[0].find("-threshold segment_ttfb<1s: unknown figure 'segment_ttfb'; known: "),
      std::string::npos)
      << out.errors[0];
  EXPECT_NE(out.errors[0].find("KIND_ttfb_STAT"), std::string::npos);
}

}  // namespace
}  // namespace hs::config
