// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace hs::ffmpeg {

/// One `-progress` report: the key=value lines up to and including `progress=continue|end`.
/// FFmpeg 5.1 writes one per segment rather than every `-stats_period`.
struct ProgressBlock {
  /// Arrival time of the chunk that held the `progress=` line.
  SteadyTime arrival{};
  /// `frame=`; -1 when absent (no video stream) or `N/A`.
  int64_t frame = -1;
  /// `fps=`; -1 when absent.
  double fps = -1;
  /// `bitrate=…kbits/s` in kbit/s; -1 for `N/A` (always so with `-f null`).
  double bitrate_kbps = -1;
  /// `total_size=` in bytes; -1 for `N/A` (always so with `-f null`).
  int64_t total_size_bytes = -1;
  /// Output position in microseconds, from `out_time_us`, else `out_time_ms` (which is also in
  /// microseconds, an FFmpeg quirk), else `out_time`. May be negative at the start. Valid when
  /// has_out_time.
  int64_t out_time_us = 0;
  bool has_out_time = false;
  /// `dup_frames=` / `drop_frames=`; 0 when absent.
  int64_t dup_frames = 0;
  int64_t drop_frames = 0;
  /// `speed=` (padded: `speed=   1x`); -1 for `N/A`.
  double speed = -1;
  /// True for `progress=end` (FFmpeg is finishing), false for `progress=continue`.
  bool end = false;
};

/// Receives progress blocks, synchronously from `ProgressScanner::Feed`/`Finish`.
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void OnProgress(const ProgressBlock& block) = 0;
};

/// Counters of what a ProgressScanner has seen.
struct ProgressScannerCounters {
  uint64_t bytes = 0;            ///< bytes passed to Feed()
  uint64_t lines = 0;            ///< non-empty lines
  uint64_t blocks = 0;           ///< blocks delivered (= `progress=` lines)
  uint64_t malformed_lines = 0;  ///< subset of lines: no `=`, or a known key with a bad value
  uint64_t truncated_lines = 0;  ///< subset of lines: longer than the limit, tail dropped
};

/// Incremental parser of FFmpeg's `-progress` output (fed in arbitrary chunks). Pure code: no
/// I/O, no clock. Not thread-safe; one scanner per child process. Unknown keys
/// (`stream_0_0_q`, `out_time`…) are ignored; memory is bounded by \a max_line_bytes.
class ProgressScanner {
 public:
  explicit ProgressScanner(size_t max_line_bytes = 4096);

  /// Consumes \a bytes, calling \a listener at each `progress=` line completed by them.
  void Feed(std::string_view bytes, ProgressListener& listener, SteadyTime arrival = {});

  /// Processes a last line that had no terminator (EOF mid-line).
  void Finish(ProgressListener& listener, SteadyTime arrival = {});

  const ProgressScannerCounters& Counters() const { return counters_; }

 private:
  void Line(std::string_view line, bool overflowed, ProgressListener& listener, SteadyTime arrival);
  bool Apply(std::string_view key, std::string_view value);
  void SetOutTime(int rank, int64_t us);

  size_t max_line_bytes_;
  ProgressScannerCounters counters_;
  std::string partial_;
  bool overflowed_ = false;
  ProgressBlock block_;
  int out_time_rank_ = 0;  ///< which out_time key set block_.out_time_us (higher wins)
};

}  // namespace hs::ffmpeg
