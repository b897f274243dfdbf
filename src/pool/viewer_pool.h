// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "measure/viewer.h"
#include "pool/engine.h"
#include "pool/schedule.h"

namespace hs::pool {

struct PoolOptions {
  int clients = 1;       ///< viewers at start (ids first_id .. first_id + clients - 1)
  int first_id = 0;      ///< id of the first viewer (shards)
  double ramp_rate = 5;  ///< first starts per second
  Duration ramp_jitter{};
  Duration backoff_cap = std::chrono::seconds(5);       ///< restart backoff cap (0 = 5 s)
  Duration stall_timeout = std::chrono::seconds(12);    ///< playing, no new segment this long
  Duration startup_timeout = std::chrono::seconds(30);  ///< session start → playing at most
  /// Shutdown: sessions not ended this long after StopSession are killed (KillSession); the
  /// same deadline applies to viewers stopped because the target went down.
  Duration stop_deadline = std::chrono::seconds(7);
  /// Shutdown: sessions that still have not ended this long after the kill are given up on
  /// (counted as killed) so that the run can end.
  Duration abandon_after = std::chrono::seconds(3);
  std::uint64_t seed = 1;
  /// Runs (posted) when every wanted viewer has completed (EndReason::kCompleted) and none is
  /// left to run: e.g. each watched its VOD once with -vod-end stop.
  std::function<void()> on_all_completed;
};

/// Where one viewer is (the pool's own view, engine-independent).
enum class ViewerState {
  kPending,   ///< its ramp slot has not come yet
  kStarting,  ///< session running, not playing yet
  kPlaying,   ///< session running and playing
  kBackoff,   ///< session ended, restart timer armed
  kStopping,  ///< asked to stop, not ended yet
  kDone,      ///< ended for good (shutdown or target lowered)
};
const char* ToString(ViewerState s);

/// The engine-neutral viewer pool: ramps viewers up (i / rate + U[0, jitter)), follows target
/// changes (highest ids stop first), pauses the ramp, restarts ended sessions with backoff and
/// a labelled cause, runs the stall and startup watchdog, and shuts down with a deadline. It
/// drives any ViewerEngine and reports to a measure::ViewerListener. Loop thread only; \a
/// loop, \a engine and \a listener are not owned and must outlive the pool.
class ViewerPool final : public SessionEvents {
 public:
  ViewerPool(EventLoop& loop, ViewerEngine& engine, measure::ViewerListener& listener,
             PoolOptions opts);
  ~ViewerPool() override;
  ViewerPool(const ViewerPool&) = delete;
  ViewerPool& operator=(const ViewerPool&) = delete;

  /// Begins the ramp; start times are relative to now.
  void Start();
  /// Changes the number of viewers: new ones ramp at the configured rate after those still
  /// pending, surplus ones stop (highest ids first).
  void SetTarget(int clients);
  /// Pauses or resumes pending starts; on resume the remaining slots keep the rate.
  void PauseRamp(bool paused);
  /// Graceful stop: StopSession for every session, KillSession at stop_deadline, give up at
  /// stop_deadline + abandon_after. \a done runs (posted) once every session has ended. A
  /// second call kills what is left at once.
  void Shutdown(std::function<void()> done);

  measure::ViewerCounts Counts() const;
  int target() const { return target_; }
  bool shutting_down() const { return shutting_down_; }
  bool ramp_paused() const { return ramp_paused_; }
  /// Sessions given up on at shutdown (never reported an end).
  int abandoned() const { return abandoned_; }
  /// Viewers that completed (EndReason::kCompleted) and will not run again.
  int completed() const { return completed_; }
  /// The state of viewer \a id (kPending for ids never seen). For tests and diagnostics.
  ViewerState StateOf(int id) const;

  // SessionEvents (from the engine).
  void OnPlaying(int viewer_id, Duration startup) override;
  void OnSegment(int viewer_id, double media_s) override;
  void OnProgress(int viewer_id) override { OnSegment(viewer_id, -1); }
  void OnEnded(int viewer_id, measure::EndReason reason) override;

 private:
  struct Viewer {
    int id = 0;
    ViewerState state = ViewerState::kPending;
    int failures = 0;  ///< consecutive restarts without 30 s of healthy running
    int starts = 0;
    bool wanted = true;    ///< false once the target was lowered below this viewer
    bool stalled = false;  ///< set by the watchdog, cleared when playing again
    bool killed_by_watchdog = false;
    bool kill_sent = false;
    SteadyTime started_at{};
    SteadyTime last_segment_at{};
    SteadyTime stop_sent_at{};
    std::unique_ptr<Timer> restart_timer;
    bool Running() const {
      return state == ViewerState::kStarting || state == ViewerState::kPlaying ||
             state == ViewerState::kStopping;
    }
  };
  void OnRampTimer();
  void ArmRampTimer();
  void StartViewer(Viewer& v);
  void ScheduleRestart(Viewer& v, measure::RestartCause cause);
  void OnWatchdog();
  void StopViewer(Viewer& v);
  void KillViewer(Viewer& v);
  void Abandon();
  void MaybeFinishShutdown();
  void MaybeAllCompleted();
  Viewer& ViewerFor(int id);
  Viewer* Find(int id);

  EventLoop& loop_;
  ViewerEngine& engine_;
  measure::ViewerListener& listener_;
  PoolOptions opts_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<Viewer>> viewers_;  ///< index = id - first_id
  std::vector<RampSlot> pending_;                 ///< not yet started, sorted by offset
  size_t next_slot_ = 0;
  SteadyTime ramp_start_{};
  int target_ = 0;
  int first_starts_ = 0;
  SteadyTime first_start_at_{};
  SteadyTime last_first_start_at_{};
  int abandoned_ = 0;
  int completed_ = 0;
  bool ramp_paused_ = false;
  bool shutting_down_ = false;
  std::function<void()> on_shutdown_;
  std::unique_ptr<Timer> ramp_timer_;
  std::unique_ptr<Timer> watchdog_timer_;
  std::unique_ptr<Timer> kill_timer_;
  std::unique_ptr<Timer> abandon_timer_;
};

}  // namespace hs::pool
