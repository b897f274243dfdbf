// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/playlist_cache.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::player {
namespace {

std::string Body(int msn) {
  return fmt::format(
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{}\n#EXTINF:2,\ns{}.ts\n", msn, msn);
}

TEST(PlaylistCacheTest, IdenticalBodiesAreParsedOnce) {
  PlaylistCache cache;
  const std::string a = Body(1);
  const std::string a_copy = Body(1);
  auto p1 = cache.Get("http://h/a.m3u8", a);
  auto p2 = cache.Get("http://h/a.m3u8", a_copy);
  ASSERT_TRUE(p1 && p2);
  EXPECT_EQ(p1->playlist.get(), p2->playlist.get());
  EXPECT_EQ(p1->body_hash, p2->body_hash);
  EXPECT_EQ(cache.misses(), 1u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(p1->playlist->segments[0].uri, "http://h/s1.ts");
  // Same body from another base URL resolves differently: a separate entry.
  auto p3 = cache.Get("http://other/x/a.m3u8", a);
  ASSERT_TRUE(p3);
  EXPECT_NE(p3->playlist.get(), p1->playlist.get());
  EXPECT_EQ(p3->playlist->segments[0].uri, "http://other/x/s1.ts");
  auto p4 = cache.Get("http://h/a.m3u8", Body(2));
  ASSERT_TRUE(p4);
  EXPECT_NE(p4->body_hash, p1->body_hash);
}

TEST(PlaylistCacheTest, BoundedLruKeepsHeldPlaylistsAlive) {
  PlaylistCache cache(3);
  auto first = cache.Get("http://h/a.m3u8", Body(0));
  ASSERT_TRUE(first);
  for (int i = 1; i < 10; ++i) ASSERT_TRUE(cache.Get("http://h/a.m3u8", Body(i)));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(first->playlist->media_sequence, 0u);  // still owned by the holder
  const std::uint64_t misses = cache.misses();
  ASSERT_TRUE(cache.Get("http://h/a.m3u8", Body(0)));  // evicted: parsed again
  EXPECT_EQ(cache.misses(), misses + 1);
  ASSERT_TRUE(cache.Get("http://h/a.m3u8", Body(9)));  // recent: a hit
  EXPECT_EQ(cache.misses(), misses + 1);
}

TEST(PlaylistCacheTest, BadBodiesReturnTheParseErrorAndAreCached) {
  PlaylistCache cache;
  auto bad = cache.Get("http://h/a.m3u8", "<html>nope</html>");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("no #EXTM3U"), std::string::npos);
  auto again = cache.Get("http://h/a.m3u8", "<html>nope</html>");
  ASSERT_FALSE(again);
  EXPECT_EQ(cache.misses(), 1u);
}

// A full LL-HLS playlist of segments [first, first + count) and a delta that skips [10, 13)
// and lists 13..15.
std::string Full(int first, int count) {
  std::string b = fmt::format(
      "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PART-INF:PART-TARGET=0.5\n"
      "#EXT-X-MEDIA-SEQUENCE:{}\n#EXT-X-MAP:URI=\"init.mp4\"\n",
      first);
  for (int i = first; i < first + count; ++i) b += fmt::format("#EXTINF:2,\ns{}.m4s\n", i);
  return b;
}

std::string Delta() {
  return "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PART-INF:PART-TARGET=0.5\n"
         "#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-SKIP:SKIPPED-SEGMENTS=3\n"
         "#EXTINF:2,\ns13.m4s\n#EXTINF:2,\ns14.m4s\n#EXTINF:2,\ns15.m4s\n"
         "#EXT-X-PART:DURATION=0.5,URI=\"p16_0.m4s\"\n";
}

std::shared_ptr<const hls::Playlist> Held(PlaylistCache& cache, const std::string& body) {
  auto p = cache.Get("http://h/a.m3u8", body);
  EXPECT_TRUE(p) << (p ? "" : p.error().detail);
  return p ? p->playlist : nullptr;
}

TEST(PlaylistCacheTest, DeltaMergesAreSharedByViewersWhoseCopiesCoverTheSkip) {
  PlaylistCache cache;
  // Two viewers hold different full copies, both holding segments 10..12.
  const auto older = Held(cache, Full(8, 6));   // 8..13
  const auto newer = Held(cache, Full(10, 5));  // 10..14
  auto a = cache.GetMerged("http://h/a.m3u8", Delta(), older);
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_EQ(cache.merges(), 1u);
  auto b = cache.GetMerged("http://h/a.m3u8", Delta(), newer);
  ASSERT_TRUE(b) << b.error().detail;
  EXPECT_EQ(cache.merges(), 1u);
  EXPECT_EQ(a->playlist.get(), b->playlist.get());
  EXPECT_EQ(a->body_hash, std::hash<std::string_view>{}(Delta()));
  EXPECT_EQ(a->body_hash, b->body_hash);
  const hls::Playlist& merged = *a->playlist;
  EXPECT_EQ(merged.skipped_segments, 0u);
  EXPECT_EQ(merged.media_sequence, 10u);
  ASSERT_EQ(merged.segments.size(), 6u);
  EXPECT_EQ(merged.segments[0].uri, "http://h/s10.m4s");
  EXPECT_EQ(merged.segments[5].uri, "http://h/s15.m4s");
  EXPECT_EQ(merged.segments[5].map_uri, "http://h/init.mp4");  // from the skipped segments
  EXPECT_EQ(merged.trailing_parts.size(), 1u);
  // Get() of the same body still answers the delta itself, not the merge.
  auto raw = cache.Get("http://h/a.m3u8", Delta());
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->playlist->skipped_segments, 3u);
  // Another base URL is another rendition: its own merge.
  const auto other = Held(cache, Full(10, 3));
  ASSERT_TRUE(cache.GetMerged("http://h/b.m3u8", Delta(), other));
  EXPECT_EQ(cache.merges(), 2u);
}

TEST(PlaylistCacheTest, DeltaFailsForAViewerWhoseCopyDoesNotCoverTheSkip) {
  PlaylistCache cache;
  const auto covering = Held(cache, Full(10, 3));
  ASSERT_TRUE(cache.GetMerged("http://h/a.m3u8", Delta(), covering));  // merge now cached
  for (const auto& stale : {Held(cache, Full(4, 8)), Held(cache, Full(11, 4))}) {
    auto r = cache.GetMerged("http://h/a.m3u8", Delta(), stale);  // 4..11 / 11..14
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
    EXPECT_EQ(r.error().detail.rfind("bad delta update: ", 0), 0u) << r.error().detail;
  }
  auto none = cache.GetMerged("http://h/a.m3u8", Delta(), nullptr);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().detail.rfind("bad delta update: ", 0), 0u);
  EXPECT_EQ(cache.merges(), 1u);
}

TEST(PlaylistCacheTest, GetMergedOfAFullBodyIsGet) {
  PlaylistCache cache;
  auto full = cache.Get("http://h/a.m3u8", Full(10, 6));
  ASSERT_TRUE(full);
  for (const auto& previous : {std::shared_ptr<const hls::Playlist>(), full->playlist}) {
    auto again = cache.GetMerged("http://h/a.m3u8", Full(10, 6), previous);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->playlist.get(), full->playlist.get());
    EXPECT_EQ(again->body_hash, full->body_hash);
  }
  auto bad = cache.GetMerged("http://h/a.m3u8", "<html>", full->playlist);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find("no #EXTM3U"), std::string::npos);
  EXPECT_EQ(cache.merges(), 0u);
  EXPECT_EQ(cache.misses(), 2u);
  EXPECT_EQ(cache.hits(), 2u);
}

TEST(PlaylistCacheTest, MergedPlaylistsCountTowardTheBound) {
  PlaylistCache cache(2);
  const auto previous = Held(cache, Full(10, 3));
  ASSERT_TRUE(cache.GetMerged("http://h/a.m3u8", Delta(), previous));
  EXPECT_EQ(cache.size(), 2u);  // the delta body and its merge; the full body was evicted
  ASSERT_TRUE(cache.GetMerged("http://h/a.m3u8", Delta(), previous));
  EXPECT_EQ(cache.merges(), 1u);
  ASSERT_TRUE(cache.Get("http://h/a.m3u8", Full(20, 1)));
  ASSERT_TRUE(cache.Get("http://h/a.m3u8", Full(21, 1)));
  ASSERT_TRUE(cache.GetMerged("http://h/a.m3u8", Delta(), previous));  // evicted: merged again
  EXPECT_EQ(cache.merges(), 2u);
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace hs::player
