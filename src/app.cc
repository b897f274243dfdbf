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

#include "app_request_log.h"
#include "app_support.h"
#include "config/duration.h"
#include "config/print_config.h"
#include "control/run_controls.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/fs.h"
#include "core/log.h"
#include "core/signals.h"
#include "ffmpeg/capabilities.h"
#include "ffmpeg/ffmpeg_viewers.h"
#include "metrics/exporter.h"
#include "metrics/http_server.h"
#include "origin/origin_runner.h"
#include "originmon/scraper.h"
#include "player/native_engine.h"
#include "pool/viewer_pool.h"
#include "pool/viewer_router.h"
#include "report/report.h"
#include "report/thresholds.h"
#include "stats/aggregator.h"
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

class LoadRun {
 public:
  LoadRun(const config::Config& cfg, ffmpeg::Capabilities caps)
      : cfg_(cfg),
        caps_(std::move(caps)),
        loop_(clock_),
        signals_(loop_, {SIGINT, SIGTERM, SIGHUP, SIGCHLD}, [this](int s) { OnSignal(s); }),
        origin_(loop_, reaper_, &signals_.original_mask()),
        http_(loop_),
        controls_([this](const char* why) { BeginShutdown(why); }, [this] { return Snap(); }) {}

  int Run();

 private:
  void StartDashboard();
  bool StartOriginMonitor();
  void OnSignal(int signo);
  bool StartTestOrigin();
  bool Preflight();
  bool StartMetrics();
  bool PrepareEngine();
  measure::EngineListener& CountsOf(config::Engine e);
  void StartViewers();
  void BeginShutdown(const char* why);
  void FinishShutdown();
  stats::Snapshot Snap();
  void LogStatus();
  void CheckAbortThresholds();
  void OnStageTimer();
  std::chrono::milliseconds SinceStart() const;
  int Finish();

  const config::Config& cfg_;
  ffmpeg::Capabilities caps_;
  RealClock clock_;
  EventLoop loop_;
  SignalWatcher signals_;
  ChildReaper reaper_;
  origin::OriginRunner origin_;
  metrics::HttpServer http_;
  control::RunControls controls_;
  std::string stream_url_;
  std::vector<config::StreamSpec> streams_;  ///< every stream (streams_[0].url == stream_url_)
  config::StreamAssigner assign_;            ///< viewer id → stream
  config::EngineAssigner engine_assign_;     ///< -engine-mix: viewer id → engine_mix index
  int target_duration_s_ = 2;
  StreamFacts stream_;  ///< what the preflight learnt
  std::unique_ptr<stats::Aggregator> stats_;
  std::unique_ptr<RequestLog> request_log_;
  std::unique_ptr<ffmpeg::FfmpegViewers> ffmpeg_;  ///< FFmpeg viewers (ffmpeg or a mix)
  std::unique_ptr<player::NativeEngine> native_;   ///< native viewers of one stream
  std::unique_ptr<pool::ViewerRouter> router_;     ///< native viewers of several streams
  std::unique_ptr<pool::ViewerRouter> mix_;        ///< -engine-mix: viewer → engine
  pool::ViewerEngine* engine_ = nullptr;           ///< what the pool drives
  std::unique_ptr<pool::ViewerPool> pool_;
  std::unique_ptr<Timer> duration_timer_;
  std::unique_ptr<Timer> status_timer_;
  std::unique_ptr<Timer> gate_timer_;  ///< checks :abort thresholds each second after the grace
  double active_ratio_at_stop_ = -1;
  std::optional<config::StagePlan> stages_;  ///< -stages: drives the pool's target
  std::unique_ptr<Timer> stage_timer_;
  bool stages_overridden_ = false;  ///< the control API or dashboard set a target
  std::size_t stage_logged_ = SIZE_MAX;
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
  if (pool_ == nullptr) {
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
  // Every stream is checked; the first one's facts (VOD or live) describe the run, the longest
  // target duration sets the stall window.
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    auto stream = CheckStreamForRun(cfg_, streams_[i].url);
    if (!stream) {
      if (streams_.size() > 1) {
        log::Error("stream {}: {}", config::StreamLabel(i, streams_[i].url), stream.error());
      } else {
        log::Error("{}", stream.error());
      }
      return false;
    }
    target_duration_s_ = std::max(i == 0 ? 1 : target_duration_s_, stream->target_duration_s);
    if (i == 0) {
      stream_ = std::move(*stream);
    } else {
      stream_.requests.insert(stream_.requests.end(), stream->requests.begin(),
                              stream->requests.end());
    }
  }
  return RunSystemChecks(cfg_);
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
    const bool ready = pool_ != nullptr && !shutting_down_;
    return metrics::HttpResponse{ready ? 200 : 503, "text/plain",
                                 ready ? "ready\n" : "not ready\n"};
  });
  if (cfg_.api) controls_.AddApiRoutes(http_);
  log::Info("metrics on http://{}:{}/metrics{}", cfg_.metrics_addr, http_.port(),
            cfg_.api ? " (control API on /api: trusted networks only)" : "");
  return true;
}

// The listener of engine \a e's counts: in a mix, tagged so its errors count as its own.
measure::EngineListener& LoadRun::CountsOf(config::Engine e) {
  for (std::size_t i = 0; i < cfg_.engine_mix.size(); ++i) {
    if (cfg_.engine_mix[i].engine == e) return stats_->EngineCounts(i);
  }
  return *stats_;
}

bool LoadRun::PrepareEngine() {
  stats::Snapshot base;
  base.stream_url = RedactUrl(stream_url_);
  base.profile = cfg_.profile;
  base.planned_duration_s = ToSeconds(cfg_.duration);
  base.engine = cfg_.engine_mix.empty() ? config::ToString(cfg_.engine) : "mix";
  base.stream_type = stream_.vod ? "VOD" : "live";
  base.engine_version = "hls.js-like player";
  base.tap_mode = config::ToString(config::TapMode::kOff);
  if (cfg_.HasFfmpeg()) {
    ffmpeg_ = std::make_unique<ffmpeg::FfmpegViewers>(loop_, reaper_, cfg_, caps_, stream_url_,
                                                      &signals_.original_mask());
    if (streams_.size() > 1) {
      std::vector<std::string> urls;
      for (const auto& st : streams_) urls.push_back(st.url);
      ffmpeg_->SetStreams(std::move(urls), assign_);
    }
    base.engine_version =
        cfg_.HasNative() ? fmt::format("native: {}; ffmpeg: {}", base.engine_version, caps_.version)
                         : caps_.version;
    base.engine_notes = caps_.Missing();
    base.tap_mode = config::ToString(ffmpeg_->tap_mode());
  }
  stats_ = std::make_unique<stats::Aggregator>(std::move(base));
  std::vector<stats::StreamFigures> figures;
  for (std::size_t i = 0; i < streams_.size(); ++i) {
    stats::StreamFigures f;
    f.label = config::StreamLabel(i, streams_[i].url);
    f.url = RedactUrl(streams_[i].url);
    f.weight = streams_[i].weight;
    figures.push_back(std::move(f));
  }
  stats_->SetStreams(std::move(figures), assign_, cfg_.client_id_offset);
  if (!cfg_.engine_mix.empty()) {
    std::vector<stats::EngineFigures> engines;
    for (const config::EngineShare& e : cfg_.engine_mix) {
      stats::EngineFigures f;
      f.engine = config::ToString(e.engine);
      f.percent = e.percent;
      engines.push_back(std::move(f));
    }
    stats_->SetEngines(std::move(engines), engine_assign_, cfg_.client_id_offset);
  }
  // The preflight's playlist fetches were load on the origin too: the report's probe row.
  for (const auto& r : stream_.requests) {
    stats_->OnProbeRequest("preflight", r.kind, static_cast<int>(r.status), r.body_bytes, false);
  }
  // Native viewers measure each request; FFmpeg's through the tap, on http and on https (TLS
  // intercepted), unless interception could not be set up (CONNECT tunnels; request figures
  // then come from FFmpeg's log). A mix measured by both is "mixed".
  const bool tap_records = ffmpeg_ != nullptr && ffmpeg_->tap_mode() == config::TapMode::kRequests;
  if (tap_records) {
    stats_->SetRequestSource(cfg_.HasNative() ? "mixed" : "tap");
  } else if (cfg_.HasNative()) {
    stats_->SetRequestSource("native");
  }
  request_log_ = std::make_unique<RequestLog>(*stats_, clock_);
  if (!cfg_.tap_log_path.empty()) {
    if (auto r = request_log_->Open(cfg_.tap_log_path); !r) {
      log::Error("{}", r.error());
      return false;
    }
  }
  pool::ViewerEngine* native_engine = nullptr;
  if (cfg_.HasNative()) {
    // One native engine per stream; several are routed by viewer id.
    std::vector<std::unique_ptr<pool::ViewerEngine>> engines;
    for (const auto& st : streams_) {
      auto native = player::NativeEngine::Create(loop_, cfg_, st.url, *request_log_,
                                                 CountsOf(config::Engine::kNative));
      if (!native) {
        log::Error("native engine: {}", native.error());
        return false;
      }
      engines.push_back(std::move(*native));
    }
    if (engines.size() == 1) {
      native_.reset(static_cast<player::NativeEngine*>(engines.front().release()));
      native_engine = native_.get();
    } else {
      router_ = std::make_unique<pool::ViewerRouter>(
          std::move(engines), [a = assign_](int id) { return a.StreamOf(id); });
      native_engine = router_.get();
    }
  }
  pool::ViewerEngine* ffmpeg_engine = nullptr;
  if (ffmpeg_ != nullptr) {
    ffmpeg_->SetStream(stream_.vod, target_duration_s_);
    if (auto r = ffmpeg_->Prepare(*request_log_, CountsOf(config::Engine::kFfmpeg)); !r) {
      log::Error("{}", r.error());
      return false;
    }
    if (ffmpeg_->probe_ran() && !ffmpeg_->probe_measured()) stats_->OnProbeUnmeasured("ffprobe");
    ffmpeg_engine = &ffmpeg_->engine();
  }
  if (cfg_.engine_mix.empty()) {
    engine_ = native_engine != nullptr ? native_engine : ffmpeg_engine;
    return true;
  }
  // -engine-mix: the pool drives both engines on this loop, each viewer routed to its own.
  std::vector<pool::ViewerEngine*> by_mix;
  for (const config::EngineShare& e : cfg_.engine_mix)
    by_mix.push_back(e.engine == config::Engine::kNative ? native_engine : ffmpeg_engine);
  mix_ = std::make_unique<pool::ViewerRouter>(
      std::move(by_mix), [a = engine_assign_](int id) { return a.EngineOf(id); });
  engine_ = mix_.get();
  return true;
}

void LoadRun::StartViewers() {
  pool::PoolOptions po = MakePoolOptions(cfg_, target_duration_s_);
  po.on_all_completed = [this] { BeginShutdown("every viewer completed its play"); };
  if (!cfg_.stages.empty()) {
    stages_.emplace(cfg_.stages);
    // The plan sets the target each time its rounded value changes; the pool starts the
    // new viewers at once (1 ms apart), so the starts follow each stage's slope.
    po.clients = stages_->TargetAt(std::chrono::milliseconds(0));
    po.ramp_rate = 1000;
  }
  pool_ = std::make_unique<pool::ViewerPool>(loop_, *engine_, *stats_, po);
  controls_.set_pool(pool_.get());
  controls_.set_on_target_set([this](const char* who) {
    if (!stages_ || stages_overridden_) return;
    stages_overridden_ = true;
    stage_timer_.reset();
    log::Info("{} set the target: the -stages plan no longer drives it", who);
  });
  started_at_ = clock_.Now();
  pool_->Start();
  if (stages_) {
    log::Info("starting {} viewers along {} stages ({} in all, up to {} viewers) against {}",
              cfg_.EngineText(), stages_->stages().size(),
              config::FormatGoDuration(stages_->TotalDuration()), stages_->MaxTarget(),
              RedactUrl(stream_url_));
    stage_timer_ = loop_.CreateTimer([this] { OnStageTimer(); });
    OnStageTimer();
  } else {
    log::Info("starting {} {} viewers at {}/s against {}", cfg_.clients, cfg_.EngineText(),
              cfg_.ramp_rate, RedactUrl(stream_url_));
  }
  if (cfg_.IsDurationBased()) {
    duration_timer_ = loop_.CreateTimer([this] { BeginShutdown("duration reached"); });
    duration_timer_->Arm(cfg_.duration);
  }
  bool any_abort = false;
  for (const auto& t : cfg_.thresholds) any_abort = any_abort || t.abort;
  if (any_abort) {
    gate_timer_ = loop_.CreateTimer([this] { CheckAbortThresholds(); });
    gate_timer_->Arm(cfg_.threshold_grace);
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
  dashboard_ = std::make_unique<tui::Dashboard>(
      loop_, [this] { return Snap(); }, controls_, opts);
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

stats::Snapshot LoadRun::Snap() {
  if (stats_ == nullptr || pool_ == nullptr) return {};
  stats::Snapshot s = stats_->Take(
      pool_->Counts(), ToSeconds(stopped_at_.value_or(clock_.Now()) - started_at_), clock_.Now());
  if (scraper_ != nullptr) FillOrigin(scraper_->Current(), s.origin);
  s.active_ratio_at_stop = active_ratio_at_stop_;
  if (stages_ && !shutting_down_)
    s.stage = stages_overridden_ ? "stages overridden" : stages_->Describe(SinceStart());
  return s;
}

void LoadRun::LogStatus() {
  stats::Snapshot s = Snap();
  nlohmann::json j = report::StatusJson(s);
  j["msg"] = "status";
  log::Structured(log::Level::kInfo, report::FormatStatusLine(s), std::move(j));
  if (!shutting_down_) status_timer_->Arm(std::chrono::seconds(5));
}

std::chrono::milliseconds LoadRun::SinceStart() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now() - started_at_);
}

void LoadRun::OnStageTimer() {
  if (shutting_down_ || stages_overridden_) return;
  const std::chrono::milliseconds t = SinceStart();
  const std::size_t stage = stages_->StageAt(t);
  const int want = stages_->TargetAt(t);
  if (want != pool_->target()) pool_->SetTarget(want);
  if (stage != stage_logged_) {
    stage_logged_ = stage;
    log::Info("{}", stages_->Describe(t));
  }
  if (auto next = stages_->NextChangeAfter(t)) {
    std::chrono::milliseconds wait = *next - t;
    // Also wake at the next stage boundary, to log it.
    std::chrono::milliseconds boundary{0};
    for (std::size_t i = 0; i <= stage && i < stages_->stages().size(); ++i)
      boundary += stages_->stages()[i].duration;
    if (boundary > t) wait = std::min(wait, boundary - t);
    stage_timer_->Arm(wait);
  }
}

void LoadRun::CheckAbortThresholds() {
  if (shutting_down_) return;
  std::vector<config::Threshold> aborting;
  for (const auto& t : cfg_.thresholds)
    if (t.abort) aborting.push_back(t);
  for (const report::Verdict& v : report::Evaluate(aborting, Snap())) {
    // No data yet (e.g. no segment finished) is not a reason to abort; the end of run judges it.
    if (v.passed || !v.value) continue;
    log::Error("threshold breached: {} = {}; stopping the run (:abort)", v.threshold.expr,
               report::FormatFigure(v.threshold.unit, *v.value));
    BeginShutdown("threshold breached");
    return;
  }
  gate_timer_->Arm(std::chrono::seconds(1));
}

void LoadRun::BeginShutdown(const char* why) {
  if (shutting_down_) {
    log::Warn("second stop request ({}): killing viewers now", why);
    pool_->Shutdown(nullptr);
    return;
  }
  shutting_down_ = true;
  stopped_at_ = clock_.Now();
  if (const measure::ViewerCounts c = pool_->Counts(); c.target > 0)
    active_ratio_at_stop_ = static_cast<double>(c.active) / c.target;
  gate_timer_.reset();
  log::Info("stopping ({}): stopping {} viewers", why, pool_->Counts().running);
  duration_timer_.reset();
  controls_.set_pool(nullptr);
  pool_->Shutdown([this] { FinishShutdown(); });
}

void LoadRun::FinishShutdown() {
  if (ffmpeg_ != nullptr) ffmpeg_->CloseTap();
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
  const std::vector<report::Verdict> verdicts = report::Evaluate(cfg_.thresholds, s);
  std::fputs((report::FormatText(s) + report::FormatThresholdsText(verdicts)).c_str(), stdout);
  std::fflush(stdout);
  if (!cfg_.summary_json_path.empty()) {
    nlohmann::json j = report::ToJson(s);
    if (!verdicts.empty()) j["thresholds"] = report::ThresholdsJson(verdicts);
    std::ofstream f(cfg_.summary_json_path);
    f << j.dump(2) << "\n";
    if (!f) {
      log::Error("cannot write -summary-json {}", cfg_.summary_json_path);
      exit_code_ = kExitFailure;
    }
  }
  if (!cfg_.junit_path.empty()) {
    std::ofstream f(cfg_.junit_path);
    f << report::JunitXml(verdicts, s.elapsed_s, RedactUrl(stream_url_));
    if (!f) {
      log::Error("cannot write -junit {}", cfg_.junit_path);
      exit_code_ = kExitFailure;
    }
  }
  if (cfg_.check) exit_code_ = ReportCheck(s) ? kExitOk : kExitFailure;
  if (!report::AllPassed(verdicts)) {
    for (const report::Verdict& v : verdicts) {
      if (v.passed) continue;
      log::Error("threshold breached: {} = {}", v.threshold.expr,
                 v.value ? report::FormatFigure(v.threshold.unit, *v.value) : "no data");
    }
    if (exit_code_ == kExitOk) exit_code_ = kExitThreshold;
  }
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
  streams_ = cfg_.streams;
  if (cfg_.test_origin && stream_url_.empty()) {
    if (!StartTestOrigin()) return kExitFailure;
    stream_url_ = origin_.plan().stream_url;
    streams_ = {config::StreamSpec{stream_url_, 1}};
  }
  if (streams_.empty()) streams_ = {config::StreamSpec{stream_url_, 1}};
  std::vector<int> weights;
  for (const auto& st : streams_) weights.push_back(st.weight);
  assign_ = config::StreamAssigner(weights);
  engine_assign_ = cfg_.EngineMixAssigner(assign_);
  if (!cfg_.engine_mix.empty()) {
    const std::vector<int> split = engine_assign_.Counts(cfg_.client_id_offset, cfg_.clients);
    for (std::size_t i = 0; i < cfg_.engine_mix.size(); ++i) {
      log::Info("engine {} ({}%, {} of {} viewers{})", config::ToString(cfg_.engine_mix[i].engine),
                cfg_.engine_mix[i].percent, split[i], cfg_.clients,
                streams_.size() > 1 ? ", within each stream" : "");
    }
  }
  if (!cfg_.IsNative() && cfg_.tap) {
    // FFmpeg viewers share one tap, set up for the first stream's scheme.
    for (const auto& st : streams_) {
      if ((st.url.rfind("https://", 0) == 0) != (stream_url_.rfind("https://", 0) == 0)) {
        log::Error(
            "FFmpeg viewers through the tap need all streams on http or all on https; give "
            "-engine native or -tap=false to mix them");
        return kExitFailure;
      }
    }
  }
  if (streams_.size() > 1) {
    const std::vector<int> split = assign_.Counts(cfg_.client_id_offset, cfg_.clients);
    for (std::size_t i = 0; i < streams_.size(); ++i) {
      log::Info("stream {} (weight {}, {} of {} viewers): {}",
                config::StreamLabel(i, streams_[i].url), streams_[i].weight, split[i], cfg_.clients,
                RedactUrl(streams_[i].url));
    }
  }
  if (!Preflight() || !PrepareEngine() || !StartMetrics() || !StartOriginMonitor()) {
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
  config::Config run_cfg = cfg;
  if (cfg.check) ApplyCheckMode(run_cfg);
  // Native viewers need no FFmpeg; the bundled origin's generator does.
  if (cfg.IsNative() && !cfg.test_origin) return LoadRun(run_cfg, ffmpeg::Capabilities{}).Run();
  auto caps = ffmpeg::ProbeFfmpeg(cfg.ffmpeg_path);
  if (cfg.print_cmd) return PrintViewerCommand(cfg, caps);
  if (!caps) {
    log::Error("{}{}", caps.error(),
               cfg.IsNative() ? " (-test-origin runs an FFmpeg generator)" : "");
    return kExitFailure;
  }
  if (!cfg.IsNative()) {
    for (const auto& m : caps->Missing())
      log::Info("FFmpeg {}: option left out: {}", caps->version, m);
  }
  LoadRun run(run_cfg, std::move(*caps));
  return run.Run();
}

}  // namespace hs::app
