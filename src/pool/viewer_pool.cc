// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "pool/viewer_pool.h"

#include <algorithm>

#include "core/log.h"

namespace hs::pool {

using measure::EndReason;
using measure::RestartCause;

namespace {

constexpr Duration kWatchdogPeriod = std::chrono::seconds(1);

RestartCause CauseOf(EndReason r) {
  switch (r) {
    case EndReason::kEndOfStream:
      return RestartCause::kEndOfStream;
    case EndReason::kSignal:
      return RestartCause::kSignal;
    case EndReason::kError:
    case EndReason::kCompleted:  // only reaches here after the watchdog ended the session
    case EndReason::kStopped:    // ended "stopped" although we did not ask: an engine error
    case EndReason::kKilled:
      return RestartCause::kError;
  }
  return RestartCause::kError;
}

}  // namespace

const char* ToString(ViewerState s) {
  switch (s) {
    case ViewerState::kPending:
      return "pending";
    case ViewerState::kStarting:
      return "starting";
    case ViewerState::kPlaying:
      return "playing";
    case ViewerState::kBackoff:
      return "backoff";
    case ViewerState::kStopping:
      return "stopping";
    case ViewerState::kDone:
      return "done";
  }
  return "unknown";
}

ViewerPool::ViewerPool(EventLoop& loop, ViewerEngine& engine, measure::ViewerListener& listener,
                       PoolOptions opts)
    : loop_(loop), engine_(engine), listener_(listener), opts_(opts), rng_(opts.seed) {
  ramp_timer_ = loop_.CreateTimer([this] { OnRampTimer(); });
  watchdog_timer_ = loop_.CreateTimer([this] { OnWatchdog(); });
  engine_.Attach(*this);
}

ViewerPool::~ViewerPool() = default;

ViewerPool::Viewer& ViewerPool::ViewerFor(int id) {
  const auto idx = static_cast<size_t>(id - opts_.first_id);
  while (viewers_.size() <= idx) {
    auto v = std::make_unique<Viewer>();
    v->id = opts_.first_id + static_cast<int>(viewers_.size());
    viewers_.push_back(std::move(v));
  }
  return *viewers_[idx];
}

ViewerPool::Viewer* ViewerPool::Find(int id) {
  const long idx = static_cast<long>(id) - opts_.first_id;
  if (idx < 0 || static_cast<size_t>(idx) >= viewers_.size()) return nullptr;
  return viewers_[static_cast<size_t>(idx)].get();
}

ViewerState ViewerPool::StateOf(int id) const {
  const long idx = static_cast<long>(id) - opts_.first_id;
  if (idx < 0 || static_cast<size_t>(idx) >= viewers_.size()) return ViewerState::kPending;
  return viewers_[static_cast<size_t>(idx)]->state;
}

void ViewerPool::Start() {
  ramp_start_ = loop_.clock().Now();
  SetTarget(opts_.clients);
  watchdog_timer_->Arm(kWatchdogPeriod);
}

void ViewerPool::SetTarget(int clients) {
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
    const Duration base = keep.empty() ? elapsed : std::max(elapsed, keep.back().offset);
    for (auto& s : more) s.offset += base;
    keep.insert(keep.end(), more.begin(), more.end());
    std::stable_sort(keep.begin(), keep.end(),
                     [](const RampSlot& a, const RampSlot& b) { return a.offset < b.offset; });
  }
  pending_ = std::move(keep);
  next_slot_ = 0;
  for (auto& v : viewers_) {
    v->wanted = v->id - opts_.first_id < clients;
    if (v->wanted) continue;
    if (v->Running()) {
      StopViewer(*v);
    } else if (v->state == ViewerState::kBackoff) {
      v->restart_timer.reset();
      v->state = ViewerState::kDone;
    }
  }
  for (auto& s : pending_) ViewerFor(s.viewer_id).wanted = true;
  ArmRampTimer();
}

void ViewerPool::PauseRamp(bool paused) {
  ramp_paused_ = paused;
  if (paused) {
    ramp_timer_->Cancel();
    return;
  }
  // Resume: shift the remaining slots so the rate stays the configured one.
  if (next_slot_ < pending_.size()) {
    const Duration shift = (loop_.clock().Now() - ramp_start_) - pending_[next_slot_].offset;
    if (shift > Duration::zero()) {
      for (size_t i = next_slot_; i < pending_.size(); ++i) pending_[i].offset += shift;
    }
  }
  ArmRampTimer();
}

void ViewerPool::ArmRampTimer() {
  if (ramp_paused_ || shutting_down_ || next_slot_ >= pending_.size()) {
    ramp_timer_->Cancel();
    return;
  }
  ramp_timer_->ArmAt(ramp_start_ + pending_[next_slot_].offset);
}

void ViewerPool::OnRampTimer() {
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

void ViewerPool::StartViewer(Viewer& v) {
  v.restart_timer.reset();
  const SteadyTime now = loop_.clock().Now();
  const int attempt = v.starts;
  if (v.starts == 0) {
    if (first_starts_++ == 0) first_start_at_ = now;
    last_first_start_at_ = now;
  }
  ++v.starts;
  auto started = engine_.StartSession(v.id, attempt);
  if (!started) {
    listener_.OnViewerStartFailed(v.id, started.error());
    ScheduleRestart(v, RestartCause::kStartFailed);
    return;
  }
  v.state = ViewerState::kStarting;
  v.started_at = now;
  v.last_segment_at = now;
  v.killed_by_watchdog = false;
  v.kill_sent = false;
  listener_.OnViewerStarted(v.id, attempt);
  if (shutting_down_ || !v.wanted) StopViewer(v);
}

void ViewerPool::OnPlaying(int viewer_id, Duration startup) {
  Viewer* v = Find(viewer_id);
  if (v == nullptr || v->state != ViewerState::kStarting) return;
  v->state = ViewerState::kPlaying;
  v->stalled = false;
  v->last_segment_at = loop_.clock().Now();
  listener_.OnViewerPlaying(viewer_id, startup);
}

void ViewerPool::OnSegment(int viewer_id, double) {
  Viewer* v = Find(viewer_id);
  if (v != nullptr && v->Running()) v->last_segment_at = loop_.clock().Now();
}

void ViewerPool::OnEnded(int viewer_id, EndReason reason) {
  Viewer* found = Find(viewer_id);
  if (found == nullptr || !found->Running()) return;  // given up on already
  Viewer& v = *found;
  const Duration ran_for = loop_.clock().Now() - v.started_at;
  const bool was_playing = v.state == ViewerState::kPlaying;
  listener_.OnViewerEnded(v.id, reason, ran_for);
  if (ran_for >= kBackoffResetAfter) v.failures = 0;
  if (shutting_down_ || !v.wanted) {
    v.state = ViewerState::kDone;
    MaybeFinishShutdown();
    return;
  }
  if (reason == EndReason::kCompleted && !v.killed_by_watchdog) {
    v.state = ViewerState::kDone;
    ++completed_;
    MaybeAllCompleted();
    return;
  }
  RestartCause cause = CauseOf(reason);
  if (v.killed_by_watchdog) {
    cause = was_playing ? RestartCause::kStall : RestartCause::kStartupTimeout;
  }
  ScheduleRestart(v, cause);
}

void ViewerPool::ScheduleRestart(Viewer& v, RestartCause cause) {
  if (shutting_down_ || !v.wanted) {
    v.state = ViewerState::kDone;
    MaybeFinishShutdown();
    return;
  }
  const Duration delay = RestartBackoff(v.failures, opts_.backoff_cap, rng_);
  ++v.failures;
  v.state = ViewerState::kBackoff;
  v.restart_timer = loop_.CreateTimer([this, &v] { StartViewer(v); });
  v.restart_timer->Arm(delay);
  // Which viewer restarted, for tests and debugging (the counters say only how many).
  log::Debug("viewer {}: restart ({}) in {} ms", v.id, measure::ToString(cause),
             std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  listener_.OnRestartScheduled(v.id, cause, delay);
}

void ViewerPool::OnWatchdog() {
  const SteadyTime now = loop_.clock().Now();
  for (auto& vp : viewers_) {
    Viewer& v = *vp;
    if (v.state == ViewerState::kStopping) {
      // Viewers stopped because the target went down get the same deadline as a shutdown.
      if (!v.kill_sent && now - v.stop_sent_at >= opts_.stop_deadline) KillViewer(v);
      continue;
    }
    if (!v.Running() || v.killed_by_watchdog) continue;
    const bool playing_stall =
        v.state == ViewerState::kPlaying && now - v.last_segment_at > opts_.stall_timeout;
    const bool startup_stall =
        v.state == ViewerState::kStarting && now - v.started_at > opts_.startup_timeout;
    if (!playing_stall && !startup_stall) continue;
    v.killed_by_watchdog = true;
    v.stalled = true;
    listener_.OnViewerStalled(v.id,
                              playing_stall ? RestartCause::kStall : RestartCause::kStartupTimeout);
    KillViewer(v);
  }
  if (!shutting_down_) watchdog_timer_->Arm(kWatchdogPeriod);
}

void ViewerPool::StopViewer(Viewer& v) {
  if (!v.Running() || v.state == ViewerState::kStopping) return;
  v.state = ViewerState::kStopping;
  v.stop_sent_at = loop_.clock().Now();
  engine_.StopSession(v.id);
}

void ViewerPool::KillViewer(Viewer& v) {
  if (!v.Running() || v.kill_sent) return;
  v.kill_sent = true;
  engine_.KillSession(v.id);
}

void ViewerPool::Shutdown(std::function<void()> done) {
  if (shutting_down_) {
    // A second request: kill at once.
    for (auto& v : viewers_) KillViewer(*v);
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
    StopViewer(*v);
  }
  kill_timer_ = loop_.CreateTimer([this] {
    for (auto& v : viewers_) KillViewer(*v);
  });
  kill_timer_->Arm(opts_.stop_deadline);
  abandon_timer_ = loop_.CreateTimer([this] { Abandon(); });
  abandon_timer_->Arm(opts_.stop_deadline + opts_.abandon_after);
  MaybeFinishShutdown();
}

void ViewerPool::Abandon() {
  for (auto& v : viewers_) {
    if (!v->Running()) continue;
    ++abandoned_;
    log::Warn("viewer {}: its session did not end {} s after it was killed; giving up on it", v->id,
              ToSeconds(opts_.abandon_after));
    listener_.OnViewerEnded(v->id, EndReason::kKilled, loop_.clock().Now() - v->started_at);
    v->state = ViewerState::kDone;
  }
  MaybeFinishShutdown();
}

void ViewerPool::MaybeAllCompleted() {
  if (!opts_.on_all_completed || shutting_down_ || completed_ == 0) return;
  if (next_slot_ < pending_.size()) return;  // viewers still to ramp up
  for (auto& v : viewers_) {
    if (v->wanted && v->state != ViewerState::kDone) return;
  }
  loop_.Post(opts_.on_all_completed);
}

void ViewerPool::MaybeFinishShutdown() {
  if (!shutting_down_ || !on_shutdown_) return;
  for (auto& v : viewers_) {
    if (v->Running()) return;
  }
  kill_timer_.reset();
  abandon_timer_.reset();
  loop_.Post(std::move(on_shutdown_));
  on_shutdown_ = nullptr;
}

measure::ViewerCounts ViewerPool::Counts() const {
  measure::ViewerCounts c;
  c.target = target_;
  for (const auto& v : viewers_) {
    if (v->wanted && v->starts > 0) ++c.started;
    if (v->wanted && v->stalled) ++c.stalled;
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
  c.ramp_progress = target_ <= 0 ? 1.0 : std::min(1.0, static_cast<double>(c.started) / target_);
  if (first_starts_ >= 2) {
    const double span = ToSeconds(last_first_start_at_ - first_start_at_);
    c.ramp_rate_achieved = span > 0 ? (first_starts_ - 1) / span : 0.0;
  }
  return c;
}

}  // namespace hs::pool
