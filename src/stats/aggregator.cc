// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/aggregator.h"

#include <algorithm>
#include <chrono>

namespace hs::stats {

using ffmpeg::LogEventKind;

std::string Aggregator::ExitReason(const supervisor::ExitStatus& s) {
  switch (s.kind) {
    case supervisor::ExitKind::kClean:
      return "clean";
    case supervisor::ExitKind::kExitCode:
      return "exit_code";
    case supervisor::ExitKind::kSignaled:
      return "signaled";
    case supervisor::ExitKind::kInterrupted:
      return "stopped";
  }
  return "unknown";
}

void Aggregator::OnViewerSpawned(int id, pid_t, int) {
  ++s_.starts;
  status_seen_.erase(id);
}

void Aggregator::OnSpawnFailed(int, const Error&) {
  ++s_.spawn_failures;
  CountError("spawn_failed");
}

void Aggregator::OnViewerPlaying(int, Duration startup) {
  s_.startup_us.Record(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(startup).count()));
}

void Aggregator::OnViewerStalled(int, supervisor::RestartCause cause) {
  ++s_.stalls_by_cause[supervisor::ToString(cause)];
}

void Aggregator::OnViewerExit(int, const supervisor::ExitStatus& status, Duration,
                              const std::vector<std::string>&) {
  ++s_.exits_by_reason[ExitReason(status)];
}

void Aggregator::OnRestartScheduled(int, supervisor::RestartCause cause, Duration) {
  ++s_.restarts_by_cause[supervisor::ToString(cause)];
}

void Aggregator::OnLogEvent(int id, const ffmpeg::LogEvent& e) {
  ++s_.log_lines;
  switch (e.kind) {
    case LogEventKind::kPlaylistOpen:
    case LogEventKind::kSegmentOpen:
    case LogEventKind::kInitSegmentOpen:
    case LogEventKind::kKeyOpen: {
      const char* kind = e.kind == LogEventKind::kPlaylistOpen  ? "playlist"
                         : e.kind == LogEventKind::kSegmentOpen ? "segment"
                         : e.kind == LogEventKind::kKeyOpen     ? "key"
                                                                : "init";
      ++s_.requests_by_kind[kind];
      if (e.new_connection) ++s_.new_connections;
      break;
    }
    case LogEventKind::kHttpError:
      if (e.http_status > 0) ++s_.http_errors_by_code[e.http_status];
      CountError(e.http_status >= 500 ? "http_5xx" : "http_4xx");
      break;
    case LogEventKind::kSegmentFailed:
      ++s_.segments_failed;
      CountError("segment_failed");
      break;
    case LogEventKind::kSegmentSkipped:
      ++s_.segments_skipped;
      break;
    case LogEventKind::kSegmentsExpired:
      s_.segments_skipped += static_cast<std::uint64_t>(std::max<std::int64_t>(e.count, 0));
      s_.segments_expired += static_cast<std::uint64_t>(std::max<std::int64_t>(e.count, 0));
      CountError("segments_expired");
      break;
    case LogEventKind::kPlaylistReloadFailed:
      ++s_.playlist_reload_failures;
      CountError("playlist_reload_failed");
      break;
    case LogEventKind::kReconnect:
      ++s_.reconnects;
      break;
    case LogEventKind::kKeepaliveRetry:
      ++s_.keepalive_retries;
      break;
    case LogEventKind::kConnectFailed:
      CountError("connect_failed");
      break;
    case LogEventKind::kInputOpenFailed:
      CountError("input_open_failed");
      break;
    case LogEventKind::kInitSegmentFailed:
      CountError("init_failed");
      break;
    case LogEventKind::kKeyFailed:
      CountError("key_failed");
      break;
    case LogEventKind::kPrematureEnd:
      CountError("truncated_body");
      break;
    case LogEventKind::kInputError:
      CountError("read_error");
      break;
    case LogEventKind::kStatus:
      // A process's first status record and its final one after a stop report meaningless
      // speeds (elapsed time near zero, or the stop itself).
      if (status_seen_.insert(id).second) break;  // first record of this process
      if (e.speed >= 0 && !e.final_status)
        s_.speed_milli.Record(static_cast<std::uint64_t>(e.speed * 1000.0 + 0.5));
      break;
    default:
      break;
  }
}

void Aggregator::OnProgress(int, const ffmpeg::ProgressBlock&) {
  // Speed is taken from the stderr status record (one per stats period); the progress block
  // carries the same figure once per segment, so counting both would double the samples.
}

void Aggregator::OnRequestComplete(const tap::RequestRecord& record) {
  requests_.OnRequest(record);
}

void Aggregator::OnTunnelClosed(const tap::TunnelRecord& record) { requests_.OnTunnel(record); }

Snapshot Aggregator::Take(const supervisor::Supervisor& sup, double elapsed_s, SteadyTime now) {
  const supervisor::ViewerCounts c = sup.Counts();
  s_.elapsed_s = elapsed_s;
  s_.target = c.target;
  s_.running = c.running;
  s_.active = c.active;
  s_.starting = c.starting;
  s_.backoff = c.backoff;
  s_.stalled = c.stalled;
  s_.peak_active = std::max(s_.peak_active, c.active);
  s_.peak_running = std::max(s_.peak_running, c.running);
  s_.ramp_progress = sup.RampProgress();
  s_.log_pipe_full = c.pipe_full;
  s_.tap = requests_.Take(now);
  if (s_.tap.enabled) s_.bytes_received = s_.tap.TotalBytes() + s_.tap.tunnel_bytes;
  s_.log_lines_truncated = c.log_lines_truncated;
  s_.ramp_rate_achieved = sup.AchievedRampRate();
  return s_;
}

}  // namespace hs::stats
