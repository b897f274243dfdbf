// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/llhls_stream.h"

#include <gtest/gtest.h>

#include "origin/fmp4_cutter.h"

namespace hs::origin {
namespace {

LlhlsStream MakeStream(int parts) {
  LlhlsTiming t;  // 30 fps, 10 frames a part, 60 a segment, list 10
  LlhlsStream s(t, 100);
  for (int i = 0; i < parts; ++i) {
    s.AddPart(std::make_shared<const std::string>("p" + std::to_string(i)), 10, i % 6 == 0,
              1764740000.0 + i / 3.0);
  }
  return s;
}

TEST(LlhlsStreamTest, SegmentsCloseAfterTheirGopAndPartsAreFound) {
  LlhlsStream s = MakeStream(8);
  EXPECT_EQ(s.complete_segments(), 1);
  EXPECT_EQ(s.open_msn(), 101);
  EXPECT_EQ(s.open_parts(), 2);
  EXPECT_TRUE(s.Has(100, 5));
  EXPECT_TRUE(s.Has(100, 6));  // past the last part: part 0 of 101, which exists
  EXPECT_TRUE(s.Has(101, 1));
  EXPECT_FALSE(s.Has(101, 2));
  EXPECT_FALSE(s.Has(101, -1));
  EXPECT_TRUE(s.Has(100, -1));
  ASSERT_NE(s.FindPart(101, 1), nullptr);
  EXPECT_EQ(*s.FindPart(101, 1)->data, "p7");
  EXPECT_EQ(s.LastPart(), (std::pair<std::int64_t, int>{101, 1}));
}

TEST(LlhlsStreamTest, PlaylistHasTheLowLatencyTagsAndTheHint) {
  const std::string p = MakeStream(8).Playlist(false, "init.mp4", "");
  EXPECT_NE(p.find("#EXT-X-VERSION:9\n"), std::string::npos);
  EXPECT_NE(p.find("#EXT-X-PART-INF:PART-TARGET=0.334\n"), std::string::npos);
  EXPECT_NE(p.find("CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002,CAN-SKIP-UNTIL=12.0"),
            std::string::npos);
  EXPECT_NE(p.find("#EXT-X-PART:DURATION=0.33333,URI=\"part_100_0.m4s\",INDEPENDENT=YES\n"),
            std::string::npos);
  EXPECT_NE(p.find("#EXTINF:2.00000,\nseg_100.m4s\n"), std::string::npos);
  EXPECT_NE(p.find("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_101_2.m4s\"\n"), std::string::npos);
}

TEST(LlhlsStreamTest, DeltaSkipsOnlySegmentsOlderThanTheSkipBoundary) {
  LlhlsStream s = MakeStream(60);  // 10 complete segments
  const std::string d = s.Playlist(true, "init.mp4", "");
  // 20 s listed; segments with >= 12 s after them: 100..103.
  EXPECT_NE(d.find("#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"), std::string::npos) << d;
  EXPECT_EQ(d.find("seg_103.m4s"), std::string::npos);
  EXPECT_NE(d.find("seg_104.m4s"), std::string::npos);
  // The window keeps list_size segments.
  LlhlsStream longer = MakeStream(90);
  EXPECT_EQ(longer.complete_segments(), 10);
  EXPECT_EQ(longer.Find(104), nullptr);
}

TEST(LlhlsStreamTest, QueryRules) {
  EXPECT_TRUE(ParseLlhlsQuery("_HLS_part=1").bad);
  EXPECT_TRUE(ParseLlhlsQuery("_HLS_msn=x").bad);
  EXPECT_TRUE(ParseLlhlsQuery("_HLS_msn=5&_HLS_skip=NO").bad);
  LlhlsQuery q = ParseLlhlsQuery("_HLS_msn=5&_HLS_part=2&_HLS_skip=YES");
  EXPECT_FALSE(q.bad);
  EXPECT_EQ(q.msn, 5);
  EXPECT_EQ(q.part, 2);
  EXPECT_TRUE(q.skip);
  EXPECT_FALSE(ParseLlhlsQuery("").msn.has_value());
}

std::string Box(std::string_view type, std::string_view payload) {
  const std::size_t n = payload.size() + 8;
  std::string b{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                static_cast<char>(n)};
  return b + std::string(type) + std::string(payload);
}

std::string Be(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

TEST(Fmp4CutterTest, CutsInitAndFragmentsAcrossFeedBoundaries) {
  // tfhd with default-sample-flags (non-sync); the first trun carries sync first-sample flags.
  const std::string tfhd = Box("tfhd", Be(0x20020) + Be(1) + Be(0x01010000));
  const std::string key = Box("moof", Box("traf", tfhd + Box("trun", Be(0x4) + Be(10) + Be(0))));
  const std::string delta = Box("moof", Box("traf", tfhd + Box("trun", Be(0) + Be(10))));
  const std::string stream = Box("ftyp", "isom") + Box("moov", "") + key + Box("mdat", "AAA") +
                             delta + Box("mdat", "BB") + Box("moof", "");
  Fmp4Cutter c;
  for (char ch : stream) ASSERT_TRUE(c.Feed(std::string_view(&ch, 1)));
  EXPECT_EQ(c.init(), Box("ftyp", "isom") + Box("moov", ""));
  std::vector<Fmp4Fragment> f = c.TakeFragments();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_TRUE(f[0].independent);
  EXPECT_EQ(f[0].video_samples, 10);
  EXPECT_EQ(f[0].bytes, key + Box("mdat", "AAA"));
  EXPECT_FALSE(f[1].independent);
  Fmp4Cutter bad;
  EXPECT_FALSE(bad.Feed(std::string("\0\0\0\4abcd", 8)));
}

}  // namespace
}  // namespace hs::origin
