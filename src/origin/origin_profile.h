// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::origin {

/// One encoded rendition (variant) of the bundled test stream.
struct Rendition {
  std::string name;      ///< variant name ("720p"); the subdirectory of multi-rendition profiles
  int width = 0;         ///< pixels; even
  int height = 0;        ///< pixels; even
  int video_kbps = 0;    ///< libx264 target bitrate (-b:v), kbit/s
  int maxrate_kbps = 0;  ///< VBV maximum rate (-maxrate), kbit/s; >= video_kbps
  int bufsize_kbps = 0;  ///< VBV buffer (-bufsize), kbit
  int audio_kbps = 0;    ///< AAC bitrate (-b:a), kbit/s
};

/// What the generator encodes and how the HLS muxer cuts it. A value type; copy freely.
///
/// libx264 has no minimum rate (FFmpeg's -minrate only matters for CBR encoders), so no
/// minrate is emitted; the invariant the earlier program broke is kept as
/// video_kbps <= maxrate_kbps, checked by ValidateOriginProfile.
struct OriginProfile {
  std::string name;                   ///< "default", "low-latency", "abr", "stress", "tiny"
  std::string description;            ///< one line for `-help` and logs
  std::vector<Rendition> renditions;  ///< one: a single media playlist; more: master + one each
  int fps = 0;                        ///< frames per second of the test pattern
  int segment_seconds = 0;            ///< -hls_time; also EXT-X-TARGETDURATION
  int list_size = 0;                  ///< -hls_list_size, segments kept in each media playlist
  std::string x264_preset;            ///< libx264 -preset
  /// LL-HLS profiles only: video frames per part (one fMP4 fragment each); 0 = classic HLS
  /// (FFmpeg's hls muxer + nginx). Must divide GopFrames().
  int part_frames = 0;

  /// True for the LL-HLS profiles, served by our own origin (origin/llhls_server.h).
  bool IsLowLatencyHls() const { return part_frames > 0; }

  /// True when the stream is a master playlist over several renditions.
  bool HasMaster() const { return renditions.size() > 1; }
  /// Frames per GOP: one keyframe exactly at every segment boundary.
  int GopFrames() const { return fps * segment_seconds; }
  /// Frames between keyframes: one per part for LL-HLS (every EXT-X-PART is INDEPENDENT, so a
  /// player can start on any part PART-HOLD-BACK from the live edge, not only at a segment
  /// start up to a whole segment further back — the test origin favours low latency over
  /// bitrate), else one per segment.
  int KeyframeFrames() const { return part_frames > 0 ? part_frames : GopFrames(); }
  /// Sum of every rendition's video and audio bitrate, kbit/s (what the origin sends per
  /// viewer that fetches every rendition, before MPEG-TS overhead of about 5–10 %).
  int TotalKbps() const;
};

/// The built-in classic (nginx-served) profiles, in display order: default, low-latency, abr,
/// stress, tiny.
std::vector<OriginProfile> OriginProfiles();

/// The built-in LL-HLS profiles: ll-hls, ll-hls-abr.
std::vector<OriginProfile> LlhlsProfiles();

/// The built-in profile (classic or LL-HLS) called \a name, or a kUsage error that lists the valid
/// names.
Result<OriginProfile> FindOriginProfile(std::string_view name);

/// Comma-separated names of the built-in profiles, for help and error text.
std::string OriginProfileNames();

/// Checks the invariants the generator relies on: at least one rendition, positive even
/// sizes, 0 < video_kbps <= maxrate_kbps, bufsize > 0, audio > 0, fps, segment and list size
/// positive, unique non-empty rendition names made of [A-Za-z0-9_-], and a known x264 preset.
/// Returns kUsage naming the first problem found.
Result<void> ValidateOriginProfile(const OriginProfile& profile);

}  // namespace hs::origin
