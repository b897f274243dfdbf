// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "metrics/exporter.h"

#include <cmath>

#include <prometheus/text_serializer.h>

namespace hs::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric Metric(std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

MetricFamily Family(const std::string& name, const std::string& help, MetricType type) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

void AddGauge(std::vector<MetricFamily>& out, const std::string& name, const std::string& help,
              double value) {
  auto f = Family(name, help, MetricType::Gauge);
  auto m = Metric();
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
  out.push_back(std::move(f));
}

void AddCounter(std::vector<MetricFamily>& out, const std::string& name, const std::string& help,
                double value) {
  auto f = Family(name, help, MetricType::Counter);
  auto m = Metric();
  m.counter.value = value;
  f.metric.push_back(std::move(m));
  out.push_back(std::move(f));
}

template <typename Map>
void AddLabeledCounter(std::vector<MetricFamily>& out, const std::string& name,
                       const std::string& help, const std::string& label, const Map& values,
                       const std::vector<std::string>& always = {}) {
  auto f = Family(name, help, MetricType::Counter);
  std::map<std::string, double> merged;
  for (const auto& k : always) merged[k] = 0;
  for (const auto& [k, v] : values) {
    if constexpr (std::is_same_v<typename Map::key_type, int>) {
      merged[std::to_string(k)] += static_cast<double>(v);
    } else {
      merged[k] += static_cast<double>(v);
    }
  }
  for (const auto& [k, v] : merged) {
    auto m = Metric({{label, k}});
    m.counter.value = v;
    f.metric.push_back(std::move(m));
  }
  out.push_back(std::move(f));
}

// Converts a histogram of integer units (\a unit seconds each) to cumulative Prometheus buckets.
ClientMetric HistogramMetric(const stats::Histogram& h, double unit,
                             const std::vector<double>& bounds) {
  auto m = Metric();
  m.histogram.sample_count = h.count();
  m.histogram.sample_sum = h.sum() * unit;
  for (double b : bounds) {
    auto units = static_cast<std::uint64_t>(std::floor(b / unit));
    m.histogram.bucket.push_back({h.CountAtOrBelow(units), b});
  }
  m.histogram.bucket.push_back({h.count(), std::numeric_limits<double>::infinity()});
  return m;
}

void AddHistogram(std::vector<MetricFamily>& out, const std::string& name, const std::string& help,
                  const stats::Histogram& h, double unit, const std::vector<double>& bounds) {
  auto f = Family(name, help, MetricType::Histogram);
  f.metric.push_back(HistogramMetric(h, unit, bounds));
  out.push_back(std::move(f));
}

void AddKindHistograms(std::vector<MetricFamily>& out, const std::string& name,
                       const std::string& help, const stats::Snapshot& s, bool ttfb) {
  auto f = Family(name, help, MetricType::Histogram);
  for (const auto& [kind, k] : s.requests.by_kind) {
    auto m = HistogramMetric(ttfb ? k.ttfb_us : k.total_us, 1e-6, LatencyBucketsSeconds());
    m.label = {{"kind", kind}};
    f.metric.push_back(std::move(m));
  }
  out.push_back(std::move(f));
}

void AddOriginFamilies(std::vector<MetricFamily>& out, const stats::OriginSample& o) {
  auto gauge = [&](const char* name, const char* help, const std::optional<double>& v) {
    if (v) AddGauge(out, name, help, *v);
  };
  gauge("hlsswarm_origin_cpu_utilisation_percent",
        "Origin CPU utilisation between the last two scrapes of its node_exporter", o.cpu_percent);
  gauge("hlsswarm_origin_memory_used_bytes", "Origin memory in use (MemTotal - MemAvailable)",
        o.memory_used_bytes);
  gauge("hlsswarm_origin_memory_used_percent", "Origin memory in use, percent",
        o.memory_used_percent);
  gauge("hlsswarm_origin_network_receive_bytes_per_second",
        "Origin network receive rate, all devices except lo", o.network_rx_bytes_per_s);
  gauge("hlsswarm_origin_network_transmit_bytes_per_second",
        "Origin network transmit rate, all devices except lo", o.network_tx_bytes_per_s);
  gauge("hlsswarm_origin_nginx_connections_active", "nginx active connections (stub_status)",
        o.nginx_connections_active);
  gauge("hlsswarm_origin_nginx_requests_per_second",
        "nginx request rate between the last two scrapes", o.nginx_requests_per_s);
  AddCounter(out, "hlsswarm_origin_scrape_errors_total", "Failed scrapes of -origin-metrics URLs",
             static_cast<double>(o.scrape_errors));
}

void AddTapFamilies(std::vector<MetricFamily>& out, const stats::Snapshot& s) {
  auto responses = Family("hlsswarm_http_responses_total", "HTTP responses by kind and status code",
                          MetricType::Counter);
  auto bytes =
      Family("hlsswarm_response_bytes_total", "Response body bytes by kind", MetricType::Counter);
  auto reused = Family("hlsswarm_requests_reused_connection_total",
                       "Requests sent on an already open upstream connection", MetricType::Counter);
  for (const auto& [kind, k] : s.requests.by_kind) {
    for (const auto& [code, n] : k.codes) {
      auto m = Metric({{"kind", kind}, {"code", std::to_string(code)}});
      m.counter.value = static_cast<double>(n);
      responses.metric.push_back(std::move(m));
    }
    auto b = Metric({{"kind", kind}});
    b.counter.value = static_cast<double>(k.body_bytes);
    bytes.metric.push_back(std::move(b));
    auto r = Metric({{"kind", kind}});
    r.counter.value = static_cast<double>(k.reused);
    reused.metric.push_back(std::move(r));
  }
  out.push_back(std::move(responses));
  {
    auto cache = Family("hlsswarm_cache_responses_total",
                        "Responses by kind and cache status from X-Cache, X-Cache-Status, "
                        "CF-Cache-Status, X-Proxy-Cache or Age (hit, miss, other, none)",
                        MetricType::Counter);
    for (const auto& [kind, k] : s.requests.by_kind) {
      for (const auto& [status, n] : k.cache) {
        auto m = Metric({{"kind", kind}, {"cache", status}});
        m.counter.value = static_cast<double>(n);
        cache.metric.push_back(std::move(m));
      }
    }
    out.push_back(std::move(cache));
  }
  out.push_back(std::move(bytes));
  out.push_back(std::move(reused));
  AddKindHistograms(out, "hlsswarm_request_ttfb_seconds",
                    "Time to first byte: request sent to the origin until its first response byte",
                    s, true);
  AddKindHistograms(out, "hlsswarm_request_duration_seconds",
                    "Request received from FFmpeg until the last body byte was delivered", s,
                    false);
  AddHistogram(out, "hlsswarm_segment_download_ratio",
               "Segment media duration / download time (below 1 = slower than real time)",
               s.requests.download_ratio_milli, 1e-3, {0.25, 0.5, 0.75, 1, 1.5, 2, 5, 10, 50, 100});
  AddHistogram(out, "hlsswarm_playlist_reload_interval_seconds",
               "Time between a viewer's consecutive media playlist requests",
               s.requests.reload_interval_ms, 1e-3, {0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 20});
  // Prometheus wants base units: bytes, so kbit/s samples are scaled by 1000/8.
  AddHistogram(out, "hlsswarm_viewer_throughput_bytes_per_second",
               "Per-viewer average received throughput", s.requests.viewer_throughput_kbps, 125,
               {12500, 31250, 62500, 125000, 250000, 500000, 1e6, 2e6, 6.25e6});
  AddGauge(out, "hlsswarm_clients_buffering",
           "Viewers whose last 3 or more segments downloaded slower than real time",
           s.requests.buffering_now);
  AddCounter(out, "hlsswarm_buffering_events_total", "Times a viewer started buffering",
             static_cast<double>(s.requests.buffering_events));
  AddGauge(out, "hlsswarm_playlists_stale",
           "Media playlists (per viewer) unchanged for 3 or more reloads in a row",
           s.requests.stale_now);
  AddCounter(out, "hlsswarm_playlist_stale_events_total", "Times a viewer's playlist went stale",
             static_cast<double>(s.requests.stale_events));
  if (!s.requests.requests_by_edge.empty()) {
    AddLabeledCounter(out, "hlsswarm_requests_by_edge_total",
                      "Requests per address connected to (ip:port; at most 32, then other)", "edge",
                      s.requests.requests_by_edge, {});
  }
}

// Quality of experience as native viewers have it (the FFmpeg engine leaves these at zero).
void AddQoeFamilies(std::vector<MetricFamily>& out, const stats::Snapshot& s) {
  AddCounter(out, "hlsswarm_watch_seconds_total",
             "Time native viewers spent in plays since playback started (playing or "
             "rebuffering): rebuffer ratio = rate(hlsswarm_rebuffer_seconds_total) / "
             "rate(hlsswarm_watch_seconds_total)",
             s.watch_s);
  AddGauge(out, "hlsswarm_rebuffer_ratio",
           "Rebuffer time / watch time of native viewers since the run started", s.RebufferRatio());
  AddCounter(out, "hlsswarm_rendition_switches_total",
             "Rendition changes of native -variant abr viewers",
             static_cast<double>(s.rendition_switches));
  {
    auto f =
        Family("hlsswarm_viewers_by_rendition",
               "Native viewers playing each rendition, by its BANDWIDTH in the master playlist "
               "(bits/s; at most 32 values, then other)",
               MetricType::Gauge);
    for (const auto& [bw, n] : s.viewers_by_rendition) {
      auto m = Metric({{"rendition", bw == stats::Snapshot::kOtherRendition ? std::string("other")
                                                                            : std::to_string(bw)}});
      m.gauge.value = static_cast<double>(n);
      f.metric.push_back(std::move(m));
    }
    out.push_back(std::move(f));
  }
  {
    auto f = Family("hlsswarm_rendition_media_seconds_total",
                    "Media seconds native viewers received per rendition (BANDWIDTH, bits/s)",
                    MetricType::Counter);
    for (const auto& [bw, sec] : s.media_s_by_rendition) {
      auto m = Metric({{"rendition", bw == stats::Snapshot::kOtherRendition ? std::string("other")
                                                                            : std::to_string(bw)}});
      m.counter.value = sec;
      f.metric.push_back(std::move(m));
    }
    out.push_back(std::move(f));
  }
  // Prometheus base units: bytes (promtool check metrics rejects "bits").
  AddGauge(out, "hlsswarm_played_average_bytes_per_second",
           "Average BANDWIDTH of the renditions native viewers played, weighted by media time, "
           "in bytes per second (x 8 = bit/s; 0 = unknown)",
           s.played_bitrate_bps / 8);
  AddHistogram(out, "hlsswarm_live_latency_seconds",
               "Native live viewers: now - (EXT-X-PROGRAM-DATE-TIME of the playing segment + "
               "position in it), else the playlist-age latency; one sample per viewer per second",
               s.live_latency_ms, 1e-3, {1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 45, 60, 120});
}

// One family with a metric per item of \a items, labelled \a label = \a label_of(item), valued
// \a get(item): the per-stream and per-engine gauges and counters.
template <typename Items, typename LabelOf, typename Get>
void AddPerItem(std::vector<MetricFamily>& out, const std::string& name, const std::string& help,
                MetricType type, const Items& items, const std::string& label, LabelOf label_of,
                Get get) {
  auto f = Family(name, help, type);
  for (const auto& item : items) {
    auto m = Metric({{label, label_of(item)}});
    (type == MetricType::Gauge ? m.gauge.value : m.counter.value) = static_cast<double>(get(item));
    f.metric.push_back(std::move(m));
  }
  out.push_back(std::move(f));
}

// -engine-mix: every engine's viewers under engine="native"|"ffmpeg" (two values).
void AddEngineFamilies(std::vector<MetricFamily>& out, const stats::Snapshot& s) {
  if (s.engines.empty()) return;
  using EF = stats::EngineFigures;
  auto add = [&](const std::string& name, const std::string& help, MetricType type, auto get) {
    AddPerItem(
        out, name, help, type, s.engines, "engine", [](const EF& e) { return e.engine; }, get);
  };
  add("hlsswarm_engine_share_percent", "Share of the viewers per engine (-engine-mix)",
      MetricType::Gauge, [](const EF& e) { return e.percent; });
  add("hlsswarm_engine_clients_target", "Viewers wanted per engine", MetricType::Gauge,
      [](const EF& e) { return e.target; });
  add("hlsswarm_engine_clients_running", "Viewer sessions alive per engine", MetricType::Gauge,
      [](const EF& e) { return e.running; });
  add("hlsswarm_engine_clients_active", "Viewers playing per engine (not stalled)",
      MetricType::Gauge, [](const EF& e) { return e.playing; });
  add("hlsswarm_engine_client_starts_total", "Viewer sessions started per engine",
      MetricType::Counter, [](const EF& e) { return e.starts; });
  add("hlsswarm_engine_stalls_total", "Viewers the watchdog found stalled, per engine",
      MetricType::Counter, [](const EF& e) { return e.stalls; });
  add("hlsswarm_engine_restarts_total", "Viewer restarts per engine", MetricType::Counter,
      [](const EF& e) { return e.restarts; });
  add("hlsswarm_engine_requests_total", "Measured requests of each engine's viewers",
      MetricType::Counter, [](const EF& e) { return e.requests; });
  add("hlsswarm_engine_errors_total",
      "Errors per engine (its own, plus native viewers' failed requests)", MetricType::Counter,
      [](const EF& e) { return e.Errors(); });
}

// Several streams: every stream's figures under stream="INDEX:HOST" (at most 16 values).
void AddStreamFamilies(std::vector<MetricFamily>& out, const stats::Snapshot& s) {
  if (s.streams.size() < 2) return;
  auto gauge = [&](const std::string& name, const std::string& help, auto get) {
    AddPerItem(
        out, name, help, MetricType::Gauge, s.streams, "stream",
        [](const stats::StreamFigures& st) { return st.label; }, get);
  };
  auto counter = [&](const std::string& name, const std::string& help, auto get) {
    AddPerItem(
        out, name, help, MetricType::Counter, s.streams, "stream",
        [](const stats::StreamFigures& st) { return st.label; }, get);
  };
  using SF = stats::StreamFigures;
  gauge("hlsswarm_stream_weight", "Weight of each stream (-weights)",
        [](const SF& f) { return f.weight; });
  gauge("hlsswarm_stream_clients_target", "Viewers wanted on each stream",
        [](const SF& f) { return f.target; });
  gauge("hlsswarm_stream_clients_running", "Viewer sessions alive on each stream",
        [](const SF& f) { return f.running; });
  gauge("hlsswarm_stream_clients_active", "Viewers playing each stream (not stalled)",
        [](const SF& f) { return f.playing; });
  counter("hlsswarm_stream_client_starts_total", "Viewer sessions started on each stream",
          [](const SF& f) { return f.starts; });
  counter("hlsswarm_stream_stalls_total", "Viewers the watchdog found stalled, per stream",
          [](const SF& f) { return f.stalls; });
  counter("hlsswarm_stream_restarts_total", "Viewer restarts per stream",
          [](const SF& f) { return f.restarts; });
  counter("hlsswarm_stream_response_bytes_total", "Response body bytes per stream (measured)",
          [](const SF& f) { return f.requests.TotalBytes(); });
  {
    auto f = Family("hlsswarm_stream_requests_total",
                    "Measured HTTP requests per stream and kind (tap or native engine)",
                    MetricType::Counter);
    auto codes =
        Family("hlsswarm_stream_http_responses_total",
               "HTTP responses per stream, kind and status code (0: none)", MetricType::Counter);
    auto ttfb = Family("hlsswarm_stream_request_ttfb_seconds",
                       "Time to first byte per stream and kind", MetricType::Histogram);
    for (const SF& st : s.streams) {
      for (const auto& [kind, k] : st.requests.by_kind) {
        auto m = Metric({{"stream", st.label}, {"kind", kind}});
        m.counter.value = static_cast<double>(k.requests);
        f.metric.push_back(std::move(m));
        for (const auto& [code, n] : k.codes) {
          auto c = Metric({{"stream", st.label}, {"kind", kind}, {"code", std::to_string(code)}});
          c.counter.value = static_cast<double>(n);
          codes.metric.push_back(std::move(c));
        }
        auto h = HistogramMetric(k.ttfb_us, 1e-6, LatencyBucketsSeconds());
        h.label = {{"stream", st.label}, {"kind", kind}};
        ttfb.metric.push_back(std::move(h));
      }
    }
    out.push_back(std::move(f));
    out.push_back(std::move(codes));
    out.push_back(std::move(ttfb));
  }
  {
    auto f = Family("hlsswarm_stream_startup_seconds", "Session start to playing, per stream",
                    MetricType::Histogram);
    for (const SF& st : s.streams) {
      auto h = HistogramMetric(st.startup_us, 1e-6, LatencyBucketsSeconds());
      h.label = {{"stream", st.label}};
      f.metric.push_back(std::move(h));
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

const std::vector<double>& LatencyBucketsSeconds() {
  static const std::vector<double> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,  0.5,    1,     2.5,  5,     10,   30};
  return kBounds;
}

std::vector<MetricFamily> BuildFamilies(const stats::Snapshot& s, const BuildInfo& info) {
  std::vector<MetricFamily> out;
  {
    auto f = Family("hlsswarm_build_info", "Build and FFmpeg version; value is always 1",
                    MetricType::Gauge);
    auto m = Metric({{"version", info.version},
                     {"ffmpeg_version", info.ffmpeg_version},
                     {"ffmpeg_missing", info.ffmpeg_missing}});
    m.gauge.value = 1;
    f.metric.push_back(std::move(m));
    out.push_back(std::move(f));
  }
  AddGauge(out, "hlsswarm_clients_target", "Viewers wanted", s.target);
  AddGauge(out, "hlsswarm_clients_active",
           "Viewers playing: process running, a segment fetched, not stalled", s.active);
  AddGauge(out, "hlsswarm_clients_running", "Viewer processes alive", s.running);
  AddGauge(out, "hlsswarm_clients_starting", "Viewer processes alive without a segment yet",
           s.starting);
  AddGauge(out, "hlsswarm_clients_backoff", "Viewers waiting to be restarted", s.backoff);
  AddGauge(out, "hlsswarm_clients_stalled",
           "Viewers the stall watchdog restarted that are not playing again yet", s.stalled);
  AddGauge(out, "hlsswarm_ramp_progress", "Share of target viewers started (0..1)",
           s.ramp_progress);
  AddCounter(out, "hlsswarm_client_starts_total", "Viewer processes spawned",
             static_cast<double>(s.starts));
  AddCounter(out, "hlsswarm_spawn_failures_total", "Viewer spawns that failed",
             static_cast<double>(s.spawn_failures));
  AddLabeledCounter(out, "hlsswarm_restarts_total", "Viewer restarts by cause", "cause",
                    s.restarts_by_cause);
  AddLabeledCounter(out, "hlsswarm_client_exits_total", "Viewer process exits by reason", "reason",
                    s.exits_by_reason);
  AddLabeledCounter(out, "hlsswarm_stalls_total", "Viewers the watchdog found stalled", "cause",
                    s.stalls_by_cause);
  AddLabeledCounter(out, "hlsswarm_requests_total",
                    s.requests.enabled ? "HTTP requests by kind, measured by the tap"
                                       : "HTTP requests by kind, from FFmpeg's log (tap off)",
                    "kind", s.RequestsByKind(), {"playlist", "segment"});
  AddLabeledCounter(out, "hlsswarm_log_requests_total",
                    "Requests FFmpeg logged (`Opening ... for reading`) by kind; FFmpeg does not "
                    "log its first playlist request",
                    "kind", s.logged_requests_by_kind, {"playlist", "segment"});
  AddLabeledCounter(out, "hlsswarm_probe_requests_total",
                    "Requests hls-swarm made itself to probe the stream (preflight playlist "
                    "fetches, the ffprobe run of -variant highest|lowest) by kind: load on the "
                    "origin, not in hlsswarm_requests_total",
                    "kind", s.probe.requests_by_kind, {"playlist"});
  AddCounter(out, "hlsswarm_probe_bytes_total", "Response body bytes of the probe's requests",
             static_cast<double>(s.probe.body_bytes));
  AddCounter(out, "hlsswarm_tunnels_total",
             "https CONNECT tunnels through the tap (per-request figures come from FFmpeg's log)",
             static_cast<double>(s.requests.tunnels));
  if (s.origin.configured) AddOriginFamilies(out, s.origin);
  if (s.requests.enabled) {
    AddTapFamilies(out, s);
  } else {
    auto f = Family("hlsswarm_http_responses_total", "HTTP error responses by kind and code",
                    MetricType::Counter);
    for (const auto& [code, n] : s.http_errors_by_code) {
      auto m = Metric({{"kind", "any"}, {"code", std::to_string(code)}});
      m.counter.value = static_cast<double>(n);
      f.metric.push_back(std::move(m));
    }
    out.push_back(std::move(f));
  }
  {
    std::map<std::string, std::uint64_t> errors = s.errors_by_type;
    // Request errors carry who measured them: tap_* (FFmpeg through the tap) or native_*.
    // A mix measured by both: request_* (hlsswarm_engine_errors_total splits per engine).
    const std::string prefix = s.requests.source.empty()      ? "tap"
                               : s.requests.source == "mixed" ? "request"
                                                              : s.requests.source;
    for (const auto& [type, n] : s.requests.errors_by_type) errors[prefix + "_" + type] += n;
    AddLabeledCounter(out, "hlsswarm_errors_total",
                      "Errors by type (tap_* from the measurement tap, native_* from native "
                      "viewers' requests, others from the engine's log or events)",
                      "type", errors);
  }
  AddCounter(out, "hlsswarm_segments_skipped_total",
             "Segments viewers skipped (failed too often or expired)",
             static_cast<double>(s.segments_skipped));
  AddCounter(out, "hlsswarm_rebuffer_events_total",
             "Times a native viewer's playout buffer ran empty while playing",
             static_cast<double>(s.rebuffer_events));
  AddCounter(out, "hlsswarm_rebuffer_seconds_total", "Time native viewers spent rebuffering",
             s.rebuffer_s);
  AddCounter(out, "hlsswarm_plays_completed_total", "VOD plays watched to the end",
             static_cast<double>(s.plays_completed));
  AddQoeFamilies(out, s);
  AddStreamFamilies(out, s);
  AddEngineFamilies(out, s);
  AddCounter(out, "hlsswarm_playlist_reload_failures_total", "Playlist reloads that failed",
             static_cast<double>(s.playlist_reload_failures));
  AddCounter(out, "hlsswarm_reconnects_total", "Reconnects FFmpeg announced",
             static_cast<double>(s.reconnects));
  AddCounter(out, "hlsswarm_bytes_received_total",
             "Response body bytes received (exact with the tap; 0 without it)",
             static_cast<double>(s.bytes_received));
  AddCounter(out, "hlsswarm_log_pipe_full_total",
             "Reads that found a viewer's stderr/progress pipe full (FFmpeg may have dropped "
             "log lines rather than block)",
             static_cast<double>(s.log_pipe_full));
  AddCounter(out, "hlsswarm_log_lines_truncated_total", "FFmpeg log lines cut at 8 KiB",
             static_cast<double>(s.log_lines_truncated));
  AddHistogram(out, "hlsswarm_viewer_startup_seconds", "Viewer spawn to first segment request",
               s.startup_us, 1e-6, LatencyBucketsSeconds());
  AddHistogram(out, "hlsswarm_playback_speed", "Playback speed reported by FFmpeg (1 = real time)",
               s.speed_milli, 1e-3, {0.5, 0.8, 0.9, 0.95, 0.99, 1.01, 1.05, 1.1, 1.5, 2, 5});
  return out;
}

std::string RenderText(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace hs::metrics
