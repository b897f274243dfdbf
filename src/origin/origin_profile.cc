// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/origin_profile.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

namespace hs::origin {
namespace {

constexpr std::array<std::string_view, 10> kX264Presets = {
    "ultrafast", "superfast", "veryfast", "faster",   "fast",
    "medium",    "slow",      "slower",   "veryslow", "placebo"};

// Bitrates are what libx264 reaches on testsrc2 within a few percent (measured on FFmpeg 5.1):
// the pattern is simple enough that the VBV cap, not the content, sets the segment size, so
// byte counts per viewer are predictable. bufsize is two seconds of maxrate unless noted.
OriginProfile DefaultProfile() {
  return OriginProfile{
      .name = "default",
      .description = "720p30, 2.5 Mbit/s, 2 s segments, 10 in the playlist",
      .renditions = {{"720p", 1280, 720, 2500, 2500, 5000, 128}},
      .fps = 30,
      .segment_seconds = 2,
      .list_size = 10,
      .x264_preset = "veryfast",
  };
}

OriginProfile LowLatencyProfile() {
  // A one-second VBV buffer keeps every 1 s segment close to the nominal size.
  return OriginProfile{
      .name = "low-latency",
      .description = "720p30, 2.5 Mbit/s, 1 s segments, 6 in the playlist",
      .renditions = {{"720p", 1280, 720, 2500, 2500, 2500, 128}},
      .fps = 30,
      .segment_seconds = 1,
      .list_size = 6,
      .x264_preset = "veryfast",
  };
}

OriginProfile AbrProfile() {
  return OriginProfile{
      .name = "abr",
      .description = "master playlist over 360p/540p/720p (0.8/1.4/2.5 Mbit/s), 2 s segments",
      .renditions = {{"360p", 640, 360, 800, 800, 1600, 64},
                     {"540p", 960, 540, 1400, 1400, 2800, 96},
                     {"720p", 1280, 720, 2500, 2500, 5000, 128}},
      .fps = 30,
      .segment_seconds = 2,
      .list_size = 10,
      .x264_preset = "veryfast",
  };
}

OriginProfile StressProfile() {
  return OriginProfile{
      .name = "stress",
      .description = "1080p30, 6 Mbit/s, 2 s segments: high bandwidth per viewer",
      .renditions = {{"1080p", 1920, 1080, 6000, 6000, 12000, 192}},
      .fps = 30,
      .segment_seconds = 2,
      .list_size = 10,
      .x264_preset = "veryfast",
  };
}

OriginProfile TinyProfile() {
  // For hundreds of viewers on two cores: the generator costs a few percent of a core and
  // each viewer moves under 0.2 Mbit/s.
  return OriginProfile{
      .name = "tiny",
      .description = "320x180 at 10 fps, 0.15 Mbit/s, 2 s segments: scale tests on small hosts",
      .renditions = {{"180p", 320, 180, 120, 120, 240, 32}},
      .fps = 10,
      .segment_seconds = 2,
      .list_size = 6,
      .x264_preset = "ultrafast",
  };
}

// LL-HLS: 30 fps, 10 frames (1/3 s) per part, 6 parts per 2 s segment. ultrafast +
// zerolatency: no B-frames, so each fragment's frames are its presentation order and a part
// is ready one frame after its last one was captured.
OriginProfile LlhlsProfile() {
  return OriginProfile{
      .name = "ll-hls",
      .description = "LL-HLS: 640x360p30, 0.6 Mbit/s fMP4, 1/3 s parts, 2 s segments",
      .renditions = {{"360p", 640, 360, 600, 600, 600, 64}},
      .fps = 30,
      .segment_seconds = 2,
      .list_size = 10,
      .x264_preset = "ultrafast",
      .part_frames = 10,
  };
}

OriginProfile LlhlsAbrProfile() {
  return OriginProfile{
      .name = "ll-hls-abr",
      .description = "LL-HLS: master over 180p/360p (0.2/0.6 Mbit/s), 1/3 s parts",
      .renditions = {{"180p", 320, 180, 200, 200, 200, 32}, {"360p", 640, 360, 600, 600, 600, 64}},
      .fps = 30,
      .segment_seconds = 2,
      .list_size = 10,
      .x264_preset = "ultrafast",
      .part_frames = 10,
  };
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

Result<void> ValidateRendition(const Rendition& r) {
  if (r.name.empty() || !std::all_of(r.name.begin(), r.name.end(), IsNameChar)) {
    return Fail(ErrorCode::kUsage,
                fmt::format("rendition name '{}' must be [A-Za-z0-9_-]+", r.name));
  }
  if (r.width <= 0 || r.height <= 0 || r.width % 2 != 0 || r.height % 2 != 0) {
    return Fail(ErrorCode::kUsage, fmt::format("rendition {}: size {}x{} must be positive and even",
                                               r.name, r.width, r.height));
  }
  if (r.video_kbps <= 0 || r.video_kbps > r.maxrate_kbps) {
    return Fail(ErrorCode::kUsage,
                fmt::format("rendition {}: need 0 < video {} <= maxrate {} kbit/s", r.name,
                            r.video_kbps, r.maxrate_kbps));
  }
  if (r.bufsize_kbps <= 0 || r.audio_kbps <= 0) {
    return Fail(ErrorCode::kUsage,
                fmt::format("rendition {}: bufsize and audio bitrate must be positive", r.name));
  }
  return {};
}

}  // namespace

int OriginProfile::TotalKbps() const {
  int total = 0;
  for (const Rendition& r : renditions) total += r.video_kbps + r.audio_kbps;
  return total;
}

std::vector<OriginProfile> OriginProfiles() {
  return {DefaultProfile(), LowLatencyProfile(), AbrProfile(), StressProfile(), TinyProfile()};
}

std::vector<OriginProfile> LlhlsProfiles() { return {LlhlsProfile(), LlhlsAbrProfile()}; }

std::string OriginProfileNames() {
  std::vector<OriginProfile> all = OriginProfiles();
  for (OriginProfile& p : LlhlsProfiles()) all.push_back(std::move(p));
  std::string names;
  for (const OriginProfile& p : all) {
    if (!names.empty()) names += ", ";
    names += p.name;
  }
  return names;
}

Result<OriginProfile> FindOriginProfile(std::string_view name) {
  for (OriginProfile& p : OriginProfiles()) {
    if (p.name == name) return std::move(p);
  }
  for (OriginProfile& p : LlhlsProfiles()) {
    if (p.name == name) return std::move(p);
  }
  return Fail(ErrorCode::kUsage,
              fmt::format("unknown origin profile '{}' (one of: {})", name, OriginProfileNames()));
}

Result<void> ValidateOriginProfile(const OriginProfile& profile) {
  if (profile.renditions.empty()) {
    return Fail(ErrorCode::kUsage, fmt::format("origin profile {}: no renditions", profile.name));
  }
  std::set<std::string> names;
  for (const Rendition& r : profile.renditions) {
    if (auto ok = ValidateRendition(r); !ok) return ok;
    if (!names.insert(r.name).second) {
      return Fail(ErrorCode::kUsage, fmt::format("duplicate rendition name '{}'", r.name));
    }
  }
  if (profile.fps <= 0 || profile.segment_seconds <= 0 || profile.list_size <= 0) {
    return Fail(
        ErrorCode::kUsage,
        fmt::format("origin profile {}: fps, segment seconds and list size must be positive",
                    profile.name));
  }
  if (profile.part_frames < 0 ||
      (profile.part_frames > 0 && profile.GopFrames() % profile.part_frames != 0)) {
    return Fail(ErrorCode::kUsage,
                fmt::format("origin profile {}: part frames must divide the GOP", profile.name));
  }
  if (std::find(kX264Presets.begin(), kX264Presets.end(), profile.x264_preset) ==
      kX264Presets.end()) {
    return Fail(ErrorCode::kUsage, fmt::format("unknown x264 preset '{}'", profile.x264_preset));
  }
  return {};
}

}  // namespace hs::origin
