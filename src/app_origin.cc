// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// `hls-swarm origin` and `hls-swarm -version`.
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "app.h"
#include "app_support.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/run_command.h"
#include "core/signals.h"
#include "ffmpeg/capabilities.h"
#include "origin/llhls_server.h"
#include "origin/origin_plan.h"
#include "origin/origin_profile.h"
#include "origin/origin_runner.h"

namespace hs::app {

namespace {

// The origin's working directory: -dir, or a temporary one removed when the origin ends (after
// its server and children, which are declared later and so destroyed first).
struct OriginDir {
  std::string path;
  bool temporary = false;

  OriginDir() = default;
  OriginDir(const OriginDir&) = delete;
  OriginDir& operator=(const OriginDir&) = delete;
  ~OriginDir() {
    if (temporary) RemoveTree(path);
  }

  // False (logged) when no temporary directory could be made.
  bool Open(const std::string& requested) {
    if (!requested.empty()) {
      path = requested;
      return true;
    }
    auto made = MakeTempDir("hls-swarm-origin");
    if (!made) {
      log::Error("{}", made.error());
      return false;
    }
    path = *made;
    temporary = true;
    return true;
  }
};

// The lines tests and users wait for: "<what> (<profile>) ready" and where to look.
void PrintOriginReady(const char* what, const std::string& profile, const std::string& stream,
                      const std::string& health, const std::string& status,
                      const std::string& log_path) {
  std::printf(
      "%s (%s) ready\n  stream:  %s\n  health:  %s\n  status:  %s\n"
      "  log:     %s\n",
      what, profile.c_str(), stream.c_str(), health.c_str(), status.c_str(), log_path.c_str());
}

// `hls-swarm origin -profile ll-hls|ll-hls-abr`: our own LL-HLS server (see LlhlsServer for why
// it is not nginx) in this process, with one FFmpeg child per rendition.
int RunLlhlsOrigin(const config::OriginOptions& opts, const origin::OriginProfile& profile,
                   const std::string& ffmpeg) {
  OriginDir work;
  if (!work.Open(opts.dir)) return kExitFailure;
  const std::string& dir = work.path;
  auto plan = origin::PrepareLlhlsOrigin(profile, {opts.addr, opts.port}, dir, "hls-swarm");
  if (!plan) {
    log::Error("{}", plan.error());
    return kExitUsage;
  }
  RealClock clock;
  EventLoop loop(clock);
  ChildReaper reaper;
  int code = kExitOk;
  std::unique_ptr<origin::LlhlsServer> server;
  bool stopping = false;
  std::unique_ptr<Timer> stop_timer;
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    server->Stop();
    // Give the generators a moment to exit on SIGTERM; their destructors SIGKILL the rest.
    stop_timer = loop.CreateTimer([&] { loop.Stop(); });
    stop_timer->Arm(std::chrono::milliseconds(300));
  };
  SignalWatcher signals(loop, {SIGINT, SIGTERM, SIGHUP, SIGCHLD}, [&](int s) {
    if (s == SIGCHLD) return reaper.ReapAll();
    log::Info("stopping the LL-HLS origin");
    stop();
  });
  origin::LlhlsServerOptions so;
  so.listen_addr = opts.addr;
  so.port = opts.port;
  so.access_log_path = plan->access_log_path;
  so.ffmpeg = ffmpeg;
  so.child_mask = &signals.original_mask();
  server = std::make_unique<origin::LlhlsServer>(loop, reaper, profile, so);
  auto started = server->Start(
      [&] {
        const std::string pid = std::to_string(::getpid()) + "\n";
        if (std::FILE* f = std::fopen(plan->pid_path.c_str(), "w")) {
          std::fputs(pid.c_str(), f);
          std::fclose(f);
        }
        PrintOriginReady("LL-HLS test origin", profile.name, plan->stream_url, plan->health_url,
                         plan->status_url, plan->access_log_path);
        std::fflush(stdout);
      },
      [&](std::string why) {
        log::Error("{}", why);
        code = kExitFailure;
        stop();
      });
  if (!started) {
    log::Error("{}", started.error());
    code = kExitFailure;
  } else {
    loop.Run();
  }
  server.reset();
  log::Info("shutdown complete");
  return code;
}

}  // namespace

int PrintVersion(const config::Config& cfg) {
  std::printf("hls-swarm %s\n", HLS_SWARM_VERSION);
  auto caps = ffmpeg::ProbeFfmpeg(cfg.ffmpeg_path);
  if (caps) {
    std::printf("ffmpeg %s (%s)\n", caps->version.c_str(), caps->path.c_str());
    for (const auto& m : caps->Missing()) std::printf("  lacks: %s\n", m.c_str());
  } else {
    std::printf("ffmpeg: %s\n", caps.error().detail.c_str());
  }
  return kExitOk;
}

int RunOrigin(const config::OriginOptions& opts, const config::Config& cfg) {
  InitLogging(cfg);
  auto profile = origin::FindOriginProfile(opts.profile);
  if (!profile) {
    log::Error("{}", profile.error());
    return kExitUsage;
  }
  if (profile->IsLowLatencyHls()) {
    std::string ffmpeg = FindInPath(cfg.ffmpeg_path);
    if (ffmpeg.empty()) {
      log::Error("FFmpeg not found: '{}' (apt-get install ffmpeg)", cfg.ffmpeg_path);
      return kExitFailure;
    }
    if (opts.exporters) {
      log::Warn(
          "-exporters is not run beside the LL-HLS profiles; point "
          "prometheus-nginx-exporter at its /nginx_status yourself");
    }
    return RunLlhlsOrigin(opts, *profile, ffmpeg);
  }
  auto nginx = origin::FindNginx();
  if (!nginx) {
    log::Error("{}", nginx.error());
    return kExitFailure;
  }
  std::string ffmpeg = FindInPath(cfg.ffmpeg_path);
  if (ffmpeg.empty()) {
    log::Error("FFmpeg not found: '{}' (apt-get install ffmpeg)", cfg.ffmpeg_path);
    return kExitFailure;
  }
  OriginDir work;
  if (!work.Open(opts.dir)) return kExitFailure;
  const std::string& dir = work.path;
  auto plan = origin::PrepareOrigin(*profile, {opts.addr, opts.port}, dir, ffmpeg, *nginx);
  if (!plan) {
    log::Error("{}", plan.error());
    return kExitFailure;
  }
  RealClock clock;
  EventLoop loop(clock);
  ChildReaper reaper;
  bool stopping = false;
  std::unique_ptr<origin::OriginRunner> runner;
  SignalWatcher signals(loop, {SIGINT, SIGTERM, SIGHUP, SIGCHLD}, [&](int s) {
    if (s == SIGCHLD) return reaper.ReapAll();
    if (stopping) return;
    stopping = true;
    log::Info("stopping the test origin");
    runner->Stop([&] { loop.Stop(); });
  });
  // Children must not inherit our blocked signal mask: hand them the original one.
  runner = std::make_unique<origin::OriginRunner>(loop, reaper, &signals.original_mask());
  origin::OriginRunner& started = *runner;
  int code = kExitOk;
  if (auto r = started.Start(*plan); !r) {
    log::Error("{}", r.error());
    code = kExitFailure;
  } else {
    std::vector<std::string> exporter_urls;
    if (opts.exporters) {
      auto urls = started.StartExporters();
      if (!urls) {
        log::Error("{}", urls.error());
        code = kExitFailure;
      } else {
        exporter_urls = *urls;
      }
    }
    if (code != kExitOk) {
      stopping = true;
      started.Stop([&] { loop.Stop(); });
    } else {
      started.WaitReady(std::chrono::seconds(40), [&](Result<void> ready) {
        if (!ready) {
          log::Error("{}", ready.error());
          code = kExitFailure;
          stopping = true;
          started.Stop([&] { loop.Stop(); });
          return;
        }
        PrintOriginReady("test origin", profile->name, plan->stream_url, plan->health_url,
                         plan->status_url, plan->access_log_path);
        for (const auto& u : exporter_urls) std::printf("  metrics: %s\n", u.c_str());
        std::fflush(stdout);
      });
    }
    loop.Run();
  }
  log::Info("shutdown complete");
  return code;
}

}  // namespace hs::app
