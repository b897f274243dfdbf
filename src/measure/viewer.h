// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The neutral vocabulary of viewers: how a viewer session ends, why it restarts, what the pool
// counts, and the listener interfaces through which the pool and the engines report to stats.
// No behaviour here.

#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "measure/request.h"

namespace hs::measure {

/// How a viewer session ended (bounded label set, one per engine-independent cause).
enum class EndReason {
  kEndOfStream,  ///< the session finished by itself without an error (FFmpeg exit 0)
  kError,        ///< it gave up on an error (FFmpeg: a non-zero exit code)
  kSignal,       ///< killed by something other than hls-swarm (FFmpeg: a signal we did not send)
  kStopped,      ///< ended after hls-swarm asked it to stop (shutdown, target lowered)
  kKilled,       ///< ended because hls-swarm forced it (stop deadline, stall watchdog)
  kCompleted,    ///< the viewer watched what it came for (-vod-end stop): not restarted
};
/// Label: "end_of_stream", "error", "signal", "stopped", "killed", "completed".
const char* ToString(EndReason reason);

/// Why a viewer is being restarted (bounded label set).
enum class RestartCause {
  kEndOfStream,     ///< its session ended by itself
  kError,           ///< its session ended on an error
  kSignal,          ///< killed from outside
  kStall,           ///< the stall watchdog ended it (no new segment for too long)
  kStartupTimeout,  ///< never played within the startup timeout
  kStartFailed,     ///< the engine could not start a session (FFmpeg: spawn failed)
};
/// Label: "end_of_stream", "error", "signal", "stall", "startup_timeout", "start_failed".
const char* ToString(RestartCause cause);

/// The pool's viewer gauges at one moment: plain values, never a live object.
struct ViewerCounts {
  int target = 0;    ///< viewers wanted now
  int started = 0;   ///< wanted viewers whose first start has happened (ramp numerator)
  int running = 0;   ///< sessions alive
  int active = 0;    ///< running and playing: a segment seen, not stalled (subset of running)
  int starting = 0;  ///< running, not playing yet (subset of running)
  int backoff = 0;   ///< waiting to be restarted
  int stopping = 0;  ///< asked to stop, not ended yet (subset of running)
  int stalled = 0;   ///< ended by the watchdog and not playing again yet
  double ramp_progress = 0;       ///< started / target, 0..1 (1 when target is 0)
  double ramp_rate_achieved = 0;  ///< mean first starts per second; 0 before two starts
};

/// Receives what happens to viewers. Implemented by stats; called by the pool on the loop
/// thread.
class ViewerListener {
 public:
  virtual ~ViewerListener() = default;
  /// A session of viewer \a id started (its \a attempt-th, 0-based).
  virtual void OnViewerStarted(int id, int attempt) = 0;
  /// The engine could not start a session (not counted as started).
  virtual void OnViewerStartFailed(int id, const Error& error) = 0;
  /// The session is playing; \a startup = session start → playing.
  virtual void OnViewerPlaying(int id, Duration startup) = 0;
  /// The watchdog is ending the session for \a cause (kStall or kStartupTimeout).
  virtual void OnViewerStalled(int id, RestartCause cause) = 0;
  /// The session ended after \a ran_for.
  virtual void OnViewerEnded(int id, EndReason reason, Duration ran_for) = 0;
  /// The viewer starts again after \a delay.
  virtual void OnRestartScheduled(int id, RestartCause cause, Duration delay) = 0;
};

/// Counts an engine keeps beyond request records and viewer events (neutral names; an engine
/// reports those it can observe).
enum class EngineCount {
  kSegmentFailed,            ///< a segment request failed (it may be retried)
  kSegmentSkipped,           ///< a segment given up on after retries
  kSegmentsExpired,          ///< segments that left the live window before they were fetched
                             ///< (also counted as skipped)
  kPlaylistReloadFailed,     ///< a playlist reload failed
  kReconnect,                ///< the engine reconnected a request
  kKeepaliveRetry,           ///< a request resent on a new connection after a keep-alive one died
  kDiagnosticLine,           ///< diagnostic log lines parsed (FFmpeg stderr events)
  kDiagnosticPipeFull,       ///< a viewer's diagnostic pipe found full (lines may be lost)
  kDiagnosticLineTruncated,  ///< over-long diagnostic lines cut
  kMediaMicrosPlayed,        ///< media time the viewers played (FFmpeg: processed), µs
  kRebufferEvent,            ///< a native viewer's playout buffer ran empty while playing
  kRebufferMicros,           ///< time spent rebuffering, µs
  kPlayCompleted,            ///< a VOD played to its end
  kWatchMicros,              ///< time native viewers spent in a play since it started playing
                             ///< (playing or rebuffering), µs: the rebuffer ratio's denominator
  kRenditionSwitch,          ///< a native ABR viewer changed rendition
};

/// Receives engine counts. Implemented by stats; called by engines on the loop thread.
class EngineListener {
 public:
  virtual ~EngineListener() = default;
  virtual void OnEngineCount(EngineCount what, std::uint64_t n) = 0;
  /// A request the engine only saw in its log (no request record): \a kind and whether it
  /// opened a new connection.
  virtual void OnLoggedRequest(RequestKind kind, bool new_connection) = 0;
  /// An error of bounded \a type ("http_4xx", "segment_failed", ...); \a http_status > 0 also
  /// counts that code.
  virtual void OnEngineError(std::string_view type, int http_status) = 0;
  /// Playback speed (1 = real time), one sample per report.
  virtual void OnSpeedSample(double speed) = 0;
  /// A live viewer's latency behind the live edge, one sample per viewer per second
  /// (SPEC §12 "Live latency"). Engines that cannot measure it never call this.
  virtual void OnLiveLatencySample(double /*seconds*/) {}
  /// A viewer left the rendition of BANDWIDTH \a from_bandwidth and now plays \a to_bandwidth
  /// (kNoRendition: none, e.g. at the start and the end of a session). Keeps the
  /// viewers-by-rendition gauge.
  virtual void OnViewerRendition(std::int64_t /*from_bandwidth*/, std::int64_t /*to_bandwidth*/) {}
  static constexpr std::int64_t kNoRendition = -1;
  /// A viewer received a segment of \a media_s seconds of the rendition of BANDWIDTH
  /// \a bandwidth (from the master): media time by rendition and the played bitrate.
  virtual void OnRenditionMedia(std::uint64_t /*bandwidth*/, double /*media_s*/) {}
};

}  // namespace hs::measure
