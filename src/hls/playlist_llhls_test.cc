// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// LL-HLS tags (RFC 8216bis) and delta updates. The bodies below were captured from the bundled
// origin (`hls-swarm origin -profile ll-hls-abr`): /master.m3u8, /360p/stream.m3u8 (plain, and
// blocking with _HLS_msn/_HLS_part, with and without _HLS_skip=YES).
#include <string>

#include <gtest/gtest.h>

#include "hls/playlist.h"
#include "hls/playlist_test_util.h"

namespace hs::hls {
namespace {

constexpr const char* kBase = "http://127.0.0.1:8080/360p/stream.m3u8";

// Blocking reload for part 2 of msn 898144511: segments 898144501..510, then that segment's
// first three parts.
constexpr const char* kOriginFull = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.334
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=12.0
#EXT-X-MEDIA-SEQUENCE:898144501
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:03.817Z
#EXTINF:2.00000,
seg_898144501.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:05.821Z
#EXTINF:2.00000,
seg_898144502.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:07.829Z
#EXTINF:2.00000,
seg_898144503.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:09.833Z
#EXTINF:2.00000,
seg_898144504.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:11.815Z
#EXTINF:2.00000,
seg_898144505.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:13.824Z
#EXTINF:2.00000,
seg_898144506.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:15.827Z
#EXTINF:2.00000,
seg_898144507.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:17.831Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_5.m4s"
#EXTINF:2.00000,
seg_898144508.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:19.810Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_5.m4s"
#EXTINF:2.00000,
seg_898144509.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:21.822Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_5.m4s"
#EXTINF:2.00000,
seg_898144510.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:23.824Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_2.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_898144511_3.m4s"
#EXT-X-RENDITION-REPORT:URI="../180p/stream.m3u8",LAST-MSN=898144511,LAST-PART=2
)";
// The same request with _HLS_skip=YES: 898144501..504 skipped.
constexpr const char* kOriginDelta = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.334
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=12.0
#EXT-X-MEDIA-SEQUENCE:898144501
#EXT-X-MAP:URI="init.mp4"
#EXT-X-SKIP:SKIPPED-SEGMENTS=4
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:11.815Z
#EXTINF:2.00000,
seg_898144505.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:13.824Z
#EXTINF:2.00000,
seg_898144506.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:15.827Z
#EXTINF:2.00000,
seg_898144507.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:17.831Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144508_5.m4s"
#EXTINF:2.00000,
seg_898144508.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:19.810Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144509_5.m4s"
#EXTINF:2.00000,
seg_898144509.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:21.822Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144510_5.m4s"
#EXTINF:2.00000,
seg_898144510.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:23.824Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144511_2.m4s"
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_898144511_3.m4s"
#EXT-X-RENDITION-REPORT:URI="../180p/stream.m3u8",LAST-MSN=898144511,LAST-PART=2
)";
// A plain reload 12 s earlier: 898144498..507, parts of the last three only.
constexpr const char* kOriginOlder = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.334
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=12.0
#EXT-X-MEDIA-SEQUENCE:898144498
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:09:57.825Z
#EXTINF:2.00000,
seg_898144498.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:09:59.829Z
#EXTINF:2.00000,
seg_898144499.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:01.835Z
#EXTINF:2.00000,
seg_898144500.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:03.817Z
#EXTINF:2.00000,
seg_898144501.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:05.821Z
#EXTINF:2.00000,
seg_898144502.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:07.829Z
#EXTINF:2.00000,
seg_898144503.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:09.833Z
#EXTINF:2.00000,
seg_898144504.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:11.815Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144505_5.m4s"
#EXTINF:2.00000,
seg_898144505.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:13.824Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144506_5.m4s"
#EXTINF:2.00000,
seg_898144506.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-12-03T09:10:15.827Z
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_1.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_2.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_3.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_4.m4s"
#EXT-X-PART:DURATION=0.33333,URI="part_898144507_5.m4s"
#EXTINF:2.00000,
seg_898144507.m4s
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_898144508_0.m4s"
#EXT-X-RENDITION-REPORT:URI="../180p/stream.m3u8",LAST-MSN=898144507,LAST-PART=5
)";
constexpr const char* kOriginMaster = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=255200,RESOLUTION=320x180,FRAME-RATE=30.000,CODECS="avc1.42c01e,mp4a.40.2"
180p/stream.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=730400,RESOLUTION=640x360,FRAME-RATE=30.000,CODECS="avc1.42c01e,mp4a.40.2"
360p/stream.m3u8
)";

Playlist MustParse(std::string_view body, std::string_view base = kBase) {
  return testing::MustParse(body, base);
}
std::string ErrorOf(std::string_view body) { return testing::ErrorOf(body, kBase); }

std::string Uri(std::string_view name) { return "http://127.0.0.1:8080/360p/" + std::string(name); }

TEST(PlaylistLlhlsTest, ParsesTheOriginsFullPlaylist) {
  const Playlist p = MustParse(kOriginFull);
  EXPECT_TRUE(p.warnings.empty()) << p.warnings.front();
  EXPECT_TRUE(p.IsLive());
  EXPECT_TRUE(p.IsLowLatency());
  EXPECT_EQ(p.version, 9);
  EXPECT_DOUBLE_EQ(p.part_target_s, 0.334);
  EXPECT_TRUE(p.server_control.can_block_reload);
  EXPECT_DOUBLE_EQ(p.server_control.part_hold_back_s, 1.002);
  EXPECT_DOUBLE_EQ(p.server_control.can_skip_until_s, 12.0);
  EXPECT_DOUBLE_EQ(p.server_control.hold_back_s, 0);
  EXPECT_FALSE(p.server_control.can_skip_dateranges);
  EXPECT_EQ(p.media_sequence, 898144501u);
  EXPECT_EQ(p.skipped_segments, 0u);
  ASSERT_EQ(p.segments.size(), 10u);
  EXPECT_EQ(p.EndMsn(), 898144511u);
  EXPECT_EQ(p.segments[0].uri, Uri("seg_898144501.m4s"));
  EXPECT_EQ(p.segments[0].map_uri, Uri("init.mp4"));
  EXPECT_TRUE(p.segments[0].parts.empty());  // older segments are listed without parts
  EXPECT_EQ(p.segments[3].parts.size(), 0u);
  const Segment& last = p.segments.back();
  EXPECT_EQ(last.uri, Uri("seg_898144510.m4s"));
  ASSERT_EQ(last.parts.size(), 6u);
  EXPECT_EQ(last.parts[0].uri, Uri("part_898144510_0.m4s"));
  EXPECT_TRUE(last.parts[0].independent);
  EXPECT_FALSE(last.parts[1].independent);
  EXPECT_FALSE(last.parts[1].gap);
  EXPECT_FALSE(last.parts[1].byte_range);
  EXPECT_DOUBLE_EQ(last.parts[5].duration_s, 0.33333);
  EXPECT_EQ(last.program_date_time_ms, ParseDateTimeMs("2026-12-03T09:10:21.822Z"));
  // The segment being written: its PDT tag and three parts, no EXTINF.
  ASSERT_EQ(p.trailing_parts.size(), 3u);
  EXPECT_EQ(p.trailing_parts[2].uri, Uri("part_898144511_2.m4s"));
  EXPECT_TRUE(p.trailing_parts[0].independent);
  EXPECT_EQ(p.trailing_pdt_ms, ParseDateTimeMs("2026-12-03T09:10:23.824Z"));
  ASSERT_EQ(p.preload_hints.size(), 1u);
  EXPECT_FALSE(p.preload_hints[0].is_map);
  EXPECT_EQ(p.preload_hints[0].uri, Uri("part_898144511_3.m4s"));
  EXPECT_EQ(p.preload_hints[0].byterange_start, 0u);
  EXPECT_FALSE(p.preload_hints[0].byterange_length);
  ASSERT_EQ(p.rendition_reports.size(), 1u);
  EXPECT_EQ(p.rendition_reports[0].uri, "http://127.0.0.1:8080/180p/stream.m3u8");
  EXPECT_EQ(p.rendition_reports[0].last_msn, 898144511u);
  EXPECT_EQ(p.rendition_reports[0].last_part, 2u);
}

TEST(PlaylistLlhlsTest, ParsesTheOriginsDeltaUpdate) {
  const Playlist d = MustParse(kOriginDelta);
  EXPECT_TRUE(d.warnings.empty()) << d.warnings.front();
  EXPECT_EQ(d.media_sequence, 898144501u);
  EXPECT_EQ(d.skipped_segments, 4u);
  ASSERT_EQ(d.segments.size(), 6u);
  EXPECT_EQ(d.segments[0].uri, Uri("seg_898144505.m4s"));
  EXPECT_EQ(d.EndMsn(), 898144511u);
  EXPECT_EQ(d.segments[0].map_uri, Uri("init.mp4"));  // the origin repeats EXT-X-MAP
  EXPECT_EQ(d.segments[0].program_date_time_ms, ParseDateTimeMs("2026-12-03T09:10:11.815Z"));
  EXPECT_EQ(d.trailing_parts.size(), 3u);
  EXPECT_EQ(d.preload_hints.size(), 1u);
  EXPECT_EQ(d.rendition_reports.size(), 1u);
}

TEST(PlaylistLlhlsTest, ParsesTheOriginsMasterPlaylist) {
  const Playlist m = MustParse(kOriginMaster, "http://127.0.0.1:8080/master.m3u8");
  ASSERT_TRUE(m.is_master);
  ASSERT_EQ(m.variants.size(), 2u);
  EXPECT_EQ(m.variants[1].uri, "http://127.0.0.1:8080/360p/stream.m3u8");
  EXPECT_EQ(m.variants[1].height, 360);
  EXPECT_FALSE(m.IsLowLatency());
}

TEST(PlaylistLlhlsTest, MergedDeltaEqualsTheFullPlaylist) {
  const Playlist full = MustParse(kOriginFull);
  const Playlist delta = MustParse(kOriginDelta);
  ASSERT_TRUE(CoversDelta(full, delta));
  const Result<Playlist> merged = MergeDelta(full, delta);
  ASSERT_TRUE(merged) << merged.error().detail;
  EXPECT_EQ(merged->skipped_segments, 0u);
  EXPECT_EQ(merged->media_sequence, full.media_sequence);
  EXPECT_EQ(merged->EndMsn(), full.EndMsn());
  ASSERT_EQ(merged->segments.size(), full.segments.size());
  for (size_t i = 0; i < full.segments.size(); ++i) {
    EXPECT_EQ(merged->segments[i].uri, full.segments[i].uri) << i;
    EXPECT_EQ(merged->segments[i].map_uri, full.segments[i].map_uri) << i;
    EXPECT_EQ(merged->segments[i].program_date_time_ms, full.segments[i].program_date_time_ms);
    EXPECT_EQ(merged->segments[i].parts.size(), full.segments[i].parts.size()) << i;
  }
  EXPECT_EQ(merged->trailing_parts.size(), 3u);
  EXPECT_EQ(merged->trailing_pdt_ms, full.trailing_pdt_ms);
  EXPECT_EQ(merged->preload_hints[0].uri, full.preload_hints[0].uri);
  EXPECT_EQ(merged->rendition_reports[0].last_part, 2u);
  EXPECT_DOUBLE_EQ(merged->server_control.can_skip_until_s, 12.0);
}

TEST(PlaylistLlhlsTest, MergesWithAnOlderCoveringPlaylist) {
  const Playlist older = MustParse(kOriginOlder);
  EXPECT_EQ(older.media_sequence, 898144498u);
  EXPECT_EQ(older.EndMsn(), 898144508u);
  EXPECT_TRUE(older.trailing_parts.empty());  // a segment had just been completed
  EXPECT_EQ(older.trailing_pdt_ms, *older.segments.back().program_date_time_ms + 2000);
  const Playlist delta = MustParse(kOriginDelta);
  const Result<Playlist> merged = MergeDelta(older, delta);
  ASSERT_TRUE(merged) << merged.error().detail;
  ASSERT_EQ(merged->segments.size(), 10u);
  EXPECT_EQ(merged->media_sequence, 898144501u);
  EXPECT_EQ(merged->segments[0].uri, Uri("seg_898144501.m4s"));
  EXPECT_EQ(merged->segments[3].uri, Uri("seg_898144504.m4s"));
  EXPECT_EQ(merged->segments[4].uri, Uri("seg_898144505.m4s"));
  EXPECT_EQ(merged->segments[9].parts.size(), 6u);
}

TEST(PlaylistLlhlsTest, MergeFailsWhenThePreviousPlaylistDoesNotCoverTheSkip) {
  const Playlist delta = MustParse(kOriginDelta);
  const auto body = [](int first, int count) {
    std::string b =
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
    for (int i = 0; i < count; ++i) b += "#EXTINF:2,\nseg_" + std::to_string(first + i) + ".m4s\n";
    return b;
  };
  // Ends one segment short of the skip (898144501..503), starts one too late (502..510).
  for (const auto& [first, count] : {std::pair{898144501, 3}, std::pair{898144502, 9}}) {
    const Playlist previous = MustParse(body(first, count));
    EXPECT_FALSE(CoversDelta(previous, delta)) << first;
    const Result<Playlist> merged = MergeDelta(previous, delta);
    ASSERT_FALSE(merged);
    EXPECT_EQ(merged.error().code, ErrorCode::kParse);
    EXPECT_EQ(merged.error().detail.rfind("bad delta update: ", 0), 0u) << merged.error().detail;
  }
  // Exactly the skipped ones: enough.
  EXPECT_TRUE(CoversDelta(MustParse(body(898144501, 4)), delta));
  // A delta is no previous playlist, even when its numbers would fit.
  EXPECT_FALSE(CoversDelta(delta, delta));
  const Result<Playlist> from_delta = MergeDelta(delta, delta);
  ASSERT_FALSE(from_delta);
  EXPECT_NE(from_delta.error().detail.find("itself a delta"), std::string::npos);
  // A playlist without skip is returned as it is, whatever the previous one.
  const Playlist full = MustParse(kOriginFull);
  EXPECT_TRUE(CoversDelta(delta, full));
  const Result<Playlist> same = MergeDelta(delta, full);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->segments.size(), full.segments.size());
  EXPECT_EQ(same->trailing_parts.size(), full.trailing_parts.size());
}

TEST(PlaylistLlhlsTest, MergeCarriesMapKeyAndTimeOverTheSkip) {
  const Playlist previous = MustParse(R"(#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-MAP:URI="init.mp4",BYTERANGE="500@0"
#EXT-X-KEY:METHOD=AES-128,URI="k.key"
#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z
#EXTINF:2,
s10.m4s
#EXTINF:2,
s11.m4s
#EXTINF:2,
s12.m4s
)");
  // No MAP, KEY or PDT before the listed segments: they continue the skipped ones.
  const Playlist delta = MustParse(R"(#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:11
#EXT-X-SKIP:SKIPPED-SEGMENTS=1
#EXTINF:2,
s12.m4s
#EXTINF:2,
s13.m4s
#EXT-X-DISCONTINUITY
#EXTINF:2,
s14.m4s
)");
  EXPECT_FALSE(delta.segments[0].program_date_time_ms);  // not extrapolated across the skip
  const Result<Playlist> merged = MergeDelta(previous, delta);
  ASSERT_TRUE(merged) << merged.error().detail;
  ASSERT_EQ(merged->segments.size(), 4u);
  EXPECT_EQ(merged->media_sequence, 11u);
  const std::int64_t t0 = *ParseDateTimeMs("2026-01-01T00:00:00Z");
  EXPECT_EQ(merged->segments[0].program_date_time_ms, t0 + 2000);  // s11, from previous
  EXPECT_EQ(merged->segments[1].program_date_time_ms, t0 + 4000);
  EXPECT_EQ(merged->segments[2].program_date_time_ms, t0 + 6000);
  EXPECT_FALSE(merged->segments[3].program_date_time_ms);  // after a discontinuity
  for (const Segment& s : merged->segments) {
    EXPECT_EQ(s.map_uri, Uri("init.mp4"));
    ASSERT_TRUE(s.map_byte_range);
    EXPECT_EQ(s.map_byte_range->length, 500u);
    EXPECT_EQ(s.key_method, "AES-128");
    EXPECT_EQ(s.key_uri, Uri("k.key"));
  }
}

TEST(PlaylistLlhlsTest, PartAttributesAndOddTags) {
  const Playlist p = MustParse(R"(#EXTM3U
#EXT-X-TARGETDURATION:4
#EXT-X-PART-INF:PART-TARGET=1.0,FUTURE=1
#EXT-X-SERVER-CONTROL:HOLD-BACK=12,CAN-SKIP-UNTIL=24,CAN-SKIP-DATERANGES=YES,X-NEW="a"
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-PART:DURATION=1,URI="all.mp4",BYTERANGE="100@50",INDEPENDENT=YES
#EXT-X-PART:DURATION=1,URI="all.mp4",BYTERANGE="200"
#EXT-X-PART:DURATION=1,URI="gap.mp4",GAP=YES,BYTERANGE="30"
#EXT-X-PART:DURATION=1
#EXT-X-PART:URI="x.mp4"
#EXT-X-PART:DURATION=abc,URI="x.mp4"
#EXT-X-PART:DURATION=1,URI="x.mp4",BYTERANGE="@"
#EXTINF:3,
all.mp4
#EXT-X-PART:DURATION=0.5,URI="next.mp4"
#EXT-X-PRELOAD-HINT:TYPE=MAP,URI="init2.mp4",BYTERANGE-START=10,BYTERANGE-LENGTH=90
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="next.mp4",BYTERANGE-START=400
#EXT-X-PRELOAD-HINT:TYPE=OTHER,URI="y.mp4"
#EXT-X-RENDITION-REPORT:URI="../720p/stream.m3u8"
#EXT-X-RENDITION-REPORT:LAST-MSN=3
)");
  EXPECT_DOUBLE_EQ(p.part_target_s, 1.0);
  EXPECT_FALSE(p.server_control.can_block_reload);
  EXPECT_DOUBLE_EQ(p.server_control.hold_back_s, 12);
  EXPECT_DOUBLE_EQ(p.server_control.can_skip_until_s, 24);
  EXPECT_TRUE(p.server_control.can_skip_dateranges);
  EXPECT_DOUBLE_EQ(p.server_control.part_hold_back_s, 0);
  ASSERT_EQ(p.segments.size(), 1u);
  const std::vector<Part>& parts = p.segments[0].parts;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(parts[0].independent);
  EXPECT_EQ(parts[0].byte_range->offset, 50u);
  EXPECT_EQ(parts[0].byte_range->length, 100u);
  EXPECT_EQ(parts[1].byte_range->offset, 150u);  // continues the previous part of all.mp4
  EXPECT_EQ(parts[1].byte_range->length, 200u);
  EXPECT_TRUE(parts[2].gap);
  EXPECT_EQ(parts[2].byte_range->offset, 0u);  // another resource: from 0
  ASSERT_EQ(p.trailing_parts.size(), 1u);
  EXPECT_EQ(p.trailing_parts[0].uri, Uri("next.mp4"));
  EXPECT_FALSE(p.trailing_pdt_ms);
  ASSERT_EQ(p.preload_hints.size(), 2u);
  EXPECT_TRUE(p.preload_hints[0].is_map);
  EXPECT_EQ(p.preload_hints[0].byterange_start, 10u);
  EXPECT_EQ(p.preload_hints[0].byterange_length, 90u);
  EXPECT_EQ(p.preload_hints[1].byterange_start, 400u);
  EXPECT_FALSE(p.preload_hints[1].byterange_length);
  ASSERT_EQ(p.rendition_reports.size(), 1u);
  EXPECT_EQ(p.rendition_reports[0].uri, "http://127.0.0.1:8080/720p/stream.m3u8");
  EXPECT_FALSE(p.rendition_reports[0].last_msn);
  // Four bad parts, a bad hint and a report without URI: one warning each, nothing fails.
  ASSERT_EQ(p.warnings.size(), 6u);
  EXPECT_NE(p.warnings[0].find("line 9: #EXT-X-PART without URI"), std::string::npos)
      << p.warnings[0];
  EXPECT_NE(p.warnings[3].find("bad BYTERANGE"), std::string::npos) << p.warnings[3];
}

TEST(PlaylistLlhlsTest, PlainPlaylistsHaveNoLowLatencyState) {
  const Playlist p = MustParse(
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:5\n"
      "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXTINF:2,\na.ts\n");
  EXPECT_FALSE(p.IsLowLatency());
  EXPECT_EQ(p.EndMsn(), 6u);
  EXPECT_TRUE(p.trailing_parts.empty());
  EXPECT_TRUE(p.segments[0].parts.empty());
  EXPECT_EQ(p.trailing_pdt_ms, *ParseDateTimeMs("2026-01-01T00:00:02Z"));
  EXPECT_TRUE(p.preload_hints.empty());
  EXPECT_TRUE(p.rendition_reports.empty());
  EXPECT_FALSE(p.server_control.can_block_reload);
}

TEST(PlaylistLlhlsTest, MalformedSkipAndMasterMixesFail) {
  EXPECT_NE(ErrorOf("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SKIP:SKIPPED-SEGMENTS=x\n")
                .find("line 3: #EXT-X-SKIP without a numeric SKIPPED-SEGMENTS"),
            std::string::npos);
  EXPECT_NE(ErrorOf("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n"
                    "#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n")
                .find("line 5: #EXT-X-SKIP after a media segment"),
            std::string::npos);
  EXPECT_NE(ErrorOf("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n"
                    "#EXT-X-PART:DURATION=1,URI=\"p.mp4\"\n")
                .find("#EXT-X-PART in a master playlist"),
            std::string::npos);
  EXPECT_NE(ErrorOf("#EXTM3U\n#EXT-X-PART-INF:PART-TARGET=1\n"
                    "#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n")
                .find("mixes master and media tags"),
            std::string::npos);
}

}  // namespace
}  // namespace hs::hls
