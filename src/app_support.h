// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

#include "config/config.h"
#include "core/result.h"
#include "ffmpeg/capabilities.h"
#include "origin/origin_plan.h"
#include "pool/viewer_pool.h"
#include "preflight/stream_check.h"
#include "stats/snapshot.h"

namespace hs::app {

/// What the preflight learned about the stream.
struct StreamFacts {
  int target_duration_s = 2;
  bool vod = false;  ///< #EXT-X-ENDLIST: the stream ends (plays complete)
  std::vector<preflight::PreflightRequest> requests;  ///< the preflight's own requests
};

void InitLogging(const config::Config& cfg);
/// Removes userinfo, query values and fragment (tokens) from a URL for logs and reports
/// (config::RedactQuery: "?token=REDACTED").
std::string RedactUrl(const std::string& url);
/// Pool settings from the configuration and the stream's target duration.
pool::PoolOptions MakePoolOptions(const config::Config& cfg, int target_duration_s);
/// -check: one viewer, 10 s, FFmpeg at verbose.
void ApplyCheckMode(config::Config& cfg);
/// Prints the -check verdict; true when the stream is healthy.
bool ReportCheck(const stats::Snapshot& s);
/// -print-cmd: prints viewer 0's FFmpeg command (with 5.1 capabilities if FFmpeg is missing).
int PrintViewerCommand(const config::Config& cfg, const Result<ffmpeg::Capabilities>& caps);
/// Plans the bundled origin for -test-origin in a fresh temporary directory on a free port.
Result<origin::OriginPlan> PrepareTestOrigin(const config::Config& cfg, const std::string& ffmpeg);
/// Fetches and checks the playlist (preflight); a clear one-line error when it is unusable.
Result<StreamFacts> CheckStreamForRun(const config::Config& cfg, const std::string& url);
/// Limits, ports and kernel settings; logs warnings; false when the run cannot work.
bool RunSystemChecks(const config::Config& cfg);
}  // namespace hs::app
