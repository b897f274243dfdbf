// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "supervisor/supervisor.h"

#include <signal.h>

#include <algorithm>
#include <cassert>

namespace hs::supervisor {

namespace {

// Per-wakeup read budget per pipe: a flooding viewer cannot starve the others.
constexpr size_t kReadBudget = 64 * 1024;
// After exit a pipe holds at most its capacity (64 KiB by default); read all of it.
constexpr size_t kFinalDrainBudget = 1024 * 1024;

RestartCause CauseOf(const ExitStatus& s) {
  switch (s.kind) {
    case ExitKind::kClean:
      return RestartCause::kExitClean;
    case ExitKind::kExitCode:
      return RestartCause::kExitError;
    case ExitKind::kSignaled:
      return RestartCause::kSignaled;
    case ExitKind::kInterrupted:
      return RestartCause::kStall;
  }
  return RestartCause::kExitError;
}

// Adapts the parsers' listener interfaces to the supervisor for one viewer.
class ViewerEvents final : public ffmpeg::LogListener, public ffmpeg::ProgressListener {
 public:
  ViewerEvents(Viewer& v, Listener& l, const Clock& clock, std::function<void()> on_first)
      : v_(v), l_(l), clock_(clock), on_first_(std::move(on_first)) {}
  void OnLogEvent(const ffmpeg::LogEvent& e) override {
    if (e.kind == ffmpeg::LogEventKind::kSegmentOpen) {
      v_.last_segment_at = clock_.Now();
      if (v_.state == ViewerState::kStarting) on_first_();
    }
    l_.OnLogEvent(v_.id, e);
  }
  void OnProgress(const ffmpeg::ProgressBlock& b) override { l_.OnProgress(v_.id, b); }

 private:
  Viewer& v_;
  Listener& l_;
  const Clock& clock_;
  std::function<void()> on_first_;
};

}  // namespace

const char* ToString(RestartCause c) {
  switch (c) {
    case RestartCause::kExitClean:
      return "exit_clean";
    case RestartCause::kExitError:
      return "exit_error";
    case RestartCause::kSignaled:
      return "signaled";
    case RestartCause::kStall:
      return "stall";
    case RestartCause::kStartupTimeout:
      return "startup_timeout";
    case RestartCause::kSpawnFailed:
      return "spawn_failed";
  }
  return "unknown";
}

Supervisor::Supervisor(EventLoop& loop, Spawner& spawner, ChildReaper& reaper, Listener& listener,
                       SupervisorOptions opts, ArgvFactory argv_factory)
    : loop_(loop),
      spawner_(spawner),
      reaper_(reaper),
      listener_(listener),
      opts_(opts),
      argv_factory_(std::move(argv_factory)),
      rng_(opts.seed) {
  ramp_timer_ = loop_.CreateTimer([this] { OnRampTimer(); });
  watchdog_timer_ = loop_.CreateTimer([this] { OnWatchdog(); });
}

Supervisor::~Supervisor() {
  // ChildProcess destructors SIGKILL and reap anything still alive.
  for (auto& v : viewers_) {
    if (v->child != nullptr) reaper_.Unregister(v->child->pid());
  }
}

Viewer& Supervisor::ViewerFor(int id) {
  size_t idx = static_cast<size_t>(id - opts_.first_id);
  while (viewers_.size() <= idx) {
    auto v = std::make_unique<Viewer>();
    v->id = opts_.first_id + static_cast<int>(viewers_.size());
    viewers_.push_back(std::move(v));
  }
  return *viewers_[idx];
}

void Supervisor::Start() {
  ramp_start_ = loop_.clock().Now();
  SetTarget(opts_.clients);
  watchdog_timer_->Arm(std::chrono::seconds(1));
}

void Supervisor::SetTarget(int clients) {
  if (shutting_down_) return;
  clients = std::max(clients, 0);
  const int old_target = target_;
  target_ = clients;
  // Drop slots not yet started beyond the new target.
  std::vector<RampSlot> keep;
  for (size_t i = next_slot_; i < pending_.size(); ++i) {
    if (pending_[i].viewer_id - opts_.first_id < clients) keep.push_back(pending_[i]);
  }
  const Duration elapsed = loop_.clock().Now() - ramp_start_;
  if (clients > old_target) {
    auto more = BuildRampSchedule(clients - old_target, opts_.first_id + old_target,
                                  opts_.ramp_rate, opts_.ramp_jitter, rng_);
    // New viewers ramp from now (or after the slots still pending).
    Duration base = keep.empty() ? elapsed : std::max(elapsed, keep.back().offset);
    for (auto& s : more) s.offset += base;
    keep.insert(keep.end(), more.begin(), more.end());
    std::stable_sort(keep.begin(), keep.end(),
                     [](const RampSlot& a, const RampSlot& b) { return a.offset < b.offset; });
  }
  pending_ = std::move(keep);
  next_slot_ = 0;
  for (auto& v : viewers_) {
    const bool wanted = v->id - opts_.first_id < clients;
    v->wanted = wanted;
    if (wanted) continue;
    if (v->Running()) {
      StopViewer(*v, SIGINT);
    } else if (v->state == ViewerState::kBackoff) {
      v->restart_timer.reset();
      v->state = ViewerState::kDone;
    }
  }
  for (auto& s : pending_) ViewerFor(s.viewer_id).wanted = true;
  ArmRampTimer();
}

void Supervisor::PauseRamp(bool paused) {
  ramp_paused_ = paused;
  if (paused) {
    ramp_timer_->Cancel();
  } else {
    // Resume: shift the remaining slots so the rate stays the configured one.
    if (next_slot_ < pending_.size()) {
      const Duration shift = (loop_.clock().Now() - ramp_start_) - pending_[next_slot_].offset;
      if (shift > Duration::zero()) {
        for (size_t i = next_slot_; i < pending_.size(); ++i) pending_[i].offset += shift;
      }
    }
    ArmRampTimer();
  }
}

void Supervisor::ArmRampTimer() {
  if (ramp_paused_ || shutting_down_ || next_slot_ >= pending_.size()) {
    ramp_timer_->Cancel();
    return;
  }
  ramp_timer_->ArmAt(ramp_start_ + pending_[next_slot_].offset);
}

void Supervisor::OnRampTimer() {
  const SteadyTime now = loop_.clock().Now();
  while (next_slot_ < pending_.size() && ramp_start_ + pending_[next_slot_].offset <= now) {
    Viewer& v = ViewerFor(pending_[next_slot_].viewer_id);
    ++next_slot_;
    if (v.Running() || v.state == ViewerState::kBackoff) continue;
    v.failures = 0;
    StartViewer(v);
  }
  ArmRampTimer();
}

void Supervisor::StartViewer(Viewer& v) {
  v.restart_timer.reset();
  SpawnOptions so;
  so.argv = argv_factory_(v.id);
  so.progress_pipe = opts_.progress_pipe;
  so.child_mask = opts_.child_mask;
  auto child = spawner_.Spawn(v.id, v.starts, so);
  if (v.starts == 0) {
    const SteadyTime now = loop_.clock().Now();
    if (first_starts_++ == 0) first_start_at_ = now;
    last_first_start_at_ = now;
  }
  ++v.starts;
  if (!child) {
    listener_.OnSpawnFailed(v.id, child.error());
    ScheduleRestart(v, RestartCause::kSpawnFailed);
    return;
  }
  v.child = std::move(*child);
  v.exited = false;
  v.killed_for_stall = false;
  v.state = ViewerState::kStarting;
  v.spawned_at = loop_.clock().Now();
  v.last_segment_at = v.spawned_at;
  truncated_lines_done_ += v.log.Counters().truncated_lines;
  v.log = ffmpeg::LogScanner();
  v.progress = ffmpeg::ProgressScanner();
  auto events = std::make_shared<ViewerEvents>(v, listener_, loop_.clock(), [this, &v] {
    v.state = ViewerState::kPlaying;
    v.stalled = false;
    listener_.OnViewerPlaying(v.id, loop_.clock().Now() - v.spawned_at);
  });
  if (v.child->stderr_fd().Valid()) {
    v.stderr_watch = loop_.Watch(v.child->stderr_fd().Get(), EPOLLIN, [this, &v, events](auto) {
      if (Viewer::PipeFull(v.child->stderr_fd())) ++pipe_full_;
      bool open = Viewer::Drain(v.child->stderr_fd(), kReadBudget,
                                [&](std::string_view b) { v.log.Feed(b, *events); });
      if (!open) {
        v.log.Finish(*events);
        v.stderr_watch.reset();
        v.child->stderr_fd().Reset();
        FinishIfDrained(v);
      }
    });
  }
  if (v.child->progress_fd().Valid()) {
    v.progress_watch = loop_.Watch(v.child->progress_fd().Get(), EPOLLIN, [this, &v, events](auto) {
      if (Viewer::PipeFull(v.child->progress_fd())) ++pipe_full_;
      bool open = Viewer::Drain(v.child->progress_fd(), kReadBudget,
                                [&](std::string_view b) { v.progress.Feed(b, *events); });
      if (!open) {
        v.progress_watch.reset();
        v.child->progress_fd().Reset();
        FinishIfDrained(v);
      }
    });
  }
  reaper_.Register(v.child->pid(), [this, &v](int st) { OnChildExited(v, st); });
  listener_.OnViewerSpawned(v.id, v.child->pid(), v.starts - 1);
  if (shutting_down_) StopViewer(v, SIGINT);
}

void Supervisor::OnChildExited(Viewer& v, int wait_status) {
  v.exited = true;
  v.wait_status = wait_status;
  // The process is gone, so its pipes hold all they ever will: drain them now (the watches see
  // EOF right away unless a grandchild kept a write end open).
  ViewerEvents sink(v, listener_, loop_.clock(), [] {});
  if (v.stderr_watch != nullptr) {
    Viewer::Drain(v.child->stderr_fd(), kFinalDrainBudget,
                  [&](std::string_view b) { v.log.Feed(b, sink); });
    v.log.Finish(sink);
    v.stderr_watch.reset();
    v.child->stderr_fd().Reset();
  }
  if (v.progress_watch != nullptr) {
    Viewer::Drain(v.child->progress_fd(), kFinalDrainBudget,
                  [&](std::string_view b) { v.progress.Feed(b, sink); });
    v.progress_watch.reset();
    v.child->progress_fd().Reset();
  }
  FinishIfDrained(v);
}

void Supervisor::FinishIfDrained(Viewer& v) {
  if (!v.exited || v.stderr_watch != nullptr || v.progress_watch != nullptr) return;
  if (v.child == nullptr) return;
  ExitStatus status;
  v.child->MarkReaped(v.wait_status, &status);
  const Duration ran_for = loop_.clock().Now() - v.spawned_at;
  const bool stall = v.killed_for_stall;
  const RestartCause stall_cause =
      v.state == ViewerState::kPlaying ? RestartCause::kStall : RestartCause::kStartupTimeout;
  auto recent = v.log.RecentLines();
  // Destroy the child later: we may be inside one of its watch callbacks.
  loop_.Post([child = std::shared_ptr<ChildProcess>(std::move(v.child))] {});
  listener_.OnViewerExit(v.id, status, ran_for, recent);
  if (ran_for >= kBackoffResetAfter) v.failures = 0;
  if (shutting_down_ || !v.wanted) {
    v.state = ViewerState::kDone;
    MaybeFinishShutdown();
    return;
  }
  ScheduleRestart(v, stall ? stall_cause : CauseOf(status));
}

void Supervisor::ScheduleRestart(Viewer& v, RestartCause cause) {
  if (shutting_down_ || !v.wanted) {
    v.state = ViewerState::kDone;
    MaybeFinishShutdown();
    return;
  }
  Duration delay = RestartBackoff(v.failures, opts_.backoff_cap, rng_);
  ++v.failures;
  v.state = ViewerState::kBackoff;
  v.restart_timer = loop_.CreateTimer([this, &v] { StartViewer(v); });
  v.restart_timer->Arm(delay);
  listener_.OnRestartScheduled(v.id, cause, delay);
}

void Supervisor::OnWatchdog() {
  const SteadyTime now = loop_.clock().Now();
  for (auto& vp : viewers_) {
    Viewer& v = *vp;
    if (!v.Running() || v.killed_for_stall || v.child->stop_requested()) continue;
    const bool playing_stall =
        v.state == ViewerState::kPlaying && now - v.last_segment_at > opts_.stall_timeout;
    const bool startup_stall =
        v.state == ViewerState::kStarting && now - v.spawned_at > opts_.startup_timeout;
    if (!playing_stall && !startup_stall) continue;
    v.killed_for_stall = true;
    v.stalled = true;
    listener_.OnViewerStalled(v.id,
                              playing_stall ? RestartCause::kStall : RestartCause::kStartupTimeout);
    v.child->Signal(SIGKILL, false);
  }
  if (!shutting_down_) watchdog_timer_->Arm(std::chrono::seconds(1));
}

void Supervisor::StopViewer(Viewer& v, int sig) {
  if (!v.Running()) return;
  if (v.state != ViewerState::kStopping) v.state = ViewerState::kStopping;
  v.child->Signal(sig, true);
}

void Supervisor::Shutdown(std::function<void()> done) {
  if (shutting_down_) {
    // A second request: escalate at once.
    for (auto& v : viewers_) {
      if (v->Running()) v->child->Signal(SIGKILL, true);
    }
    return;
  }
  shutting_down_ = true;
  on_shutdown_ = std::move(done);
  ramp_timer_->Cancel();
  watchdog_timer_->Cancel();
  for (auto& v : viewers_) {
    if (v->state == ViewerState::kBackoff || v->state == ViewerState::kPending) {
      v->restart_timer.reset();
      v->state = ViewerState::kDone;
    }
    StopViewer(*v, SIGINT);
  }
  second_interrupt_timer_ = loop_.CreateTimer([this] {
    for (auto& v : viewers_) {
      if (v->Running()) v->child->Signal(SIGINT, true);
    }
  });
  second_interrupt_timer_->Arm(opts_.second_interrupt_after);
  kill_timer_ = loop_.CreateTimer([this] {
    for (auto& v : viewers_) {
      if (v->Running()) v->child->Signal(SIGKILL, true);
    }
  });
  kill_timer_->Arm(opts_.kill_after);
  MaybeFinishShutdown();
}

void Supervisor::MaybeFinishShutdown() {
  if (!shutting_down_ || !on_shutdown_) return;
  for (auto& v : viewers_) {
    if (v->child != nullptr) return;
  }
  second_interrupt_timer_.reset();
  kill_timer_.reset();
  loop_.Post(std::move(on_shutdown_));
  on_shutdown_ = nullptr;
}

ViewerCounts Supervisor::Counts() const {
  ViewerCounts c;
  c.target = target_;
  c.pipe_full = pipe_full_;
  c.log_lines_truncated = truncated_lines_done_;
  for (const auto& v : viewers_) {
    if (v->wanted && v->starts > 0) ++c.started;
    if (v->wanted && v->stalled) ++c.stalled;
    c.log_lines_truncated += v->log.Counters().truncated_lines;
    switch (v->state) {
      case ViewerState::kStarting:
        ++c.starting;
        ++c.running;
        break;
      case ViewerState::kPlaying:
        ++c.active;
        ++c.running;
        break;
      case ViewerState::kBackoff:
        ++c.backoff;
        break;
      case ViewerState::kStopping:
        ++c.stopping;
        ++c.running;
        break;
      default:
        break;
    }
  }
  return c;
}

double Supervisor::AchievedRampRate() const {
  if (first_starts_ < 2) return 0.0;
  const double span = ToSeconds(last_first_start_at_ - first_start_at_);
  return span > 0 ? (first_starts_ - 1) / span : 0.0;
}

double Supervisor::RampProgress() const {
  if (target_ <= 0) return 1.0;
  return std::min(1.0, static_cast<double>(Counts().started) / static_cast<double>(target_));
}

}  // namespace hs::supervisor
