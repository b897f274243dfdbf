// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "report/report.h"
#include "stats/snapshot_test_util.h"

#include <gtest/gtest.h>

namespace hs::report {
namespace {

stats::Snapshot Sample() {
  stats::Snapshot s;
  s.stream_url = "http://o/stream.m3u8";
  s.profile = "default";
  s.elapsed_s = 95.5;
  s.target = 20;
  s.peak_active = 20;
  s.active = 19;
  s.starts = 22;
  s.restarts_by_cause = {{"exit_error", 2}};
  s.exits_by_reason = {{"exit_code", 2}, {"stopped", 20}};
  s.logged_requests_by_kind = {{"segment", 900}, {"playlist", 450}};
  s.http_errors_by_code = {{503, 4}};
  s.errors_by_type = {{"http_5xx", 4}};
  s.segments_failed = 2;
  for (int i = 1; i <= 100; ++i) s.speed_milli.Record(static_cast<std::uint64_t>(900 + i));
  return s;
}

TEST(ReportTest, TextHasEveryRow) {
  const std::string t = FormatText(Sample());
  for (const char* needle :
       {"run duration           1m35s", "target 20, peak active 20, active at end 19",
        "starts                 22", "restarts               2 (exit_error 2)",
        "exits                  exit_code 2, stopped 20",
        "requests               1350 (playlist 450, segment 900)", "HTTP errors            503 4",
        "errors                 4 (http_5xx 4)", "failed 2, skipped 0", "p50 0.96x"}) {
    EXPECT_NE(t.find(needle), std::string::npos) << needle << "\n" << t;
  }
}

TEST(ReportTest, JsonMirrorsText) {
  auto j = ToJson(Sample());
  EXPECT_EQ(j["viewers"]["target"], 20);
  EXPECT_EQ(j["requests"]["by_kind"]["segment"], 900);
  EXPECT_EQ(j["requests"]["total"], 1350);
  EXPECT_EQ(j["restarts"]["by_cause"]["exit_error"], 2);
  EXPECT_EQ(j["http_errors_by_code"]["503"], 4);
  EXPECT_DOUBLE_EQ(j["duration_seconds"].get<double>(), 95.5);
  // Within one histogram bucket (1/32 of the power of two): 950 is reported as 959.
  EXPECT_NEAR(j["playback_speed"]["p50"].get<double>(), 0.95, 0.016);
  EXPECT_NEAR(j["playback_speed"]["max"].get<double>(), 1.0, 0.001);
}

TEST(ReportTest, VodStreamAndCompletedPlaysOfFfmpegViewers) {
  stats::Snapshot s = Sample();
  s.engine = "ffmpeg";
  s.stream_type = "VOD";
  s.plays_completed = 8;
  const std::string t = FormatText(s);
  EXPECT_NE(t.find("stream                 http://o/stream.m3u8 (VOD)"), std::string::npos) << t;
  EXPECT_NE(t.find("plays completed        8 (VOD played to the end)"), std::string::npos) << t;
  EXPECT_EQ(ToJson(s)["stream_type"], "VOD");
  EXPECT_EQ(ToJson(s)["plays_completed"], 8);
  // Live FFmpeg runs have no plays-completed row (nothing ends).
  s.stream_type = "live";
  s.plays_completed = 0;
  EXPECT_EQ(FormatText(s).find("plays completed"), std::string::npos);
  EXPECT_NE(FormatText(s).find("http://o/stream.m3u8 (live)"), std::string::npos);
}

TEST(ReportTest, ProbeRowAndTotalsWithTheProbe) {
  stats::Snapshot s = Sample();
  EXPECT_EQ(FormatText(s).find("probe requests"), std::string::npos);  // none made
  s.probe.requests_by_kind = {{"master", 2}, {"playlist", 3}, {"segment", 2}};
  s.probe.requests_by_source = {{"ffprobe", 5}, {"preflight", 2}};
  s.probe.codes = {{200, 7}};
  s.probe.body_bytes = 4321;
  const std::string t = FormatText(s);
  EXPECT_NE(t.find("probe requests         7 (master 2, playlist 3, segment 2; ffprobe 5, "
                   "preflight 2), 4321 bytes"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("origin requests        1357 (viewers 1350 + probe 7)"), std::string::npos) << t;
  auto j = ToJson(s);
  EXPECT_EQ(j["requests"]["total"], 1350);  // viewers' only
  EXPECT_EQ(j["requests"]["total_with_probe"], 1357);
  EXPECT_EQ(j["probe"]["requests"], 7);
  EXPECT_EQ(j["probe"]["by_source"]["ffprobe"], 5);
  EXPECT_EQ(j["probe"]["body_bytes"], 4321);
  s.probe.unmeasured = {"ffprobe"};
  EXPECT_NE(FormatText(s).find("not measured: ffprobe"), std::string::npos);
}

TEST(ReportTest, StatusLineAndJson) {
  auto s = Sample();
  s.ramp_progress = 0.5;
  const std::string line = FormatStatusLine(s);
  EXPECT_NE(line.find("active=19/20"), std::string::npos) << line;
  EXPECT_NE(line.find("ramp=50%"), std::string::npos) << line;
  EXPECT_EQ(StatusJson(s)["requests"], 1350);
}

TEST(ReportTest, EngineMixRowsStatusAndJson) {
  auto s = Sample();
  s.engine = "mix";
  // The FFmpeg viewers' request errors are the tap's, duplicating FFmpeg's log.
  s.engines = {stats::MixEngine("native", 90, 18, 17, 3),
               stats::MixEngine("ffmpeg", 10, 2, 2, 4, 4)};
  const std::string text = FormatText(s);
  EXPECT_NE(text.find("  native     90%     18       0      17      0         0      3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  ffmpeg     10%      2       0       2      0         0      4"),
            std::string::npos)
      << text;
  // Both engines' own rows: native QoE and FFmpeg's playback speed.
  EXPECT_NE(text.find("native viewers only"), std::string::npos);
  EXPECT_NE(text.find("playback speed"), std::string::npos);
  EXPECT_NE(text.find("rebuffering"), std::string::npos);
  const std::string line = FormatStatusLine(s);
  EXPECT_NE(line.find("engines: native=17/18 errors=3 ffmpeg=2/2 errors=4"), std::string::npos)
      << line;
  const auto status = StatusJson(s);
  ASSERT_EQ(status["engines"].size(), 2u);
  EXPECT_EQ(status["engines"][0]["engine"], "native");
  EXPECT_EQ(status["engines"][1]["target"], 2);
  EXPECT_EQ(status["engines"][1]["errors"], 4);
  const auto j = ToJson(s);
  EXPECT_EQ(j["engines"][0]["percent"], 90);
  EXPECT_EQ(j["engines"][0]["viewers"]["playing"], 17);
  EXPECT_EQ(j["engines"][0]["errors"]["total"], 3);
  EXPECT_TRUE(j["qoe"]["native_viewers_only"]);
  // One engine: no section.
  EXPECT_TRUE(ToJson(Sample())["engines"].empty());
  EXPECT_EQ(FormatStatusLine(Sample()).find("engines:"), std::string::npos);
}

TEST(ReportTest, QoeRowsAndJsonSection) {
  auto s = Sample();
  s.engine = "native";
  s.watch_s = 200;
  s.rebuffer_s = 5;
  s.rebuffer_events = 2;
  s.rendition_switches = 4;
  s.viewers_by_rendition = {{864000, 3}, {2628000, 0}};
  s.media_s_by_rendition = {{864000, 30}, {2628000, 90}};
  s.played_bitrate_bps = 2187000;
  for (int i = 0; i < 10; ++i) s.live_latency_ms.Record(6000);
  const std::string t = FormatText(s);
  for (const char* needle : {"rebuffer ratio         0.0250 (2.50% of watch time)",
                             "watch time             3m20s", "played bitrate         2187 kbit/s",
                             "rendition switches     4", "viewers by rendition   864kbit/s 3",
                             "media by rendition     864kbit/s 25.0%, 2628kbit/s 75.0%",
                             "live latency           p50 6.0s"}) {
    EXPECT_NE(t.find(needle), std::string::npos) << needle << "\n" << t;
  }
  const auto j = ToJson(s)["qoe"];
  EXPECT_DOUBLE_EQ(j["rebuffer_ratio"].get<double>(), 0.025);
  EXPECT_EQ(j["rebuffer_events"], 2);
  EXPECT_EQ(j["rendition_switches"], 4);
  EXPECT_EQ(j["viewers_by_rendition"]["864000"], 3);
  EXPECT_DOUBLE_EQ(j["media_seconds_by_rendition"]["2628000"].get<double>(), 90);
  EXPECT_NEAR(j["live_latency_seconds"]["p50"].get<double>(), 6.0, 0.2);
  EXPECT_EQ(j["live_latency_seconds"]["count"], 10);
  // The FFmpeg engine says what it cannot measure.
  auto f = Sample();
  f.engine = "ffmpeg";
  EXPECT_NE(FormatText(f).find("live latency: not measured by the ffmpeg engine"),
            std::string::npos);
  const auto fj = ToJson(f)["qoe"];
  EXPECT_FALSE(fj.contains("rebuffer_ratio"));
  EXPECT_EQ(fj["not_measured"][0], "live latency: not measured by the ffmpeg engine");
}

TEST(ReportTest, CacheHitRatioPerKind) {
  auto s = Sample();
  s.requests.enabled = true;
  s.requests.by_kind["segment"].cache = {{"hit", 3}, {"miss", 1}};
  s.requests.by_kind["playlist"].cache = {{"none", 5}};
  EXPECT_NE(FormatText(s).find("cache hit ratio        segment 75.0% (hit 3, miss 1)"),
            std::string::npos)
      << FormatText(s);
  const auto j = ToJson(s)["tap"]["by_kind"];
  EXPECT_DOUBLE_EQ(j["segment"]["cache_hit_ratio"].get<double>(), 0.75);
  EXPECT_TRUE(j["playlist"]["cache_hit_ratio"].is_null());
  EXPECT_EQ(j["playlist"]["cache"]["none"], 5);
}

}  // namespace
}  // namespace hs::report
