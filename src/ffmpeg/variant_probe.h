// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <signal.h>

#include "core/child_reaper.h"
#include "core/event_loop.h"
#include "core/result.h"

namespace hs::ffmpeg {

struct ProgramInfo {
  int program_id = 0;     ///< FFmpeg's program index, for `-map 0:p:N`
  long long bitrate = 0;  ///< variant_bitrate tag (bits/s)
};

/// Parses `ffprobe -show_programs -of json` output into programs with their variant_bitrate.
Result<std::vector<ProgramInfo>> ParseProgramsJson(const std::string& json_text);

/// Picks the program with the highest (or lowest) variant_bitrate; nullopt when none has one.
std::optional<int> ChooseProgram(const std::vector<ProgramInfo>& programs, bool highest);

/// How ffprobe is run for -variant highest|lowest.
struct ProbeCommand {
  std::string ffprobe;     ///< the binary
  std::string url;         ///< the master playlist
  std::string user_agent;  ///< ends in config::kProbeMarker so the tap counts it as the probe's
  std::string headers;     ///< `-headers` value, may be empty
  std::string http_proxy;  ///< the tap (`http://127.0.0.1:PORT`), empty to go straight
  std::string ca_file;     ///< the tap's CA for a build that verifies by default (NeedsTapCa)
};

/// The ffprobe argv: `ffprobe -v error -user_agent UA [-headers H] [-http_proxy P] [-ca_file F]
/// -show_programs -of json URL`. Pure.
std::vector<std::string> BuildProbeArgv(const ProbeCommand& cmd);

/// Runs the probe as a child on \a loop (turning it with RunOnce until the child is done or
/// \a timeout passes, then killing it), so a tap on the same loop can carry and record its
/// requests. Startup only (before Run). Fails like ProbeVariant.
Result<int> ProbeVariantOnLoop(EventLoop& loop, ChildReaper& reaper, const sigset_t* child_mask,
                               const ProbeCommand& cmd, bool highest,
                               std::chrono::milliseconds timeout);

}  // namespace hs::ffmpeg
