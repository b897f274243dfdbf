// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "report/report.h"

#include <fmt/format.h>

namespace hs::report {

namespace {

std::string Seconds(double s) {
  if (s >= 3600)
    return fmt::format("{}h{:02}m{:02}s", static_cast<int>(s) / 3600,
                       (static_cast<int>(s) / 60) % 60, static_cast<int>(s) % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{:.1f}s", s);
}

template <typename Map>
std::string Joined(const Map& m) {
  if (m.empty()) return "none";
  std::string out;
  for (const auto& [k, v] : m) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", k, v);
  }
  return out;
}

// One row of the table: label padded to a fixed column.
void Row(std::string& out, const std::string& label, const std::string& value) {
  out += fmt::format("  {:<22} {}\n", label, value);
}

template <typename Map>
nlohmann::json MapJson(const Map& m) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : m) {
    if constexpr (std::is_same_v<typename Map::key_type, int>) {
      j[std::to_string(k)] = v;
    } else {
      j[k] = v;
    }
  }
  return j;
}

nlohmann::json HistJson(const stats::Histogram& h, double unit) {
  return {{"count", h.count()},
          {"min", static_cast<double>(h.min()) * unit},
          {"mean", h.Mean() * unit},
          {"p50", static_cast<double>(h.Percentile(50)) * unit},
          {"p90", static_cast<double>(h.Percentile(90)) * unit},
          {"p99", static_cast<double>(h.Percentile(99)) * unit},
          {"max", static_cast<double>(h.max()) * unit}};
}

std::string HistText(const stats::Histogram& h, double unit, const char* fmt_unit) {
  if (h.count() == 0) return "no samples";
  auto v = [&](double x) { return fmt::format(fmt::runtime(fmt_unit), x * unit); };
  return fmt::format(
      "p50 {}  p90 {}  p99 {}  min {}  max {}  (n={})", v(static_cast<double>(h.Percentile(50))),
      v(static_cast<double>(h.Percentile(90))), v(static_cast<double>(h.Percentile(99))),
      v(static_cast<double>(h.min())), v(static_cast<double>(h.max())), h.count());
}

std::string Ms(std::uint64_t us) { return fmt::format("{:.1f}", static_cast<double>(us) / 1000.0); }

// The tap's per-kind table: requests, bytes, codes, and TTFB / download time percentiles.
void TapText(std::string& out, const stats::RequestFigures& t) {
  out +=
      fmt::format("\n  {:<9} {:>9} {:>12} {:>7}  {:<24} {:<24} {}\n", "kind", "requests", "bytes",
                  "errors", "TTFB ms p50/p90/p99/max", "total ms p50/p90/p99/max", "codes");
  for (const auto& [kind, k] : t.by_kind) {
    auto q = [](const stats::Histogram& h) {
      return fmt::format("{}/{}/{}/{}", Ms(h.Percentile(50)), Ms(h.Percentile(90)),
                         Ms(h.Percentile(99)), Ms(h.max()));
    };
    out += fmt::format("  {:<9} {:>9} {:>12} {:>7}  {:<24} {:<24} {}\n", kind, k.requests,
                       k.body_bytes, k.errors, q(k.ttfb_us), q(k.total_us), Joined(k.codes));
  }
  out += "\n";
  Row(out, "download ratio", HistText(t.download_ratio_milli, 1e-3, "{:.2f}"));
  Row(out, "playlist reloads", HistText(t.reload_interval_ms, 1e-3, "{:.2f}s"));
  Row(out, "viewer throughput", HistText(t.viewer_throughput_kbps, 1.0, "{:.0f}kbit/s"));
  Row(out, "buffering",
      fmt::format("{} viewers now, {} times in all", t.buffering_now, t.buffering_events));
  Row(out, "stale playlists", fmt::format("{} now, {} times in all", t.stale_now, t.stale_events));
  if (!t.errors_by_type.empty()) Row(out, "request errors", Joined(t.errors_by_type));
  std::string cache;
  for (const auto& [kind, k] : t.by_kind) {
    const double ratio = k.CacheHitRatio();
    if (ratio < 0) continue;
    cache += fmt::format("{}{} {:.1f}% ({})", cache.empty() ? "" : ", ", kind, 100 * ratio,
                         Joined(k.cache));
  }
  if (!cache.empty()) Row(out, "cache hit ratio", cache);
  if (t.requests_by_edge.size() > 1) {
    std::uint64_t total = 0;
    for (const auto& [edge, n] : t.requests_by_edge) total += n;
    std::string split;
    for (const auto& [edge, n] : t.requests_by_edge) {
      split += fmt::format("{}{} {} ({:.1f}%)", split.empty() ? "" : ", ", edge, n,
                           100.0 * static_cast<double>(n) / static_cast<double>(total));
    }
    Row(out, "requests by edge", split);
  }
  if (t.tunnels > 0) {
    Row(out, "https tunnels",
        fmt::format("{} ({} bytes); per-request figures for https come from "
                    "FFmpeg's log",
                    t.tunnels, t.tunnel_bytes));
  }
}

std::string OriginText(const stats::OriginSample& o) {
  std::string out;
  auto add = [&](const std::optional<double>& v, const char* f) {
    if (!v) return;
    if (!out.empty()) out += ", ";
    out += fmt::format(fmt::runtime(f), *v);
  };
  add(o.cpu_percent, "CPU {:.1f}%");
  add(o.memory_used_percent, "memory {:.1f}%");
  if (o.network_rx_bytes_per_s) add(*o.network_rx_bytes_per_s * 8 / 1e6, "net in {:.1f} Mbit/s");
  if (o.network_tx_bytes_per_s) add(*o.network_tx_bytes_per_s * 8 / 1e6, "net out {:.1f} Mbit/s");
  add(o.nginx_connections_active, "nginx connections {:.0f}");
  add(o.nginx_requests_per_s, "nginx {:.1f} req/s");
  if (out.empty()) out = "no figures";
  if (o.scrape_errors > 0) out += fmt::format(" ({} failed scrapes)", o.scrape_errors);
  return out;
}

nlohmann::json OriginJson(const stats::OriginSample& o) {
  nlohmann::json j = {
      {"configured", o.configured}, {"scrape_errors", o.scrape_errors}, {"errors", o.errors}};
  auto put = [&](const char* k, const std::optional<double>& v) {
    if (v) j[k] = *v;
  };
  put("cpu_percent", o.cpu_percent);
  put("memory_used_bytes", o.memory_used_bytes);
  put("memory_used_percent", o.memory_used_percent);
  put("network_receive_bytes_per_second", o.network_rx_bytes_per_s);
  put("network_transmit_bytes_per_second", o.network_tx_bytes_per_s);
  put("nginx_connections_active", o.nginx_connections_active);
  put("nginx_requests_per_second", o.nginx_requests_per_s);
  return j;
}

nlohmann::json TapJson(const stats::RequestFigures& t) {
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [kind, k] : t.by_kind) {
    kinds[kind] = {{"requests", k.requests},
                   {"body_bytes", k.body_bytes},
                   {"errors", k.errors},
                   {"reused_connection", k.reused},
                   {"codes", MapJson(k.codes)},
                   {"cache", MapJson(k.cache)},
                   {"cache_hit_ratio", k.CacheHitRatio() < 0 ? nlohmann::json(nullptr)
                                                             : nlohmann::json(k.CacheHitRatio())},
                   {"ttfb_seconds", HistJson(k.ttfb_us, 1e-6)},
                   {"duration_seconds", HistJson(k.total_us, 1e-6)}};
  }
  return {{"enabled", t.enabled},
          {"by_kind", kinds},
          {"errors_by_type", MapJson(t.errors_by_type)},
          {"segment_download_ratio", HistJson(t.download_ratio_milli, 1e-3)},
          {"playlist_reload_interval_seconds", HistJson(t.reload_interval_ms, 1e-3)},
          {"viewer_throughput_kbps", HistJson(t.viewer_throughput_kbps, 1.0)},
          {"buffering_now", t.buffering_now},
          {"buffering_events", t.buffering_events},
          {"stale_now", t.stale_now},
          {"stale_events", t.stale_events},
          {"tunnels", t.tunnels},
          {"tunnel_bytes", t.tunnel_bytes},
          {"source", t.source},
          {"requests_by_edge", MapJson(t.requests_by_edge)}};
}

// Requests of one stream that failed: no response or cut (transport errors) or a status >= 400.
std::uint64_t StreamErrors(const stats::StreamFigures& f) {
  std::uint64_t n = 0;
  for (const auto& [kind, k] : f.requests.by_kind) {
    n += k.errors;
    for (const auto& [code, c] : k.codes) n += code >= 400 ? c : 0;
  }
  return n;
}

const stats::Histogram* SegmentTtfb(const stats::StreamFigures& f) {
  auto it = f.requests.by_kind.find("segment");
  return it == f.requests.by_kind.end() ? nullptr : &it->second.ttfb_us;
}

// Several streams: one line each (the streams' labels, URLs redacted).
void StreamsText(std::string& out, const stats::Snapshot& s) {
  out += fmt::format("\n  {:<24} {:>6} {:>6} {:>7} {:>7} {:>9} {:>12} {:>6}  {:<18} {}\n", "stream",
                     "weight", "target", "running", "playing", "requests", "bytes", "errors",
                     "seg TTFB ms p50/p99", "startup ms p50");
  for (const stats::StreamFigures& f : s.streams) {
    const stats::Histogram* ttfb = SegmentTtfb(f);
    out += fmt::format(
        "  {:<24} {:>6} {:>6} {:>7} {:>7} {:>9} {:>12} {:>6}  {:<18} {}\n", f.label, f.weight,
        f.target, f.running, f.playing, f.requests.TotalRequests(), f.requests.TotalBytes(),
        StreamErrors(f),
        ttfb == nullptr ? std::string("-")
                        : fmt::format("{}/{}", Ms(ttfb->Percentile(50)), Ms(ttfb->Percentile(99))),
        f.startup_us.count() == 0 ? std::string("-") : Ms(f.startup_us.Percentile(50)));
  }
  for (const stats::StreamFigures& f : s.streams) Row(out, "stream " + f.label, f.url);
  out += "\n";
}

nlohmann::json StreamsJson(const stats::Snapshot& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const stats::StreamFigures& f : s.streams) {
    a.push_back(
        {{"label", f.label},
         {"url", f.url},
         {"weight", f.weight},
         {"viewers", {{"target", f.target}, {"running", f.running}, {"playing", f.playing}}},
         {"starts", f.starts},
         {"stalls", f.stalls},
         {"restarts", f.restarts},
         {"startup_seconds", HistJson(f.startup_us, 1e-6)},
         {"requests",
          {{"total", f.requests.TotalRequests()},
           {"errors", StreamErrors(f)},
           {"bytes", f.requests.TotalBytes()}}},
         {"tap", TapJson(f.requests)}});
  }
  return a;
}

// -engine-mix: one line per engine (its viewers, requests and errors).
void EnginesText(std::string& out, const stats::Snapshot& s) {
  out +=
      fmt::format("\n  {:<8} {:>5} {:>6} {:>7} {:>7} {:>6} {:>9} {:>6}  {}\n", "engine", "share",
                  "target", "running", "playing", "starts", "requests", "errors", "startup ms p50");
  for (const stats::EngineFigures& e : s.engines) {
    out +=
        fmt::format("  {:<8} {:>4}% {:>6} {:>7} {:>7} {:>6} {:>9} {:>6}  {}\n", e.engine, e.percent,
                    e.target, e.running, e.playing, e.starts, e.requests, e.Errors(),
                    e.startup_us.count() == 0 ? std::string("-") : Ms(e.startup_us.Percentile(50)));
  }
  out += "\n";
}

nlohmann::json EnginesJson(const stats::Snapshot& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const stats::EngineFigures& e : s.engines) {
    a.push_back(
        {{"engine", e.engine},
         {"percent", e.percent},
         {"viewers", {{"target", e.target}, {"running", e.running}, {"playing", e.playing}}},
         {"starts", e.starts},
         {"spawn_failures", e.spawn_failures},
         {"stalls", e.stalls},
         {"restarts", e.restarts},
         {"startup_seconds", HistJson(e.startup_us, 1e-6)},
         {"requests", e.requests},
         {"errors",
          {{"total", e.Errors()},
           {"engine", e.engine_errors},
           {"failed_requests", e.request_errors}}}});
  }
  return a;
}

// hls-swarm's own requests (preflight, ffprobe) and the total the origin saw.
void ProbeText(std::string& out, const stats::Snapshot& s) {
  const stats::ProbeFigures& p = s.probe;
  std::string value = fmt::format("{} ({}; {}), {} bytes", p.Total(), Joined(p.requests_by_kind),
                                  Joined(p.requests_by_source), p.body_bytes);
  if (p.errors > 0) value += fmt::format(", {} errors", p.errors);
  if (!p.unmeasured.empty()) {
    std::string names;
    for (const auto& n : p.unmeasured) names += (names.empty() ? "" : ", ") + n;
    value += fmt::format("; not measured: {} (tap off, or https tunnels)", names);
  }
  Row(out, "probe requests", value);
  Row(out, "origin requests",
      fmt::format("{} (viewers {} + probe {})", s.TotalRequests() + p.Total(), s.TotalRequests(),
                  p.Total()));
}

nlohmann::json ProbeJson(const stats::ProbeFigures& p) {
  return {{"requests", p.Total()},
          {"by_kind", MapJson(p.requests_by_kind)},
          {"by_source", MapJson(p.requests_by_source)},
          {"codes", MapJson(p.codes)},
          {"body_bytes", p.body_bytes},
          {"errors", p.errors},
          {"unmeasured", p.unmeasured}};
}

// What the FFmpeg engine cannot tell about viewers' experience (it reports startup only).
const std::vector<std::string>& FfmpegQoeGaps() {
  static const std::vector<std::string> kGaps = {
      "live latency: not measured by the ffmpeg engine",
      "rebuffering: not measured by the ffmpeg engine (see playback speed and the tap's "
      "buffering figures)",
      "rendition switches and viewers by rendition: not measured by the ffmpeg engine",
      "played bitrate: not measured by the ffmpeg engine"};
  return kGaps;
}

std::string RenditionName(std::uint64_t bw) {
  return bw == stats::Snapshot::kOtherRendition
             ? std::string("other")
             : fmt::format("{:.0f}kbit/s", static_cast<double>(bw) / 1000.0);
}

std::string RenditionsText(const std::map<std::uint64_t, std::int64_t>& m) {
  std::string out;
  for (const auto& [bw, n] : m) {
    if (n == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", RenditionName(bw), n);
  }
  return out.empty() ? "none" : out;
}

std::string MediaByRenditionText(const std::map<std::uint64_t, double>& m) {
  double total = 0;
  for (const auto& [bw, s] : m) total += s;
  if (total <= 0) return "none";
  std::string out;
  for (const auto& [bw, s] : m) {
    out += fmt::format("{}{} {:.1f}%", out.empty() ? "" : ", ", RenditionName(bw), 100 * s / total);
  }
  return out;
}

void QoeText(std::string& out, const stats::Snapshot& s) {
  if (!s.HasNative()) {
    for (const std::string& gap : FfmpegQoeGaps()) Row(out, "QoE", gap);
    return;
  }
  if (s.HasFfmpeg()) Row(out, "QoE", "native viewers only (FFmpeg's: startup, playback speed)");
  Row(out, "watch time", Seconds(s.watch_s));
  Row(out, "rebuffer ratio",
      fmt::format("{:.4f} ({:.2f}% of watch time)", s.RebufferRatio(), 100.0 * s.RebufferRatio()));
  Row(out, "live latency",
      s.live_latency_ms.count() == 0 ? std::string("no samples (VOD, or no live viewer playing)")
                                     : HistText(s.live_latency_ms, 1e-3, "{:.1f}s"));
  Row(out, "played bitrate",
      s.played_bitrate_bps > 0 ? fmt::format("{:.0f} kbit/s (BANDWIDTH, media-time weighted)",
                                             s.played_bitrate_bps / 1000.0)
                               : std::string("unknown (no master playlist)"));
  Row(out, "media by rendition", MediaByRenditionText(s.media_s_by_rendition));
  Row(out, "rendition switches", fmt::format("{}", s.rendition_switches));
  Row(out, "viewers by rendition", RenditionsText(s.viewers_by_rendition));
}

nlohmann::json QoeJson(const stats::Snapshot& s) {
  nlohmann::json renditions = nlohmann::json::object();
  for (const auto& [bw, n] : s.viewers_by_rendition) {
    renditions[bw == stats::Snapshot::kOtherRendition ? std::string("other") : std::to_string(bw)] =
        n;
  }
  nlohmann::json j = {{"startup_seconds", HistJson(s.startup_us, 1e-6)}};
  if (!s.HasNative()) {
    j["not_measured"] = FfmpegQoeGaps();
    return j;
  }
  if (s.HasFfmpeg()) j["native_viewers_only"] = true;
  j["watch_seconds"] = s.watch_s;
  j["rebuffer_events"] = s.rebuffer_events;
  j["rebuffer_seconds"] = s.rebuffer_s;
  j["rebuffer_ratio"] = s.RebufferRatio();
  j["live_latency_seconds"] = HistJson(s.live_latency_ms, 1e-3);
  j["played_bitrate_bps"] = s.played_bitrate_bps;
  j["rendition_switches"] = s.rendition_switches;
  j["viewers_by_rendition"] = renditions;
  nlohmann::json media = nlohmann::json::object();
  for (const auto& [bw, sec] : s.media_s_by_rendition) {
    media[bw == stats::Snapshot::kOtherRendition ? std::string("other") : std::to_string(bw)] = sec;
  }
  j["media_seconds_by_rendition"] = media;
  j["plays_completed"] = s.plays_completed;
  return j;
}

}  // namespace

std::string FormatText(const stats::Snapshot& s) {
  std::string out = "\n=== hls-swarm report ===\n";
  Row(out, "stream",
      s.stream_type.empty() ? s.stream_url : fmt::format("{} ({})", s.stream_url, s.stream_type));
  Row(out, "profile", s.profile);
  Row(out, "engine",
      s.engine_version.empty() ? s.engine : fmt::format("{} ({})", s.engine, s.engine_version));
  Row(out, "run duration", Seconds(s.elapsed_s));
  Row(out, "viewers",
      fmt::format("target {}, peak active {}, active at end {}, peak running {}", s.target,
                  s.peak_active, s.active, s.peak_running));
  Row(out, "ramp", fmt::format("achieved {:.2f} viewers/s", s.ramp_rate_achieved));
  Row(out, "starts", fmt::format("{} (spawn failures {})", s.starts, s.spawn_failures));
  Row(out, "restarts", fmt::format("{} ({})", s.TotalRestarts(), Joined(s.restarts_by_cause)));
  Row(out, "exits", Joined(s.exits_by_reason));
  Row(out, "stalls", Joined(s.stalls_by_cause));
  std::string measured_by = s.requests.source;
  if (s.requests.source == "native") measured_by = "native engine";
  if (s.requests.source == "mixed") measured_by = "tap and the native engine";
  if (s.requests.source == "native" && !s.engines.empty())
    measured_by = "native engine (FFmpeg viewers': from FFmpeg's log)";
  Row(out, "requests",
      fmt::format("{} ({}){}", s.TotalRequests(), Joined(s.RequestsByKind()),
                  s.requests.enabled ? ", measured by the " + measured_by
                                     : std::string(", from the engine's log")));
  Row(out, "bytes received",
      s.requests.enabled ? fmt::format("{}", s.bytes_received) : "not measured (tap off)");
  if (s.probe.Total() > 0 || !s.probe.unmeasured.empty()) ProbeText(out, s);
  if (s.streams.size() > 1) StreamsText(out, s);
  if (!s.engines.empty()) EnginesText(out, s);
  if (s.media_played_s > 0) Row(out, "media played", Seconds(s.media_played_s));
  if (s.HasNative()) {
    Row(out, "rebuffering", fmt::format("{} events, {}", s.rebuffer_events, Seconds(s.rebuffer_s)));
  }
  if (s.HasNative() || s.stream_type == "VOD" || s.plays_completed > 0) {
    Row(out, "plays completed", fmt::format("{} (VOD played to the end)", s.plays_completed));
  }
  QoeText(out, s);
  Row(out, "HTTP errors", Joined(s.http_errors_by_code));
  Row(out, "errors", fmt::format("{} ({})", s.TotalErrors(), Joined(s.errors_by_type)));
  Row(out, "segments",
      fmt::format("failed {}, skipped {} (expired {})", s.segments_failed, s.segments_skipped,
                  s.segments_expired));
  Row(out, "playlist reloads", fmt::format("failed {}", s.playlist_reload_failures));
  Row(out, "reconnects",
      fmt::format("{} (keepalive retries {})", s.reconnects, s.keepalive_retries));
  Row(out, "startup", HistText(s.startup_us, 1e-3, "{:.0f}ms"));
  if (s.HasFfmpeg()) Row(out, "playback speed", HistText(s.speed_milli, 1e-3, "{:.2f}x"));
  if (s.requests.enabled) {
    TapText(out, s.requests);
  } else if (s.requests.tunnels > 0) {
    Row(out, "https tunnels",
        fmt::format("{} ({} bytes); per-request figures for https come from "
                    "FFmpeg's log",
                    s.requests.tunnels, s.requests.tunnel_bytes));
  }
  if (s.origin.configured) Row(out, "origin (last scrape)", OriginText(s.origin));
  if (!s.engine_notes.empty()) {
    std::string m;
    for (const auto& x : s.engine_notes) m += (m.empty() ? "" : ", ") + x;
    Row(out, "left out (" + s.engine + ")", m);
  }
  return out;
}

nlohmann::json ToJson(const stats::Snapshot& s) {
  nlohmann::json j = {
      {"stream_url", s.stream_url},
      {"profile", s.profile},
      {"engine", s.engine},
      {"engine_version", s.engine_version},
      {"engine_notes", s.engine_notes},
      {"tap_mode", s.tap_mode},
      {"stream_type", s.stream_type},
      {"duration_seconds", s.elapsed_s},
      {"viewers",
       {{"target", s.target},
        {"peak_active", s.peak_active},
        {"active_at_end", s.active},
        {"peak_running", s.peak_running}}},
      {"ramp_rate_achieved", s.ramp_rate_achieved},
      {"starts", s.starts},
      {"spawn_failures", s.spawn_failures},
      {"restarts", {{"total", s.TotalRestarts()}, {"by_cause", MapJson(s.restarts_by_cause)}}},
      {"exits_by_reason", MapJson(s.exits_by_reason)},
      {"stalls_by_cause", MapJson(s.stalls_by_cause)},
      {"requests",
       {{"total", s.TotalRequests()},
        {"by_kind", MapJson(s.RequestsByKind())},
        {"total_with_probe", s.TotalRequests() + s.probe.Total()}}},
      {"probe", ProbeJson(s.probe)},
      {"log_requests_by_kind", MapJson(s.logged_requests_by_kind)},
      {"tap", TapJson(s.requests)},
      {"origin", OriginJson(s.origin)},
      {"new_connections", s.new_connections},
      {"bytes_received", s.bytes_received},
      {"http_errors_by_code", MapJson(s.http_errors_by_code)},
      {"errors", {{"total", s.TotalErrors()}, {"by_type", MapJson(s.errors_by_type)}}},
      {"segments",
       {{"failed", s.segments_failed},
        {"skipped", s.segments_skipped},
        {"expired", s.segments_expired}}},
      {"playlist_reload_failures", s.playlist_reload_failures},
      {"reconnects", s.reconnects},
      {"keepalive_retries", s.keepalive_retries},
      {"media_played_seconds", s.media_played_s},
      {"rebuffer_events", s.rebuffer_events},
      {"rebuffer_seconds", s.rebuffer_s},
      {"plays_completed", s.plays_completed},
      {"startup_seconds", HistJson(s.startup_us, 1e-6)},
      {"playback_speed", HistJson(s.speed_milli, 1e-3)},
  };
  j["qoe"] = QoeJson(s);
  j["streams"] = StreamsJson(s);
  j["engines"] = EnginesJson(s);
  return j;
}

namespace {

std::string StreamsStatus(const stats::Snapshot& s) {
  if (s.streams.size() < 2) return "";
  std::string out = " streams:";
  for (const stats::StreamFigures& f : s.streams) {
    out += fmt::format(" {}={}/{}", f.label, f.playing, f.target);
  }
  return out;
}

std::string EnginesStatus(const stats::Snapshot& s) {
  std::string out = s.engines.empty() ? "" : " engines:";
  for (const stats::EngineFigures& e : s.engines) {
    out += fmt::format(" {}={}/{} errors={}", e.engine, e.playing, e.target, e.Errors());
  }
  return out;
}

}  // namespace

std::string FormatStatusLine(const stats::Snapshot& s) {
  // FFmpeg reports its playback speed; native viewers have a playout buffer that rebuffers.
  std::string tail;
  if (s.HasNative()) tail = fmt::format("rebuffers={}", s.rebuffer_events);
  if (s.HasFfmpeg()) {
    tail += fmt::format("{}speed_p50={:.2f}x", tail.empty() ? "" : " ",
                        static_cast<double>(s.speed_milli.Percentile(50)) / 1000.0);
  }
  return fmt::format(
      "t={} viewers active={}/{} running={} starting={} backoff={} stalled={} ramp={:.0f}% "
      "requests={} errors={} restarts={} {}{}{}{}",
      Seconds(s.elapsed_s), s.active, s.target, s.running, s.starting, s.backoff, s.stalled,
      s.ramp_progress * 100, s.TotalRequests(), s.TotalErrors(), s.TotalRestarts(), tail,
      s.stage.empty() ? "" : " [" + s.stage + "]", StreamsStatus(s), EnginesStatus(s));
}

namespace {

nlohmann::json StreamsStatusJson(const stats::Snapshot& s) {
  nlohmann::json a = nlohmann::json::array();
  if (s.streams.size() < 2) return a;
  for (const stats::StreamFigures& f : s.streams) {
    a.push_back({{"stream", f.label},
                 {"playing", f.playing},
                 {"target", f.target},
                 {"running", f.running},
                 {"requests", f.requests.TotalRequests()},
                 {"errors", StreamErrors(f)}});
  }
  return a;
}

nlohmann::json EnginesStatusJson(const stats::Snapshot& s) {
  nlohmann::json a = nlohmann::json::array();
  for (const stats::EngineFigures& e : s.engines) {
    a.push_back({{"engine", e.engine},
                 {"percent", e.percent},
                 {"playing", e.playing},
                 {"target", e.target},
                 {"running", e.running},
                 {"requests", e.requests},
                 {"errors", e.Errors()}});
  }
  return a;
}

}  // namespace

nlohmann::json StatusJson(const stats::Snapshot& s) {
  return {{"elapsed_seconds", s.elapsed_s},
          {"active", s.active},
          {"target", s.target},
          {"running", s.running},
          {"starting", s.starting},
          {"backoff", s.backoff},
          {"stalled", s.stalled},
          {"ramp_progress", s.ramp_progress},
          {"requests", s.TotalRequests()},
          {"errors", s.TotalErrors()},
          {"restarts", s.TotalRestarts()},
          {"stage", s.stage},
          {"streams", StreamsStatusJson(s)},
          {"engines", EnginesStatusJson(s)}};
}

}  // namespace hs::report
