// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "ffmpeg/log_event.h"
#include "ffmpeg/log_line.h"

namespace hs::ffmpeg {

/// Limits of one LogScanner. Memory per scanner is bounded by about
/// `max_line_bytes * 2 + recent_lines * max_recent_line_bytes`.
struct LogScannerOptions {
  /// A record longer than this keeps its first max_line_bytes bytes; the rest is dropped and the
  /// record is counted in `LogScannerCounters::truncated_lines`.
  size_t max_line_bytes = 8192;
  /// Size of the diagnostics ring returned by RecentLines().
  size_t recent_lines = 20;
  /// Each ring entry keeps at most this many bytes of its record.
  size_t max_recent_line_bytes = 512;
};

/// Counters of what a scanner has seen since construction.
struct LogScannerCounters {
  uint64_t bytes = 0;            ///< bytes passed to Feed()
  uint64_t records = 0;          ///< non-empty records (split on `\r` and `\n`), noise included
  uint64_t status_records = 0;   ///< subset of records: `frame=… speed=…` status records
  uint64_t noise_records = 0;    ///< subset of records: `Skip ('#EXT-X-…')` lines
  uint64_t truncated_lines = 0;  ///< subset of records: longer than max_line_bytes
  uint64_t events = 0;           ///< events delivered, re-emitted repeats included
};

/// Incremental parser of one FFmpeg process's stderr. Pure code: no I/O and no clock; the caller
/// passes the arrival time of each chunk. Not thread-safe; use one scanner per child process,
/// from the thread that reads its pipe.
///
/// Records are split on both `\r` and `\n`, because FFmpeg ends the status record with `\r` and
/// glues the next log line to it. A record split across chunks is reassembled. Prefixes
/// (6.1+ `+time`/`+datetime`, `[ctx @ 0x…]`, `[level]`) are stripped, `Skip ('#EXT-X-…')` noise
/// is dropped, and `Last message repeated N times` re-emits the previous event N times (with
/// `LogEvent::repeated` set) so counts stay exact without `-loglevel repeat`.
class LogScanner {
 public:
  LogScanner() : LogScanner(LogScannerOptions{}) {}
  explicit LogScanner(const LogScannerOptions& options);

  /// Consumes \a bytes, calling \a listener once per classified record completed by them.
  /// \a arrival is stamped on those events. The listener must not call back into this scanner.
  void Feed(std::string_view bytes, LogListener& listener, SteadyTime arrival = {});

  /// Processes a last record that had no terminator (the pipe reached EOF mid-line).
  void Finish(LogListener& listener, SteadyTime arrival = {});

  /// The last `recent_lines` non-status, non-noise records, oldest first, each cut to
  /// `max_recent_line_bytes`, prefixes kept. For diagnostics of a failed viewer.
  std::vector<std::string> RecentLines() const;

  const LogScannerCounters& Counters() const { return counters_; }

  /// True once FFmpeg printed the `Input #0` header or a status record.
  bool InputOpened() const { return state_.input_opened; }

 private:
  void Complete(std::string_view record, bool overflowed, bool ends_with_newline,
                LogListener& listener, SteadyTime arrival);
  void Process(std::string_view record, bool ends_with_newline, LogListener& listener,
               SteadyTime arrival);
  void Replay(int64_t times, LogListener& listener, SteadyTime arrival);
  void Remember(std::string_view record);

  LogScannerOptions options_;
  LogScannerCounters counters_;
  LogLineState state_;
  std::string partial_;      ///< the incomplete record at the end of the last chunk
  bool overflowed_ = false;  ///< partial_ hit max_line_bytes; bytes are dropped until the end
  std::string last_event_;   ///< record of the last non-status event, for repeats
  bool last_event_newline_ = false;
  bool has_last_event_ = false;
  std::vector<std::string> ring_;
  size_t ring_next_ = 0;  ///< slot the next RecentLines entry goes into
  size_t ring_size_ = 0;
};

}  // namespace hs::ffmpeg
