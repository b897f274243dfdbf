// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stats/histogram.h"
#include "stats/request_stats.h"

namespace hs::stats {

/// The origin's own figures from its exporters (-origin-metrics), as last scraped. Absent
/// values were not provided by any exporter.
struct OriginSample {
  bool configured = false;            ///< -origin-metrics was given
  std::optional<double> cpu_percent;  ///< CPU utilisation between the last two scrapes
  std::optional<double> memory_used_bytes;
  std::optional<double> memory_used_percent;
  std::optional<double> network_rx_bytes_per_s;  ///< all devices but lo
  std::optional<double> network_tx_bytes_per_s;
  std::optional<double> nginx_connections_active;
  std::optional<double> nginx_requests_per_s;
  std::uint64_t scrape_errors = 0;  ///< failed scrapes, all URLs
  std::vector<std::string> errors;  ///< "URL: last error" of URLs failing now
};

/// Requests hls-swarm itself made to the origin besides the viewers' (the preflight's playlist
/// fetches, the ffprobe run of -variant highest|lowest): load too, counted under their own
/// label so viewer figures stay per viewer and totals can match the origin's log.
struct ProbeFigures {
  std::map<std::string, std::uint64_t> requests_by_kind;    ///< master, playlist, segment...
  std::map<std::string, std::uint64_t> requests_by_source;  ///< preflight, ffprobe
  std::map<int, std::uint64_t> codes;                       ///< HTTP status codes (0: none)
  std::uint64_t body_bytes = 0;
  std::uint64_t errors = 0;  ///< no response, a failed transfer, or a status >= 400
  /// Probes that ran without per-request measurement (ffprobe when the tap is off or on
  /// https): their requests are not in the counts.
  std::vector<std::string> unmeasured;
  std::uint64_t Total() const;
};

/// One stream's share of the run (several streams: URL arguments, -streams, STREAMS). Labelled
/// by index and host only (\a label), never by the URL.
struct StreamFigures {
  std::string label;  ///< "0:origin-a.example": the bounded label of the stream_* metrics
  std::string url;    ///< redacted (query values hidden), for the report only: never a label
  int weight = 1;
  int target = 0;   ///< viewers of this stream among the pool's target
  int running = 0;  ///< sessions alive
  int playing = 0;  ///< sessions that reached playing and have not ended or stalled since
  std::uint64_t starts = 0;
  std::uint64_t stalls = 0;
  std::uint64_t restarts = 0;
  Histogram startup_us;     ///< session start → playing, µs
  RequestFigures requests;  ///< measured requests of this stream's viewers (tap or native)
};

/// One engine's share of a mixed audience (-engine-mix), labelled by the engine's name.
struct EngineFigures {
  std::string engine;  ///< "native" or "ffmpeg": the bounded label of the engine_* metrics
  int percent = 0;     ///< its share of the viewers
  int target = 0;      ///< its viewers among the pool's target
  int running = 0;     ///< sessions alive
  int playing = 0;     ///< sessions that reached playing and have not ended or stalled since
  std::uint64_t starts = 0;
  std::uint64_t spawn_failures = 0;
  std::uint64_t stalls = 0;
  std::uint64_t restarts = 0;
  std::uint64_t requests = 0;        ///< measured requests of its viewers (tap or native)
  std::uint64_t request_errors = 0;  ///< of those, failed transfers (not our own stops)
  std::uint64_t engine_errors = 0;   ///< errors the engine reported (FFmpeg's log, players)
  Histogram startup_us;              ///< session start → playing, µs
  /// Its viewers' errors as Snapshot::TotalErrors counts them: the engine's, plus a native
  /// viewer's failed requests (the tap's duplicate what FFmpeg's log already counted).
  std::uint64_t Errors() const { return engine_errors + (engine == "native" ? request_errors : 0); }
};

/// A value copy of everything measured so far. Sinks (metrics, report, dashboard) read only this.
/// Map keys are bounded label sets (kinds, causes, codes), never URLs or viewer ids.
struct Snapshot {
  // Run description.
  std::string stream_url;
  std::string profile;
  std::string engine;                     ///< "ffmpeg", "native" or "mix" (-engine-mix)
  std::string engine_version;             ///< e.g. the FFmpeg version found
  std::vector<std::string> engine_notes;  ///< options the engine lacks (left out), etc.
  std::string tap_mode;                   ///< "requests", "tunnels" or "off" (FFmpeg engine)
  /// -engine-mix: each engine's viewers, in the mix's order (empty for a one-engine run).
  std::vector<EngineFigures> engines;
  double elapsed_s = 0;           ///< since the ramp started
  double planned_duration_s = 0;  ///< 0 = until signalled
  std::string stream_type;        ///< "live" or "VOD" (from the preflight), "" unknown

  // Viewer gauges (from the pool at snapshot time).
  int target = 0;
  int running = 0;   ///< sessions alive
  int active = 0;    ///< playing: a segment seen and not stalled (subset of running)
  int starting = 0;  ///< running, not playing yet (subset of running)
  int backoff = 0;   ///< waiting for a restart
  int stalled = 0;   ///< last session ended by the stall watchdog, not playing again yet
  int peak_active = 0;
  int peak_running = 0;
  double ramp_progress = 0;          ///< 0..1
  double ramp_rate_achieved = 0;     ///< mean first starts per second (should equal -ramp-rate)
  double active_ratio_at_stop = -1;  ///< active / target when the stop began; -1 while running
  std::string stage;  ///< -stages: "stage 2/5 hold 500, 7m12s left" ("" without stages)

  // Viewer lifecycle counters.
  std::uint64_t starts = 0;          ///< sessions started (first starts + restarts)
  std::uint64_t spawn_failures = 0;  ///< sessions that failed to start (not in starts)
  std::map<std::string, std::uint64_t> restarts_by_cause;  ///< end_of_stream, error, stall...
  std::map<std::string, std::uint64_t> exits_by_reason;    ///< end_of_stream, error, stopped...
  std::map<std::string, std::uint64_t> stalls_by_cause;    ///< stall, startup_timeout

  OriginSample origin;

  // Requests measured per request (exact: tap or native engine; empty when not measured).
  RequestFigures requests;

  // Requests as seen in an engine's log (FFmpeg: one per "Opening ... for reading").
  std::map<std::string, std::uint64_t> logged_requests_by_kind;  ///< playlist, segment, init, key
  std::uint64_t new_connections = 0;  ///< requests that opened a new connection (subset)
  std::map<int, std::uint64_t> http_errors_by_code;     ///< 404, 503, ...
  std::map<std::string, std::uint64_t> errors_by_type;  ///< http_4xx, segment_failed, ...
  std::uint64_t segments_failed = 0;                    ///< "Failed to open segment"
  std::uint64_t segments_skipped = 0;                   ///< failed too many times or expired
  std::uint64_t segments_expired = 0;  ///< subset of skipped: fell off the live window
  std::uint64_t playlist_reload_failures = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t keepalive_retries = 0;
  std::uint64_t bytes_received = 0;   ///< body bytes (exact when measured per request; else 0)
  double media_played_s = 0;          ///< media time the viewers played (FFmpeg: processed)
  std::uint64_t rebuffer_events = 0;  ///< native: playout buffer ran empty while playing
  double rebuffer_s = 0;              ///< native: time spent rebuffering
  std::uint64_t plays_completed = 0;  ///< VOD plays watched to the end (both engines)
  ProbeFigures probe;                 ///< hls-swarm's own requests (preflight, ffprobe)
  /// Per stream, in the order given (one entry for a one-stream run; empty when unknown).
  std::vector<StreamFigures> streams;

  // Quality of experience (native engine; the FFmpeg engine has only startup_us).
  double watch_s = 0;  ///< native: time in plays since playback started (incl. rebuffering)
  std::uint64_t rendition_switches = 0;  ///< native -variant abr: rendition changes
  /// Viewers playing each rendition now, by its BANDWIDTH from the master (bits/s; at most
  /// kMaxRenditionLabels values, then kOtherRendition).
  std::map<std::uint64_t, std::int64_t> viewers_by_rendition;
  static constexpr std::size_t kMaxRenditionLabels = 32;
  static constexpr std::uint64_t kOtherRendition = UINT64_MAX;
  /// Media seconds received per rendition (BANDWIDTH; same bound as viewers_by_rendition).
  std::map<std::uint64_t, double> media_s_by_rendition;
  /// Average BANDWIDTH of the renditions played, weighted by media time (bits/s; 0 = unknown:
  /// no master playlist, or the FFmpeg engine).
  double played_bitrate_bps = 0;
  Histogram
      live_latency_ms;  ///< native, live: now − PDT of the playing position, per viewer-second
  /// Rebuffer time / watch time (0 when nothing was watched).
  double RebufferRatio() const { return watch_s > 0 ? rebuffer_s / watch_s : 0; }

  /// Requests by kind, measured when records exist, else from the engine's log.
  std::map<std::string, std::uint64_t> RequestsByKind() const;

  // Distributions.
  Histogram speed_milli;            ///< playback speed × 1000, one sample per progress report
  Histogram startup_us;             ///< session start → playing, microseconds
  std::uint64_t log_lines = 0;      ///< engine diagnostic lines parsed (FFmpeg log events)
  std::uint64_t log_pipe_full = 0;  ///< times a viewer's diagnostic pipe was found full
  std::uint64_t log_lines_truncated = 0;  ///< over-long diagnostic lines cut

  /// Some viewers are native viewers / FFmpeg viewers (one engine, or a mix).
  bool HasNative() const;
  bool HasFfmpeg() const;
  std::uint64_t TotalRequests() const;  ///< viewers' requests (probe's apart: probe.Total())
  std::uint64_t TotalErrors() const;
  std::uint64_t TotalRestarts() const;
};

}  // namespace hs::stats
