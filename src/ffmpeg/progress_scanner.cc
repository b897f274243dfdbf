// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/progress_scanner.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ffmpeg/log_parse_util.h"

namespace hs::ffmpeg {
namespace {

// out_time_us is exact; out_time_ms carries the same microseconds (FFmpeg names it wrongly);
// out_time is the same value rounded through a clock string.
constexpr int kRankClock = 1;
constexpr int kRankMs = 2;
constexpr int kRankUs = 3;

}  // namespace

ProgressScanner::ProgressScanner(size_t max_line_bytes)
    : max_line_bytes_(std::max<size_t>(max_line_bytes, 1)) {}

void ProgressScanner::Feed(std::string_view bytes, ProgressListener& listener, SteadyTime arrival) {
  counters_.bytes += bytes.size();
  while (!bytes.empty()) {
    const size_t end = bytes.find_first_of("\r\n");
    const std::string_view piece = bytes.substr(0, end);
    if (partial_.empty() && !overflowed_ && end != std::string_view::npos) {
      Line(piece.substr(0, max_line_bytes_), piece.size() > max_line_bytes_, listener, arrival);
    } else {
      const size_t room = max_line_bytes_ - partial_.size();
      partial_.append(piece.substr(0, room));
      if (piece.size() > room) overflowed_ = true;
      if (end == std::string_view::npos) return;
      Line(partial_, overflowed_, listener, arrival);
      partial_.clear();
      overflowed_ = false;
    }
    bytes.remove_prefix(end + 1);
  }
}

void ProgressScanner::Finish(ProgressListener& listener, SteadyTime arrival) {
  if (partial_.empty() && !overflowed_) return;
  const std::string line = std::move(partial_);
  const bool overflowed = overflowed_;
  partial_.clear();
  overflowed_ = false;
  Line(line, overflowed, listener, arrival);
}

void ProgressScanner::Line(std::string_view line, bool overflowed, ProgressListener& listener,
                           SteadyTime arrival) {
  if (line.empty() && !overflowed) return;
  ++counters_.lines;
  if (overflowed) ++counters_.truncated_lines;
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    ++counters_.malformed_lines;
    return;
  }
  const std::string_view key = parse::Trim(line.substr(0, eq));
  const std::string_view value = parse::Trim(line.substr(eq + 1));
  if (key != "progress") {
    if (!Apply(key, value)) ++counters_.malformed_lines;
    return;
  }
  if (value != "continue" && value != "end") ++counters_.malformed_lines;
  block_.end = value == "end";
  block_.arrival = arrival;
  ++counters_.blocks;
  // Move the block out before calling the listener, so the next block starts clean.
  const ProgressBlock block = std::exchange(block_, ProgressBlock{});
  out_time_rank_ = 0;
  listener.OnProgress(block);
}

bool ProgressScanner::Apply(std::string_view key, std::string_view value) {
  const bool na = value == "N/A";
  if (key == "frame") {
    block_.frame = parse::ParseInt(value).value_or(-1);
    return na || block_.frame >= 0;
  }
  if (key == "fps") {
    block_.fps = parse::ParseDouble(value).value_or(-1);
    return na || block_.fps >= 0;
  }
  if (key == "bitrate") {
    block_.bitrate_kbps = parse::ParseBitrateKbps(value);
    return na || block_.bitrate_kbps >= 0;
  }
  if (key == "total_size") {
    block_.total_size_bytes = parse::ParseInt(value).value_or(-1);
    return na || block_.total_size_bytes >= 0;
  }
  if (key == "speed") {
    block_.speed = parse::ParseSpeed(value);
    return na || block_.speed >= 0;
  }
  if (key == "dup_frames" || key == "drop_frames") {
    const auto n = parse::ParseInt(value);
    (key == "dup_frames" ? block_.dup_frames : block_.drop_frames) = n.value_or(0);
    return n.has_value();
  }
  std::optional<int64_t> us;
  int rank = 0;
  if (key == "out_time_us" || key == "out_time_ms") {
    us = parse::ParseInt(value);
    rank = key == "out_time_us" ? kRankUs : kRankMs;
  } else if (key == "out_time") {
    us = parse::ParseClockUs(value);
    rank = kRankClock;
  } else {
    return true;  // stream_N_M_q and keys of newer FFmpeg versions
  }
  if (us) SetOutTime(rank, *us);
  return na || us.has_value();
}

void ProgressScanner::SetOutTime(int rank, int64_t us) {
  if (rank < out_time_rank_) return;
  out_time_rank_ = rank;
  block_.out_time_us = us;
  block_.has_out_time = true;
}

}  // namespace hs::ffmpeg
