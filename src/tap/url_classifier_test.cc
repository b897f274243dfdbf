// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/url_classifier.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::tap {
namespace {

TEST(TapClassifierTest, ViewerIdFromUserAgent) {
  struct Case {
    std::string ua;
    int id;
  };
  const std::vector<Case> cases = {
      {"hls-swarm/0.1.0/client-3", 3},
      {"x/client-0", 0},
      {"a/b/client-123456789", 123456789},
      {"x/client-", -1},
      {"x/client-3a", -1},
      {"x/client--3", -1},
      {"client-5", -1},
      {"Lavf/59.27.100", -1},
      {"", -1},
      {"x/client-1234567890", -1},
      {"x/client-7 ", -1},
      {"hls-swarm/0.1.0/client-0/probe", measure::kProbeViewerId},  // ffprobe of -variant
      {"x/probe/client-4", 4},
      {"x/probes", -1},
  };
  for (const Case& c : cases) EXPECT_EQ(ViewerIdFromUserAgent(c.ua), c.id) << c.ua;
}

TEST(TapClassifierTest, NormalizeUrl) {
  EXPECT_EQ(NormalizeUrl("http://Origin/x.ts"), NormalizeUrl("http://Origin:80/x.ts"));
  EXPECT_EQ(NormalizeUrl("http://127.0.0.1:8080/a?b=1"), "http://127.0.0.1:8080/a?b=1");
  EXPECT_EQ(NormalizeUrl("not a url"), "not a url");
}

constexpr const char* kMaster =
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nlow/index.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=2800000\nhigh/index.m3u8\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",URI=\"audio/en.m3u8\"\n";

std::string MediaPlaylist(int first, int count) {
  std::string p = fmt::format(
      "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:{}\n"
      "#EXT-X-MAP:URI=\"init.mp4\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k1\"\n",
      first);
  for (int i = first; i < first + count; ++i) p += fmt::format("#EXTINF:{}.5,\nseg{}.m4s\n", i, i);
  return p;
}

TEST(TapClassifierTest, LearnsMasterAndMediaPlaylists) {
  UrlClassifier c;
  ASSERT_EQ(c.LearnPlaylist("http://o:80/master.m3u8", kMaster), RequestKind::kMaster);
  EXPECT_EQ(c.Classify("http://o:80/master.m3u8").kind, RequestKind::kMaster);
  EXPECT_EQ(c.Classify("http://o:80/low/index.m3u8").kind, RequestKind::kMediaPlaylist);
  EXPECT_EQ(c.Classify("http://o:80/audio/en.m3u8").kind, RequestKind::kMediaPlaylist);

  ASSERT_EQ(c.LearnPlaylist("http://o:80/low/index.m3u8", MediaPlaylist(1, 3)),
            RequestKind::kMediaPlaylist);
  const UrlInfo seg = c.Classify("http://o:80/low/seg2.m4s");
  EXPECT_EQ(seg.kind, RequestKind::kSegment);
  EXPECT_DOUBLE_EQ(seg.media_duration_s, 2.5);
  EXPECT_EQ(c.Classify("http://o:80/low/init.mp4").kind, RequestKind::kInit);
  EXPECT_EQ(c.Classify("https://keys.example:443/k1").kind, RequestKind::kKey);
  // Unknown URLs fall back to their extension, with no duration.
  const UrlInfo other = c.Classify("http://o:80/low/seg99.m4s");
  EXPECT_EQ(other.kind, RequestKind::kSegment);
  EXPECT_DOUBLE_EQ(other.media_duration_s, -1);
  EXPECT_FALSE(c.LearnPlaylist("http://o:80/x.m3u8", "<html>not found</html>"));
  EXPECT_EQ(c.Classify("http://o:80/x.m3u8").kind, RequestKind::kMediaPlaylist);
}

TEST(TapClassifierTest, LiveReloadsKeepTwoVersionsOnly) {
  UrlClassifier c;
  const std::string url = "http://o:80/live.m3u8";
  c.LearnPlaylist(url, MediaPlaylist(1, 3));                                   // seg1..3
  c.LearnPlaylist(url, MediaPlaylist(2, 3));                                   // seg2..4
  EXPECT_DOUBLE_EQ(c.Classify("http://o:80/seg1.m4s").media_duration_s, 1.5);  // previous
  c.LearnPlaylist(url, MediaPlaylist(3, 3));                                   // seg3..5
  EXPECT_DOUBLE_EQ(c.Classify("http://o:80/seg1.m4s").media_duration_s, -1);   // forgotten
  EXPECT_DOUBLE_EQ(c.Classify("http://o:80/seg2.m4s").media_duration_s, 2.5);
  EXPECT_DOUBLE_EQ(c.Classify("http://o:80/seg5.m4s").media_duration_s, 5.5);
  EXPECT_EQ(c.Classify("http://o:80/init.mp4").kind, RequestKind::kInit);
  // seg2..5, init and key.
  EXPECT_EQ(c.url_count(), 6u);
  // The same body again changes nothing.
  c.LearnPlaylist(url, MediaPlaylist(3, 3));
  EXPECT_EQ(c.url_count(), 6u);
  for (int i = 4; i < 1000; ++i) c.LearnPlaylist(url, MediaPlaylist(i, 3));
  EXPECT_EQ(c.url_count(), 6u);
  EXPECT_EQ(c.playlist_count(), 1u);
}

TEST(TapClassifierTest, PlaylistCountIsBounded) {
  UrlClassifier c(4);
  for (int i = 0; i < 20; ++i) {
    c.LearnPlaylist(fmt::format("http://o:80/v{}/index.m3u8", i), MediaPlaylist(i * 10, 3));
  }
  EXPECT_EQ(c.playlist_count(), 4u);
  EXPECT_EQ(c.url_count(), 4u * 4 + 1);  // 3 segments + init each, one shared absolute key
  EXPECT_DOUBLE_EQ(c.Classify("http://o:80/v0/seg0.m4s").media_duration_s, -1);
  EXPECT_EQ(c.Classify("http://o:80/v19/seg190.m4s").kind, RequestKind::kSegment);
}

TEST(TapClassifierTest, LabelsAreStable) {
  EXPECT_STREQ(ToString(RequestKind::kMaster), "master");
  EXPECT_STREQ(ToString(RequestKind::kMediaPlaylist), "playlist");
  EXPECT_STREQ(ToString(RequestKind::kSegment), "segment");
  EXPECT_STREQ(ToString(RequestKind::kInit), "init");
  EXPECT_STREQ(ToString(RequestKind::kKey), "key");
  EXPECT_STREQ(ToString(RequestKind::kOther), "other");
  EXPECT_STREQ(ToString(RequestError::kConnectRefused), "connect_refused");
  EXPECT_STREQ(ToString(RequestError::kClientAborted), "client_aborted");
  EXPECT_STREQ(ToString(RequestError::kNone), "none");
}

}  // namespace
}  // namespace hs::tap
