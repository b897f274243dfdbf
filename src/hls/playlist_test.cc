// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/playlist.h"
#include "hls/playlist_test_util.h"

#include <string>

#include <gtest/gtest.h>

namespace hs::hls {
namespace {

constexpr const char* kBase = "https://cdn.example.com/live/master.m3u8?token=t";

Playlist MustParse(std::string_view body, std::string_view base = kBase) {
  return testing::MustParse(body, base);
}
std::string ErrorOf(std::string_view body) { return testing::ErrorOf(body, kBase); }

TEST(PlaylistTest, ParsesMasterPlaylist) {
  const Playlist p = MustParse(R"(#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="Muxed"
#EXT-X-STREAM-INF:BANDWIDTH=2800000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud"
720p/index.m3u8
# a comment
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"

#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
/abs/360p.m3u8?x=1
#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.2"
http://other.example/audio-only.m3u8
)");
  EXPECT_TRUE(p.is_master);
  EXPECT_FALSE(p.IsLive());
  EXPECT_EQ(p.version, 6);
  ASSERT_EQ(p.variants.size(), 3u);
  const VariantStream& v0 = p.variants[0];
  EXPECT_EQ(v0.bandwidth, 2800000u);
  EXPECT_EQ(v0.average_bandwidth, 2500000u);
  EXPECT_EQ(v0.resolution, "1280x720");
  EXPECT_EQ(v0.width, 1280);
  EXPECT_EQ(v0.height, 720);
  EXPECT_EQ(v0.codecs, "avc1.64001f,mp4a.40.2");
  EXPECT_EQ(v0.audio_group, "aud");
  EXPECT_EQ(v0.uri, "https://cdn.example.com/live/720p/index.m3u8");
  EXPECT_EQ(p.variants[1].uri, "https://cdn.example.com/abs/360p.m3u8?x=1");
  EXPECT_EQ(p.variants[1].average_bandwidth, std::nullopt);
  EXPECT_EQ(p.variants[2].uri, "http://other.example/audio-only.m3u8");
  EXPECT_EQ(p.variants[2].resolution, "");
  EXPECT_EQ(p.variants[2].width, 0);
  ASSERT_EQ(p.renditions.size(), 2u);
  EXPECT_EQ(p.renditions[0].type, "AUDIO");
  EXPECT_EQ(p.renditions[0].group_id, "aud");
  EXPECT_EQ(p.renditions[0].name, "English");
  EXPECT_EQ(p.renditions[0].language, "en");
  EXPECT_TRUE(p.renditions[0].is_default);
  EXPECT_EQ(p.renditions[0].uri, "https://cdn.example.com/live/audio/en.m3u8");
  EXPECT_EQ(p.renditions[1].uri, "");
  EXPECT_FALSE(p.renditions[1].is_default);
  EXPECT_TRUE(p.segments.empty());
  EXPECT_TRUE(p.warnings.empty());
}

TEST(PlaylistTest, ParsesLiveMediaPlaylist) {
  const Playlist p = MustParse(
      "#EXTM3U\r\n#EXT-X-VERSION:3\r\n#EXT-X-TARGETDURATION:2\r\n"
      "#EXT-X-MEDIA-SEQUENCE:1771000123\r\n#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\r\n"
      "#EXTINF:2.000000,\r\nseg_00123.ts\r\n#EXTINF:1.96,title here\r\n../seg_00124.ts?s=1\r\n",
      "http://127.0.0.1:8080/hls/stream.m3u8");
  EXPECT_FALSE(p.is_master);
  EXPECT_TRUE(p.IsLive());
  EXPECT_DOUBLE_EQ(p.target_duration_s, 2);
  EXPECT_EQ(p.media_sequence, 1771000123u);
  ASSERT_EQ(p.segments.size(), 2u);
  EXPECT_DOUBLE_EQ(p.segments[0].duration_s, 2.0);
  EXPECT_EQ(p.segments[0].uri, "http://127.0.0.1:8080/hls/seg_00123.ts");
  EXPECT_EQ(p.segments[0].title, "");
  EXPECT_DOUBLE_EQ(p.segments[1].duration_s, 1.96);
  EXPECT_EQ(p.segments[1].title, "title here");
  EXPECT_EQ(p.segments[1].uri, "http://127.0.0.1:8080/seg_00124.ts?s=1");
  EXPECT_FALSE(p.segments[0].byte_range);
  EXPECT_TRUE(p.warnings.empty());
}

TEST(PlaylistTest, ParsesVodWithMapKeysByteRangesAndDiscontinuity) {
  const Playlist p = MustParse(R"(#EXTM3U
#EXT-X-TARGETDURATION:6
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1?a=b,c",IV=0x00000000000000000000000000000001
#EXTINF:6,
#EXT-X-BYTERANGE:1000@720
main.mp4
#EXT-X-BYTERANGE:500
#EXTINF:5.5,
main.mp4
#EXT-X-KEY:METHOD=NONE
#EXT-X-DISCONTINUITY
#EXTINF:4,
/ad/seg.m4s
#EXT-X-ENDLIST
)");
  EXPECT_FALSE(p.IsLive());
  EXPECT_TRUE(p.end_list);
  EXPECT_EQ(p.playlist_type, "VOD");
  ASSERT_EQ(p.segments.size(), 3u);
  const Segment& s0 = p.segments[0];
  EXPECT_EQ(s0.uri, "https://cdn.example.com/live/main.mp4");
  EXPECT_EQ(s0.map_uri, "https://cdn.example.com/live/init.mp4");
  EXPECT_EQ(s0.key_method, "AES-128");
  EXPECT_EQ(s0.key_uri, "https://keys.example/k1?a=b,c");
  ASSERT_TRUE(s0.byte_range);
  EXPECT_EQ(s0.byte_range->length, 1000u);
  EXPECT_EQ(s0.byte_range->offset, 720u);
  ASSERT_TRUE(p.segments[1].byte_range);
  EXPECT_EQ(p.segments[1].byte_range->offset, 1720u) << "omitted offset continues the last range";
  EXPECT_EQ(p.segments[1].byte_range->length, 500u);
  const Segment& s2 = p.segments[2];
  EXPECT_EQ(s2.key_method, "");
  EXPECT_EQ(s2.key_uri, "");
  EXPECT_TRUE(s2.discontinuity);
  EXPECT_FALSE(p.segments[1].discontinuity);
  EXPECT_EQ(s2.uri, "https://cdn.example.com/ad/seg.m4s");
  EXPECT_EQ(s2.map_uri, s0.map_uri);
}

TEST(PlaylistTest, AcceptsBomLeadingWhitespaceAndNoBase) {
  const Playlist p =
      MustParse("\xEF\xBB\xBF  \r\n#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n", "");
  ASSERT_EQ(p.segments.size(), 1u);
  EXPECT_EQ(p.segments[0].uri, "a.ts");
}

TEST(PlaylistTest, EmptyMediaPlaylistParsesWithWarning) {
  const Playlist p = MustParse("#EXTM3U");
  EXPECT_FALSE(p.is_master);
  EXPECT_TRUE(p.segments.empty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0], "media playlist has no #EXT-X-TARGETDURATION");
}

TEST(PlaylistTest, WarnsAboutToleratedOddities) {
  const Playlist p = MustParse(
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\norphan.ts\n#EXTINF:3.9,\na.ts\n#EXTINF:9,\nb.ts\n"
      "#EXTINF:2,\n");
  EXPECT_EQ(p.segments.size(), 2u);
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0],
            "line 3: URI \"orphan.ts\" without #EXTINF or #EXT-X-STREAM-INF (ignored)");
  EXPECT_EQ(p.warnings[1], "line 5: segment of 3.9 s exceeds #EXT-X-TARGETDURATION 2");
  EXPECT_EQ(p.warnings[2], "line 8: #EXTINF without a URI line at end of playlist (ignored)");
}

TEST(PlaylistTest, RejectsBodiesThatAreNotPlaylists) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "not an HLS playlist: the body is empty"},
      {" \r\n\t", "not an HLS playlist: the body is empty"},
      {"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>nope</body></html>",
       "not an HLS playlist (no #EXTM3U header); body starts with \"<!DOCTYPE html> <html><head>"
       "<title>404 N...\""},
      {"{\"error\":\"forbidden\"}", "body starts with \"{\"error\":\"forbidden\"}\""},
      {"#EXTM3UX\n", "body starts with \"#EXTM3UX\""},
      {"#extm3u\n", "body starts with \"#extm3u\""},
      {std::string("\x89PNG\r\n\x1a\n", 8), "body starts with \"?PNG ?\""},
  };
  for (const auto& [body, want] : cases) {
    SCOPED_TRACE(body);
    Result<Playlist> p = ParsePlaylist(body, kBase);
    ASSERT_FALSE(p);
    EXPECT_EQ(p.error().code, ErrorCode::kHttp);
    EXPECT_NE(p.error().detail.find(want), std::string::npos) << p.error().detail;
  }
}

TEST(PlaylistTest, RejectsMalformedTagsWithLineNumbers) {
  const std::pair<const char*, const char*> cases[] = {
      {"#EXTM3U\n#EXTINF:abc,\na.ts\n", "playlist line 2: bad #EXTINF duration \"abc\""},
      {"#EXTM3U\n#EXTINF:-1,\na.ts\n", "playlist line 2: bad #EXTINF duration \"-1\""},
      {"\n#EXTM3U\n#EXT-X-TARGETDURATION:x\n", "playlist line 3: bad #EXT-X-TARGETDURATION"},
      {"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:-4\n", "playlist line 2: bad #EXT-X-MEDIA-SEQUENCE"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\na.m3u8\n",
       "playlist line 2: #EXT-X-STREAM-INF without a numeric BANDWIDTH"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", "without a URI line at end of playlist"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n",
       "playlist line 3: #EXT-X-STREAM-INF without a URI line"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"avc1,BANDWIDTH=1\n",
       "playlist line 2: #EXT-X-STREAM-INF: unterminated quoted value of attribute CODECS"},
      {"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n#EXTINF:2,\nb.ts\n",
       "playlist line 4: #EXTINF in a master playlist"},
      {"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n",
       "playlist line 3: #EXT-X-STREAM-INF in a media playlist"},
      {"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",URI=\"a.m3u8\"\n",
       "master playlist has #EXT-X-MEDIA but no #EXT-X-STREAM-INF"},
      {"#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO\n", "#EXT-X-MEDIA without TYPE or GROUP-ID"},
      {"#EXTM3U\n#EXT-X-KEY:METHOD=AES-128\n", "#EXT-X-KEY METHOD=AES-128 without URI"},
      {"#EXTM3U\n#EXT-X-MAP:BYTERANGE=\"1@0\"\n", "#EXT-X-MAP without URI"},
      {"#EXTM3U\n#EXT-X-BYTERANGE:1@x\n", "bad #EXT-X-BYTERANGE"},
      {"#EXTM3U\n#EXTINF:1,\n#EXT-X-BYTERANGE:10\na.ts\n", "without offset does not follow"},
  };
  for (const auto& [body, want] : cases) {
    SCOPED_TRACE(body);
    const std::string detail = ErrorOf(body);
    EXPECT_NE(detail.find(want), std::string::npos) << detail;
  }
}

TEST(PlaylistTest, QuoteBodyStartFoldsAndTruncates) {
  EXPECT_EQ(QuoteBodyStart("  <html>\n\n  <body>", 40), "<html> <body>");
  EXPECT_EQ(QuoteBodyStart("abcdefghij", 4), "abcd...");
  EXPECT_EQ(QuoteBodyStart("abcd", 4), "abcd");
  EXPECT_EQ(QuoteBodyStart("caf\xC3\xA9", 40), "caf??");
  EXPECT_EQ(QuoteBodyStart("", 40), "");
}

}  // namespace
}  // namespace hs::hls

namespace hs::hls {
namespace {

TEST(PlaylistTest, ParsesStartDiscontinuitySequenceAndProgramDateTime) {
  Result<Playlist> p = ParsePlaylist(R"(#EXTM3U
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:7
#EXT-X-DISCONTINUITY-SEQUENCE:3
#EXT-X-START:TIME-OFFSET=-4.5,PRECISE=YES
#EXT-X-MAP:URI="init.mp4",BYTERANGE="600@0"
#EXT-X-PROGRAM-DATE-TIME:2024-01-02T03:04:05.250Z
#EXTINF:2.0,
a.m4s
#EXTINF:2.0,
b.m4s
#EXT-X-DISCONTINUITY
#EXT-X-MAP:URI="init2.mp4",BYTERANGE="700"
#EXTINF:2.0,
c.m4s
#EXT-X-PROGRAM-DATE-TIME:2024-01-02T05:04:05+02:00
#EXTINF:2.0,
d.m4s
)",
                                     "http://h/x/p.m3u8");
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ(p->discontinuity_sequence, 3u);
  EXPECT_EQ(p->start_time_offset_s, -4.5);
  EXPECT_TRUE(p->start_precise);
  ASSERT_EQ(p->segments.size(), 4u);
  const std::int64_t t = 1704164645250;  // 2024-01-02T03:04:05.250Z
  EXPECT_EQ(p->segments[0].program_date_time_ms, t);
  EXPECT_EQ(p->segments[1].program_date_time_ms, t + 2000);      // extrapolated
  EXPECT_EQ(p->segments[2].program_date_time_ms, std::nullopt);  // after a discontinuity
  EXPECT_EQ(p->segments[3].program_date_time_ms, t - 250);
  EXPECT_EQ(p->segments[0].map_uri, "http://h/x/init.mp4");
  ASSERT_TRUE(p->segments[0].map_byte_range);
  EXPECT_EQ(p->segments[0].map_byte_range->length, 600u);
  EXPECT_EQ(p->segments[2].map_uri, "http://h/x/init2.mp4");
  EXPECT_EQ(p->segments[2].map_byte_range->length, 700u);
  EXPECT_EQ(p->segments[2].map_byte_range->offset, 0u);
}

TEST(PlaylistTest, DateTimeParser) {
  EXPECT_EQ(ParseDateTimeMs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseDateTimeMs("1970-01-01T01:00:00+0100"), 0);
  EXPECT_EQ(ParseDateTimeMs("1970-01-01T00:00:01.5"), 1500);
  EXPECT_EQ(ParseDateTimeMs("2000-03-01T00:00:00-01:00"), 951868800000 + 3600000);
  EXPECT_EQ(ParseDateTimeMs("2000-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseDateTimeMs("2000-01-01 00:00"), std::nullopt);
  EXPECT_EQ(ParseDateTimeMs("2000-01-01T00:00:00Zjunk"), std::nullopt);
  EXPECT_EQ(ParseDateTimeMs(""), std::nullopt);
}

TEST(PlaylistTest, RenditionAutoselect) {
  Result<Playlist> p = ParsePlaylist(R"(#EXTM3U
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="x",AUTOSELECT=YES,URI="a.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="a"
v.m3u8
)",
                                     "");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->renditions[0].autoselect);
  EXPECT_FALSE(p->renditions[0].is_default);
}

}  // namespace
}  // namespace hs::hls
