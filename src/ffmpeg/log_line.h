// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string_view>

#include "ffmpeg/log_event.h"

/// Classification of a single FFmpeg stderr record. Pure code used by `LogScanner`; exposed for
/// table-driven tests. Nothing here allocates.
namespace hs::ffmpeg {

/// The prefixes FFmpeg may put in front of a message, in the order it writes them:
/// `[YYYY-MM-DD ]HH:MM:SS.mmm ` (6.1+ `+datetime`/`+time`), up to two `[name @ 0x…] ` or
/// `[name #N] ` contexts (parent first), then `[level] ` (`+level`).
struct LogPrefixes {
  std::string_view timestamp;  ///< without the trailing space; empty when absent
  std::string_view context;    ///< innermost context class name; empty when absent
  LogLevelTag level = LogLevelTag::kUnknown;
  std::string_view message;  ///< what remains
};

/// Splits \a record (one line without its terminator) into prefixes and message.
LogPrefixes StripPrefixes(std::string_view record);

/// How the scanner should treat a record.
enum class LineClass {
  kNoise,   ///< empty or `Skip ('#EXT-X-…')`: dropped, not kept in the diagnostics ring
  kPlain,   ///< informational, no event; kept in the diagnostics ring
  kEvent,   ///< the event was filled; kept in the ring unless it is kStatus
  kRepeat,  ///< `Last message repeated N times`; N is in `event.count`
};

/// State carried across the records of one FFmpeg run.
struct LogLineState {
  /// Set by the `Input #0, …` header or the first status record: later `<url>: <error>` lines
  /// are read errors, not open failures.
  bool input_opened = false;
  /// Set by the first kInputOpenFailed, so FFmpeg's follow-up lines for the same failure
  /// (6.1+: `Error opening input file …`, `Error opening input files: …`) are not counted twice.
  bool input_failed = false;
};

/// Classifies \a record. \a ends_with_newline tells whether FFmpeg terminated it with `\n`
/// (a status record so terminated is the final report). Fills every field of \a event except
/// `arrival` and `repeated`; string_views point into \a record.
LineClass ClassifyRecord(std::string_view record, bool ends_with_newline, LogLineState& state,
                         LogEvent& event);

/// Kind of request an `Opening '<url>'` is for, judged from the URL path (query and fragment
/// ignored, case-insensitive): `.m3u8`/`.m3u` → playlist, `.key` → key, a file name containing
/// `init` and a media extension → init segment, anything else → segment (hls::GuessKindFromUrl).
LogEventKind ClassifyUrl(std::string_view url);

/// HTTP status in an FFmpeg error string such as `Server returned 404 Not Found`; 400/500 with
/// \a class_only set for the `4XX`/`5XX` forms; 0 when the text names no status.
int HttpStatusFromError(std::string_view error, bool* class_only);

}  // namespace hs::ffmpeg
