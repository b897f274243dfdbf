// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "origin/origin_profile.h"

namespace hs::origin {

/// File name of every media playlist (one rendition: in the output directory itself;
/// several: in one subdirectory per rendition, named after it).
inline constexpr std::string_view kMediaPlaylistName = "stream.m3u8";
/// File name of the master playlist of multi-rendition profiles, in the output directory.
inline constexpr std::string_view kMasterPlaylistName = "master.m3u8";
/// printf pattern of segment file names, beside their media playlist.
inline constexpr std::string_view kSegmentPattern = "seg_%05d.ts";

/// URL path viewers open, relative to the document root: "/stream.m3u8" for one rendition,
/// "/master.m3u8" for several. Layout under the document root:
///   one rendition:  /stream.m3u8, /seg_NNNNN.ts
///   several:        /master.m3u8, /<rendition>/stream.m3u8, /<rendition>/seg_NNNNN.ts
std::string StreamPath(const OriginProfile& profile);

/// URL paths of the media playlists, one per rendition in profile order.
std::vector<std::string> MediaPlaylistPaths(const OriginProfile& profile);

/// The FFmpeg generator command: lavfi testsrc2 + 1 kHz sine, libx264 + AAC, paced with -re,
/// muxed to a live HLS playlist in \a out_dir (which must exist; rendition subdirectories are
/// created by FFmpeg). argv[0] is \a ffmpeg. Every option exists in FFmpeg 5.1.
///
/// GOP = fps × segment seconds (-g, -keyint_min, -sc_threshold 0), so every segment starts with
/// a keyframe and lasts exactly segment_seconds. HLS flags: delete_segments, omit_endlist,
/// temp_file (nginx never serves a half-written playlist), independent_segments and
/// program_date_time (wall-clock anchor for latency). Segment numbers start at the Unix time
/// (-hls_start_number_source epoch), so a restarted generator never reuses the name of a segment
/// that was served as immutable. Runs until signalled; stderr carries warnings only (-nostats).
/// Pure; \a profile should pass ValidateOriginProfile.
std::vector<std::string> GeneratorArgv(const OriginProfile& profile, const std::string& ffmpeg,
                                       const std::string& out_dir);

}  // namespace hs::origin
