// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/playlist_cache.h"

#include <string>

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

}  // namespace
}  // namespace hs::player
