// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Test-only helpers for the stderr/progress parser tests: reading the FFmpeg 5.1 captures in
// HS_FIXTURE_DIR and turning the `*.timestamped*.txt` ones back into FFmpeg's raw bytes.

#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "ffmpeg/log_event.h"
#include "ffmpeg/log_parse_util.h"

namespace hs::ffmpeg::test_util {

/// Whole file as bytes; empty if it cannot be read.
inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Bytes FFmpeg wrote, with the time they arrived.
struct TimedChunk {
  std::string bytes;
  SteadyTime arrival{};
};

/// Converts a capture made by the fixture script back into FFmpeg's stderr. Each record there is
/// `[+sss.mmm] <text>\n` (seconds since the client started), or `[+sss.mmm](CR) <text>\n` when
/// FFmpeg ended it with `\r`. The script's own `EXIT rc=N` trailer is dropped. One chunk per
/// record, arriving at SteadyTime{} + the prefix.
inline std::vector<TimedChunk> DecodeTimestamped(std::string_view text) {
  std::vector<TimedChunk> out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!parse::Consume(line, "[+")) continue;
    const size_t close = line.find(']');
    if (close == std::string_view::npos) continue;
    const auto seconds = parse::ParseDouble(line.substr(0, close));
    line.remove_prefix(close + 1);
    const bool cr = parse::Consume(line, "(CR)");
    parse::Consume(line, " ");
    if (line.starts_with("EXIT rc=")) continue;
    const int64_t ms = std::llround(seconds.value_or(0) * 1000.0);
    out.push_back(
        {std::string(line) + (cr ? '\r' : '\n'), SteadyTime{} + std::chrono::milliseconds(ms)});
  }
  return out;
}

/// A fixture as FFmpeg wrote it: raw files arrive as one chunk at SteadyTime{}, timestamped ones
/// record by record.
inline std::vector<TimedChunk> LoadFixture(const std::string& path) {
  const std::string bytes = ReadFileBytes(path);
  if (path.find(".timestamped") != std::string::npos) return DecodeTimestamped(bytes);
  return {{bytes, SteadyTime{}}};
}

/// Concatenation of \a chunks.
inline std::string JoinChunks(const std::vector<TimedChunk>& chunks) {
  std::string all;
  for (const auto& chunk : chunks) all += chunk.bytes;
  return all;
}

/// LogEvent with owned strings, for assertions after the callback returned.
struct OwnedEvent {
  LogEvent event;  ///< string_views cleared; use the owned copies below
  std::string context;
  std::string timestamp;
  std::string line;
  std::string url;
  std::string message;
};

/// Stores every event it receives.
class CollectingListener : public LogListener {
 public:
  void OnLogEvent(const LogEvent& event) override {
    OwnedEvent owned{event,
                     std::string(event.context),
                     std::string(event.timestamp),
                     std::string(event.line),
                     std::string(event.url),
                     std::string(event.message)};
    owned.event.context = owned.event.timestamp = owned.event.line = owned.event.url =
        owned.event.message = std::string_view();
    events.push_back(std::move(owned));
  }

  /// Number of events of \a kind.
  int Count(LogEventKind kind) const {
    int n = 0;
    for (const auto& e : events) n += e.event.kind == kind ? 1 : 0;
    return n;
  }

  /// One line per event with every field, for comparing two runs.
  std::string Dump() const {
    std::ostringstream out;
    for (const auto& o : events) {
      const LogEvent& e = o.event;
      out << ToString(e.kind) << '|' << ToString(e.level) << '|' << o.context << '|' << o.timestamp
          << '|' << o.url << '|' << o.message << '|' << o.line << '|' << e.new_connection << '|'
          << e.http_status << '|' << e.playlist << '|' << e.segment << '|' << e.count << '|'
          << e.delay_s << '|' << e.offset_bytes << '|' << e.speed << '|' << e.frame << '|'
          << e.out_time_us << '|' << e.final_status << '|' << e.repeated << '|'
          << e.arrival.time_since_epoch().count() << '\n';
    }
    return out.str();
  }

  std::vector<OwnedEvent> events;
};

}  // namespace hs::ffmpeg::test_util
