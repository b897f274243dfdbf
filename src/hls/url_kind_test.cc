// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/url_kind.h"

#include <utility>

#include <gtest/gtest.h>

namespace hs::hls {
namespace {

// One table for every caller: the tap (before it saw a playlist) and FFmpeg's log lines used
// to disagree about "init.mp4" (segment vs init section) and about a host named "h.m3u8".
TEST(UrlKindTest, GuessTable) {
  const std::pair<std::string_view, ResourceKind> kCases[] = {
      {"http://h:80/a/b.m3u8?token=1", ResourceKind::kMediaPlaylist},
      {"http://h:80/a/B.M3U", ResourceKind::kMediaPlaylist},
      {"https://cdn.example/a/master.M3U8?token=abc.ts", ResourceKind::kMediaPlaylist},
      {"http://h/live/stream.m3u8#frag", ResourceKind::kMediaPlaylist},
      {"http://h:80/seg_001.ts", ResourceKind::kSegment},
      {"http://h:80/v/seg.m4s?x=.m3u8", ResourceKind::kSegment},
      {"http://h/x/seg_1.m4s?sig=init", ResourceKind::kSegment},
      {"http://h:80/v/a.aac", ResourceKind::kSegment},
      {"http://h/v/sub.webvtt", ResourceKind::kSegment},
      {"crypto+http://h/x/seg_5.ts", ResourceKind::kSegment},
      {"http://h:80/v/init.mp4", ResourceKind::kInit},
      {"http://h/x/720p_INIT_0.mp4?v=2", ResourceKind::kInit},
      {"http://h:80/k/1.key", ResourceKind::kKey},
      {"http://h:80/health", ResourceKind::kOther},
      {"http://h.ts:80/dir.ts/file", ResourceKind::kOther},
      {"http://h.m3u8", ResourceKind::kOther},  // a host name, not a path
      {"/relative/seg.ts", ResourceKind::kSegment},
  };
  for (const auto& [url, kind] : kCases) EXPECT_EQ(GuessKindFromUrl(url), kind) << url;
}

TEST(UrlKindTest, PathAndPlaylistTypes) {
  EXPECT_EQ(UrlPath("http://h:80/a/b.ts?q#f"), "/a/b.ts");
  EXPECT_EQ(UrlPath("http://h"), "");
  EXPECT_EQ(UrlPath("/x/y?z"), "/x/y");
  EXPECT_TRUE(LooksLikePlaylist("http://h:80/x.m3u8", ""));
  EXPECT_TRUE(LooksLikePlaylist("http://h:80/x", "application/vnd.apple.mpegurl"));
  EXPECT_TRUE(LooksLikePlaylist("http://h:80/x", "Application/X-MpegURL; charset=utf-8"));
  EXPECT_TRUE(LooksLikePlaylist("http://h:80/x", "audio/mpegurl"));
  EXPECT_FALSE(LooksLikePlaylist("http://h:80/x.ts", "video/mp2t"));
  EXPECT_STREQ(ToString(ResourceKind::kMediaPlaylist), "playlist");
}

}  // namespace
}  // namespace hs::hls
