// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/request_stats.h"

#include <chrono>

namespace hs::stats {

namespace {
// The playlist a request reloads: its URL without the LL-HLS delivery directives (_HLS_msn,
// _HLS_part, _HLS_skip), which players append last and which change with every blocking reload;
// keyed with them, a viewer would add a watch per reload (three a second).
std::string_view PlaylistKey(std::string_view url) {
  for (std::size_t at = url.find("_HLS_"); at != std::string_view::npos;
       at = url.find("_HLS_", at + 1)) {
    if (at > 0 && (url[at - 1] == '?' || url[at - 1] == '&')) return url.substr(0, at - 1);
  }
  return url;
}

std::uint64_t Micros(Duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return us > 0 ? static_cast<std::uint64_t>(us) : 0;
}
}  // namespace

std::uint64_t RequestFigures::TotalBytes() const {
  std::uint64_t n = 0;
  for (const auto& [k, f] : by_kind) n += f.body_bytes;
  return n;
}

std::uint64_t RequestFigures::TotalRequests() const {
  std::uint64_t n = 0;
  for (const auto& [k, f] : by_kind) n += f.requests;
  return n;
}

void RequestStats::OnRequest(const measure::RequestRecord& r) {
  KindFigures& k = figures_.by_kind[measure::ToString(r.kind)];
  ++k.requests;
  k.body_bytes += r.body_bytes;
  if (r.reused_connection) ++k.reused;
  if (r.status > 0) ++k.codes[r.status];
  if (r.status > 0) ++k.cache[measure::ToString(r.cache)];
  if (r.error != measure::RequestError::kNone) {
    ++k.errors;
    ++figures_.errors_by_type[measure::ToString(r.error)];
  }
  if (r.status > 0) k.ttfb_us.Record(Micros(r.ttfb));
  if (r.error == measure::RequestError::kNone && r.status > 0) k.total_us.Record(Micros(r.total));
  if (!r.remote.empty()) {
    auto& edges = figures_.requests_by_edge;
    const bool known = edges.count(r.remote) != 0;
    ++edges[known || edges.size() < kMaxEdges ? r.remote : std::string("other")];
  }
  if (r.viewer_id < 0) return;
  ViewerState& v = viewers_[r.viewer_id];
  if (v.first_request == SteadyTime{}) v.first_request = r.started;
  v.body_bytes += r.body_bytes;
  if (r.kind == measure::RequestKind::kMediaPlaylist) {
    if (v.last_playlist != SteadyTime{}) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.started - v.last_playlist);
      figures_.reload_interval_ms.Record(
          static_cast<std::uint64_t>(std::max<long long>(ms.count(), 0)));
    }
    v.last_playlist = r.started;
    TrackPlaylist(v, r);
  }
  if (r.kind == measure::RequestKind::kSegment) TrackSegment(v, r);
}

void RequestStats::TrackSegment(ViewerState& v, const measure::RequestRecord& r) {
  if (r.error != measure::RequestError::kNone || r.status < 200 || r.status >= 300) return;
  if (r.media_duration_s <= 0 || r.total <= Duration::zero()) return;
  const double ratio = r.media_duration_s / ToSeconds(r.total);
  figures_.download_ratio_milli.Record(static_cast<std::uint64_t>(ratio * 1000.0 + 0.5));
  if (ratio < 1.0) {
    if (++v.slow_in_a_row >= kSlowSegmentsForBuffering && !v.buffering) {
      v.buffering = true;
      ++figures_.buffering_now;
      ++figures_.buffering_events;
    }
  } else {
    v.slow_in_a_row = 0;
    if (v.buffering) {
      v.buffering = false;
      --figures_.buffering_now;
    }
  }
}

void RequestStats::TrackPlaylist(ViewerState& v, const measure::RequestRecord& r) {
  if (r.playlist_body_hash == 0) return;
  PlaylistWatch& w = v.playlists[std::string(PlaylistKey(r.path))];
  if (w.body_hash == r.playlist_body_hash) {
    if (++w.unchanged >= kUnchangedReloadsForStale && !w.stale) {
      w.stale = true;
      ++figures_.stale_now;
      ++figures_.stale_events;
    }
    return;
  }
  w.body_hash = r.playlist_body_hash;
  w.unchanged = 0;
  if (w.stale) {
    w.stale = false;
    --figures_.stale_now;
  }
}

void RequestStats::OnTunnel(const measure::TunnelRecord& r) {
  ++figures_.tunnels;
  figures_.tunnel_bytes += r.bytes_up + r.bytes_down;
  if (r.error != measure::RequestError::kNone)
    ++figures_.errors_by_type[measure::ToString(r.error)];
}

RequestFigures RequestStats::Take(SteadyTime now) const {
  RequestFigures f = figures_;
  for (const auto& [id, v] : viewers_) {
    const double secs = ToSeconds(now - v.first_request);
    if (secs < 1.0) continue;
    f.viewer_throughput_kbps.Record(
        static_cast<std::uint64_t>(static_cast<double>(v.body_bytes) * 8.0 / 1000.0 / secs));
  }
  return f;
}

}  // namespace hs::stats
