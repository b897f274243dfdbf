// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <optional>

#include "tui/view_model.h"

namespace hs::tui {

/// A key the dashboard acts on.
enum class Key {
  kQuit,    ///< q
  kPause,   ///< p: pause / resume the ramp
  kMore,    ///< +: 10 % more viewers
  kFewer,   ///< -: 10 % fewer viewers
  kHelp,    ///< ?: toggle the help overlay
  kResize,  ///< the terminal changed size: redraw now
};

/// The terminal size in cells.
struct TermSize {
  int width = 0;
  int height = 0;
};

/// The only code that calls ncurses. One per process (ncurses keeps global state); every
/// method runs on the loop thread, from the Dashboard's callbacks. RAII: the destructor calls
/// Shutdown(), so the terminal is restored whatever path leaves the dashboard.
class Renderer {
 public:
  Renderer() = default;
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  /// Takes over the terminal: cbreak, noecho, non-blocking keypad input, hidden cursor,
  /// default colours where available. False (terminal untouched) when stdin or stdout is not a
  /// terminal or the terminal type is unknown; the app then falls back to status lines.
  bool Init();
  /// Restores the terminal (endwin). Idempotent; safe before Init().
  void Shutdown();
  bool active() const { return active_; }

  /// The fd the app's event loop watches for key presses (stdin).
  int input_fd() const;
  /// The current terminal size (updated when a resize is read by PollKey()).
  TermSize size() const;
  /// Whether the locale is UTF-8, so block and box glyphs can be drawn.
  bool unicode() const { return unicode_; }

  /// Draws \a vm: erase, one mvaddnstr per row (rows never exceed the width), the overlay,
  /// refresh. Does nothing if \a vm was built for another size (a resize is pending).
  void Draw(const ViewModel& vm);
  /// One pending key, or nullopt when none is waiting (non-blocking). Keys we do not use are
  /// skipped; a terminal resize is returned as Key::kResize after ncurses has resized.
  std::optional<Key> PollKey();

 private:
  bool active_ = false;
  bool unicode_ = false;
  bool colors_ = false;
  void* screen_ = nullptr;  ///< ncurses SCREEN*, kept opaque so this header needs no curses.h
};

}  // namespace hs::tui
