// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "report/thresholds.h"

#include <gtest/gtest.h>

namespace hs::report {
namespace {

config::Threshold T(const char* expr) {
  auto t = config::ParseThreshold(expr);
  EXPECT_TRUE(t) << expr;
  return *t;
}

stats::Snapshot Sample() {
  stats::Snapshot s;
  s.target = 40;
  s.active = 38;
  s.peak_active = 40;
  s.requests.enabled = true;
  stats::KindFigures& seg = s.requests.by_kind["segment"];
  seg.requests = 100;
  seg.errors = 1;
  seg.codes = {{200, 97}, {404, 2}};
  for (int i = 1; i <= 100; ++i)
    seg.ttfb_us.Record(static_cast<std::uint64_t>(i) * 1000);  // 1..100 ms
  stats::KindFigures& pl = s.requests.by_kind["playlist"];
  pl.requests = 50;
  pl.codes = {{200, 50}};
  pl.ttfb_us.Record(2000);
  s.restarts_by_cause = {{"error", 2}};
  s.errors_by_type = {{"http_4xx", 2}};  // 2 of 150 requests: 1.33 %
  s.rebuffer_s = 1;
  s.watch_s = 100;
  for (int i = 0; i < 10; ++i) s.startup_us.Record(1'500'000);
  return s;
}

TEST(ThresholdsTest, FigureValuesComeFromTheSnapshot) {
  const stats::Snapshot s = Sample();
  EXPECT_NEAR(*FigureValue(s, "segment_ttfb_p50"), 0.050, 0.002);
  EXPECT_NEAR(*FigureValue(s, "segment_ttfb_max"), 0.100, 1e-9);
  EXPECT_NEAR(*FigureValue(s, "segment_ttfb_mean"), 0.0505, 1e-9);
  EXPECT_NEAR(*FigureValue(s, "segment_errors_rate"), 0.03, 1e-12);  // 1 transport + 2 × 404
  EXPECT_NEAR(*FigureValue(s, "playlist_errors_rate"), 0, 1e-12);
  EXPECT_NEAR(*FigureValue(s, "rebuffer_ratio"), 0.01, 1e-12);
  EXPECT_NEAR(*FigureValue(s, "startup_p90"), 1.5, 0.05);
  EXPECT_DOUBLE_EQ(*FigureValue(s, "restarts"), 2);
  EXPECT_DOUBLE_EQ(*FigureValue(s, "active_ratio"), 38.0 / 40);
  EXPECT_DOUBLE_EQ(*FigureValue(s, "requests"), 150);
  EXPECT_NEAR(*FigureValue(s, "errors_rate"), 2.0 / 150, 1e-12);
  // No data: no init requests, no total-time samples.
  EXPECT_FALSE(FigureValue(s, "init_ttfb_p99"));
  EXPECT_FALSE(FigureValue(s, "segment_download_p99"));

  stats::Snapshot stopped = s;
  stopped.active = 0;
  stopped.active_ratio_at_stop = 0.975;
  EXPECT_DOUBLE_EQ(*FigureValue(stopped, "active_ratio"), 0.975);
}

TEST(ThresholdsTest, EveryKnownFigureFamilyHasAValueSource) {
  stats::Snapshot s = Sample();
  for (const char* kind : {"segment", "playlist", "master", "init", "key"}) {
    stats::KindFigures& k = s.requests.by_kind[kind];
    k.requests = 1;
    k.ttfb_us.Record(1);
    k.total_us.Record(1);
  }
  s.live_latency_ms.Record(1);
  for (const auto& f : config::ThresholdFigures()) {
    std::string name(f.pattern);
    if (auto p = name.find("KIND"); p != std::string::npos) name.replace(p, 4, "init");
    if (auto p = name.find("STAT"); p != std::string::npos) name.replace(p, 4, "p99");
    EXPECT_TRUE(FigureValue(s, name)) << name;
  }
}

TEST(ThresholdsTest, VerdictsTextJsonAndJunit) {
  const stats::Snapshot s = Sample();
  auto v = Evaluate({T("segment_ttfb_p99<500ms"), T("errors_rate<1%"), T("init_ttfb_p99<1s")}, s);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_TRUE(v[0].passed);
  EXPECT_FALSE(v[1].passed);  // 2 errors / 150 requests = 1.33 %
  EXPECT_FALSE(v[2].passed);  // no data
  EXPECT_FALSE(v[2].value);
  EXPECT_FALSE(AllPassed(v));
  EXPECT_TRUE(AllPassed(Evaluate({T("segment_ttfb_p99<500ms")}, s)));

  const std::string text = FormatThresholdsText(v);
  EXPECT_NE(text.find("Thresholds: 1 of 3 passed"), std::string::npos) << text;
  EXPECT_NE(text.find("ok    segment_ttfb_p99<500ms"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL  init_ttfb_p99<1s"), std::string::npos) << text;
  EXPECT_NE(text.find("no data"), std::string::npos) << text;

  const nlohmann::json j = ThresholdsJson(v);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["verdict"], "pass");
  EXPECT_EQ(j[0]["figure"], "segment_ttfb_p99");
  EXPECT_EQ(j[0]["op"], "<");
  EXPECT_DOUBLE_EQ(j[0]["limit"].get<double>(), 0.5);
  EXPECT_TRUE(j[2]["value"].is_null());
  EXPECT_EQ(j[2]["verdict"], "fail");

  const std::string xml = JunitXml(v, 60, "http://o/a&b.m3u8");
  EXPECT_NE(xml.find("tests=\"3\" failures=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"segment_ttfb_p99&lt;500ms\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("value=\"http://o/a&amp;b.m3u8\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"init_ttfb_p99&lt;1s: no data"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("<1s\""), std::string::npos);  // nothing unescaped in attributes
}

TEST(ThresholdsTest, FiguresFormatInTheLimitsUnits) {
  EXPECT_EQ(FormatFigure(config::FigureUnit::kSeconds, 0.4123), "412.3ms");
  EXPECT_EQ(FormatFigure(config::FigureUnit::kSeconds, 2.314), "2.31s");
  EXPECT_EQ(FormatFigure(config::FigureUnit::kRatio, 0.0052), "0.52%");
  EXPECT_EQ(FormatFigure(config::FigureUnit::kCount, 17), "17");
}

}  // namespace
}  // namespace hs::report
