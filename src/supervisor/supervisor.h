// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "supervisor/child_process.h"
#include "supervisor/child_reaper.h"
#include "supervisor/schedule.h"
#include "supervisor/spawner.h"
#include "supervisor/viewer.h"

namespace hs::supervisor {

/// Why a viewer is being restarted (bounded label set).
enum class RestartCause {
  kExitClean,
  kExitError,
  kSignaled,
  kStall,
  kStartupTimeout,
  kSpawnFailed
};
const char* ToString(RestartCause c);

struct ViewerCounts {
  int target = 0;    ///< viewers wanted now
  int started = 0;   ///< viewers whose first start time has come (ramp progress numerator)
  int running = 0;   ///< processes alive
  int active = 0;    ///< running and playing: a segment seen, not stalled (subset of running)
  int starting = 0;  ///< running, no segment yet (subset of running)
  int backoff = 0;   ///< waiting to be restarted
  int stopping = 0;  ///< asked to stop, not yet reaped
  int stalled = 0;   ///< killed by the stall watchdog and not playing again yet
  std::uint64_t pipe_full = 0;  ///< reads that found a viewer's pipe full (output may be lost)
  std::uint64_t log_lines_truncated = 0;  ///< stderr lines longer than the scanner keeps
};

/// Receives what happens to viewers. All calls come from the loop thread.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void OnViewerSpawned(int id, pid_t pid, int attempt) = 0;
  virtual void OnSpawnFailed(int id, const Error& error) = 0;
  /// First segment of this process seen; \a startup = spawn → first segment.
  virtual void OnViewerPlaying(int id, Duration startup) = 0;
  virtual void OnViewerStalled(int id, RestartCause cause) = 0;
  /// The process ended and its pipes are drained. \a recent_lines: last stderr lines.
  virtual void OnViewerExit(int id, const ExitStatus& status, Duration ran_for,
                            const std::vector<std::string>& recent_lines) = 0;
  virtual void OnRestartScheduled(int id, RestartCause cause, Duration delay) = 0;
  virtual void OnLogEvent(int id, const ffmpeg::LogEvent& event) = 0;
  virtual void OnProgress(int id, const ffmpeg::ProgressBlock& block) = 0;
};

struct SupervisorOptions {
  int clients = 1;
  int first_id = 0;
  double ramp_rate = 5;
  Duration ramp_jitter{};
  Duration backoff_cap = std::chrono::seconds(5);
  Duration stall_timeout = std::chrono::seconds(12);    ///< no new segment for this long
  Duration startup_timeout = std::chrono::seconds(30);  ///< spawn → first segment at most
  Duration second_interrupt_after = std::chrono::seconds(1);
  Duration kill_after = std::chrono::seconds(7);  ///< SIGKILL what is left
  bool progress_pipe = true;
  std::uint64_t seed = 1;
  const sigset_t* child_mask = nullptr;
};

/// Builds the argv of one viewer.
using ArgvFactory = std::function<std::vector<std::string>(int viewer_id)>;

/// Owns every viewer process: ramps them up, reads their output, restarts them with backoff,
/// watches for stalls and stops them. Single-threaded (loop thread). \a loop, \a spawner,
/// \a reaper and \a listener are not owned and must outlive the Supervisor.
class Supervisor {
 public:
  Supervisor(EventLoop& loop, Spawner& spawner, ChildReaper& reaper, Listener& listener,
             SupervisorOptions opts, ArgvFactory argv_factory);
  ~Supervisor();

  /// Begins the ramp. Viewer start times are relative to now.
  void Start();
  /// Changes the number of viewers: new ones ramp at the configured rate, surplus ones stop
  /// (highest ids first).
  void SetTarget(int clients);
  /// Stops ramping; pauses or resumes pending starts.
  void PauseRamp(bool paused);
  /// Graceful stop: SIGINT, SIGINT again after second_interrupt_after, SIGKILL after
  /// kill_after. \a done runs (posted) once every process is reaped.
  void Shutdown(std::function<void()> done);

  ViewerCounts Counts() const;
  bool ShuttingDown() const { return shutting_down_; }
  bool ramp_paused() const { return ramp_paused_; }
  /// Ramp progress 0..1 over the viewers wanted so far.
  double RampProgress() const;
  /// Mean rate of first starts so far: (n - 1) / (last first start - first first start), in
  /// viewers per second; 0 until two viewers have started.
  double AchievedRampRate() const;

 private:
  void OnRampTimer();
  void ArmRampTimer();
  void StartViewer(Viewer& v);
  void OnChildExited(Viewer& v, int wait_status);
  void FinishIfDrained(Viewer& v);
  void ScheduleRestart(Viewer& v, RestartCause cause);
  void OnWatchdog();
  void StopViewer(Viewer& v, int sig);
  void MaybeFinishShutdown();
  Viewer& ViewerFor(int id);

  EventLoop& loop_;
  Spawner& spawner_;
  ChildReaper& reaper_;
  Listener& listener_;
  SupervisorOptions opts_;
  ArgvFactory argv_factory_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<Viewer>> viewers_;  ///< index = id - first_id
  std::vector<RampSlot> pending_;                 ///< not yet started, sorted by offset
  size_t next_slot_ = 0;
  SteadyTime ramp_start_{};
  int target_ = 0;
  std::uint64_t pipe_full_ = 0;
  std::uint64_t truncated_lines_done_ = 0;  ///< truncated lines of processes already gone
  int first_starts_ = 0;                    ///< viewers started for the first time
  SteadyTime first_start_at_{};             ///< earliest first start
  SteadyTime last_first_start_at_{};        ///< latest first start
  bool ramp_paused_ = false;
  bool shutting_down_ = false;
  std::function<void()> on_shutdown_;
  std::unique_ptr<Timer> ramp_timer_;
  std::unique_ptr<Timer> watchdog_timer_;
  std::unique_ptr<Timer> second_interrupt_timer_;
  std::unique_ptr<Timer> kill_timer_;
};

}  // namespace hs::supervisor
