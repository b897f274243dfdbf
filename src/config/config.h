// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hs::config {

/// Which renditions each viewer plays.
enum class Variant { kAll, kFirst, kHighest, kLowest };
enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

/// The values a profile sets (SPEC §2 table). Explicit flags override them.
struct ProfileValues {
  std::string name;
  int clients = 0;
  int ramp_rate = 0;          ///< viewers started per second
  int ramp_jitter_ms = 0;     ///< extra random start delay, milliseconds
  int metrics_port = 0;
  LogLevel log_level = LogLevel::kInfo;
  Variant variant = Variant::kAll;
  bool reconnect = false;
  int reconnect_delay_max_s = 0;  ///< FFmpeg -reconnect_delay_max; also the restart backoff cap
  int seg_max_retry = 0;
  int timeout_s = 0;              ///< network read/write timeout
};

/// Values computed from the others exactly as nix/swarm-client/config.nix does (integer maths).
struct Derived {
  int ramp_duration_s = 0;         ///< clients / rampRate (integer division)
  int estimated_memory_mb = 0;     ///< clients*19 + 64
  int recommended_fd_limit = 0;    ///< clients*15 + 1000
  int recommended_ports = 0;       ///< clients*5
};

/// The effective configuration of one run, built once at startup and passed as const Config&.
struct Config {
  std::string profile = "default";  ///< profile whose values were used as defaults
  std::string stream_url;           ///< playlist URL (empty only with -test-origin)
  int clients = 50;                 ///< concurrent viewers, ids 0..clients-1
  int ramp_rate = 5;                ///< viewers started per second
  std::chrono::milliseconds ramp_jitter{100};
  std::chrono::milliseconds duration{0};  ///< 0 = until signalled
  Variant variant = Variant::kAll;
  bool reconnect = true;
  int reconnect_delay_max_s = 5;
  int seg_max_retry = 3;
  std::chrono::milliseconds timeout{15000};  ///< FFmpeg -rw_timeout
  std::string metrics_addr = "0.0.0.0";
  int metrics_port = 9090;          ///< 0 disables the metrics server
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
  bool no_cache = false;
  std::vector<std::string> headers;  ///< "Name: value", validated (no CR/LF)
  std::string resolve_ip;            ///< connect here instead of the URL host (needs dangerous)
  bool dangerous = false;
  std::string user_agent;            ///< base UA; viewer i sends "<ua>/client-<i>"
  std::string ffmpeg_path = "ffmpeg";
  bool tui = false;                  ///< live dashboard (resolved: true only on a terminal)
  bool tap = true;                   ///< route FFmpeg through the measurement tap
  bool test_origin = false;          ///< start the bundled origin
  std::string test_origin_profile = "default";
  std::string summary_json_path;
  bool check = false;
  bool print_cmd = false;
  bool print_config = false;
  bool print_config_json = false;
  bool version = false;
  int shard_index = 0;               ///< this instance serves ids offset by shard (see client_id_offset)
  int shard_count = 1;
  int client_id_offset = 0;          ///< first viewer id (for sharded runs)
  std::uint64_t seed = 0;            ///< RNG seed for ramp jitter and backoff jitter; 0 = random

  bool IsDurationBased() const { return duration.count() > 0; }
  bool HasResolve() const { return !resolve_ip.empty(); }
  bool UsesTap() const { return tap && stream_url.rfind("http://", 0) == 0; }
  Derived ComputeDerived() const;
};

/// The five built-in profiles, in SPEC order.
const std::vector<ProfileValues>& Profiles();
/// Looks a profile up by name; nullopt if unknown.
std::optional<ProfileValues> FindProfile(const std::string& name);

const char* ToString(Variant v);
const char* ToString(LogLevel l);
const char* ToString(LogFormat f);
std::optional<Variant> ParseVariant(const std::string& s);
std::optional<LogLevel> ParseLogLevel(const std::string& s);

}  // namespace hs::config
