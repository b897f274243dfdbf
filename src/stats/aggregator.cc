// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/aggregator.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace hs::stats {

using measure::EngineCount;

void Aggregator::SetStreams(std::vector<StreamFigures> streams, config::StreamAssigner assign,
                            int first_id) {
  s_.streams = std::move(streams);
  assign_ = std::move(assign);
  first_id_ = first_id;
  stream_requests_.assign(s_.streams.size(), RequestStats());
}

StreamFigures* Aggregator::StreamOf(int viewer_id) {
  if (s_.streams.size() < 2 || viewer_id < 0) return nullptr;
  const std::size_t i = assign_.StreamOf(viewer_id);
  return i < s_.streams.size() ? &s_.streams[i] : nullptr;
}

void Aggregator::SetEngines(std::vector<EngineFigures> engines, config::EngineAssigner assign,
                            int first_id) {
  s_.engines = std::move(engines);
  engine_assign_ = std::move(assign);
  first_id_ = first_id;
  engine_tags_.clear();
  for (std::size_t i = 0; i < s_.engines.size(); ++i)
    engine_tags_.push_back(std::make_unique<EngineTag>(*this, i));
}

measure::EngineListener& Aggregator::EngineCounts(std::size_t index) {
  if (index < engine_tags_.size()) return *engine_tags_[index];
  return *this;
}

void Aggregator::EngineTag::OnEngineError(std::string_view type, int http_status) {
  a_.OnEngineError(type, http_status);
  if (index_ < a_.s_.engines.size()) ++a_.s_.engines[index_].engine_errors;
}

EngineFigures* Aggregator::EngineOf(int viewer_id) {
  if (s_.engines.empty() || viewer_id < 0) return nullptr;
  const std::size_t i = engine_assign_.EngineOf(viewer_id);
  return i < s_.engines.size() ? &s_.engines[i] : nullptr;
}

void Aggregator::SetPlaying(int id, bool playing) {
  StreamFigures* st = StreamOf(id);
  EngineFigures* en = EngineOf(id);
  if (st == nullptr && en == nullptr) return;
  if (playing ? !playing_.insert(id).second : playing_.erase(id) == 0) return;
  const int delta = playing ? 1 : -1;
  if (st != nullptr) st->playing += delta;
  if (en != nullptr) en->playing += delta;
}

void Aggregator::OnViewerStarted(int id, int) {
  ++s_.starts;
  if (StreamFigures* st = StreamOf(id)) {
    ++st->starts;
    ++st->running;
  }
  if (EngineFigures* en = EngineOf(id)) {
    ++en->starts;
    ++en->running;
  }
}

void Aggregator::OnViewerStartFailed(int id, const Error&) {
  ++s_.spawn_failures;
  ++s_.errors_by_type["spawn_failed"];
  if (EngineFigures* en = EngineOf(id)) {
    ++en->spawn_failures;
    ++en->engine_errors;
  }
}

void Aggregator::OnViewerPlaying(int id, Duration startup) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::microseconds>(startup).count()));
  s_.startup_us.Record(us);
  if (StreamFigures* st = StreamOf(id)) st->startup_us.Record(us);
  if (EngineFigures* en = EngineOf(id)) en->startup_us.Record(us);
  SetPlaying(id, true);
}

void Aggregator::OnViewerStalled(int id, measure::RestartCause cause) {
  ++s_.stalls_by_cause[measure::ToString(cause)];
  if (StreamFigures* st = StreamOf(id)) ++st->stalls;
  if (EngineFigures* en = EngineOf(id)) ++en->stalls;
  SetPlaying(id, false);
}

void Aggregator::OnViewerEnded(int id, measure::EndReason reason, Duration) {
  ++s_.exits_by_reason[measure::ToString(reason)];
  if (StreamFigures* st = StreamOf(id)) --st->running;
  if (EngineFigures* en = EngineOf(id)) --en->running;
  SetPlaying(id, false);
}

void Aggregator::OnRestartScheduled(int id, measure::RestartCause cause, Duration) {
  ++s_.restarts_by_cause[measure::ToString(cause)];
  if (StreamFigures* st = StreamOf(id)) ++st->restarts;
  if (EngineFigures* en = EngineOf(id)) ++en->restarts;
}

void Aggregator::OnRequestComplete(const measure::RequestRecord& record) {
  if (record.viewer_id == measure::kProbeViewerId) {
    OnProbeRequest("ffprobe", record.kind, record.status, record.body_bytes,
                   record.error != measure::RequestError::kNone);
    return;
  }
  requests_.OnRequest(record);
  if (StreamOf(record.viewer_id) != nullptr) {
    stream_requests_[assign_.StreamOf(record.viewer_id)].OnRequest(record);
  }
  if (EngineFigures* en = EngineOf(record.viewer_id)) {
    ++en->requests;
    const measure::RequestError e = record.error;
    if (e != measure::RequestError::kNone && e != measure::RequestError::kClientAborted)
      ++en->request_errors;
  }
}

void Aggregator::OnProbeRequest(std::string_view source, measure::RequestKind kind, int status,
                                std::uint64_t body_bytes, bool failed) {
  ProbeFigures& p = s_.probe;
  ++p.requests_by_source[std::string(source)];
  ++p.requests_by_kind[measure::ToString(kind)];
  ++p.codes[status];
  p.body_bytes += body_bytes;
  if (failed || status == 0 || status >= 400) ++p.errors;
}

void Aggregator::OnTunnelClosed(const measure::TunnelRecord& record) { requests_.OnTunnel(record); }

void Aggregator::OnEngineCount(EngineCount what, std::uint64_t n) {
  switch (what) {
    case EngineCount::kSegmentFailed:
      s_.segments_failed += n;
      break;
    case EngineCount::kSegmentSkipped:
      s_.segments_skipped += n;
      break;
    case EngineCount::kSegmentsExpired:
      s_.segments_skipped += n;
      s_.segments_expired += n;
      break;
    case EngineCount::kPlaylistReloadFailed:
      s_.playlist_reload_failures += n;
      break;
    case EngineCount::kReconnect:
      s_.reconnects += n;
      break;
    case EngineCount::kKeepaliveRetry:
      s_.keepalive_retries += n;
      break;
    case EngineCount::kDiagnosticLine:
      s_.log_lines += n;
      break;
    case EngineCount::kDiagnosticPipeFull:
      s_.log_pipe_full += n;
      break;
    case EngineCount::kDiagnosticLineTruncated:
      s_.log_lines_truncated += n;
      break;
    case EngineCount::kMediaMicrosPlayed:
      media_played_us_ += n;
      break;
    case EngineCount::kRebufferEvent:
      s_.rebuffer_events += n;
      break;
    case EngineCount::kRebufferMicros:
      rebuffer_us_ += n;
      break;
    case EngineCount::kPlayCompleted:
      s_.plays_completed += n;
      break;
    case EngineCount::kWatchMicros:
      watch_us_ += n;
      break;
    case EngineCount::kRenditionSwitch:
      s_.rendition_switches += n;
      break;
  }
}

void Aggregator::OnLoggedRequest(measure::RequestKind kind, bool new_connection) {
  ++s_.logged_requests_by_kind[measure::ToString(kind)];
  if (new_connection) ++s_.new_connections;
}

void Aggregator::OnEngineError(std::string_view type, int http_status) {
  ++s_.errors_by_type[std::string(type)];
  if (http_status > 0) ++s_.http_errors_by_code[http_status];
}

void Aggregator::OnSpeedSample(double speed) {
  if (speed >= 0) s_.speed_milli.Record(static_cast<std::uint64_t>(speed * 1000.0 + 0.5));
}

void Aggregator::OnLiveLatencySample(double seconds) {
  // A viewer ahead of the PDT clock (clock skew between origin and us) counts as 0.
  s_.live_latency_ms.Record(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1000.0 + 0.5));
}

void Aggregator::OnViewerRendition(std::int64_t from_bandwidth, std::int64_t to_bandwidth) {
  auto& gauge = s_.viewers_by_rendition;
  auto key = [&](std::int64_t bw) {
    const auto k = static_cast<std::uint64_t>(bw);
    if (gauge.count(k) != 0 || gauge.size() < Snapshot::kMaxRenditionLabels) return k;
    return Snapshot::kOtherRendition;
  };
  if (from_bandwidth >= 0) {
    auto it = gauge.find(key(from_bandwidth));
    if (it != gauge.end()) --it->second;
  }
  if (to_bandwidth >= 0) ++gauge[key(to_bandwidth)];
}

void Aggregator::OnRenditionMedia(std::uint64_t bandwidth, double media_s) {
  auto& m = s_.media_s_by_rendition;
  if (m.count(bandwidth) == 0 && m.size() >= Snapshot::kMaxRenditionLabels) {
    bandwidth = Snapshot::kOtherRendition;
  }
  m[bandwidth] += std::max(0.0, media_s);
}

Snapshot Aggregator::Take(const measure::ViewerCounts& c, double elapsed_s, SteadyTime now) {
  s_.elapsed_s = elapsed_s;
  s_.target = c.target;
  s_.running = c.running;
  s_.active = c.active;
  s_.starting = c.starting;
  s_.backoff = c.backoff;
  s_.stalled = c.stalled;
  s_.peak_active = std::max(s_.peak_active, c.active);
  s_.peak_running = std::max(s_.peak_running, c.running);
  s_.ramp_progress = c.ramp_progress;
  s_.ramp_rate_achieved = c.ramp_rate_achieved;
  s_.requests = requests_.Take(now);
  if (s_.streams.size() > 1) {
    const std::vector<int> targets = assign_.Counts(first_id_, std::max(0, c.target));
    for (std::size_t i = 0; i < s_.streams.size(); ++i) {
      s_.streams[i].target = i < targets.size() ? targets[i] : 0;
      s_.streams[i].requests = stream_requests_[i].Take(now);
    }
  }
  if (!s_.engines.empty()) {
    const std::vector<int> targets = engine_assign_.Counts(first_id_, std::max(0, c.target));
    for (std::size_t i = 0; i < s_.engines.size(); ++i)
      s_.engines[i].target = i < targets.size() ? targets[i] : 0;
  }
  if (s_.streams.size() == 1) {
    // One stream: its figures are the run's.
    StreamFigures& st = s_.streams[0];
    st.target = c.target;
    st.running = c.running;
    st.playing = c.active;
    st.starts = s_.starts;
    st.startup_us = s_.startup_us;
    st.requests = s_.requests;
  }
  if (s_.requests.enabled) s_.bytes_received = s_.requests.TotalBytes() + s_.requests.tunnel_bytes;
  s_.media_played_s = static_cast<double>(media_played_us_) / 1e6;
  s_.rebuffer_s = static_cast<double>(rebuffer_us_) / 1e6;
  s_.watch_s = static_cast<double>(watch_us_) / 1e6;
  double media = 0, bits = 0;
  for (const auto& [bw, media_s] : s_.media_s_by_rendition) {
    if (bw == Snapshot::kOtherRendition) continue;
    media += media_s;
    bits += static_cast<double>(bw) * media_s;
  }
  s_.played_bitrate_bps = media > 0 ? bits / media : 0;
  return s_;
}

}  // namespace hs::stats
