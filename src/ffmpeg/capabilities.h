// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace hs::ffmpeg {

/// What the FFmpeg binary in use accepts, probed once at startup. The command builder only
/// emits options listed here as present (passing an unknown option makes every viewer exit 1).
struct Capabilities {
  std::string path;     ///< the ffmpeg binary as found
  std::string version;  ///< e.g. "5.1.9-0+deb12u1"
  int major = 0;
  int minor = 0;
  bool seg_max_retry = false;   ///< hls demuxer -seg_max_retry (FFmpeg 6.1+)
  bool loglevel_time = false;   ///< `-loglevel +time` prefix flag (6.1+)
  bool loglevel_level = false;  ///< `repeat+level` flags
  bool stats_period = false;
  bool progress = false;
  bool http_proxy = false;
  bool reconnect_on_network_error = false;
  bool tls_verify = false;
  /// The tls protocol verifies peers unless told `-tls_verify 0` ("(default 1)" in `-h full`;
  /// Debian's 5.1 says "(default 0)"). The tap then hands such a build its CA (`-ca_file`).
  bool tls_verify_by_default = false;
  bool ca_file = false;  ///< tls protocol -ca_file
  bool rw_timeout = false;
  bool re = false;                      ///< `-re` (read input at native rate)
  bool readrate = false;                ///< `-readrate speed` (FFmpeg 5.0+)
  bool readrate_initial_burst = false;  ///< `-readrate_initial_burst seconds` (FFmpeg 6.1+)
  std::string ffprobe_path;             ///< ffprobe beside ffmpeg, or in PATH; empty if none

  /// The options of SPEC §3 this build lacks, for the log and hlsswarm_build_info.
  std::vector<std::string> Missing() const;
};

/// Fills capabilities from the texts of `ffmpeg -version`, `-h demuxer=hls`, `-h protocol=http`,
/// `-h full` (option list) and whether a `-loglevel +time+info` trial succeeded. Pure.
Capabilities ParseCapabilities(const std::string& version_text, const std::string& hls_help,
                               const std::string& http_help, const std::string& full_help,
                               bool loglevel_time_ok);

/// The capabilities of Debian 12's FFmpeg 5.1 (used by tests and when printing a command
/// without a binary at hand).
Capabilities Ffmpeg51Capabilities();
/// A 6.1+ build: everything of 5.1 plus seg_max_retry, loglevel time and readrate_initial_burst.
Capabilities Ffmpeg61Capabilities();

/// Runs the probes against \a ffmpeg_path (a few short runs, ~1 s in all). Fails with a clear
/// message if the binary is missing or is not FFmpeg.
Result<Capabilities> ProbeFfmpeg(const std::string& ffmpeg_path);

}  // namespace hs::ffmpeg
