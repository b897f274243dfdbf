// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "app_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "config/streams.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/net.h"
#include "core/unique_fd.h"
#include "ffmpeg/command_builder.h"
#include "hls/url.h"
#include "origin/origin_profile.h"
#include "preflight/stream_check.h"
#include "preflight/system_check.h"

namespace hs::app {

void InitLogging(const config::Config& cfg) {
  log::Level level = log::Level::kInfo;
  switch (cfg.log_level) {
    case config::LogLevel::kDebug:
      level = log::Level::kDebug;
      break;
    case config::LogLevel::kInfo:
      level = log::Level::kInfo;
      break;
    case config::LogLevel::kWarning:
      level = log::Level::kWarning;
      break;
    case config::LogLevel::kError:
      level = log::Level::kError;
      break;
  }
  log::Init(level, cfg.log_format == config::LogFormat::kJson);
}

std::string RedactUrl(const std::string& url) { return config::RedactQuery(url); }

pool::PoolOptions MakePoolOptions(const config::Config& cfg, int target_duration_s) {
  pool::PoolOptions so;
  so.clients = cfg.clients;
  so.first_id = cfg.client_id_offset;
  so.ramp_rate = cfg.ramp_rate;
  so.ramp_jitter = cfg.ramp_jitter;
  so.backoff_cap = std::chrono::seconds(cfg.reconnect_delay_max_s);
  // Stalled: no new segment for more than 3 target durations (SPEC §3).
  so.stall_timeout = std::chrono::seconds(3 * std::max(1, target_duration_s));
  // A new viewer must fetch its first segment within the stall window plus one network timeout.
  so.startup_timeout = so.stall_timeout + cfg.timeout;
  so.seed = cfg.seed != 0 ? cfg.seed
                          : static_cast<std::uint64_t>(::getpid()) * 2654435761u ^
                                static_cast<std::uint64_t>(::time(nullptr));
  return so;
}

void ApplyCheckMode(config::Config& cfg) {
  cfg.clients = 1;
  cfg.ramp_jitter = std::chrono::milliseconds(0);
  cfg.duration = std::chrono::seconds(10);
}

bool ReportCheck(const stats::Snapshot& s) {
  std::vector<std::string> problems;
  if (s.peak_active < 1) problems.push_back("the viewer never fetched a segment");
  if (s.TotalErrors() > 0) problems.push_back(fmt::format("{} errors", s.TotalErrors()));
  if (s.TotalRestarts() > 0) problems.push_back(fmt::format("{} restarts", s.TotalRestarts()));
  if (problems.empty()) {
    std::printf("\ncheck: stream is healthy (%llu segments fetched in %.0f s)\n",
                static_cast<unsigned long long>(
                    s.RequestsByKind().count("segment") ? s.RequestsByKind().at("segment") : 0),
                s.elapsed_s);
    return true;
  }
  std::string joined;
  for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
  std::printf("\ncheck: stream is NOT healthy: %s\n", joined.c_str());
  return false;
}

int PrintViewerCommand(const config::Config& cfg, const Result<ffmpeg::Capabilities>& caps) {
  ffmpeg::Capabilities c = caps ? *caps : ffmpeg::Ffmpeg51Capabilities();
  if (!caps)
    std::fprintf(stderr, "# %s; assuming FFmpeg 5.1 options\n", caps.error().detail.c_str());
  std::string url = cfg.stream_url.empty() ? "http://127.0.0.1:8080/stream.m3u8" : cfg.stream_url;
  ffmpeg::CommandContext ctx;
  ctx.stream_url = url;
  const config::TapMode mode = cfg.TapModeFor(url);
  if (mode != config::TapMode::kOff) ctx.tap_proxy = "http://127.0.0.1:TAP_PORT";
  if (mode == config::TapMode::kRequests && url.rfind("https://", 0) == 0) {
    ctx.tap_ca_file = "TAP_DIR/tap-ca.pem";
  }
  if (cfg.HasResolve() && mode == config::TapMode::kOff) {
    if (auto parts = hls::ParseHttpUrl(url)) {
      ctx.host_header = parts->HostHeader();
      ctx.stream_url = hls::WithHost(url, cfg.resolve_ip);
    }
  }
  auto cmd = ffmpeg::BuildViewerCommand(cfg, c, ctx, cfg.client_id_offset);
  std::printf("%s\n", ffmpeg::ShellQuoteArgv(cmd.argv).c_str());
  for (const auto& o : cmd.omitted) std::fprintf(stderr, "# left out: %s\n", o.c_str());
  if (!ctx.tap_proxy.empty()) {
    std::fprintf(stderr,
                 "# TAP_PORT: the measurement tap's loopback port, chosen at run time "
                 "(-tap=false connects FFmpeg straight to the origin)\n");
  }
  if (cfg.pace) {
    std::fprintf(stderr,
                 "# on a VOD (the preflight sees #EXT-X-ENDLIST at run time) viewers also read "
                 "in real time: -readrate 1 before -i (-pace=false: not)\n");
  }
  if (!ctx.tap_ca_file.empty()) {
    std::fprintf(stderr, "# https: the tap intercepts TLS with a CA made for the run%s\n",
                 ffmpeg::NeedsTapCa(cfg, c)
                     ? "; TAP_DIR/tap-ca.pem is that CA, written for this FFmpeg, which verifies "
                       "certificates by default"
                     : " (this FFmpeg does not verify certificates unless -tls_verify 1, so it "
                       "needs no -ca_file)");
  }
  if (cfg.variant == config::Variant::kHighest || cfg.variant == config::Variant::kLowest) {
    std::fprintf(stderr,
                 "# -variant %s: the program is chosen by ffprobe at run time; "
                 "shown with the 'first' fallback map\n",
                 config::ToString(cfg.variant));
  }
  return 0;
}

Result<origin::OriginPlan> PrepareTestOrigin(const config::Config& cfg, const std::string& ffmpeg) {
  auto profile = origin::FindOriginProfile(cfg.test_origin_profile);
  if (!profile) return tl::unexpected(profile.error());
  if (profile->IsLowLatencyHls()) {
    auto templ = MakeTempDir("hls-swarm-origin");
    if (!templ) return tl::unexpected(templ.error());
    char self[4096];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    const std::string exe = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : "hls-swarm";
    const int port = FreeLoopbackPort();
    return origin::PrepareLlhlsOrigin(*profile, {"127.0.0.1", port != 0 ? port : 18080}, *templ,
                                      exe);
  }
  auto nginx = origin::FindNginx();
  if (!nginx) return tl::unexpected(nginx.error());
  auto templ = MakeTempDir("hls-swarm-origin");
  if (!templ) return tl::unexpected(templ.error());
  const int port = FreeLoopbackPort();
  origin::OriginListen listen{"127.0.0.1", port != 0 ? port : 18080};
  return origin::PrepareOrigin(*profile, listen, *templ, ffmpeg, *nginx);
}

}  // namespace hs::app

namespace hs::app {

Result<StreamFacts> CheckStreamForRun(const config::Config& cfg, const std::string& url) {
  preflight::StreamCheckOptions opts = preflight::StreamCheckOptionsFromConfig(cfg);
  opts.url = url;
  auto info = preflight::CheckStream(opts);
  if (!info) return tl::unexpected(info.error());
  for (const auto& w : info->warnings) log::Warn("playlist: {}", w);
  log::Info("stream: {}", preflight::DescribeStream(*info));
  StreamFacts facts;
  facts.target_duration_s = std::max(1, static_cast<int>(info->target_duration_s + 0.999));
  facts.vod = !info->live;
  facts.requests = info->requests;
  return facts;
}

bool RunSystemChecks(const config::Config& cfg) {
  const auto needed = static_cast<rlim_t>(cfg.ComputeDerived().recommended_fd_limit);
  preflight::RaiseNofileSoftLimit(needed);
  auto findings = preflight::CheckSystem(cfg, preflight::ReadSystemFacts());
  // Kernel settings are advice for large runs: one summary line, the details at debug level.
  int kernel_warnings = 0;
  for (const auto& f : findings) {
    std::string line = f.fix.empty() ? f.what : fmt::format("{} (fix: {})", f.what, f.fix);
    // The port range scales with the viewer count, so it stays a warning of its own.
    const bool kernel = f.fix.rfind("sysctl", 0) == 0 && f.what.rfind("ephemeral ports", 0) != 0;
    if (kernel && f.severity == preflight::Severity::kWarning) {
      ++kernel_warnings;
      log::Debug("preflight: {}", line);
      continue;
    }
    switch (f.severity) {
      case preflight::Severity::kFailure:
        log::Error("preflight: {}", line);
        break;
      case preflight::Severity::kWarning:
        log::Warn("preflight: {}", line);
        break;
      case preflight::Severity::kNote:
        log::Debug("preflight: {}", line);
        break;
      case preflight::Severity::kOk:
        break;
    }
  }
  if (kernel_warnings > 0) {
    log::Warn(
        "preflight: {} kernel settings differ from the recommended ones (they matter for "
        "hundreds of viewers); apply them with `sysctl -p {}`, list them with "
        "-log-level debug",
        kernel_warnings, preflight::kSysctlConfPath);
  }
  return !preflight::AnyFailure(findings);
}

}  // namespace hs::app
