// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "metrics/exporter.h"
#include "stats/snapshot_test_util.h"

#include <gtest/gtest.h>

namespace hs::metrics {
namespace {

stats::Snapshot Sample() {
  stats::Snapshot s;
  s.target = 20;
  s.active = 18;
  s.running = 19;
  s.stalled = 1;
  s.ramp_progress = 1.0;
  s.starts = 23;
  s.restarts_by_cause = {{"exit_clean", 2}, {"stall", 1}};
  s.exits_by_reason = {{"clean", 2}};
  s.logged_requests_by_kind = {{"segment", 100}, {"playlist", 60}};
  s.http_errors_by_code = {{404, 3}, {503, 1}};
  s.errors_by_type = {{"http_4xx", 3}, {"http_5xx", 1}};
  s.bytes_received = 12345;
  for (std::uint64_t us : {1000u, 2000u, 300000u}) s.startup_us.Record(us);
  s.speed_milli.Record(1000);
  return s;
}

std::string Text() {
  return RenderText(BuildFamilies(Sample(), {"0.1.0", "5.1.9", "seg_max_retry"}));
}

TEST(ExporterTest, GaugesAndCountersCarrySnapshotValues) {
  const std::string t = Text();
  EXPECT_NE(t.find("hlsswarm_clients_active 18"), std::string::npos) << t;
  EXPECT_NE(t.find("hlsswarm_clients_target 20"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_clients_stalled 1"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_client_starts_total 23"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_restarts_total{cause=\"stall\"} 1"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_requests_total{kind=\"segment\"} 100"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_http_responses_total{kind=\"any\",code=\"404\"} 3"),
            std::string::npos);
  EXPECT_NE(t.find("hlsswarm_errors_total{type=\"http_5xx\"} 1"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_bytes_received_total 12345"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_build_info{version=\"0.1.0\",ffmpeg_version=\"5.1.9\""),
            std::string::npos);
  EXPECT_NE(t.find("# TYPE hlsswarm_restarts_total counter"), std::string::npos);
}

TEST(ExporterTest, HistogramBucketsAreCumulative) {
  const std::string t = Text();
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_bucket{le=\"0.001\"} 1"), std::string::npos)
      << t;
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_bucket{le=\"0.0025\"} 2"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_bucket{le=\"0.25\"} 2"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_bucket{le=\"0.5\"} 3"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_viewer_startup_seconds_count 3"), std::string::npos);
}

TEST(ExporterTest, KindsAreAlwaysPresentSoRatesStartAtZero) {
  const std::string t = RenderText(BuildFamilies(stats::Snapshot{}, {"v", "f", ""}));
  EXPECT_NE(t.find("hlsswarm_requests_total{kind=\"segment\"} 0"), std::string::npos) << t;
  EXPECT_NE(t.find("hlsswarm_requests_total{kind=\"playlist\"} 0"), std::string::npos);
}

TEST(ExporterTest, ProbeRequestsHaveTheirOwnFamilies) {
  stats::Snapshot s = Sample();
  s.probe.requests_by_kind = {{"master", 2}, {"playlist", 3}, {"segment", 4}};
  s.probe.requests_by_source = {{"preflight", 2}, {"ffprobe", 7}};
  s.probe.body_bytes = 98765;
  const std::string t = RenderText(BuildFamilies(s, {"v", "f", ""}));
  EXPECT_NE(t.find("hlsswarm_probe_requests_total{kind=\"segment\"} 4"), std::string::npos) << t;
  EXPECT_NE(t.find("hlsswarm_probe_requests_total{kind=\"master\"} 2"), std::string::npos);
  EXPECT_NE(t.find("hlsswarm_probe_bytes_total 98765"), std::string::npos);
  // Viewers' requests are unchanged by the probe's.
  EXPECT_NE(t.find("hlsswarm_requests_total{kind=\"segment\"} 100"), std::string::npos);
}

TEST(ExporterTest, QualityOfExperienceFamilies) {
  stats::Snapshot s = Sample();
  s.watch_s = 100;
  s.rebuffer_s = 2;
  s.rendition_switches = 7;
  s.viewers_by_rendition = {{864000, 3}, {stats::Snapshot::kOtherRendition, 1}};
  s.media_s_by_rendition = {{864000, 12.5}};
  s.played_bitrate_bps = 864000;
  for (std::uint64_t ms : {3500u, 7000u, 7100u}) s.live_latency_ms.Record(ms);
  const std::string t = RenderText(BuildFamilies(s, {"v", "f", ""}));
  for (const char* needle :
       {"hlsswarm_watch_seconds_total 100", "hlsswarm_rebuffer_ratio 0.02",
        "hlsswarm_rendition_switches_total 7",
        "hlsswarm_viewers_by_rendition{rendition=\"864000\"} 3",
        "hlsswarm_viewers_by_rendition{rendition=\"other\"} 1",
        "hlsswarm_rendition_media_seconds_total{rendition=\"864000\"} 12.5",
        "hlsswarm_played_average_bytes_per_second 108000",
        "hlsswarm_live_latency_seconds_bucket{le=\"4\"} 1",
        "hlsswarm_live_latency_seconds_bucket{le=\"6\"} 1",
        "hlsswarm_live_latency_seconds_bucket{le=\"8\"} 3", "hlsswarm_live_latency_seconds_count 3",
        "# TYPE hlsswarm_rebuffer_seconds_total counter"}) {
    EXPECT_NE(t.find(needle), std::string::npos) << needle << "\n" << t;
  }
}

TEST(ExporterTest, EngineMixFamiliesCarryABoundedEngineLabel) {
  stats::Snapshot s = Sample();
  EXPECT_EQ(RenderText(BuildFamilies(s, {})).find("hlsswarm_engine_"), std::string::npos);
  s.engines = {stats::MixEngine("native", 90, 0, 9, 2), stats::MixEngine("ffmpeg", 10, 1, 0, 0, 1)};
  const std::string text = RenderText(BuildFamilies(s, {}));
  EXPECT_NE(text.find("hlsswarm_engine_share_percent{engine=\"native\"} 90"), std::string::npos)
      << text;
  EXPECT_NE(text.find("hlsswarm_engine_clients_active{engine=\"native\"} 9"), std::string::npos);
  EXPECT_NE(text.find("hlsswarm_engine_clients_target{engine=\"ffmpeg\"} 1"), std::string::npos);
  EXPECT_NE(text.find("hlsswarm_engine_errors_total{engine=\"native\"} 2"), std::string::npos);
  EXPECT_NE(text.find("hlsswarm_engine_errors_total{engine=\"ffmpeg\"} 1"), std::string::npos);
}

TEST(ExporterTest, CacheResponsesByKindAndStatus) {
  stats::Snapshot s = Sample();
  s.requests.enabled = true;
  s.requests.by_kind["segment"].cache = {{"hit", 3}, {"miss", 1}};
  const std::string t = RenderText(BuildFamilies(s, {"v", "f", ""}));
  EXPECT_NE(t.find("hlsswarm_cache_responses_total{kind=\"segment\",cache=\"hit\"} 3"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("hlsswarm_cache_responses_total{kind=\"segment\",cache=\"miss\"} 1"),
            std::string::npos);
}

}  // namespace
}  // namespace hs::metrics
