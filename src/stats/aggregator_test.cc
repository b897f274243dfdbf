// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The aggregator fed only neutral events (measure/): viewer events from a pool, request records
// from any engine, engine counts. No engine, no pool, no live object: the Snapshot is checked.
#include "stats/aggregator.h"
#include "stats/snapshot_test_util.h"

#include <gtest/gtest.h>

namespace hs::stats {
namespace {

using measure::EndReason;
using measure::EngineCount;
using measure::RequestKind;
using measure::RequestRecord;
using measure::RestartCause;
using std::chrono::milliseconds;

RequestRecord Segment(int viewer, Duration total, double media_s, SteadyTime at) {
  RequestRecord r;
  r.viewer_id = viewer;
  r.kind = RequestKind::kSegment;
  r.status = 200;
  r.body_bytes = 1000;
  r.ttfb = milliseconds(2);
  r.total = total;
  r.media_duration_s = media_s;
  r.started = at;
  return r;
}

TEST(AggregatorTest, ViewerEventsBecomeLifecycleCounters) {
  Aggregator a(Snapshot{});
  a.OnViewerStarted(0, 0);
  a.OnViewerStarted(1, 0);
  a.OnViewerPlaying(0, milliseconds(1500));
  a.OnViewerStalled(1, RestartCause::kStartupTimeout);
  a.OnViewerEnded(1, EndReason::kKilled, milliseconds(100));
  a.OnRestartScheduled(1, RestartCause::kStartupTimeout, milliseconds(250));
  a.OnViewerStartFailed(1, Error{ErrorCode::kIo, "x"});
  a.OnViewerEnded(0, EndReason::kStopped, milliseconds(100));
  measure::ViewerCounts c;
  c.target = 2;
  c.active = 1;
  c.running = 1;
  c.ramp_progress = 1;
  c.ramp_rate_achieved = 4.5;
  const Snapshot s = a.Take(c, 10, SteadyTime{});
  EXPECT_EQ(s.starts, 2u);
  EXPECT_EQ(s.spawn_failures, 1u);
  EXPECT_EQ(s.errors_by_type.at("spawn_failed"), 1u);
  EXPECT_EQ(s.stalls_by_cause.at("startup_timeout"), 1u);
  EXPECT_EQ(s.restarts_by_cause.at("startup_timeout"), 1u);
  EXPECT_EQ(s.exits_by_reason.at("killed"), 1u);
  EXPECT_EQ(s.exits_by_reason.at("stopped"), 1u);
  EXPECT_EQ(s.startup_us.count(), 1u);
  EXPECT_NEAR(static_cast<double>(s.startup_us.Percentile(50)), 1.5e6, 1.5e6 / 32);
  EXPECT_EQ(s.peak_active, 1);
  EXPECT_DOUBLE_EQ(s.ramp_rate_achieved, 4.5);
  // Peaks survive a later, smaller snapshot.
  c.active = 0;
  EXPECT_EQ(a.Take(c, 11, SteadyTime{}).peak_active, 1);
}

TEST(AggregatorTest, RequestRecordsGivePerKindFiguresBufferingAndStalePlaylists) {
  Aggregator a(Snapshot{});
  a.SetRequestSource("native");
  const SteadyTime t0{};
  for (int i = 0; i < 3; ++i) {
    // 2 s of media in 4 s: slower than real time, three in a row.
    a.OnRequestComplete(Segment(7, std::chrono::seconds(4), 2.0, t0 + std::chrono::seconds(4 * i)));
  }
  for (int i = 0; i < 4; ++i) {
    RequestRecord p;
    p.viewer_id = 7;
    p.kind = RequestKind::kMediaPlaylist;
    p.status = 200;
    p.body_bytes = 300;
    p.playlist_body_hash = 99;  // unchanged body
    p.path = "http://o/stream.m3u8";
    p.started = t0 + std::chrono::seconds(i);
    a.OnRequestComplete(p);
  }
  RequestRecord failed = Segment(8, milliseconds(5), 2.0, t0);
  failed.status = 0;
  failed.body_bytes = 0;
  failed.error = measure::RequestError::kConnectRefused;
  a.OnRequestComplete(failed);
  const Snapshot s = a.Take(measure::ViewerCounts{}, 12, t0 + std::chrono::seconds(12));
  ASSERT_TRUE(s.requests.enabled);
  EXPECT_EQ(s.requests.source, "native");
  const KindFigures& seg = s.requests.by_kind.at("segment");
  EXPECT_EQ(seg.requests, 4u);
  EXPECT_EQ(seg.errors, 1u);
  EXPECT_EQ(seg.codes.at(200), 3u);
  EXPECT_EQ(seg.total_us.count(), 3u);  // failed requests have no download time
  EXPECT_EQ(s.requests.by_kind.at("playlist").requests, 4u);
  EXPECT_EQ(s.requests.errors_by_type.at("connect_refused"), 1u);
  EXPECT_EQ(s.requests.buffering_now, 1);
  EXPECT_EQ(s.requests.stale_now, 1);
  EXPECT_EQ(s.bytes_received, 3u * 1000 + 4 * 300);
  EXPECT_EQ(s.RequestsByKind().at("segment"), 4u);
}

TEST(AggregatorTest, EngineCountsAndLoggedRequests) {
  Aggregator a(Snapshot{});
  a.OnLoggedRequest(RequestKind::kSegment, true);
  a.OnLoggedRequest(RequestKind::kSegment, false);
  a.OnLoggedRequest(RequestKind::kMediaPlaylist, false);
  a.OnEngineError("http_4xx", 404);
  a.OnEngineError("segments_expired", 0);
  a.OnEngineCount(EngineCount::kSegmentsExpired, 3);
  a.OnEngineCount(EngineCount::kSegmentSkipped, 1);
  a.OnEngineCount(EngineCount::kMediaMicrosPlayed, 2'500'000);
  a.OnEngineCount(EngineCount::kDiagnosticPipeFull, 2);
  a.OnSpeedSample(1.0);
  const Snapshot s = a.Take(measure::ViewerCounts{}, 1, SteadyTime{});
  EXPECT_FALSE(s.requests.enabled);
  EXPECT_EQ(s.RequestsByKind().at("segment"), 2u);  // from the log when not measured
  EXPECT_EQ(s.new_connections, 1u);
  EXPECT_EQ(s.http_errors_by_code.at(404), 1u);
  EXPECT_EQ(s.TotalErrors(), 2u);
  EXPECT_EQ(s.segments_skipped, 4u);
  EXPECT_EQ(s.segments_expired, 3u);
  EXPECT_DOUBLE_EQ(s.media_played_s, 2.5);
  EXPECT_EQ(s.log_pipe_full, 2u);
  EXPECT_EQ(s.speed_milli.count(), 1u);
}

TEST(AggregatorTest, QualityOfExperience) {
  Aggregator a(Snapshot{});
  a.OnEngineCount(EngineCount::kWatchMicros, 100'000'000);
  a.OnEngineCount(EngineCount::kRebufferMicros, 2'500'000);
  a.OnEngineCount(EngineCount::kRenditionSwitch, 3);
  for (double s : {5.2, 6.0, 6.1, -0.5}) a.OnLiveLatencySample(s);
  // Viewer gauge by rendition: two start on 800k, one moves to 2.5M, one leaves.
  const std::int64_t none = measure::EngineListener::kNoRendition;
  a.OnViewerRendition(none, 800000);
  a.OnViewerRendition(none, 800000);
  a.OnViewerRendition(800000, 2500000);
  a.OnViewerRendition(800000, none);
  a.OnRenditionMedia(800000, 30);
  a.OnRenditionMedia(2500000, 10);
  const Snapshot s = a.Take({}, 100, SteadyTime{});
  EXPECT_DOUBLE_EQ(s.watch_s, 100);
  EXPECT_DOUBLE_EQ(s.RebufferRatio(), 0.025);
  EXPECT_EQ(s.rendition_switches, 3u);
  EXPECT_EQ(s.live_latency_ms.count(), 4u);
  EXPECT_EQ(s.live_latency_ms.min(), 0u);  // ahead of the PDT clock counts as 0
  EXPECT_NEAR(static_cast<double>(s.live_latency_ms.Percentile(50)), 5200, 5200 / 32.0);
  EXPECT_EQ(s.viewers_by_rendition,
            (std::map<std::uint64_t, std::int64_t>{{800000, 0}, {2500000, 1}}));
  EXPECT_DOUBLE_EQ(s.played_bitrate_bps, (800000.0 * 30 + 2500000.0 * 10) / 40);
  // At most 32 rendition labels, then "other".
  Aggregator b(Snapshot{});
  for (std::int64_t i = 0; i < 40; ++i) b.OnViewerRendition(none, 1000 + i);
  const Snapshot t = b.Take({}, 1, SteadyTime{});
  EXPECT_EQ(t.viewers_by_rendition.size(), Snapshot::kMaxRenditionLabels + 1);
  EXPECT_EQ(t.viewers_by_rendition.at(Snapshot::kOtherRendition), 8);
}

TEST(AggregatorTest, SeveralStreamsCountEachViewerUnderItsStream) {
  Aggregator a(Snapshot{});
  std::vector<StreamFigures> streams(2);
  streams[0].label = "0:a";
  streams[1].label = "1:b";
  a.SetStreams(std::move(streams), config::StreamAssigner({3, 1}), 0);
  a.SetRequestSource("native");
  const SteadyTime t0{};
  // Weights 3:1 over ids 0..3: ids 0, 1, 3 on stream 0, id 2 on stream 1.
  for (int id = 0; id < 4; ++id) {
    a.OnViewerStarted(id, 0);
    a.OnViewerPlaying(id, milliseconds(100 * (id + 1)));
    a.OnRequestComplete(Segment(id, milliseconds(10), 2.0, t0));
  }
  a.OnRequestComplete(Segment(2, milliseconds(10), 2.0, t0));
  a.OnViewerStalled(2, RestartCause::kStall);
  a.OnViewerEnded(2, EndReason::kKilled, milliseconds(1));
  measure::ViewerCounts c;
  c.target = 40;
  Snapshot s = a.Take(c, 1.0, t0);
  ASSERT_EQ(s.streams.size(), 2u);
  EXPECT_EQ(s.streams[0].target, 30);
  EXPECT_EQ(s.streams[1].target, 10);
  EXPECT_EQ(s.streams[0].requests.TotalRequests(), 3u);
  EXPECT_EQ(s.streams[1].requests.TotalRequests(), 2u);
  EXPECT_EQ(s.requests.TotalRequests(), 5u);
  EXPECT_EQ(s.streams[0].playing, 3);
  EXPECT_EQ(s.streams[1].playing, 0);
  EXPECT_EQ(s.streams[1].stalls, 1u);
  EXPECT_EQ(s.streams[1].running, 0);
  EXPECT_EQ(s.streams[0].running, 3);
  EXPECT_EQ(s.streams[0].startup_us.count(), 3u);
}

TEST(AggregatorTest, EngineMixCountsEachViewerAndErrorUnderItsEngine) {
  Aggregator a(Snapshot{});
  a.SetEngines({MixEngine("native", 50, 0, 0), MixEngine("ffmpeg", 50, 0, 0)},
               config::EngineAssigner(config::StreamAssigner(), {50, 50}), 0);
  a.SetRequestSource("mixed");
  const SteadyTime t0{};
  // 50:50 alternates: even ids native, odd ids FFmpeg.
  for (int id = 0; id < 4; ++id) {
    a.OnViewerStarted(id, 0);
    a.OnViewerPlaying(id, milliseconds(100));
    a.OnRequestComplete(Segment(id, milliseconds(10), 2.0, t0));
  }
  RequestRecord failed = Segment(2, milliseconds(10), 2.0, t0);
  failed.error = measure::RequestError::kTimeout;
  a.OnRequestComplete(failed);
  RequestRecord stopped = Segment(2, milliseconds(10), 2.0, t0);
  stopped.error = measure::RequestError::kClientAborted;  // our own stop: not an error
  a.OnRequestComplete(stopped);
  RequestRecord tap_failed = Segment(1, milliseconds(10), 2.0, t0);
  tap_failed.error = measure::RequestError::kTimeout;  // FFmpeg's log counts it
  a.OnRequestComplete(tap_failed);
  a.EngineCounts(1).OnEngineError("http_5xx", 503);
  a.EngineCounts(1).OnEngineCount(EngineCount::kReconnect, 2);
  a.OnViewerStalled(3, RestartCause::kStall);
  a.OnViewerEnded(3, EndReason::kKilled, milliseconds(1));
  measure::ViewerCounts c;
  c.target = 10;
  const Snapshot s = a.Take(c, 1.0, t0);
  ASSERT_EQ(s.engines.size(), 2u);
  const EngineFigures& native = s.engines[0];
  const EngineFigures& ffmpeg = s.engines[1];
  EXPECT_EQ(native.target, 5);
  EXPECT_EQ(ffmpeg.target, 5);
  EXPECT_EQ(native.starts, 2u);
  EXPECT_EQ(native.playing, 2);
  EXPECT_EQ(ffmpeg.playing, 1);
  EXPECT_EQ(ffmpeg.running, 1);
  EXPECT_EQ(ffmpeg.stalls, 1u);
  EXPECT_EQ(native.requests, 4u);
  EXPECT_EQ(ffmpeg.requests, 3u);
  EXPECT_EQ(native.Errors(), 1u);  // the timeout, not our own stop
  EXPECT_EQ(ffmpeg.Errors(), 1u);  // the engine's 503; the tap's timeout duplicates its log
  EXPECT_EQ(s.reconnects, 2u);     // counts still reach the run's figures
  EXPECT_EQ(s.errors_by_type.at("http_5xx"), 1u);
  EXPECT_EQ(s.TotalErrors(), 2u);
  EXPECT_EQ(native.startup_us.count(), 2u);
  // With the tap off, the FFmpeg viewers' requests come from FFmpeg's log, added to the
  // native viewers' records.
  Snapshot off = s;
  off.requests.source = "native";
  off.logged_requests_by_kind = {{"segment", 5}};
  EXPECT_EQ(off.TotalRequests(), s.TotalRequests() + 5);
  EXPECT_EQ(s.TotalRequests(), 7u);
}

}  // namespace
}  // namespace hs::stats
