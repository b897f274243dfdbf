// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "stats/snapshot.h"
#include "tui/rate_window.h"

namespace hs::tui {

/// The smallest terminal the dashboard draws in; below it shows one "too small" line.
inline constexpr int kMinWidth = 80;
inline constexpr int kMinHeight = 24;

/// What the view needs besides the snapshot: the run's description, the dashboard's own
/// state and the terminal. Built by the Dashboard on every redraw.
struct ViewContext {
  std::string stream_url;  ///< as shown (already redacted by the app)
  std::string profile;
  double elapsed_s = 0;           ///< since the ramp started
  double planned_duration_s = 0;  ///< 0 = until stopped
  bool ramp_paused = false;       ///< `p` was pressed (shown in the header and ramp bar)
  std::string log_path;           ///< where the log goes while the dashboard runs (footer)
  int width = kMinWidth;          ///< terminal columns
  int height = kMinHeight;        ///< terminal rows
  bool unicode = true;            ///< block and box glyphs; false = ASCII only
  bool show_help = false;         ///< draw the help overlay
  std::string notice;             ///< short feedback for the last key ("ramp paused"), or empty
};

/// How a row is drawn (the renderer maps it to an attribute).
enum class Style { kNormal, kTitle, kAlert };

/// One screen row: text already fitted to the terminal width (in columns).
struct Row {
  std::string text;
  Style style = Style::kNormal;
};

/// One panel's rows that survived the layout, top to bottom (for tests and the renderer).
struct Panel {
  std::string name;  ///< header, viewers, requests, latency, errors, throughput, origin, footer
  std::vector<Row> rows;
};

/// A box drawn over the screen (the help), rows already framed and fitted.
struct Overlay {
  int top = 0;
  int left = 0;
  std::vector<std::string> rows;
};

/// Everything the renderer draws, already laid out: row i of `rows` goes to screen row i,
/// column 0. Every row is at most `width` columns, there are at most `height` rows, and the
/// last screen row stops one column short of the edge (no bottom-right cell, no scrolling).
struct ViewModel {
  int width = 0;
  int height = 0;
  bool too_small = false;     ///< rows = one "terminal too small" line
  std::vector<Panel> panels;  ///< panels in screen order (empty when too small)
  std::vector<Row> rows;      ///< the screen, top to bottom (blank rows as empty text)
  Overlay help;               ///< empty rows = no overlay

  /// The panel named \a name, or nullptr (layout may drop a whole panel on small screens).
  const Panel* Find(const std::string& name) const;
  /// All rows joined with '\n' (tests and debugging).
  std::string Text() const;
};

/// Builds the dashboard from \a s, the rates in \a history (already fed with \a s) and \a ctx.
/// Pure: same inputs, same output; no clock, no terminal. Lines that do not fit the height
/// are dropped by priority (detail lines and rules first, then tables' lesser rows).
ViewModel BuildViewModel(const stats::Snapshot& s, const RateWindow& history,
                         const ViewContext& ctx);

/// The help overlay's text lines (unframed), shared by the overlay and the tests.
std::vector<std::string> HelpLines(const ViewContext& ctx);

}  // namespace hs::tui
