// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/log_scanner.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hs::ffmpeg {
namespace {

// FFmpeg's own counter is an int and a real run never reaches this; the cap only keeps a
// corrupted count from spinning the event loop.
constexpr int64_t kMaxReplay = 100000;

}  // namespace

LogScanner::LogScanner(const LogScannerOptions& options) : options_(options) {
  options_.max_line_bytes = std::max<size_t>(options_.max_line_bytes, 1);
  ring_.resize(options_.recent_lines);
}

void LogScanner::Feed(std::string_view bytes, LogListener& listener, SteadyTime arrival) {
  counters_.bytes += bytes.size();
  while (!bytes.empty()) {
    const size_t end = bytes.find_first_of("\r\n");
    const std::string_view piece = bytes.substr(0, end);
    if (partial_.empty() && !overflowed_ && end != std::string_view::npos) {
      // Fast path: the whole record is in this chunk, no copy.
      const bool overflow = piece.size() > options_.max_line_bytes;
      Complete(piece.substr(0, options_.max_line_bytes), overflow, bytes[end] == '\n', listener,
               arrival);
    } else {
      const size_t room = options_.max_line_bytes - partial_.size();
      partial_.append(piece.substr(0, room));
      if (piece.size() > room) overflowed_ = true;
      if (end == std::string_view::npos) return;
      Complete(partial_, overflowed_, bytes[end] == '\n', listener, arrival);
      partial_.clear();
      overflowed_ = false;
    }
    bytes.remove_prefix(end + 1);
  }
}

void LogScanner::Finish(LogListener& listener, SteadyTime arrival) {
  if (partial_.empty() && !overflowed_) return;
  // Process from a local so a (misbehaving) listener cannot observe partial_ mid-update.
  const std::string record = std::move(partial_);
  const bool overflowed = overflowed_;
  partial_.clear();
  overflowed_ = false;
  Complete(record, overflowed, false, listener, arrival);
}

void LogScanner::Complete(std::string_view record, bool overflowed, bool ends_with_newline,
                          LogListener& listener, SteadyTime arrival) {
  if (record.empty() && !overflowed) return;  // the empty half of "\r\n"
  ++counters_.records;
  if (overflowed) ++counters_.truncated_lines;
  Process(record, ends_with_newline, listener, arrival);
}

void LogScanner::Process(std::string_view record, bool ends_with_newline, LogListener& listener,
                         SteadyTime arrival) {
  LogEvent event;
  event.arrival = arrival;
  switch (ClassifyRecord(record, ends_with_newline, state_, event)) {
    case LineClass::kNoise:
      ++counters_.noise_records;
      has_last_event_ = false;
      return;
    case LineClass::kRepeat:
      Remember(record);
      Replay(event.count, listener, arrival);
      // FFmpeg prints the repeat line only before a different message, so nothing follows it
      // that could repeat the same event again.
      has_last_event_ = false;
      return;
    case LineClass::kPlain:
      Remember(record);
      has_last_event_ = false;
      return;
    case LineClass::kEvent:
      break;
  }
  if (event.kind == LogEventKind::kStatus) {
    ++counters_.status_records;
    has_last_event_ = false;
  } else {
    Remember(record);
    last_event_.assign(record);
    last_event_newline_ = ends_with_newline;
    has_last_event_ = true;
  }
  ++counters_.events;
  listener.OnLogEvent(event);
}

void LogScanner::Replay(int64_t times, LogListener& listener, SteadyTime arrival) {
  if (!has_last_event_) return;
  times = std::min(times, kMaxReplay);
  for (int64_t i = 0; i < times; ++i) {
    LogEvent event;
    event.arrival = arrival;
    event.repeated = true;
    if (ClassifyRecord(last_event_, last_event_newline_, state_, event) != LineClass::kEvent) {
      return;
    }
    ++counters_.events;
    listener.OnLogEvent(event);
  }
}

void LogScanner::Remember(std::string_view record) {
  if (ring_.empty()) return;
  ring_[ring_next_].assign(record.substr(0, options_.max_recent_line_bytes));
  ring_next_ = (ring_next_ + 1) % ring_.size();
  ring_size_ = std::min(ring_size_ + 1, ring_.size());
}

std::vector<std::string> LogScanner::RecentLines() const {
  std::vector<std::string> out;
  out.reserve(ring_size_);
  const size_t first = (ring_next_ + ring_.size() - ring_size_) % std::max<size_t>(ring_.size(), 1);
  for (size_t i = 0; i < ring_size_; ++i) out.push_back(ring_[(first + i) % ring_.size()]);
  return out;
}

}  // namespace hs::ffmpeg
