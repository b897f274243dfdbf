// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "measure/viewer.h"

namespace hs::pool {

/// What a running session tells the pool. Implemented by the ViewerPool; every call on the
/// loop thread.
class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  /// The viewer is playing (FFmpeg: its first segment opened; a player: playback started).
  /// \a startup = session start → playing, as the engine measured it. Once per session.
  virtual void OnPlaying(int viewer_id, Duration startup) = 0;
  /// A media segment was received (\a media_s its duration, -1 unknown). Feeds the watchdog.
  virtual void OnSegment(int viewer_id, double media_s) = 0;
  /// The viewer is playing normally without fetching (a player playing from its buffer, e.g.
  /// the last 30 s of a VOD). Feeds the stall watchdog like a segment; engines that only know
  /// segments never call it.
  virtual void OnProgress(int viewer_id) = 0;
  /// The session ended, for \a reason. Exactly once per session that StartSession started,
  /// and never from inside StartSession, StopSession or KillSession (post it instead).
  /// kCompleted means the viewer is done (not restarted); every other reason restarts it
  /// unless the pool stopped it.
  virtual void OnEnded(int viewer_id, measure::EndReason reason) = 0;
};

/// A kind of viewer: FFmpeg processes, native players. The pool drives it; the engine owns
/// whatever a session needs (process, sockets, timers). At most one session per viewer id at a
/// time. Every call on the loop thread.
class ViewerEngine {
 public:
  virtual ~ViewerEngine() = default;
  /// Tells the engine where its sessions report. Called once, before the first StartSession;
  /// \a events outlives the engine's sessions.
  virtual void Attach(SessionEvents& events) = 0;
  /// Starts viewer \a viewer_id's \a attempt-th session (0-based). An error means nothing was
  /// started and OnEnded will not come.
  virtual Result<void> StartSession(int viewer_id, int attempt) = 0;
  /// Asks the session to end gracefully (the engine may escalate by itself, e.g. a second
  /// SIGINT). No-op when it has none.
  virtual void StopSession(int viewer_id) = 0;
  /// Ends the session now (SIGKILL, sockets closed). OnEnded still follows, posted. No-op when
  /// it has none.
  virtual void KillSession(int viewer_id) = 0;
};

}  // namespace hs::pool
