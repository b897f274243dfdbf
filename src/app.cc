// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "app.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "app_support.h"
#include "app_tap_log.h"
#include "config/print_config.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/signals.h"
#include "ffmpeg/capabilities.h"
#include "ffmpeg/command_builder.h"
#include "metrics/exporter.h"
#include "metrics/http_server.h"
#include "origin/origin_runner.h"
#include "originmon/scraper.h"
#include "report/report.h"
#include "stats/aggregator.h"
#include "supervisor/supervisor.h"
#include "tap/proxy_server.h"
#include "tui/dashboard.h"

namespace hs::app {

namespace {

// One load run: everything that lives on the event loop, in construction order.
// Copies the scraper's figures into the snapshot's neutral form (sinks never see originmon).
void FillOrigin(const originmon::OriginStatus& st, stats::OriginSample& o) {
  o.configured = true;
  o.cpu_percent = st.figures.cpu_utilisation_percent;
  o.memory_used_bytes = st.figures.memory_used_bytes;
  o.memory_used_percent = st.figures.memory_used_percent;
  o.network_rx_bytes_per_s = st.figures.network_receive_bytes_per_second;
  o.network_tx_bytes_per_s = st.figures.network_transmit_bytes_per_second;
  o.nginx_connections_active = st.figures.nginx_connections_active;
  o.nginx_requests_per_s = st.figures.nginx_requests_per_second;
  o.scrape_errors = st.scrape_errors_total;
  for (const auto& u : st.urls) {
    if (!u.ok && !u.last_error.empty()) o.errors.push_back(RedactUrl(u.url) + ": " + u.last_error);
  }
}

class LoadRun final : public tui::Controls {
 public:
  LoadRun(const config::Config& cfg, ffmpeg::Capabilities caps)
      : cfg_(cfg),
        caps_(std::move(caps)),
        loop_(clock_),
        signals_(loop_, {SIGINT, SIGTERM, SIGHUP, SIGCHLD}, [this](int s) { OnSignal(s); }),
        origin_(loop_, reaper_, &signals_.original_mask()),
        http_(loop_) {}

  int Run();

  // tui::Controls: keys of the dashboard.
  void Quit() override { BeginShutdown("dashboard quit"); }
  void TogglePause() override;
  void ChangeViewers(double fraction) override;

 private:
  void StartDashboard();
  bool StartOriginMonitor();
  std::vector<std::pair<std::string, std::string>> OriginLines() const;
  void OnSignal(int signo);
  bool StartTestOrigin();
  bool Preflight();
  bool StartMetrics();
  bool StartTap();
  void AddApiRoutes();
  void StartViewers();
  void BeginShutdown(const char* why);
  void FinishShutdown();
  stats::Snapshot Snap();
  void LogStatus();
  int Finish();

  const config::Config& cfg_;
  ffmpeg::Capabilities caps_;
  RealClock clock_;
  EventLoop loop_;
  SignalWatcher signals_;
  supervisor::ChildReaper reaper_;
  supervisor::RealSpawner spawner_;
  origin::OriginRunner origin_;
  metrics::HttpServer http_;
  ffmpeg::CommandContext ctx_;
  std::string stream_url_;
  int target_duration_s_ = 2;
  std::unique_ptr<stats::Aggregator> stats_;
  std::unique_ptr<TapRecordSink> tap_sink_;
  std::unique_ptr<tap::TapServer> tap_;
  std::unique_ptr<supervisor::Supervisor> supervisor_;
  std::unique_ptr<Timer> duration_timer_;
  std::unique_ptr<Timer> status_timer_;
  std::unique_ptr<tui::Dashboard> dashboard_;
  std::unique_ptr<originmon::Scraper> scraper_;
  std::vector<std::string> exporter_urls_;  ///< -origin-exporters beside the test origin
  std::string dashboard_log_;
  SteadyTime started_at_{};
  std::optional<SteadyTime> stopped_at_;  ///< when shutdown began: the run's measured end
  bool shutting_down_ = false;
  bool startup_aborted_ = false;
  int exit_code_ = kExitOk;
};

void LoadRun::OnSignal(int signo) {
  if (signo == SIGCHLD) {
    reaper_.ReapAll();
    return;
  }
  if (supervisor_ == nullptr) {
    startup_aborted_ = true;
    loop_.Stop();
    return;
  }
  BeginShutdown(signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "SIGHUP");
}

bool LoadRun::StartTestOrigin() {
  auto plan = PrepareTestOrigin(cfg_, caps_.path);
  if (!plan) {
    log::Error("{}", plan.error());
    return false;
  }
  if (auto r = origin_.Start(*plan); !r) {
    log::Error("cannot start the test origin: {}", r.error());
    return false;
  }
  std::optional<Result<void>> ready;
  origin_.WaitReady(std::chrono::seconds(40), [&](Result<void> r) { ready = std::move(r); });
  while (!ready && !startup_aborted_) loop_.RunOnce(std::chrono::milliseconds(200));
  if (startup_aborted_) return false;
  if (!*ready) {
    log::Error("{}", ready->error());
    return false;
  }
  log::Info("test origin ready: {}", plan->stream_url);
  if (cfg_.origin_exporters) {
    auto urls = origin_.StartExporters();
    if (!urls) {
      log::Error("-origin-exporters: {}", urls.error());
      return false;
    }
    exporter_urls_ = *urls;
  }
  return true;
}

bool LoadRun::Preflight() {
  auto stream = CheckStreamForRun(cfg_, stream_url_);
  if (!stream) {
    log::Error("{}", stream.error());
    return false;
  }
  target_duration_s_ = std::max(1, stream->target_duration_s);
  if (!RunSystemChecks(cfg_)) return false;
  ctx_ = BuildCommandContext(cfg_, caps_, stream_url_);
  return true;
}

bool LoadRun::StartMetrics() {
  if (cfg_.metrics_port == 0) return true;
  if (auto r = http_.Listen(cfg_.metrics_addr, cfg_.metrics_port); !r) {
    log::Error("{}", r.error());
    return false;
  }
  metrics::BuildInfo info{HLS_SWARM_VERSION, caps_.version, ""};
  for (const auto& m : caps_.Missing()) {
    info.ffmpeg_missing += (info.ffmpeg_missing.empty() ? "" : ",") + m;
  }
  http_.Route("/metrics", [this, info](const metrics::HttpRequest&) {
    return metrics::HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                                 metrics::RenderText(metrics::BuildFamilies(Snap(), info))};
  });
  http_.Route("/healthz", [](const metrics::HttpRequest&) {
    return metrics::HttpResponse{200, "text/plain", "ok\n"};
  });
  http_.Route("/readyz", [this](const metrics::HttpRequest&) {
    const bool ready = supervisor_ != nullptr && !shutting_down_;
    return metrics::HttpResponse{ready ? 200 : 503, "text/plain",
                                 ready ? "ready\n" : "not ready\n"};
  });
  if (cfg_.api) AddApiRoutes();
  log::Info("metrics on http://{}:{}/metrics{}", cfg_.metrics_addr, http_.port(),
            cfg_.api ? " (control API on /api: trusted networks only)" : "");
  return true;
}

bool LoadRun::StartTap() {
  stats::Snapshot base;
  base.stream_url = RedactUrl(stream_url_);
  base.profile = cfg_.profile;
  base.ffmpeg_version = caps_.version;
  base.ffmpeg_missing = caps_.Missing();
  base.planned_duration_s = ToSeconds(cfg_.duration);
  stats_ = std::make_unique<stats::Aggregator>(std::move(base));
  if (!UsesTap(cfg_, stream_url_)) return true;
  tap::TapOptions opts;
  opts.connect_timeout = cfg_.timeout;
  opts.io_timeout = cfg_.timeout;
  opts.resolve_ip = cfg_.resolve_ip;
  tap_sink_ = std::make_unique<TapRecordSink>(*stats_, clock_);
  if (!cfg_.tap_log_path.empty()) {
    if (auto r = tap_sink_->Open(cfg_.tap_log_path); !r) {
      log::Error("{}", r.error());
      return false;
    }
  }
  tap_ = std::make_unique<tap::TapServer>(loop_, opts, tap_sink_.get());
  if (auto r = tap_->Listen(); !r) {
    log::Error("cannot start the measurement tap: {} (run with -tap=false to go direct)",
               r.error());
    return false;
  }
  // https: the tap only sees CONNECT tunnels; request figures then come from FFmpeg's log.
  stats_->set_tap_enabled(stream_url_.rfind("http://", 0) == 0);
  ctx_.tap_proxy = tap_->ProxyUrl();
  log::Info("measurement tap on {}", ctx_.tap_proxy);
  return true;
}

void LoadRun::AddApiRoutes() {
  http_.Route("/api/clients", [this](const metrics::HttpRequest& req) {
    if (req.method != "POST" && req.method != "PUT") {
      return metrics::HttpResponse{405, "text/plain", "use POST /api/clients?target=N\n"};
    }
    const std::string raw = metrics::QueryParam(req.query, "target");
    int target = -1;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), target);
    if (raw.empty() || ec != std::errc() || end != raw.data() + raw.size() || target < 0 ||
        target > 100000) {
      return metrics::HttpResponse{400, "text/plain",
                                   "target must be a whole number from 0 to 100000\n"};
    }
    if (supervisor_ == nullptr || shutting_down_) {
      return metrics::HttpResponse{503, "text/plain", "not running\n"};
    }
    const int previous = supervisor_->Counts().target;
    supervisor_->SetTarget(target);
    log::Info("control API: target viewers {} -> {}", previous, target);
    return metrics::HttpResponse{
        202, "application/json",
        fmt::format("{{\"previous\":{},\"target\":{}}}\n", previous, target)};
  });
  http_.Route("/api/status", [this](const metrics::HttpRequest& req) {
    if (req.method != "GET" && req.method != "HEAD") {
      return metrics::HttpResponse{405, "text/plain", "use GET\n"};
    }
    stats::Snapshot s = Snap();
    nlohmann::json j = report::ToJson(s);
    j["status"] = report::StatusJson(s);
    return metrics::HttpResponse{200, "application/json", j.dump() + "\n"};
  });
}

void LoadRun::StartViewers() {
  supervisor::SupervisorOptions so = MakeSupervisorOptions(cfg_, target_duration_s_);
  so.child_mask = &signals_.original_mask();
  supervisor_ = std::make_unique<supervisor::Supervisor>(
      loop_, spawner_, reaper_, *stats_, so,
      [this](int id) { return ffmpeg::BuildViewerCommand(cfg_, caps_, ctx_, id).argv; });
  started_at_ = clock_.Now();
  supervisor_->Start();
  log::Info("starting {} viewers at {}/s against {}", cfg_.clients, cfg_.ramp_rate,
            RedactUrl(stream_url_));
  if (cfg_.IsDurationBased()) {
    duration_timer_ = loop_.CreateTimer([this] { BeginShutdown("duration reached"); });
    duration_timer_->Arm(cfg_.duration);
  }
  if (cfg_.tui) StartDashboard();
  if (dashboard_ == nullptr) {
    status_timer_ = loop_.CreateTimer([this] { LogStatus(); });
    status_timer_->Arm(std::chrono::seconds(5));
  }
}

void LoadRun::StartDashboard() {
  const char* tmp = std::getenv("TMPDIR");
  dashboard_log_ = fmt::format("{}/hls-swarm-{}.log", tmp != nullptr ? tmp : "/tmp", ::getpid());
  // While the dashboard owns the terminal, logs go to a file named in its footer.
  log::RedirectToFile(dashboard_log_);
  tui::DashboardOptions opts;
  opts.log_path = dashboard_log_;
  opts.origin_lines = [this] { return OriginLines(); };
  dashboard_ = std::make_unique<tui::Dashboard>(
      loop_, [this] { return Snap(); }, *this, opts);
  if (!dashboard_->Start()) {
    dashboard_.reset();
    log::RedirectToFile("");
    log::Warn("no usable terminal for the dashboard; logging status lines instead");
  }
}

bool LoadRun::StartOriginMonitor() {
  originmon::ScraperOptions opts;
  opts.urls = cfg_.origin_metrics_urls;
  opts.urls.insert(opts.urls.end(), exporter_urls_.begin(), exporter_urls_.end());
  if (opts.urls.empty()) return true;
  scraper_ = std::make_unique<originmon::Scraper>(loop_, opts);
  if (auto r = scraper_->Start(); !r) {
    log::Error("origin metrics: {}", r.error());
    return false;
  }
  log::Info("scraping origin metrics from {} URL(s) every 2 s", opts.urls.size());
  return true;
}

std::vector<std::pair<std::string, std::string>> LoadRun::OriginLines() const {
  std::vector<std::pair<std::string, std::string>> lines;
  if (scraper_ == nullptr) return lines;
  const originmon::OriginStatus st = scraper_->Current();
  const originmon::OriginFigures& f = st.figures;
  auto add = [&](const char* label, const std::optional<double>& v, const char* f_str) {
    if (v) lines.emplace_back(label, fmt::format(fmt::runtime(f_str), *v));
  };
  add("cpu", f.cpu_utilisation_percent, "{:.1f}%");
  add("mem", f.memory_used_percent, "{:.1f}%");
  if (f.network_receive_bytes_per_second) {
    add("net in", *f.network_receive_bytes_per_second * 8 / 1e6, "{:.1f} Mbit/s");
  }
  if (f.network_transmit_bytes_per_second) {
    add("net out", *f.network_transmit_bytes_per_second * 8 / 1e6, "{:.1f} Mbit/s");
  }
  add("nginx conns", f.nginx_connections_active, "{:.0f}");
  add("nginx req/s", f.nginx_requests_per_second, "{:.1f}");
  for (const auto& u : st.urls) {
    if (!u.ok && !u.last_error.empty())
      lines.emplace_back("scrape error", u.url + ": " + u.last_error);
  }
  return lines;
}

void LoadRun::TogglePause() {
  if (supervisor_ == nullptr || shutting_down_) return;
  const bool pause = !supervisor_->ramp_paused();
  supervisor_->PauseRamp(pause);
  log::Info("ramp {}", pause ? "paused" : "resumed");
}

void LoadRun::ChangeViewers(double fraction) {
  if (supervisor_ == nullptr || shutting_down_) return;
  const int target = supervisor_->Counts().target;
  const int step = std::max(1, static_cast<int>(std::lround(std::abs(fraction) * target)));
  const int next = std::max(0, fraction >= 0 ? target + step : target - step);
  supervisor_->SetTarget(next);
  log::Info("dashboard: target viewers {} -> {}", target, next);
}

stats::Snapshot LoadRun::Snap() {
  if (stats_ == nullptr || supervisor_ == nullptr) return {};
  stats::Snapshot s = stats_->Take(
      *supervisor_, ToSeconds(stopped_at_.value_or(clock_.Now()) - started_at_), clock_.Now());
  if (scraper_ != nullptr) FillOrigin(scraper_->Current(), s.origin);
  return s;
}

void LoadRun::LogStatus() {
  stats::Snapshot s = Snap();
  nlohmann::json j = report::StatusJson(s);
  j["msg"] = "status";
  log::Structured(log::Level::kInfo, report::FormatStatusLine(s), std::move(j));
  if (!shutting_down_) status_timer_->Arm(std::chrono::seconds(5));
}

void LoadRun::BeginShutdown(const char* why) {
  if (shutting_down_) {
    log::Warn("second stop request ({}): killing viewers now", why);
    supervisor_->Shutdown(nullptr);
    return;
  }
  shutting_down_ = true;
  stopped_at_ = clock_.Now();
  log::Info("stopping ({}): signalling {} viewers", why, supervisor_->Counts().running);
  duration_timer_.reset();
  supervisor_->Shutdown([this] { FinishShutdown(); });
}

void LoadRun::FinishShutdown() {
  if (tap_ != nullptr) tap_->Close();
  if (scraper_ != nullptr) scraper_->Stop();
  if (origin_.running()) {
    origin_.Stop([this] { loop_.Stop(); });
  } else {
    loop_.Stop();
  }
}

int LoadRun::Finish() {
  if (dashboard_ != nullptr) dashboard_->Stop();
  http_.Close();
  stats::Snapshot s = Snap();
  std::fputs(report::FormatText(s).c_str(), stdout);
  std::fflush(stdout);
  if (!cfg_.summary_json_path.empty()) {
    std::ofstream f(cfg_.summary_json_path);
    f << report::ToJson(s).dump(2) << "\n";
    if (!f) {
      log::Error("cannot write -summary-json {}", cfg_.summary_json_path);
      exit_code_ = kExitFailure;
    }
  }
  if (cfg_.check) exit_code_ = ReportCheck(s) ? kExitOk : kExitFailure;
  if (cfg_.test_origin && !origin_.plan().dir.empty()) RemoveTree(origin_.plan().dir);
  log::Info("shutdown complete");
  if (dashboard_ != nullptr) {
    // The file has the whole log; the terminal gets its name and the same last line.
    log::RedirectToFile("");
    log::Info("log of this run: {}", dashboard_log_);
    log::Info("shutdown complete");
  }
  return exit_code_;
}

int LoadRun::Run() {
  if (!signals_.ok()) {
    log::Error("cannot set up signal handling");
    return kExitFailure;
  }
  stream_url_ = cfg_.stream_url;
  if (cfg_.test_origin && stream_url_.empty()) {
    if (!StartTestOrigin()) return kExitFailure;
    stream_url_ = origin_.plan().stream_url;
  }
  if (!Preflight() || !StartTap() || !StartMetrics() || !StartOriginMonitor()) {
    if (origin_.running()) {
      origin_.Stop([this] { loop_.Stop(); });
      loop_.Run();
    }
    if (cfg_.test_origin && !origin_.plan().dir.empty()) RemoveTree(origin_.plan().dir);
    return kExitFailure;
  }
  StartViewers();
  loop_.Run();
  return Finish();
}

}  // namespace

int RunLoad(const config::Config& cfg) {
  InitLogging(cfg);
  if (cfg.print_config) {
    std::fputs(cfg.print_config_json ? (config::ConfigToJson(cfg).dump(2) + "\n").c_str()
                                     : config::FormatConfigText(cfg).c_str(),
               stdout);
    return kExitOk;
  }
  auto caps = ffmpeg::ProbeFfmpeg(cfg.ffmpeg_path);
  if (cfg.print_cmd) return PrintViewerCommand(cfg, caps);
  if (!caps) {
    log::Error("{}", caps.error());
    return kExitFailure;
  }
  for (const auto& m : caps->Missing())
    log::Info("FFmpeg {}: option left out: {}", caps->version, m);
  config::Config run_cfg = cfg;
  if (cfg.check) ApplyCheckMode(run_cfg);
  LoadRun run(run_cfg, std::move(*caps));
  return run.Run();
}

}  // namespace hs::app
