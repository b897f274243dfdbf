// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/streams.h"
#include "core/child_reaper.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "ffmpeg/capabilities.h"
#include "ffmpeg/command_builder.h"
#include "ffmpeg/engine.h"
#include "ffmpeg/spawner.h"
#include "measure/request.h"
#include "measure/viewer.h"
#include "tap/proxy_server.h"

namespace hs::ffmpeg {

/// The per-run parts of the FFmpeg command known before the tap starts: the `-resolve`
/// rewrite (when the tap does not connect to the address itself) and -check's verbosity.
CommandContext BuildCommandContext(const config::Config& cfg, const std::string& url,
                                   config::TapMode tap_mode);

/// The User-Agent of the ffprobe run for -variant highest|lowest: the first viewer's followed
/// by config::kProbeMarker ("<ua>/client-<id>/probe").
std::string ProbeUserAgent(const config::Config& cfg);

/// The FFmpeg engine of one run with everything it needs: capabilities, the command context,
/// the measurement tap (per the run's tap mode) and the real spawner. Loop thread only; \a
/// loop, \a reaper and \a cfg must outlive it.
class FfmpegViewers {
 public:
  FfmpegViewers(EventLoop& loop, ChildReaper& reaper, const config::Config& cfg, Capabilities caps,
                std::string stream_url, const sigset_t* child_mask);
  ~FfmpegViewers();
  FfmpegViewers(const FfmpegViewers&) = delete;
  FfmpegViewers& operator=(const FfmpegViewers&) = delete;

  /// What the preflight learnt: a VOD (#EXT-X-ENDLIST) is read in real time and its end is a
  /// completed play (-vod-end). Call before Prepare.
  void SetStream(bool vod, int target_duration_s) {
    vod_ = vod;
    target_duration_s_ = target_duration_s;
  }
  /// Starts the tap when the mode asks for it (its records go to \a records) and builds the
  /// engine (its counts go to \a counts). Fails with a one-line reason.
  Result<void> Prepare(measure::RequestListener& records, measure::EngineListener& counts);
  pool::ViewerEngine& engine() { return *engine_; }
  config::TapMode tap_mode() const { return tap_mode_; }
  const Capabilities& capabilities() const { return caps_; }
  /// Stops the tap (after the viewers are gone).
  void CloseTap();
  /// After Prepare: ffprobe ran for -variant highest|lowest, and whether its requests went
  /// through the tap (recorded as the probe's) or were not measured (tap off, https).
  bool probe_ran() const { return probe_ran_; }
  bool probe_measured() const { return probe_measured_; }
  /// Several streams: viewer i opens urls[assign.StreamOf(i)] (the constructor's URL is the
  /// first). Call before Prepare.
  void SetStreams(std::vector<std::string> urls, config::StreamAssigner assign) {
    stream_urls_ = std::move(urls);
    assign_ = std::move(assign);
  }

 private:
  /// Chooses the program of -variant highest|lowest by an ffprobe of the master playlist,
  /// through the tap when it records requests; `first` (logged) when the probe fails.
  void ProbeVariantProgram();

  EventLoop& loop_;
  ChildReaper& reaper_;
  const config::Config& cfg_;
  Capabilities caps_;
  std::string stream_url_;
  const sigset_t* child_mask_;
  config::TapMode tap_mode_;
  bool vod_ = false;
  int target_duration_s_ = 0;
  bool probe_ran_ = false;
  bool probe_measured_ = false;
  CommandContext ctx_;
  std::vector<std::string> stream_urls_;    ///< several streams (empty: stream_url_ only)
  std::vector<CommandContext> stream_ctx_;  ///< ctx_ with each stream's URL
  config::StreamAssigner assign_;
  RealSpawner spawner_;
  std::unique_ptr<tap::TlsInterceptor> tls_;  // made with the run, handed to the tap
  std::string ca_dir_;                        // temp dir holding the tap's CA for FFmpeg
  std::unique_ptr<tap::TapServer> tap_;
  std::unique_ptr<FfmpegEngine> engine_;
};

}  // namespace hs::ffmpeg
