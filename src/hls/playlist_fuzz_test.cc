// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// A bounded, seeded fuzz test of the playlist parser: mutations of valid master and media
// playlists must give either a playlist or an error — never a crash, a hang or a sanitizer
// report. Deterministic (fixed seed), ~10,000 cases, a few seconds under ASan.
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hls/playlist.h"

namespace hs::hls {
namespace {

constexpr const char* kMaster = R"(#EXTM3U
#EXT-X-VERSION:6
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio/en.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="sub",NAME="en",URI="subs/en.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=2800000,AVERAGE-BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",SUBTITLES="sub"
720p/index.m3u8
#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI="iframes.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
../360p.m3u8?token=a%20b
)";

constexpr const char* kLive = R"(#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:1200
#EXT-X-DISCONTINUITY-SEQUENCE:4
#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
#EXT-X-KEY:METHOD=AES-128,URI="k1.key",IV=0x0123456789abcdef0123456789abcdef
#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.678+01:00
#EXTINF:2.000,
seg1200.m4s
#EXT-X-BYTERANGE:1000@0
#EXTINF:2.000,title
all.m4s
#EXT-X-BYTERANGE:1000
#EXTINF:1.5,
all.m4s
#EXT-X-DISCONTINUITY
#EXT-X-KEY:METHOD=NONE
#EXTINF:2,
https://other.example/seg1203.m4s
# comment
#EXTINF:2.0,
/abs/seg1204.m4s
)";

constexpr const char* kLowLatency = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.5
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=4.0
#EXT-X-MEDIA-SEQUENCE:40
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:05.000Z
#EXTINF:2.00000,
seg_40.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:07.000Z
#EXTINF:2.00000,
seg_41.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:09.000Z
#EXT-X-PART:DURATION=1.0,URI="part_42_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=1.0,URI="part_42_1.m4s",BYTERANGE="100@0"
#EXTINF:2.00000,
seg_42.m4s
#EXT-X-PROGRAM-DATE-TIME:2026-01-02T03:04:11.000Z
#EXT-X-PART:DURATION=1.0,URI="part_43_0.m4s",INDEPENDENT=YES,GAP=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_43_1.m4s",BYTERANGE-START=0,BYTERANGE-LENGTH=10
#EXT-X-RENDITION-REPORT:URI="../180p/stream.m3u8",LAST-MSN=43,LAST-PART=0
)";

constexpr const char* kLowLatencyDelta = R"(#EXTM3U
#EXT-X-VERSION:9
#EXT-X-TARGETDURATION:2
#EXT-X-PART-INF:PART-TARGET=0.5
#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,CAN-SKIP-UNTIL=4.0
#EXT-X-MEDIA-SEQUENCE:40
#EXT-X-SKIP:SKIPPED-SEGMENTS=2
#EXT-X-PART:DURATION=1.0,URI="part_42_0.m4s",INDEPENDENT=YES
#EXT-X-PART:DURATION=1.0,URI="part_42_1.m4s",BYTERANGE="100@0"
#EXTINF:2.00000,
seg_42.m4s
#EXT-X-PART:DURATION=1.0,URI="part_43_0.m4s",INDEPENDENT=YES
#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part_43_1.m4s"
)";

std::string BigVod() {
  std::string b = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n";
  for (int i = 0; i < 5000; ++i) b += fmt::format("#EXTINF:3.96,\nseg{:05}.ts\n", i);
  return b + "#EXT-X-ENDLIST\n";
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t nl = body.find('\n', start);
    if (nl == std::string::npos) {
      if (start < body.size()) out.push_back(body.substr(start));
      break;
    }
    out.push_back(body.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + '\n';
  return out;
}

class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string RandomBytes(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(Pick(256));
    return s;
  }

  std::string Garbage() {
    static const char* const kPieces[] = {"",
                                          "-1",
                                          "nan",
                                          "inf",
                                          "1e400",
                                          "abc",
                                          ",",
                                          "=",
                                          "\"",
                                          "2.5.5",
                                          "18446744073709551616",
                                          "0x10",
                                          "\t",
                                          "@",
                                          "-0",
                                          "1@",
                                          "@5",
                                          "99999999999999"};
    return kPieces[Pick(static_cast<int>(std::size(kPieces)))];
  }

  // Applies 1..4 mutations to \a body.
  std::string Mutate(const std::string& body, int* huge_budget) {
    std::vector<std::string> lines = Lines(body);
    const int n = 1 + Pick(4);
    for (int i = 0; i < n && !lines.empty(); ++i) {
      const size_t at = static_cast<size_t>(Pick(static_cast<int>(lines.size())));
      switch (Pick(12)) {
        case 0:  // drop the header (or any line)
          lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(at == 0 ? 0 : at));
          break;
        case 1:  // garbage EXTINF
          lines[at] = "#EXTINF:" + Garbage() + "," + Garbage();
          break;
        case 2: {  // garbage attribute or tag value
          const size_t colon = lines[at].find(':');
          if (colon != std::string::npos) lines[at] = lines[at].substr(0, colon + 1) + Garbage();
          break;
        }
        case 3:  // duplicate a line
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), lines[at]);
          break;
        case 4:  // swap two lines
          std::swap(lines[at], lines[static_cast<size_t>(Pick(static_cast<int>(lines.size())))]);
          break;
        case 5:  // random bytes inside a line
          lines[at].insert(static_cast<size_t>(Pick(static_cast<int>(lines[at].size()) + 1)),
                           RandomBytes(1 + static_cast<size_t>(Pick(16))));
          break;
        case 6:  // truncate a line
          lines[at].resize(static_cast<size_t>(Pick(static_cast<int>(lines[at].size()) + 1)));
          break;
        case 7:  // a huge line (~1 MB), rarely: it dominates the run time
          if (*huge_budget > 0) {
            --*huge_budget;
            lines[at] += std::string(1 << 20, Pick(2) ? 'x' : ',');
          }
          break;
        case 8:  // an unterminated quote / odd attribute list
          lines[at] += Pick(2) ? ",URI=\"unterminated" : ",,=,BANDWIDTH";
          break;
        case 9:  // a tag of the other playlist kind
          lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at),
                       Pick(2) ? "#EXT-X-STREAM-INF:BANDWIDTH=1" : "#EXTINF:1,");
          break;
        case 10:  // CR, NUL and BOM noise
          lines[at] += Pick(2) ? std::string("\r") : std::string("\0\xEF\xBB\xBF", 4);
          break;
        default:  // flip a byte
          if (!lines[at].empty()) {
            lines[at][static_cast<size_t>(Pick(static_cast<int>(lines[at].size())))] ^=
                static_cast<char>(1 << Pick(8));
          }
          break;
      }
    }
    std::string out = Join(lines);
    if (Pick(8) == 0) out.resize(static_cast<size_t>(Pick(static_cast<int>(out.size()) + 1)));
    return out;
  }

 private:
  std::mt19937 rng_;
};

void CheckInvariants(const Result<Playlist>& r) {
  if (!r) {
    EXPECT_FALSE(r.error().detail.empty());
    return;
  }
  if (r->is_master) {
    EXPECT_TRUE(r->segments.empty());
    EXPECT_FALSE(r->variants.empty());
  } else {
    EXPECT_TRUE(r->variants.empty());
  }
  for (const Segment& s : r->segments) {
    EXPECT_TRUE(std::isfinite(s.duration_s) && s.duration_s >= 0);
    EXPECT_FALSE(s.uri.empty());
  }
  if (r->start_time_offset_s) {
    EXPECT_TRUE(std::isfinite(*r->start_time_offset_s));
  }
}

TEST(PlaylistFuzzTest, MutatedPlaylistsParseOrFailCleanly) {
  const auto started = std::chrono::steady_clock::now();
  const std::string big = BigVod();
  const std::string bases[] = {kMaster, kLive, big};
  Mutator m(20260101);
  int huge_budget = 12;
  int ok = 0, failed = 0;
  for (int i = 0; i < 10000; ++i) {
    // The 5,000-segment VOD is a base only now and then: it is 100× the size of the others.
    const std::string& base = bases[i % 200 == 0 ? 2 : i % 2];
    std::string body;
    switch (m.Pick(20)) {
      case 0:
        body = m.RandomBytes(static_cast<size_t>(m.Pick(512)));
        break;
      case 1:
        body = "#EXTM3U\n" + m.RandomBytes(static_cast<size_t>(m.Pick(512)));
        break;
      default:
        body = m.Mutate(base, &huge_budget);
        break;
    }
    const Result<Playlist> r = ParsePlaylist(body, "https://cdn.example.com/live/x.m3u8");
    CheckInvariants(r);
    (r ? ok : failed)++;
    if (::testing::Test::HasFailure()) FAIL() << "case " << i;
  }
  // Both outcomes occur: the mutations are neither all harmless nor all fatal.
  EXPECT_GT(ok, 1000);
  EXPECT_GT(failed, 1000);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  RecordProperty("seconds", std::to_string(secs));
}

void CheckParts(const std::vector<Part>& parts) {
  for (const Part& p : parts) {
    EXPECT_TRUE(std::isfinite(p.duration_s) && p.duration_s >= 0);
    EXPECT_FALSE(p.uri.empty());
  }
}

// LL-HLS tags and delta updates: mutated playlists parse or fail cleanly, and merging any parsed
// one with a valid previous playlist (or a valid delta into it) succeeds exactly when
// CoversDelta says so and gives a full playlist. A seed of its own, so that the test above keeps
// its cases.
TEST(PlaylistFuzzTest, MutatedLowLatencyPlaylistsAndDeltasMergeOrFailCleanly) {
  constexpr const char* kUrl = "https://cdn.example.com/live/360p/stream.m3u8";
  const Result<Playlist> full = ParsePlaylist(kLowLatency, kUrl);
  const Result<Playlist> delta = ParsePlaylist(kLowLatencyDelta, kUrl);
  ASSERT_TRUE(full && delta);
  ASSERT_EQ(delta->skipped_segments, 2u);
  ASSERT_TRUE(MergeDelta(*full, *delta));
  Mutator m(20261203);
  int huge_budget = 2;
  int ok = 0, merged_ok = 0;
  for (int i = 0; i < 4000; ++i) {
    const std::string body = m.Mutate(i % 2 ? kLowLatency : kLowLatencyDelta, &huge_budget);
    const Result<Playlist> r = ParsePlaylist(body, kUrl);
    CheckInvariants(r);
    if (!r) continue;
    ++ok;
    for (const Segment& s : r->segments) CheckParts(s.parts);
    CheckParts(r->trailing_parts);
    EXPECT_TRUE(std::isfinite(r->part_target_s));
    // r as the delta, then as the previous playlist.
    for (const auto& [previous, update] : {std::pair{&*full, &*r}, std::pair{&*r, &*delta}}) {
      const Result<Playlist> merged = MergeDelta(*previous, *update);
      EXPECT_EQ(merged.has_value(), CoversDelta(*previous, *update));
      if (!merged) {
        EXPECT_EQ(merged.error().detail.rfind("bad delta update: ", 0), 0u);
        continue;
      }
      ++merged_ok;
      EXPECT_EQ(merged->skipped_segments, 0u);
      EXPECT_EQ(merged->segments.size(), update->skipped_segments + update->segments.size());
      EXPECT_EQ(merged->EndMsn(), update->EndMsn());
      CheckInvariants(merged);
    }
    if (::testing::Test::HasFailure()) FAIL() << "case " << i << "\n" << body;
  }
  EXPECT_GT(ok, 1000);
  EXPECT_GT(merged_ok, 1000);
}

TEST(PlaylistFuzzTest, ValidBasesParse) {
  for (const std::string& body : {std::string(kMaster), std::string(kLive), BigVod()}) {
    const Result<Playlist> r = ParsePlaylist(body, "https://cdn.example.com/live/x.m3u8");
    ASSERT_TRUE(r) << r.error().detail;
  }
  const Result<Playlist> vod = ParsePlaylist(BigVod(), "");
  ASSERT_TRUE(vod);
  EXPECT_EQ(vod->segments.size(), 5000u);
  const Result<Playlist> live = ParsePlaylist(kLive, "https://cdn.example.com/live/x.m3u8");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->segments[2].byte_range->offset, 1000u);
  EXPECT_EQ(live->segments[3].key_uri, "");
}

}  // namespace
}  // namespace hs::hls
