// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/request_stats.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::stats {
namespace {

using std::chrono::milliseconds;

struct RequestStatsTest : testing::Test {
  RequestStats stats_;
  SteadyTime t0_ = SteadyTime{} + std::chrono::hours(1);

  measure::RequestRecord Segment(int viewer, int at_ms, int total_ms, double media_s = 2.0,
                                 std::uint64_t bytes = 1000) {
    measure::RequestRecord r;
    r.viewer_id = viewer;
    r.kind = measure::RequestKind::kSegment;
    r.status = 206;
    r.body_bytes = bytes;
    r.ttfb = milliseconds(total_ms / 4);
    r.total = milliseconds(total_ms);
    r.media_duration_s = media_s;
    r.started = t0_ + milliseconds(at_ms);
    return r;
  }
  measure::RequestRecord Playlist(int viewer, int at_ms, std::size_t hash) {
    measure::RequestRecord r;
    r.viewer_id = viewer;
    r.kind = measure::RequestKind::kMediaPlaylist;
    r.status = 200;
    r.body_bytes = 300;
    r.started = t0_ + milliseconds(at_ms);
    r.path = "http://o:80/stream.m3u8";
    r.playlist_body_hash = hash;
    return r;
  }
};

TEST_F(RequestStatsTest, CountsBytesCodesAndLatencyByKind) {
  stats_.OnRequest(Segment(0, 0, 100));
  stats_.OnRequest(Segment(1, 10, 300));
  auto bad = Segment(1, 20, 5);
  bad.status = 404;
  stats_.OnRequest(bad);
  auto cut = Segment(2, 30, 50);
  cut.error = measure::RequestError::kTruncated;
  stats_.OnRequest(cut);
  RequestFigures f = stats_.Take(t0_ + std::chrono::seconds(10));
  const KindFigures& k = f.by_kind.at("segment");
  EXPECT_EQ(k.requests, 4u);
  EXPECT_EQ(k.body_bytes, 4000u);
  EXPECT_EQ(k.errors, 1u);
  EXPECT_EQ(k.codes.at(206), 3u);
  EXPECT_EQ(k.codes.at(404), 1u);
  EXPECT_EQ(f.errors_by_type.at("truncated"), 1u);
  EXPECT_EQ(k.total_us.count(), 3u);  // the truncated one has no complete download time
  EXPECT_EQ(f.TotalBytes(), 4000u);
}

TEST_F(RequestStatsTest, DownloadRatioAndBufferingAfterThreeSlowSegments) {
  stats_.OnRequest(Segment(0, 0, 1000));                                      // ratio 2
  for (int i = 1; i <= 2; ++i) stats_.OnRequest(Segment(0, i * 2000, 4000));  // ratio 0.5
  EXPECT_EQ(stats_.Take(t0_).buffering_now, 0);
  stats_.OnRequest(Segment(0, 6000, 2500));  // third slow one in a row
  RequestFigures f = stats_.Take(t0_);
  EXPECT_EQ(f.buffering_now, 1);
  EXPECT_EQ(f.buffering_events, 1u);
  EXPECT_EQ(f.download_ratio_milli.count(), 4u);
  EXPECT_EQ(f.download_ratio_milli.min(), 500u);
  stats_.OnRequest(Segment(0, 8000, 500));  // fast again
  f = stats_.Take(t0_);
  EXPECT_EQ(f.buffering_now, 0);
  EXPECT_EQ(f.buffering_events, 1u);
}

TEST_F(RequestStatsTest, StalePlaylistAfterThreeUnchangedReloads) {
  stats_.OnRequest(Playlist(0, 0, 11));
  stats_.OnRequest(Playlist(0, 2000, 12));
  stats_.OnRequest(Playlist(0, 4000, 12));
  stats_.OnRequest(Playlist(0, 5000, 12));
  EXPECT_EQ(stats_.Take(t0_).stale_now, 0);
  stats_.OnRequest(Playlist(0, 6000, 12));
  RequestFigures f = stats_.Take(t0_);
  EXPECT_EQ(f.stale_now, 1);
  EXPECT_EQ(f.stale_events, 1u);
  EXPECT_EQ(f.reload_interval_ms.count(), 4u);
  EXPECT_EQ(f.reload_interval_ms.max(), 2000u);
  stats_.OnRequest(Playlist(0, 8000, 13));
  EXPECT_EQ(stats_.Take(t0_).stale_now, 0);
}

// LL-HLS blocking reloads carry _HLS_ directives that change on every reload: they are reloads
// of one playlist (one watch per rendition, not one per reload).
TEST_F(RequestStatsTest, BlockingReloadsWatchTheirPlaylistWithoutTheDirectives) {
  for (int i = 0; i < 4; ++i) {
    measure::RequestRecord r = Playlist(0, i * 300, 12);
    r.path =
        fmt::format("http://o:80/stream.m3u8?token=a&_HLS_msn=5&_HLS_part={}&_HLS_skip=YES", i);
    stats_.OnRequest(r);
  }
  RequestFigures f = stats_.Take(t0_);
  EXPECT_EQ(f.stale_now, 1);
  EXPECT_EQ(f.stale_events, 1u);
}

TEST_F(RequestStatsTest, PerViewerThroughput) {
  // 1 MB over 8 s since the viewer's first request = 1000 kbit/s.
  stats_.OnRequest(Segment(3, 0, 10, 2.0, 500000));
  stats_.OnRequest(Segment(3, 4000, 10, 2.0, 500000));
  RequestFigures f = stats_.Take(t0_ + std::chrono::seconds(8));
  ASSERT_EQ(f.viewer_throughput_kbps.count(), 1u);
  EXPECT_NEAR(static_cast<double>(f.viewer_throughput_kbps.max()), 1000.0, 1.0);
}

TEST_F(RequestStatsTest, CacheStatusPerKindAndHitRatio) {
  for (int i = 0; i < 8; ++i) {
    measure::RequestRecord r = Segment(0, i * 2000, 100);
    r.cache = i % 4 == 0 ? measure::CacheStatus::kMiss : measure::CacheStatus::kHit;
    stats_.OnRequest(r);
  }
  stats_.OnRequest(Playlist(0, 0, 1));  // no cache header
  const RequestFigures f = stats_.Take(t0_ + std::chrono::seconds(20));
  const KindFigures& seg = f.by_kind.at("segment");
  EXPECT_EQ(seg.cache, (std::map<std::string, std::uint64_t>{{"hit", 6}, {"miss", 2}}));
  EXPECT_DOUBLE_EQ(seg.CacheHitRatio(), 0.75);
  EXPECT_EQ(f.by_kind.at("playlist").cache.at("none"), 1u);
  EXPECT_DOUBLE_EQ(f.by_kind.at("playlist").CacheHitRatio(), -1);
}

}  // namespace
}  // namespace hs::stats
