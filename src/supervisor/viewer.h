// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <functional>
#include <memory>

#include "core/clock.h"
#include "core/event_loop.h"
#include "ffmpeg/log_scanner.h"
#include "ffmpeg/progress_scanner.h"
#include "supervisor/child_process.h"

namespace hs::supervisor {

enum class ViewerState {
  kPending,   ///< its ramp slot has not come yet
  kStarting,  ///< process running, no segment yet
  kPlaying,   ///< process running, segments arriving
  kBackoff,   ///< process ended, restart timer armed
  kStopping,  ///< asked to stop, not yet reaped and drained
  kDone,      ///< ended for good (shutdown or target lowered)
};
const char* ToString(ViewerState s);

/// One viewer slot: its current process (if any), the pipes we read and the parsers fed from
/// them. Owned by the Supervisor; plain data plus pipe draining.
struct Viewer {
  int id = 0;
  ViewerState state = ViewerState::kPending;
  int failures = 0;  ///< consecutive restarts without 30 s of healthy running
  int starts = 0;
  bool wanted = true;  ///< false once the target was lowered below this viewer
  std::unique_ptr<ChildProcess> child;
  std::unique_ptr<FileWatch> stderr_watch;
  std::unique_ptr<FileWatch> progress_watch;
  std::unique_ptr<Timer> restart_timer;
  SteadyTime spawned_at{};
  SteadyTime last_segment_at{};
  bool exited = false;  ///< reaped, pipes may still hold data
  int wait_status = 0;
  bool killed_for_stall = false;
  bool stalled = false;  ///< set by the watchdog, cleared when playing again
  ffmpeg::LogScanner log;
  ffmpeg::ProgressScanner progress;

  bool Running() const { return child != nullptr && !exited; }
  /// Reads what is available on a pipe, at most \a budget bytes, into \a sink. Returns false on
  /// EOF or error (the caller then drops the watch and the fd).
  static bool Drain(UniqueFd& fd, size_t budget, const std::function<void(std::string_view)>& sink);
  /// True when the pipe holds a full pipe buffer (64 KiB): the child may have had to drop
  /// output, since its end is non-blocking.
  static bool PipeFull(const UniqueFd& fd);
};

}  // namespace hs::supervisor
