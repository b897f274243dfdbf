// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/generator.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace hs::origin {
namespace {

using Argv = std::vector<std::string>;

OriginProfile Profile(std::string_view name) { return FindOriginProfile(name).value(); }

// The value that follows the first occurrence of \a flag, or "" when it is absent.
std::string ValueOf(const Argv& argv, std::string_view flag) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

long Count(const Argv& argv, std::string_view item) {
  return std::count(argv.begin(), argv.end(), item);
}

int Kbps(const std::string& value) { return std::atoi(value.c_str()); }

TEST(GeneratorTest, DefaultProfileArgvIsExact) {
  // clang-format off
  const Argv want = {
      "ffmpeg", "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning",
      "-re", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
      "-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
      "-map", "0:v:0", "-map", "1:a:0",
      "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
      "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
      "-b:v:0", "2500k", "-maxrate:v:0", "2500k", "-bufsize:v:0", "5000k",
      "-c:a", "aac", "-b:a:0", "128k",
      "-f", "hls", "-hls_time", "2", "-hls_list_size", "10", "-hls_flags",
      "delete_segments+omit_endlist+temp_file+independent_segments+program_date_time",
      "-hls_start_number_source", "epoch",
      "-hls_segment_filename", "/o/hls/seg_%05d.ts", "/o/hls/stream.m3u8"};
  // clang-format on
  EXPECT_EQ(GeneratorArgv(Profile("default"), "ffmpeg", "/o/hls"), want);
}

TEST(GeneratorTest, EveryProfileHasSegmentAlignedGopAndSaneRates) {
  for (const OriginProfile& p : OriginProfiles()) {
    SCOPED_TRACE(p.name);
    const Argv argv = GeneratorArgv(p, "/usr/bin/ffmpeg", "/o");
    EXPECT_EQ(argv.front(), "/usr/bin/ffmpeg");
    // A keyframe per segment; per part for LL-HLS (every part INDEPENDENT), which still
    // divides the segment.
    const int key_frames = p.part_frames > 0 ? p.part_frames : p.fps * p.segment_seconds;
    EXPECT_EQ((p.fps * p.segment_seconds) % key_frames, 0);
    const std::string gop = std::to_string(key_frames);
    EXPECT_EQ(ValueOf(argv, "-g"), gop);
    EXPECT_EQ(ValueOf(argv, "-keyint_min"), gop);
    EXPECT_EQ(ValueOf(argv, "-sc_threshold"), "0");
    EXPECT_EQ(ValueOf(argv, "-hls_time"), std::to_string(p.segment_seconds));
    EXPECT_EQ(ValueOf(argv, "-hls_list_size"), std::to_string(p.list_size));
    EXPECT_EQ(ValueOf(argv, "-preset"), p.x264_preset);
    const std::string flags = ValueOf(argv, "-hls_flags");
    for (const char* f : {"delete_segments", "omit_endlist", "temp_file", "independent_segments"}) {
      EXPECT_NE(flags.find(f), std::string::npos) << f;
    }
    EXPECT_EQ(Count(argv, "-re"), 2) << "both lavfi inputs are paced";
    EXPECT_NE(ValueOf(argv, "-i").find(fmt::format("rate={}", p.fps)), std::string::npos);
    EXPECT_EQ(Count(argv, "-minrate"), 0);
    for (std::size_t i = 0; i < p.renditions.size(); ++i) {
      const int video = Kbps(ValueOf(argv, fmt::format("-b:v:{}", i)));
      const int maxrate = Kbps(ValueOf(argv, fmt::format("-maxrate:v:{}", i)));
      EXPECT_EQ(video, p.renditions[i].video_kbps);
      EXPECT_GT(video, 0);
      EXPECT_LE(video, maxrate);
      EXPECT_GT(Kbps(ValueOf(argv, fmt::format("-bufsize:v:{}", i))), 0);
      EXPECT_EQ(Kbps(ValueOf(argv, fmt::format("-b:a:{}", i))), p.renditions[i].audio_kbps);
    }
  }
}

TEST(GeneratorTest, AbrWritesMasterAndOneDirectoryPerRendition) {
  const Argv argv = GeneratorArgv(Profile("abr"), "ffmpeg", "/o/hls");
  EXPECT_EQ(ValueOf(argv, "-i"), "testsrc2=size=1280x720:rate=30");
  EXPECT_EQ(ValueOf(argv, "-filter_complex"),
            "[0:v]split=3[s0][s1][s2];[s0]scale=640:360[v0];[s1]scale=960:540[v1];"
            "[s2]scale=1280:720[v2]");
  EXPECT_EQ(Count(argv, "[v0]") + Count(argv, "[v1]") + Count(argv, "[v2]"), 3);
  EXPECT_EQ(Count(argv, "1:a:0"), 3);
  EXPECT_EQ(ValueOf(argv, "-master_pl_name"), "master.m3u8");
  EXPECT_EQ(ValueOf(argv, "-var_stream_map"),
            "v:0,a:0,name:360p v:1,a:1,name:540p v:2,a:2,name:720p");
  EXPECT_EQ(ValueOf(argv, "-hls_segment_filename"), "/o/hls/%v/seg_%05d.ts");
  EXPECT_EQ(argv.back(), "/o/hls/%v/stream.m3u8");
}

TEST(GeneratorTest, StreamAndMediaPlaylistPaths) {
  EXPECT_EQ(StreamPath(Profile("default")), "/stream.m3u8");
  EXPECT_EQ(StreamPath(Profile("tiny")), "/stream.m3u8");
  EXPECT_EQ(StreamPath(Profile("abr")), "/master.m3u8");
  EXPECT_EQ(MediaPlaylistPaths(Profile("low-latency")), Argv{"/stream.m3u8"});
  EXPECT_EQ(MediaPlaylistPaths(Profile("abr")),
            (Argv{"/360p/stream.m3u8", "/540p/stream.m3u8", "/720p/stream.m3u8"}));
}

}  // namespace
}  // namespace hs::origin
