// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/stages.h"
#include "config/streams.h"
#include "config/threshold.h"

namespace hs::config {

/// Which renditions each viewer plays. kAbr: native viewers adapt as hls.js does.
enum class Variant { kAll, kFirst, kHighest, kLowest, kAbr };
/// One entry of -variant-mix: \a percent of the viewers play \a variant.
struct VariantShare {
  Variant variant = Variant::kFirst;
  int percent = 0;
  bool operator==(const VariantShare&) const = default;
};
/// What a viewer is: a real FFmpeg process, or a player state machine on our event loop.
enum class Engine { kFfmpeg, kNative };
/// One entry of -engine-mix: \a percent of the viewers are \a engine viewers.
struct EngineShare {
  Engine engine = Engine::kNative;
  int percent = 0;
  bool operator==(const EngineShare&) const = default;
};
/// What a native viewer does at the end of a VOD: start a new play after a pause, or end.
enum class VodEnd { kRestart, kStop };
/// -cmcd: how native viewers send CTA-5004 Common Media Client Data.
enum class CmcdMode { kOff, kQuery, kHeader };
/// Minimum severity of hls-swarm's own log lines (also picks FFmpeg's -loglevel).
enum class LogLevel { kDebug, kInfo, kWarning, kError };
/// Log line encoding: human text or one JSON object per line.
enum class LogFormat { kText, kJson };

/// The values a profile sets (SPEC §2 table). Explicit flags override them.
struct ProfileValues {
  std::string name;
  int clients = 0;
  int ramp_rate = 0;       ///< viewers started per second
  int ramp_jitter_ms = 0;  ///< extra random start delay, milliseconds
  int metrics_port = 0;
  LogLevel log_level = LogLevel::kInfo;
  Variant variant = Variant::kAll;
  bool reconnect = false;
  int reconnect_delay_max_s = 0;  ///< FFmpeg -reconnect_delay_max; also the restart backoff cap
  int seg_max_retry = 0;
  int timeout_s = 0;  ///< network read/write timeout
};

/// Values computed from the others exactly as nix/swarm-client/config.nix does (integer maths).
struct Derived {
  int ramp_duration_s = 0;       ///< clients / rampRate (integer division)
  int estimated_memory_mb = 0;   ///< clients*19 + 64
  int recommended_fd_limit = 0;  ///< clients*15 + 1000
  int recommended_ports = 0;     ///< clients*5
};

/// What ends every viewer's User-Agent before its id, so origin logs can tell viewers apart.
inline constexpr std::string_view kViewerIdMarker = "/client-";
/// What ends the User-Agent of hls-swarm's own probe of the stream (ffprobe for -variant
/// highest|lowest), so the tap counts its requests as the probe's, not a viewer's.
inline constexpr std::string_view kProbeMarker = "/probe";

/// How FFmpeg viewers reach the origin: through the tap with every request measured (http, and
/// https with TLS intercepted by the tap), through the tap as CONNECT tunnels only (the
/// fallback when https interception cannot be set up), or straight (-tap=false).
enum class TapMode { kOff, kTunnels, kRequests };
/// "off", "tunnels", "requests".
const char* ToString(TapMode mode);

/// The effective configuration of one run, built once at startup and passed as const Config&.
/// Defaults equal the "default" profile; cli.h's ParseCommandLine fills it from profile,
/// environment and flags.
struct Config {
  std::string profile = "default";  ///< profile whose values were used as defaults
  std::string stream_url;           ///< playlist URL (empty only with -test-origin)
  /// Every stream of the run with its weight (streams[0].url == stream_url); one entry unless
  /// several URLs, -streams or STREAMS were given; empty only with -test-origin.
  std::vector<StreamSpec> streams;
  int clients = 50;                            ///< concurrent viewers, ids 0..clients-1
  int ramp_rate = 5;                           ///< viewers started per second
  std::chrono::milliseconds ramp_jitter{100};  ///< extra random start delay, U[0, jitter)
  std::chrono::milliseconds duration{0};       ///< 0 = until signalled
  std::vector<Stage> stages;  ///< -stages: the target over time (empty: -clients at -ramp-rate)
  Variant variant = Variant::kAll;  ///< renditions each viewer plays
  /// -variant-mix (native): shares of the viewers per variant, summing to 100; empty = all
  /// viewers play `variant`.
  std::vector<VariantShare> variant_mix;
  bool reconnect = true;          ///< pass FFmpeg's -reconnect* options
  int reconnect_delay_max_s = 5;  ///< FFmpeg -reconnect_delay_max; restart backoff cap (5 s if 0)
  int seg_max_retry = 3;          ///< FFmpeg -seg_max_retry, where the FFmpeg build has it
  std::chrono::milliseconds timeout{15000};  ///< FFmpeg -rw_timeout
  std::string metrics_addr = "0.0.0.0";      ///< bind address of the metrics server
  int metrics_port = 9090;                   ///< 0 disables the metrics server
  LogLevel log_level = LogLevel::kInfo;      ///< our log threshold and FFmpeg's -loglevel
  LogFormat log_format = LogFormat::kText;   ///< text or one JSON object per line
  bool no_cache = false;                     ///< send Cache-Control/Pragma no-cache headers
  std::vector<std::string> headers;          ///< "Name: value", validated (no CR/LF)
  std::string resolve_ip;              ///< connect here instead of the URL host (needs dangerous)
  bool dangerous = false;              ///< allow -resolve; disables TLS verification with it
  std::string user_agent;              ///< base UA; viewer i sends "<ua>/client-<i>"
  std::string ffmpeg_path = "ffmpeg";  ///< FFmpeg binary; ffprobe is looked up beside it
  bool tui = false;                    ///< live dashboard (resolved: true only on a terminal)
  bool tap = true;                     ///< route FFmpeg through the measurement tap
  Engine engine = Engine::kFfmpeg;     ///< viewers as FFmpeg processes or native players
  /// -engine-mix: shares of the viewers per engine (both engines, summing to 100); empty =
  /// every viewer is an `engine` viewer. A one-engine mix is stored as `engine`.
  std::vector<EngineShare> engine_mix;
  VodEnd vod_end = VodEnd::kRestart;  ///< at a VOD's end play again, or stop (both engines)
  /// Fetch in real time (native: playout pacing; FFmpeg on a VOD: -readrate 1); false: as fast
  /// as the network allows.
  bool pace = true;
  bool low_latency = true;         ///< -low-latency: native viewers play LL-HLS by parts
  CmcdMode cmcd = CmcdMode::kOff;  ///< -cmcd (native engine only)
  std::string cmcd_cid;            ///< -cmcd-cid: CMCD content id; "" = not sent
  bool api = true;                 ///< /api/clients and /api/status on the metrics port
  std::vector<std::string> origin_metrics_urls;  ///< origin exporters to scrape (-origin-metrics)
  bool origin_exporters = false;                 ///< -test-origin also runs node/nginx exporters
  bool test_origin = false;                      ///< start the bundled origin
  std::string test_origin_profile = "default";   ///< origin profile for -test-origin
  std::string summary_json_path;      ///< also write the exit report as JSON here ("" = no)
  std::string tap_log_path;           ///< one JSON line per tap request record ("" = no)
  std::vector<Threshold> thresholds;  ///< -threshold: pass/fail gates over the report's figures
  std::chrono::milliseconds threshold_grace{30000};  ///< :abort thresholds are checked after this
  std::string junit_path;          ///< -junit: the thresholds as JUnit XML ("" = no)
  bool check = false;              ///< one viewer for 10 s with diagnostics, then a verdict
  bool print_cmd = false;          ///< print viewer 0's FFmpeg command and exit 0
  bool print_config = false;       ///< print the effective configuration and exit 0
  bool print_config_json = false;  ///< with print_config: as JSON (print_config.h)
  bool version = false;            ///< print versions and exit 0
  int shard_index = 0;       ///< this instance serves ids offset by shard (see client_id_offset)
  int shard_count = 1;       ///< number of instances sharing one logical run
  int client_id_offset = 0;  ///< first viewer id: shard_index * clients
  std::uint64_t seed = 0;    ///< RNG seed for ramp jitter and backoff jitter; 0 = random

  bool IsDurationBased() const { return duration.count() > 0; }
  /// Every viewer is a native viewer (-engine native).
  bool IsNative() const { return engine_mix.empty() && engine == Engine::kNative; }
  /// Some viewers are native viewers (-engine native, or an -engine-mix).
  bool HasNative() const { return !engine_mix.empty() || engine == Engine::kNative; }
  /// Some viewers are FFmpeg viewers (-engine ffmpeg, or an -engine-mix).
  bool HasFfmpeg() const { return !engine_mix.empty() || engine == Engine::kFfmpeg; }
  /// How many of the `clients` viewers are \a e viewers (all or none without a mix).
  int ViewersOf(Engine e) const;
  /// "native", "ffmpeg", or the mix as given ("native:90,ffmpeg:10").
  std::string EngineText() const;
  /// The viewer → engine assignment of engine_mix over \a by_stream (indexes into engine_mix;
  /// without a mix every viewer gets 0).
  EngineAssigner EngineMixAssigner(const StreamAssigner& by_stream) const;
  /// The User-Agent viewer \a id sends: "<user_agent>/client-<id>" (kViewerIdMarker).
  std::string ViewerUserAgent(int id) const;
  bool HasResolve() const { return !resolve_ip.empty(); }
  /// The one tap decision for a run against \a url (the bundled origin when empty: http).
  TapMode TapModeFor(std::string_view url) const;  // kOff without FFmpeg viewers
  /// TapModeFor(stream_url).
  TapMode GetTapMode() const { return TapModeFor(stream_url); }
  /// The tap measures each request (http:// or https:// with -tap).
  bool UsesTap() const { return GetTapMode() == TapMode::kRequests; }
  /// Derived values from clients and ramp_rate (SPEC §2). ramp_rate < 1 gives ramp_duration_s 0.
  Derived ComputeDerived() const;
};

/// The five built-in profiles, in SPEC order.
const std::vector<ProfileValues>& Profiles();
/// Looks a profile up by name (exact, case-sensitive); nullopt if unknown.
std::optional<ProfileValues> FindProfile(const std::string& name);

/// Profile names sorted alphabetically, as Nix's builtins.attrNames lists them.
std::vector<std::string> SortedProfileNames();

/// Names of the bundled test origin's profiles (SPEC §8), in display order. The origin module
/// must offer exactly these.
const std::vector<std::string>& OriginProfileNames();

/// Lower-case names as used on the command line and in JSON ("all", "info", "text").
const char* ToString(Variant v);
/// "ffmpeg", "native".
const char* ToString(Engine e);
std::optional<Engine> ParseEngine(const std::string& s);
/// "restart", "stop".
const char* ToString(VodEnd v);
std::optional<VodEnd> ParseVodEnd(const std::string& s);
const char* ToString(CmcdMode m);
std::optional<CmcdMode> ParseCmcdMode(const std::string& s);
const char* ToString(LogLevel l);
const char* ToString(LogFormat f);
/// Parse the lower-case names above; nullopt if unknown. ParseLogLevel also accepts "warn".
std::optional<Variant> ParseVariant(const std::string& s);
std::optional<LogLevel> ParseLogLevel(const std::string& s);
std::optional<LogFormat> ParseLogFormat(const std::string& s);
/// Parses -variant-mix "highest:60,lowest:40": VARIANT:PERCENT entries (first, highest, lowest
/// or abr; whole percents 1..100, each variant once) whose percents sum to 100. nullopt with
/// a phrase in \a why otherwise.
std::optional<std::vector<VariantShare>> ParseVariantMix(std::string_view s, std::string* why);
/// "highest:60,lowest:40".
std::string ToString(const std::vector<VariantShare>& mix);
/// Parses -engine-mix "native:90,ffmpeg:10": ENGINE:PERCENT entries (native or ffmpeg; whole
/// percents 1..100, each engine once) whose percents sum to 100. nullopt with a phrase in
/// \a why otherwise.
std::optional<std::vector<EngineShare>> ParseEngineMix(std::string_view s, std::string* why);
/// "native:90,ffmpeg:10".
std::string ToString(const std::vector<EngineShare>& mix);

}  // namespace hs::config
