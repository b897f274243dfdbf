// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "ffmpeg/capabilities.h"

namespace hs::ffmpeg {

/// Per-run inputs of the command that are not in Config.
struct CommandContext {
  std::string stream_url;      ///< the URL viewers open (already rewritten for -resolve)
  std::string host_header;     ///< original host[:port] when -resolve rewrote the URL
  std::optional<int> program;  ///< `-map 0:p:N` when variant highest/lowest was resolved
  std::string tap_proxy;       ///< `http://127.0.0.1:PORT` when the tap is in use
  /// The tap's CA (PEM file) when it intercepts https; given as -ca_file to an FFmpeg that
  /// verifies certificates by default (NeedsTapCa).
  std::string tap_ca_file;
  bool verbose = false;  ///< -check: FFmpeg at `verbose` instead of `info`
  /// The stream is a VOD (the preflight saw #EXT-X-ENDLIST): with -pace (the default) the
  /// input is read in real time (`-readrate 1`, or `-re`), so a viewer watches rather than
  /// downloads the whole VOD as fast as it can. Live streams are paced by their playlist.
  bool vod = false;
  /// The stream's target duration, seconds: the initial burst a VOD viewer reads ahead of
  /// real time (`-readrate_initial_burst`, FFmpeg 6.1+).
  int target_duration_s = 0;
};

/// The argv of one viewer plus what was left out because this FFmpeg lacks it.
struct ViewerCommand {
  std::vector<std::string> argv;
  std::vector<std::string> omitted;  ///< e.g. "-seg_max_retry (FFmpeg 5.1 lacks it)"
};

/// Builds the FFmpeg argv for viewer \a client_id in the order of SPEC §3. Pure.
ViewerCommand BuildViewerCommand(const config::Config& cfg, const Capabilities& caps,
                                 const CommandContext& ctx, int client_id);

/// True when viewers must be given the tap's CA to accept its certificates: this FFmpeg
/// verifies by default (5.1 does not), can take -ca_file, and -dangerous does not turn
/// verification off.
bool NeedsTapCa(const config::Config& cfg, const Capabilities& caps);

/// The `-headers` value: Host (with -resolve), the no-cache pair, then each -header, each
/// ending in CRLF. Empty when there are none.
std::string BuildHeaderBlock(const config::Config& cfg, const std::string& host_header);

/// The user agent viewer \a client_id sends: "<ua>/client-<id>".
std::string ViewerUserAgent(const config::Config& cfg, int client_id);

/// Quotes argv for a POSIX shell so a printed command can be pasted.
std::string ShellQuoteArgv(const std::vector<std::string>& argv);

}  // namespace hs::ffmpeg
