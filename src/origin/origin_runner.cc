// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "origin/origin_runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/log.h"
#include "core/net.h"

namespace hs::origin {

namespace {
bool FileExists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && st.st_size > 0;
}
}  // namespace

OriginRunner::~OriginRunner() {
  for (auto* c : {&generator_, &nginx_}) {
    if (*c != nullptr) reaper_.Unregister((*c)->pid());
  }
  for (auto& e : exporters_) {
    if (e != nullptr) reaper_.Unregister(e->pid());
  }
  // ChildProcess destructors SIGKILL and reap whatever is left.
}

Result<void> OriginRunner::Start(const OriginPlan& plan) {
  plan_ = plan;
  if (!plan.generator_argv.empty()) {
    SpawnOptions gen;
    gen.argv = plan.generator_argv;
    gen.death_signal = SIGKILL;
    gen.child_mask = child_mask_;
    gen.capture_stderr = false;
    auto g = ChildProcess::Spawn(gen);
    if (!g) return tl::unexpected(g.error());
    generator_ = std::move(*g);
    reaper_.Register(generator_->pid(), [this](int st) { OnExit(generator_, "generator", st); });
  }

  SpawnOptions ngx;
  ngx.argv = plan.nginx_argv;
  ngx.death_signal = SIGTERM;
  ngx.child_mask = child_mask_;
  ngx.capture_stderr = false;
  auto n = ChildProcess::Spawn(ngx);
  if (!n) return tl::unexpected(n.error());
  nginx_ = std::move(*n);
  reaper_.Register(nginx_->pid(), [this](int st) { OnExit(nginx_, "nginx", st); });
  if (generator_ != nullptr) {
    log::Info("test origin: generator pid {}, nginx pid {}, dir {}", generator_->pid(),
              nginx_->pid(), plan.dir);
  } else {
    log::Info("test origin: LL-HLS server pid {} (runs its own FFmpeg), dir {}", nginx_->pid(),
              plan.dir);
  }
  return {};
}

bool OriginRunner::running() const {
  if (generator_ != nullptr || nginx_ != nullptr) return true;
  for (const auto& e : exporters_) {
    if (e != nullptr) return true;
  }
  return false;
}

Result<std::vector<std::string>> OriginRunner::StartExporters() {
  const int node_port = FreeLoopbackPort();
  const int nginx_port = FreeLoopbackPort();
  const std::vector<std::vector<std::string>> argvs = {
      {"prometheus-node-exporter", fmt::format("--web.listen-address=127.0.0.1:{}", node_port),
       "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo",
       "--collector.netdev"},
      {"prometheus-nginx-exporter", fmt::format("-nginx.scrape-uri={}", plan_.status_url),
       fmt::format("-web.listen-address=127.0.0.1:{}", nginx_port)}};
  for (const auto& argv : argvs) {
    SpawnOptions o;
    o.argv = argv;
    o.death_signal = SIGKILL;
    o.child_mask = child_mask_;
    o.capture_stderr = false;
    auto child = ChildProcess::Spawn(o);
    if (!child) {
      return Fail(child.error().code, fmt::format("{} (apt-get install prometheus-node-exporter "
                                                  "prometheus-nginx-exporter)",
                                                  child.error().detail));
    }
    exporters_.push_back(std::move(*child));
    const size_t index = exporters_.size() - 1;
    reaper_.Register(exporters_.back()->pid(), [this, index](int st) {
      OnExit(exporters_[index], index == 0 ? "node exporter" : "nginx exporter", st);
    });
  }
  return std::vector<std::string>{fmt::format("http://127.0.0.1:{}/metrics", node_port),
                                  fmt::format("http://127.0.0.1:{}/metrics", nginx_port)};
}

void OriginRunner::OnExit(std::unique_ptr<ChildProcess>& which, const char* name, int st) {
  ExitStatus s;
  which->MarkReaped(st, &s);
  const bool stopping = on_stopped_ != nullptr;
  last_exit_ =
      fmt::format("{} exited ({} code {} signal {})", name, hs::ToString(s.kind), s.code, s.signal);
  if (!stopping) log::Warn("test origin: {}; see {}", last_exit_, plan_.error_log_path);
  loop_.Post([c = std::shared_ptr<ChildProcess>(std::move(which))] {});
  MaybeDone();
}

void OriginRunner::WaitReady(Duration timeout, std::function<void(Result<void>)> done) {
  on_ready_ = std::move(done);
  ready_deadline_ = loop_.clock().Now() + timeout;
  ready_poll_ = loop_.CreateTimer([this] { CheckReady(); });
  ready_poll_->Arm(std::chrono::milliseconds(100));
}

void OriginRunner::CheckReady() {
  if (!on_ready_) return;
  auto finish = [this](Result<void> r) {
    auto cb = std::move(on_ready_);
    on_ready_ = nullptr;
    cb(std::move(r));
  };
  // LL-HLS plans have no generator child: their server runs FFmpeg itself and writes its
  // ready marker (pid_path) once every rendition has a complete segment.
  const bool llhls = plan_.generator_argv.empty();
  if ((!llhls && generator_ == nullptr) || nginx_ == nullptr) {
    return finish(Fail(ErrorCode::kIo, "test origin failed to start: " + last_exit_));
  }
  // The stream URL's file name is the playlist the generator writes last (master for abr).
  std::string name = plan_.stream_url.substr(plan_.stream_url.rfind('/') + 1);
  if ((llhls || FileExists(plan_.hls_dir + "/" + name)) && FileExists(plan_.pid_path)) {
    return finish({});
  }
  if (loop_.clock().Now() > ready_deadline_) {
    return finish(Fail(ErrorCode::kIo, fmt::format("test origin: no playlist in {} after "
                                                   "waiting; generator too slow?",
                                                   plan_.hls_dir)));
  }
  ready_poll_->Arm(std::chrono::milliseconds(100));
}

void OriginRunner::Stop(std::function<void()> done) {
  on_stopped_ = std::move(done);
  if (generator_ != nullptr) generator_->Signal(SIGTERM, true);
  if (nginx_ != nullptr) nginx_->Signal(SIGTERM, true);
  for (auto& e : exporters_) {
    if (e != nullptr) e->Signal(SIGTERM, true);
  }
  kill_timer_ = loop_.CreateTimer([this] {
    if (generator_ != nullptr) generator_->Signal(SIGKILL, true);
    if (nginx_ != nullptr) nginx_->Signal(SIGKILL, true);
    for (auto& e : exporters_) {
      if (e != nullptr) e->Signal(SIGKILL, true);
    }
  });
  kill_timer_->Arm(std::chrono::seconds(3));
  MaybeDone();
}

void OriginRunner::MaybeDone() {
  if (!on_stopped_ || running()) return;
  kill_timer_.reset();
  loop_.Post(std::move(on_stopped_));
  on_stopped_ = nullptr;
}

}  // namespace hs::origin
