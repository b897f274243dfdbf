// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "measure/request.h"
#include "stats/histogram.h"

namespace hs::stats {

/// Per-kind figures of measured requests (request records from the tap or an engine).
struct KindFigures {
  std::uint64_t requests = 0;    ///< requests that ended (with or without error)
  std::uint64_t body_bytes = 0;  ///< response body bytes on the wire
  std::uint64_t errors = 0;      ///< subset of requests: transport error (no HTTP status or cut)
  std::uint64_t reused = 0;      ///< subset of requests: sent on a reused upstream connection
  std::map<int, std::uint64_t> codes;  ///< HTTP status → count
  /// Responses by cache status ("hit", "miss", "other", "none": X-Cache & co).
  std::map<std::string, std::uint64_t> cache;
  /// hit / (hit + miss + other): the share of responses a cache says it served; -1 when no
  /// response carried a cache status.
  double CacheHitRatio() const {
    std::uint64_t with = 0;
    for (const auto& [status, n] : cache) with += status == "none" ? 0 : n;
    if (with == 0) return -1;
    const auto hit = cache.find("hit");
    return hit == cache.end() ? 0.0 : static_cast<double>(hit->second) / static_cast<double>(with);
  }
  Histogram ttfb_us;   ///< request sent → first response byte, µs
  Histogram total_us;  ///< request received → last body byte delivered, µs
};

/// What request records measured, as values (part of Snapshot).
struct RequestFigures {
  bool enabled = false;  ///< per-request records exist for this run (tap on http, native engine)
  std::string source;    ///< who measured them: "tap" or "native"
  std::map<std::string, KindFigures> by_kind;  ///< master, playlist, segment, init, key, other
  std::map<std::string, std::uint64_t> errors_by_type;  ///< connect_refused, timeout, truncated...
  Histogram download_ratio_milli;  ///< segment media duration / download time, × 1000
  Histogram reload_interval_ms;    ///< time between a viewer's consecutive media playlist requests
  Histogram viewer_throughput_kbps;  ///< per viewer: body bits / time since its first request
  int stale_now = 0;                 ///< viewers with a media playlist unchanged for 3+ reloads
  std::uint64_t stale_events = 0;    ///< times a viewer's playlist went stale
  int buffering_now = 0;  ///< viewers whose last 3+ segments downloaded slower than real time
  std::uint64_t buffering_events = 0;  ///< times a viewer entered that state
  /// Requests per address connected to ("ip:port"): how the load spread over a name's edges.
  /// At most kMaxEdges labels; the rest are counted under "other".
  std::map<std::string, std::uint64_t> requests_by_edge;
  std::uint64_t tunnels = 0;       ///< https CONNECT tunnels (per-request figures unavailable)
  std::uint64_t tunnel_bytes = 0;  ///< bytes carried by tunnels, both directions

  std::uint64_t TotalBytes() const;
  std::uint64_t TotalRequests() const;
};

/// Aggregates request records: O(1) per record, bounded memory (one small state per viewer).
/// Loop thread only.
class RequestStats {
 public:
  void OnRequest(const measure::RequestRecord& r);
  void OnTunnel(const measure::TunnelRecord& r);
  /// Copy of the figures with per-viewer throughput computed as of \a now.
  RequestFigures Take(SteadyTime now) const;
  /// Per-request figures are measured in this run by \a source ("tap", "native").
  void set_source(std::string source) {
    figures_.enabled = true;
    figures_.source = std::move(source);
  }

  /// A viewer counts as buffering after this many consecutive segments with ratio < 1.
  static constexpr int kSlowSegmentsForBuffering = 3;
  /// A media playlist counts as stale after this many reloads in a row with an unchanged body.
  static constexpr int kUnchangedReloadsForStale = 3;
  /// Distinct edge labels kept (a bounded label set).
  static constexpr std::size_t kMaxEdges = 32;

 private:
  struct PlaylistWatch {
    std::size_t body_hash = 0;
    int unchanged = 0;
    bool stale = false;
  };
  struct ViewerState {
    std::unordered_map<std::string, PlaylistWatch> playlists;  ///< by URL: one per rendition
    SteadyTime first_request{};
    SteadyTime last_playlist{};
    std::uint64_t body_bytes = 0;
    int slow_in_a_row = 0;
    bool buffering = false;
  };
  void TrackSegment(ViewerState& v, const measure::RequestRecord& r);
  void TrackPlaylist(ViewerState& v, const measure::RequestRecord& r);

  RequestFigures figures_;
  std::unordered_map<int, ViewerState> viewers_;
};

}  // namespace hs::stats
