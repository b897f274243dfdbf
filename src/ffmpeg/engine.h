// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/child_process.h"
#include "core/child_reaper.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "ffmpeg/log_scanner.h"
#include "ffmpeg/progress_scanner.h"
#include "ffmpeg/spawner.h"
#include "measure/viewer.h"
#include "pool/engine.h"

namespace hs::ffmpeg {

/// Builds the argv of one viewer.
using ArgvFactory = std::function<std::vector<std::string>(int viewer_id)>;

struct FfmpegEngineOptions {
  ArgvFactory argv;                      ///< the command of each viewer
  bool progress_pipe = true;             ///< fd 3 as a pipe to us (`-progress pipe:3`)
  const sigset_t* child_mask = nullptr;  ///< signal mask for the children (pre-block mask)
  /// FFmpeg ignores the first SIGINT while no data flows: send another this long after the
  /// first (SPEC §3).
  Duration second_interrupt_after = std::chrono::seconds(1);
  /// At most one "viewer N failed" warning with its last log lines per this interval.
  Duration failure_log_interval = std::chrono::seconds(10);
  /// The stream is a VOD (its playlist has #EXT-X-ENDLIST, from the preflight): FFmpeg's clean
  /// exit after playing is the end of a play (kPlayCompleted), not an end of stream.
  bool vod = false;
  /// -vod-end restart: a completed play starts the next one in the same session (a new
  /// process the pool does not see as a restart); false (-vod-end stop): the viewer is done
  /// (EndReason::kCompleted).
  bool restart_vod = true;
};

/// What one FFmpeg process's end means. Pure.
struct ProcessEnd {
  measure::EndReason reason = measure::EndReason::kEndOfStream;
  bool play_completed = false;  ///< a VOD played to its end
};
/// Classifies the end of one process: \a played = it opened a segment; \a reload_failed = it
/// logged "Failed to reload playlist" (an origin that went away also exits 0). A clean exit of
/// a VOD viewer that played and had no reload failure is a completed play: kCompleted with
/// play_completed (the engine restarts the play itself under -vod-end restart).
ProcessEnd ClassifyProcessEnd(const ExitStatus& status, bool stop_requested, bool kill_requested,
                              bool vod, bool played, bool reload_failed);

/// The FFmpeg engine: one FFmpeg process per viewer session. It spawns the process in its
/// own group, reads its stderr and progress pipes on the loop with the scanners, reports
/// playing/segment/ended to the pool, turns FFmpeg's log into neutral engine counts, stops
/// with SIGINT (again after second_interrupt_after) and kills with SIGKILL. Loop thread only;
/// \a loop, \a spawner, \a reaper and \a counts are not owned and must outlive the engine.
/// Destroying it SIGKILLs and reaps every process still running.
class FfmpegEngine final : public pool::ViewerEngine {
 public:
  FfmpegEngine(EventLoop& loop, Spawner& spawner, ChildReaper& reaper,
               measure::EngineListener& counts, FfmpegEngineOptions opts);
  ~FfmpegEngine() override;
  FfmpegEngine(const FfmpegEngine&) = delete;
  FfmpegEngine& operator=(const FfmpegEngine&) = delete;

  void Attach(pool::SessionEvents& events) override { events_ = &events; }
  Result<void> StartSession(int viewer_id, int attempt) override;
  void StopSession(int viewer_id) override;
  void KillSession(int viewer_id) override;

  /// Processes alive or not yet drained.
  size_t session_count() const { return sessions_.size(); }
  /// VOD plays completed so far (all viewers).
  std::uint64_t plays_completed() const { return plays_completed_; }

 private:
  struct Session;
  class Events;
  void OnChildExited(Session& s, int wait_status);
  void FinishIfDrained(Session& s);
  void WatchPipes(Session& s);
  void ReportTruncated(Session& s);
  void LogFailure(const Session& s, measure::EndReason reason, const ExitStatus& status);
  /// Starts a process of a session: \a play > 0 is a later play of a VOD in the same session.
  Result<void> Spawn(int viewer_id, int attempt, int play);

  EventLoop& loop_;
  Spawner& spawner_;
  ChildReaper& reaper_;
  measure::EngineListener& counts_;
  FfmpegEngineOptions opts_;
  pool::SessionEvents* events_ = nullptr;
  std::unordered_map<int, std::unique_ptr<Session>> sessions_;
  SteadyTime last_failure_log_{};
  int failure_logs_suppressed_ = 0;
  std::uint64_t plays_completed_ = 0;
};

}  // namespace hs::ffmpeg
