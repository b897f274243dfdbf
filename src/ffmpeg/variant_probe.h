// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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

/// Runs ffprobe on \a url (user agent, headers and timeout applied) and chooses a program.
/// Fails with the reason (timeout, no programs, ffprobe missing); the caller falls back to
/// `first` and says so.
Result<int> ProbeVariant(const std::string& ffprobe, const std::string& url,
                         const std::string& user_agent, const std::string& headers, bool highest,
                         std::chrono::milliseconds timeout);

}  // namespace hs::ffmpeg
