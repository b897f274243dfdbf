// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/print_config.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "config/duration.h"

namespace hs::config {

namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;

const char* YesNo(bool b) { return b ? "true" : "false"; }

std::string OrNone(const std::string& s) { return s.empty() ? "(none)" : s; }

std::vector<std::string> ThresholdExprs(const Config& c) {
  std::vector<std::string> out;
  for (const auto& t : c.thresholds) out.push_back(t.expr);
  return out;
}

std::string ThresholdsText(const Config& c) {
  if (c.thresholds.empty()) return "(none)";
  std::string out;
  for (const auto& t : ThresholdExprs(c)) out += (out.empty() ? "" : ", ") + t;
  bool abort = false;
  for (const auto& t : c.thresholds) abort = abort || t.abort;
  if (abort) out += fmt::format(" (:abort checked after {})", FormatGoDuration(c.threshold_grace));
  return out + "; exit 3 when one is breached";
}

std::string DurationText(std::chrono::milliseconds d) { return FormatGoDuration(d); }

StreamAssigner StreamsOf(const Config& c) {
  std::vector<int> weights;
  for (const StreamSpec& st : c.streams) weights.push_back(st.weight);
  return StreamAssigner(weights);
}

EngineAssigner MixAssigner(const Config& c) { return c.EngineMixAssigner(StreamsOf(c)); }

// Several streams: "0:a.example weight 3 (30 viewers), 1:b.example weight 1 (10 viewers)".
std::string StreamsText(const Config& c) {
  const std::vector<int> split = StreamsOf(c).Counts(c.client_id_offset, c.clients);
  std::string out;
  for (std::size_t i = 0; i < c.streams.size(); ++i) {
    out += fmt::format("{}{} weight {} ({} viewers)", out.empty() ? "" : ", ",
                       StreamLabel(i, c.streams[i].url), c.streams[i].weight, split[i]);
  }
  return out;
}

// -engine-mix: "native 90% (45 viewers), ffmpeg 10% (5 viewers)".
std::string EngineMixText(const Config& c) {
  const std::vector<int> split = MixAssigner(c).Counts(c.client_id_offset, c.clients);
  std::string out;
  for (std::size_t i = 0; i < c.engine_mix.size(); ++i) {
    out += fmt::format("{}{} {}% ({} viewers)", out.empty() ? "" : ", ",
                       ToString(c.engine_mix[i].engine), c.engine_mix[i].percent, split[i]);
  }
  return out;
}

Rows LoadRows(const Config& c) {
  Rows rows = {
      {"profile", c.profile},
      {"stream-url",
       c.stream_url.empty() ? (c.test_origin ? "(test origin)" : "(none)") : c.stream_url},
      {"clients", std::to_string(c.clients)},
      {"ramp-rate", fmt::format("{}/s", c.ramp_rate)},
      {"ramp-jitter", DurationText(c.ramp_jitter)},
      {"duration", c.IsDurationBased() ? DurationText(c.duration) : "0 (until stopped)"},
      {"shard", fmt::format("{}/{} (viewer ids {}..{})", c.shard_index, c.shard_count,
                            c.client_id_offset, c.client_id_offset + c.clients - 1)},
      {"seed", c.seed == 0 ? "0 (random)" : std::to_string(c.seed)},
      {"variant",
       c.variant_mix.empty() ? std::string(ToString(c.variant)) : "mix " + ToString(c.variant_mix)},
  };
  if (c.streams.size() > 1) rows.insert(rows.begin() + 2, {"streams", StreamsText(c)});
  return rows;
}

Rows NetworkRows(const Config& c) {
  Rows rows = {
      {"reconnect", YesNo(c.reconnect)},
      {"reconnect-delay-max", fmt::format("{}s", c.reconnect_delay_max_s)},
      {"seg-max-retry", std::to_string(c.seg_max_retry)},
      {"timeout", DurationText(c.timeout)},
      {"user-agent", fmt::format("{}/client-<id>", c.user_agent)},
      {"no-cache", YesNo(c.no_cache)},
  };
  if (c.headers.empty()) rows.emplace_back("header", "(none)");
  for (const std::string& h : c.headers) rows.emplace_back("header", h);
  rows.emplace_back("cmcd", c.cmcd_cid.empty() || c.cmcd == CmcdMode::kOff
                                ? std::string(ToString(c.cmcd))
                                : fmt::format("{} (cid {})", ToString(c.cmcd), c.cmcd_cid));
  rows.emplace_back("resolve", OrNone(c.resolve_ip));
  rows.emplace_back("dangerous", YesNo(c.dangerous));
  return rows;
}

Rows OutputRows(const Config& c) {
  return {
      {"engine",
       fmt::format("{} (vod-end {}, {})",
                   c.engine_mix.empty() ? std::string(ToString(c.engine)) : EngineMixText(c),
                   ToString(c.vod_end), c.pace ? "paced" : "unpaced: as fast as the network")},
      {"tap",
       fmt::format("{}{}", YesNo(c.tap),
                   c.GetTapMode() == TapMode::kRequests && c.stream_url.rfind("https://", 0) == 0
                       ? " (https: TLS intercepted with a CA made for the run; every request "
                         "measured)"
                       : "")},
      {"tui", YesNo(c.tui)},
      {"metrics", c.metrics_port == 0
                      ? "off"
                      : fmt::format("http://{}:{}/metrics", c.metrics_addr, c.metrics_port)},
      {"log-level", ToString(c.log_level)},
      {"log-format", ToString(c.log_format)},
      {"summary-json", OrNone(c.summary_json_path)},
      {"thresholds", ThresholdsText(c)},
      {"junit", OrNone(c.junit_path)},
      {"ffmpeg", c.ffmpeg_path},
      {"test-origin",
       c.test_origin ? fmt::format("true (profile {})", c.test_origin_profile) : "false"},
  };
}

Rows DerivedRows(const Config& c) {
  const Derived d = c.ComputeDerived();
  if (c.IsNative()) {
    // Measured (README, bench/native_bench.py): ~3.6 kB per native viewer on http over a
    // ~17 MB base; a TLS connection adds ~17-21 kB (OpenSSL 3.0, TLS 1.3).
    const long long n = std::max(c.clients, 0);
    return {
        {"ramp-duration", fmt::format("{}s", d.ramp_duration_s)},
        {"estimated-memory", fmt::format("{} MB over http, {} MB over https (native viewers)",
                                         20 + n * 4 / 1024, 20 + n * 40 / 1024)},
        {"recommended-fd-limit", fmt::format("{} (one connection per viewer, two with "
                                             "alternate audio)",
                                             n * 2 + 256)},
        {"recommended-ports", std::to_string(n * 2)},
    };
  }
  return {
      {"ramp-duration", fmt::format("{}s", d.ramp_duration_s)},
      {"estimated-memory", fmt::format("{} MB", d.estimated_memory_mb)},
      {"recommended-fd-limit", std::to_string(d.recommended_fd_limit)},
      {"recommended-ports", std::to_string(d.recommended_ports)},
  };
}

void AppendRows(const Rows& rows, std::size_t width, std::string_view indent, std::string* out) {
  for (const auto& [key, value] : rows) {
    *out += fmt::format("{}{:<{}} {}\n", indent, key + ":", width + 1, value);
  }
}

nlohmann::json StagesJson(const Config& c) {
  nlohmann::json a = nlohmann::json::array();
  for (const Stage& st : c.stages) {
    a.push_back({{"duration", FormatGoDuration(st.duration)},
                 {"durationSeconds", static_cast<double>(st.duration.count()) / 1000.0},
                 {"target", st.target}});
  }
  return a;
}

nlohmann::json StreamsJson(const Config& c) {
  nlohmann::json a = nlohmann::json::array();
  const std::vector<int> split = StreamsOf(c).Counts(c.client_id_offset, c.clients);
  for (std::size_t i = 0; i < c.streams.size(); ++i) {
    a.push_back({{"url", RedactQuery(c.streams[i].url)},
                 {"label", StreamLabel(i, c.streams[i].url)},
                 {"weight", c.streams[i].weight},
                 {"viewers", split[i]}});
  }
  return a;
}

nlohmann::json EngineMixJson(const Config& c) {
  nlohmann::json a = nlohmann::json::array();
  if (c.engine_mix.empty()) return a;
  const std::vector<int> split = MixAssigner(c).Counts(c.client_id_offset, c.clients);
  for (std::size_t i = 0; i < c.engine_mix.size(); ++i) {
    a.push_back({{"engine", ToString(c.engine_mix[i].engine)},
                 {"percent", c.engine_mix[i].percent},
                 {"viewers", split[i]}});
  }
  return a;
}

nlohmann::json RunJson(const Config& c) {
  return {
      {"streamUrl", c.stream_url},
      {"streams", StreamsJson(c)},
      {"stages", StagesJson(c)},
      {"duration", FormatGoDuration(c.duration)},
      {"durationSeconds", static_cast<double>(c.duration.count()) / 1000.0},
      {"timeoutMs", c.timeout.count()},
      {"headers", c.headers},
      {"noCache", c.no_cache},
      {"userAgent", c.user_agent},
      {"resolve", c.resolve_ip},
      {"dangerous", c.dangerous},
      {"ffmpeg", c.ffmpeg_path},
      {"tap", c.tap},
      {"api", c.api},
      {"originMetrics", c.origin_metrics_urls},
      {"originExporters", c.origin_exporters},
      {"usesTap", c.UsesTap()},
      {"engine", c.engine_mix.empty() ? ToString(c.engine) : "mix"},
      {"engineMix", EngineMixJson(c)},
      {"vodEnd", ToString(c.vod_end)},
      {"pace", c.pace},
      {"lowLatency", c.low_latency},
      {"cmcd", ToString(c.cmcd)},
      {"cmcdCid", c.cmcd_cid},
      {"tapMode", ToString(c.GetTapMode())},
      {"tui", c.tui},
      {"logFormat", ToString(c.log_format)},
      {"metricsAddr", c.metrics_addr},
      {"testOrigin", c.test_origin},
      {"testOriginProfile", c.test_origin_profile},
      {"summaryJson", c.summary_json_path},
      {"thresholds", ThresholdExprs(c)},
      {"junit", c.junit_path},
      {"tapLog", c.tap_log_path},
      {"check", c.check},
      {"printCmd", c.print_cmd},
      {"shard",
       {{"index", c.shard_index},
        {"count", c.shard_count},
        {"clientIdOffset", c.client_id_offset}}},
      {"seed", c.seed},
  };
}

}  // namespace

std::string FormatConfigText(const Config& c) {
  const Rows load = LoadRows(c);
  const Rows network = NetworkRows(c);
  const Rows output = OutputRows(c);
  const Rows derived = DerivedRows(c);
  // One value column for all rows: derived rows are indented by two.
  std::size_t width = 0;
  for (const Rows* rows : {&load, &network, &output}) {
    for (const auto& row : *rows) width = std::max(width, row.first.size());
  }
  for (const auto& row : derived) width = std::max(width, row.first.size() + 2);
  std::string out;
  AppendRows(load, width, "", &out);
  AppendRows(network, width, "", &out);
  AppendRows(output, width, "", &out);
  out += "derived:\n";
  AppendRows(derived, width - 2, "  ", &out);
  return out;
}

nlohmann::json ConfigToJson(const Config& c) {
  const Derived d = c.ComputeDerived();
  return {
      {"clients", c.clients},
      {"rampRate", c.ramp_rate},
      {"rampJitter", c.ramp_jitter.count()},
      {"metricsPort", c.metrics_port},
      {"logLevel", ToString(c.log_level)},
      {"variant", ToString(c.variant)},
      {"reconnect", c.reconnect},
      {"reconnectDelayMax", c.reconnect_delay_max_s},
      {"segMaxRetry", c.seg_max_retry},
      {"timeout", std::chrono::duration_cast<std::chrono::seconds>(c.timeout).count()},
      {"derived",
       {{"rampDuration", d.ramp_duration_s},
        {"estimatedMemoryMB", d.estimated_memory_mb},
        {"recommendedFdLimit", d.recommended_fd_limit},
        {"recommendedPorts", d.recommended_ports}}},
      {"_profile", {{"name", c.profile}, {"availableProfiles", SortedProfileNames()}}},
      {"run", RunJson(c)},
  };
}

}  // namespace hs::config
