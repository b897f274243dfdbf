// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/generator.h"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

namespace hs::origin {
namespace {

void Append(std::vector<std::string>& argv, std::initializer_list<std::string> items) {
  argv.insert(argv.end(), items.begin(), items.end());
}

// The test pattern is drawn once at the largest size; smaller renditions are scaled from it.
Rendition LargestRendition(const OriginProfile& profile) {
  return *std::max_element(profile.renditions.begin(), profile.renditions.end(),
                           [](const Rendition& a, const Rendition& b) {
                             return a.width * a.height < b.width * b.height;
                           });
}

void AppendInputs(std::vector<std::string>& argv, const OriginProfile& profile) {
  const Rendition top = LargestRendition(profile);
  // -re is an input option and applies to the next -i only; pace both sources so that the
  // audio generator never runs ahead of the wall clock.
  Append(argv, {"-re", "-f", "lavfi", "-i",
                fmt::format("testsrc2=size={}x{}:rate={}", top.width, top.height, profile.fps)});
  Append(argv, {"-re", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000"});
}

// One rendition maps the inputs directly (the pattern is drawn at its size). Several split the
// pattern and scale each copy; every variant needs its own audio stream for -var_stream_map, so
// audio is mapped n times.
void AppendMaps(std::vector<std::string>& argv, const OriginProfile& profile) {
  const std::size_t n = profile.renditions.size();
  if (n == 1) {
    Append(argv, {"-map", "0:v:0", "-map", "1:a:0"});
    return;
  }
  std::string graph = fmt::format("[0:v]split={}", n);
  for (std::size_t i = 0; i < n; ++i) graph += fmt::format("[s{}]", i);
  for (std::size_t i = 0; i < n; ++i) {
    const Rendition& r = profile.renditions[i];
    graph += fmt::format(";[s{}]scale={}:{}[v{}]", i, r.width, r.height, i);
  }
  Append(argv, {"-filter_complex", graph});
  for (std::size_t i = 0; i < n; ++i) Append(argv, {"-map", fmt::format("[v{}]", i)});
  for (std::size_t i = 0; i < n; ++i) Append(argv, {"-map", "1:a:0"});
}

void AppendCodecs(std::vector<std::string>& argv, const OriginProfile& profile) {
  const std::string gop = std::to_string(profile.KeyframeFrames());
  // yuv420p: testsrc2 can offer 4:4:4, which libx264 would encode as High 4:4:4 that many
  // players refuse. zerolatency drops B-frames and lookahead: less CPU, frame-exact segments.
  Append(argv, {"-c:v", "libx264", "-preset", profile.x264_preset, "-tune", "zerolatency",
                "-pix_fmt", "yuv420p", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0"});
  for (std::size_t i = 0; i < profile.renditions.size(); ++i) {
    const Rendition& r = profile.renditions[i];
    Append(argv, {fmt::format("-b:v:{}", i), fmt::format("{}k", r.video_kbps),
                  fmt::format("-maxrate:v:{}", i), fmt::format("{}k", r.maxrate_kbps),
                  fmt::format("-bufsize:v:{}", i), fmt::format("{}k", r.bufsize_kbps)});
  }
  Append(argv, {"-c:a", "aac"});
  for (std::size_t i = 0; i < profile.renditions.size(); ++i) {
    Append(argv, {fmt::format("-b:a:{}", i), fmt::format("{}k", profile.renditions[i].audio_kbps)});
  }
}

void AppendMuxer(std::vector<std::string>& argv, const OriginProfile& profile,
                 const std::string& out_dir) {
  Append(argv, {"-f", "hls", "-hls_time", std::to_string(profile.segment_seconds), "-hls_list_size",
                std::to_string(profile.list_size), "-hls_flags",
                "delete_segments+omit_endlist+temp_file+independent_segments+program_date_time",
                "-hls_start_number_source", "epoch"});
  if (!profile.HasMaster()) {
    Append(argv, {"-hls_segment_filename", fmt::format("{}/{}", out_dir, kSegmentPattern),
                  fmt::format("{}/{}", out_dir, kMediaPlaylistName)});
    return;
  }
  std::string stream_map;
  for (std::size_t i = 0; i < profile.renditions.size(); ++i) {
    if (i > 0) stream_map += ' ';
    stream_map += fmt::format("v:{},a:{},name:{}", i, i, profile.renditions[i].name);
  }
  // The master playlist lands in out_dir (the directory above %v), written once when the
  // first segment of every variant is complete.
  Append(argv, {"-master_pl_name", std::string(kMasterPlaylistName), "-var_stream_map", stream_map,
                "-hls_segment_filename", fmt::format("{}/%v/{}", out_dir, kSegmentPattern),
                fmt::format("{}/%v/{}", out_dir, kMediaPlaylistName)});
}

}  // namespace

std::string StreamPath(const OriginProfile& profile) {
  return fmt::format("/{}", profile.HasMaster() ? kMasterPlaylistName : kMediaPlaylistName);
}

std::vector<std::string> MediaPlaylistPaths(const OriginProfile& profile) {
  if (!profile.HasMaster()) return {fmt::format("/{}", kMediaPlaylistName)};
  std::vector<std::string> paths;
  for (const Rendition& r : profile.renditions) {
    paths.push_back(fmt::format("/{}/{}", r.name, kMediaPlaylistName));
  }
  return paths;
}

std::vector<std::string> GeneratorArgv(const OriginProfile& profile, const std::string& ffmpeg,
                                       const std::string& out_dir) {
  std::vector<std::string> argv = {ffmpeg,     "-hide_banner", "-nostdin",
                                   "-nostats", "-loglevel",    "warning"};
  AppendInputs(argv, profile);
  AppendMaps(argv, profile);
  AppendCodecs(argv, profile);
  AppendMuxer(argv, profile, out_dir);
  return argv;
}

}  // namespace hs::origin
