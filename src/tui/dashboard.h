// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/event_loop.h"
#include "stats/snapshot.h"
#include "tui/rate_window.h"
#include "tui/renderer.h"
#include "tui/view_model.h"

namespace hs::tui {

/// What the dashboard's keys do, implemented by the app. Called on the loop thread from the
/// dashboard's stdin callback; implementations must not destroy the Dashboard from inside
/// (post that to the loop instead).
class Controls {
 public:
  virtual ~Controls() = default;
  /// `q`: begin the graceful shutdown (a second call may stop harder, like a second Ctrl-C).
  virtual void Quit() = 0;
  /// `p`: pause the ramp if it runs, resume it if paused.
  virtual void TogglePause() = 0;
  /// `+` / `-`: change the target viewer count by \a fraction of it (+0.1 or -0.1); the app
  /// rounds, moves by at least one viewer and keeps the target at 0 or more.
  virtual void ChangeViewers(double fraction) = 0;
};

/// The run's side of the dashboard.
struct DashboardOptions {
  std::string log_path;  ///< where logs go while the dashboard runs (shown in the footer)
  std::chrono::milliseconds redraw_interval{500};
};

/// The live terminal dashboard: owns the Renderer (ncurses) and the RateWindow, watches stdin
/// for keys and redraws on a timer, all on \a loop's thread. Non-owning references: \a loop
/// and \a controls must outlive it. Destroying it restores the terminal.
class Dashboard {
 public:
  using SnapshotFn = std::function<stats::Snapshot()>;

  Dashboard(EventLoop& loop, SnapshotFn snapshot, Controls& controls, DashboardOptions options);
  ~Dashboard();
  Dashboard(const Dashboard&) = delete;
  Dashboard& operator=(const Dashboard&) = delete;

  /// Takes over the terminal, draws the first frame, watches stdin and arms the redraw timer.
  /// False when there is no usable terminal (stdin/stdout not a tty, unknown TERM): nothing
  /// changed, and the app should log status lines instead. Logs must already go to a file.
  bool Start();
  /// Stops the timer and the stdin watch and restores the terminal (endwin). Idempotent.
  /// Call it before printing anything to stdout/stderr (the exit report).
  void Stop();
  /// Takes a snapshot, feeds the RateWindow and draws a frame. The timer calls it; the app
  /// may call it too (e.g. right after a state change). No-op when not started.
  void Redraw();
  bool running() const { return renderer_.active(); }

 private:
  void Render(const stats::Snapshot& s);
  void OnInput(std::uint32_t events);
  void OnTimer();
  void DrainKeys();
  void HandleKey(Key key);
  void SetNotice(std::string text);

  EventLoop& loop_;
  SnapshotFn snapshot_;
  Controls& controls_;
  DashboardOptions options_;
  Renderer renderer_;
  RateWindow history_;
  std::unique_ptr<FileWatch> stdin_watch_;
  std::unique_ptr<Timer> timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  ///< guards posted tasks
  bool paused_ = false;  ///< toggled by `p` (the app's TogglePause has no return value)
  bool quitting_ = false;
  bool show_help_ = false;
  std::string notice_;
  SteadyTime notice_until_{};
};

}  // namespace hs::tui
