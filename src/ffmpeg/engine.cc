// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "ffmpeg/engine.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <array>

#include "core/io.h"
#include "core/log.h"

namespace hs::ffmpeg {

using measure::EndReason;
using measure::EngineCount;
using measure::RequestKind;

namespace {

// Per-wakeup read budget per pipe: a flooding viewer cannot starve the others.
constexpr size_t kReadBudget = 64 * 1024;
// After exit a pipe holds at most its capacity (64 KiB by default); read all of it.
constexpr size_t kFinalDrainBudget = 1024 * 1024;

// Reads what is available, at most \a budget bytes, into \a sink. False on EOF or error.
template <typename Sink>
bool Drain(UniqueFd& fd, size_t budget, Sink&& sink) {
  std::array<char, 16384> buf{};
  size_t total = 0;
  while (total < budget) {
    IoResult r = ReadSome(fd.Get(), buf.data(), buf.size());
    if (r.status == IoStatus::kRetry) return true;
    if (r.status != IoStatus::kOk) return false;
    total += r.bytes;
    sink(std::string_view(buf.data(), r.bytes));
  }
  return true;  // budget spent; level-triggered epoll calls us again
}

// A full pipe buffer (64 KiB): the child may have had to drop output (its end is non-blocking).
bool PipeFull(const UniqueFd& fd) {
  int queued = 0;
  return ::ioctl(fd.Get(), FIONREAD, &queued) == 0 && queued >= 65536;
}

EndReason ReasonOf(const ExitStatus& st, bool stop_requested, bool kill_requested) {
  if (kill_requested) return EndReason::kKilled;
  if (stop_requested) return EndReason::kStopped;
  switch (st.kind) {
    case ExitKind::kClean:
      return EndReason::kEndOfStream;
    case ExitKind::kExitCode:
      return EndReason::kError;
    case ExitKind::kSignaled:
      return EndReason::kSignal;
    case ExitKind::kInterrupted:
      return EndReason::kStopped;
  }
  return EndReason::kError;
}

}  // namespace

ProcessEnd ClassifyProcessEnd(const ExitStatus& status, bool stop_requested, bool kill_requested,
                              bool vod, bool played, bool reload_failed) {
  ProcessEnd end;
  end.reason = ReasonOf(status, stop_requested, kill_requested);
  if (end.reason == EndReason::kEndOfStream && vod && played && !reload_failed) {
    end.reason = EndReason::kCompleted;
    end.play_completed = true;
  }
  return end;
}

struct FfmpegEngine::Session {
  int id = 0;
  int attempt = 0;  ///< the pool's attempt number of this session
  int play = 0;     ///< VOD plays this session started before this process
  std::unique_ptr<ChildProcess> child;
  std::unique_ptr<FileWatch> stderr_watch;
  std::unique_ptr<FileWatch> progress_watch;
  std::unique_ptr<Timer> second_interrupt;
  LogScanner log;
  ProgressScanner progress;
  std::unique_ptr<Events> events;
  SteadyTime spawned_at{};
  int wait_status = 0;
  bool exited = false;  ///< reaped; pipes may still hold data
  bool stop_requested = false;
  bool kill_requested = false;
  bool playing = false;
  bool segment_seen = false;   ///< this process opened a segment
  bool reload_failed = false;  ///< this process logged "Failed to reload playlist"
  bool no_next_play = false;   ///< asked to stop or killed: a completed VOD is not played again
  bool status_seen = false;    ///< the first status record of a process is not a speed sample
  std::int64_t last_out_time_us = -1;
  std::uint64_t truncated_reported = 0;
};

// Turns one session's parsed stderr and progress into pool events and neutral counts.
class FfmpegEngine::Events final : public LogListener, public ProgressListener {
 public:
  Events(FfmpegEngine& e, Session& s) : e_(e), s_(s) {}
  void OnLogEvent(const LogEvent& ev) override;
  void OnProgress(const ProgressBlock& b) override {
    if (!b.has_out_time) return;
    // Media time FFmpeg processed: the consumer of the progress pipe (the stderr status
    // record carries the speed once per stats period; counting both would double samples).
    if (s_.last_out_time_us >= 0 && b.out_time_us > s_.last_out_time_us) {
      e_.counts_.OnEngineCount(EngineCount::kMediaMicrosPlayed,
                               static_cast<std::uint64_t>(b.out_time_us - s_.last_out_time_us));
    }
    s_.last_out_time_us = std::max<std::int64_t>(s_.last_out_time_us, b.out_time_us);
  }

 private:
  void Count(EngineCount c, std::uint64_t n = 1) { e_.counts_.OnEngineCount(c, n); }
  void Error(std::string_view type, int status = 0) { e_.counts_.OnEngineError(type, status); }
  FfmpegEngine& e_;
  Session& s_;
};

void FfmpegEngine::Events::OnLogEvent(const LogEvent& ev) {
  Count(EngineCount::kDiagnosticLine);
  switch (ev.kind) {
    case LogEventKind::kSegmentOpen:
      e_.counts_.OnLoggedRequest(RequestKind::kSegment, ev.new_connection);
      s_.segment_seen = true;
      if (e_.events_ == nullptr) break;
      if (!s_.playing && !s_.stop_requested) {
        s_.playing = true;
        e_.events_->OnPlaying(s_.id, e_.loop_.clock().Now() - s_.spawned_at);
      }
      e_.events_->OnSegment(s_.id, -1);
      break;
    case LogEventKind::kPlaylistOpen:
      e_.counts_.OnLoggedRequest(RequestKind::kMediaPlaylist, ev.new_connection);
      break;
    case LogEventKind::kInitSegmentOpen:
      e_.counts_.OnLoggedRequest(RequestKind::kInit, ev.new_connection);
      break;
    case LogEventKind::kKeyOpen:
      e_.counts_.OnLoggedRequest(RequestKind::kKey, ev.new_connection);
      break;
    case LogEventKind::kHttpError:
      Error(ev.http_status >= 500 ? "http_5xx" : "http_4xx", ev.http_status);
      break;
    case LogEventKind::kSegmentFailed:
      Count(EngineCount::kSegmentFailed);
      Error("segment_failed");
      break;
    case LogEventKind::kSegmentSkipped:
      Count(EngineCount::kSegmentSkipped);
      break;
    case LogEventKind::kSegmentsExpired:
      Count(EngineCount::kSegmentsExpired,
            static_cast<std::uint64_t>(std::max<std::int64_t>(ev.count, 0)));
      Error("segments_expired");
      break;
    case LogEventKind::kPlaylistReloadFailed:
      s_.reload_failed = true;
      Count(EngineCount::kPlaylistReloadFailed);
      Error("playlist_reload_failed");
      break;
    case LogEventKind::kReconnect:
      Count(EngineCount::kReconnect);
      break;
    case LogEventKind::kKeepaliveRetry:
      Count(EngineCount::kKeepaliveRetry);
      break;
    case LogEventKind::kConnectFailed:
      Error("connect_failed");
      break;
    case LogEventKind::kInputOpenFailed:
      Error("input_open_failed");
      break;
    case LogEventKind::kInitSegmentFailed:
      Error("init_failed");
      break;
    case LogEventKind::kKeyFailed:
      Error("key_failed");
      break;
    case LogEventKind::kPrematureEnd:
      Error("truncated_body");
      break;
    case LogEventKind::kInputError:
      Error("read_error");
      break;
    case LogEventKind::kStatus:
      // A process's first status record divides by an elapsed time near zero (seen: 21300x)
      // and its final one after a stop reports the stop itself: neither is a speed sample.
      if (!s_.status_seen) {
        s_.status_seen = true;
        break;
      }
      if (ev.speed >= 0 && !ev.final_status) e_.counts_.OnSpeedSample(ev.speed);
      break;
    default:
      break;
  }
}

FfmpegEngine::FfmpegEngine(EventLoop& loop, Spawner& spawner, ChildReaper& reaper,
                           measure::EngineListener& counts, FfmpegEngineOptions opts)
    : loop_(loop), spawner_(spawner), reaper_(reaper), counts_(counts), opts_(std::move(opts)) {}

FfmpegEngine::~FfmpegEngine() {
  // ChildProcess destructors SIGKILL and reap anything still alive.
  for (auto& [id, s] : sessions_) {
    if (s->child != nullptr) reaper_.Unregister(s->child->pid());
  }
}

Result<void> FfmpegEngine::StartSession(int viewer_id, int attempt) {
  return Spawn(viewer_id, attempt, 0);
}

Result<void> FfmpegEngine::Spawn(int viewer_id, int attempt, int play) {
  if (sessions_.count(viewer_id) != 0) {
    return Fail(ErrorCode::kInternal, "viewer already has a process");
  }
  SpawnOptions so;
  so.argv = opts_.argv(viewer_id);
  so.progress_pipe = opts_.progress_pipe;
  so.child_mask = opts_.child_mask;
  auto child = spawner_.Spawn(viewer_id, attempt, so);
  if (!child) return tl::unexpected(child.error());
  auto s = std::make_unique<Session>();
  s->id = viewer_id;
  s->attempt = attempt;
  s->play = play;
  s->child = std::move(*child);
  s->spawned_at = loop_.clock().Now();
  s->events = std::make_unique<Events>(*this, *s);
  Session& ref = *s;
  sessions_.emplace(viewer_id, std::move(s));
  WatchPipes(ref);
  reaper_.Register(ref.child->pid(), [this, &ref](int st) { OnChildExited(ref, st); });
  return {};
}

void FfmpegEngine::WatchPipes(Session& s) {
  if (s.child->stderr_fd().Valid()) {
    s.stderr_watch = loop_.Watch(s.child->stderr_fd().Get(), EPOLLIN, [this, &s](auto) {
      if (PipeFull(s.child->stderr_fd()))
        counts_.OnEngineCount(EngineCount::kDiagnosticPipeFull, 1);
      const bool open = Drain(s.child->stderr_fd(), kReadBudget,
                              [&](std::string_view b) { s.log.Feed(b, *s.events); });
      if (!open) s.log.Finish(*s.events);
      ReportTruncated(s);
      if (!open) {
        s.stderr_watch.reset();
        s.child->stderr_fd().Reset();
        FinishIfDrained(s);
      }
    });
  }
  if (s.child->progress_fd().Valid()) {
    s.progress_watch = loop_.Watch(s.child->progress_fd().Get(), EPOLLIN, [this, &s](auto) {
      if (PipeFull(s.child->progress_fd())) {
        counts_.OnEngineCount(EngineCount::kDiagnosticPipeFull, 1);
      }
      const bool open = Drain(s.child->progress_fd(), kReadBudget,
                              [&](std::string_view b) { s.progress.Feed(b, *s.events); });
      if (!open) {
        s.progress_watch.reset();
        s.child->progress_fd().Reset();
        FinishIfDrained(s);
      }
    });
  }
}

void FfmpegEngine::ReportTruncated(Session& s) {
  const std::uint64_t now = s.log.Counters().truncated_lines;
  if (now > s.truncated_reported) {
    counts_.OnEngineCount(EngineCount::kDiagnosticLineTruncated, now - s.truncated_reported);
    s.truncated_reported = now;
  }
}

void FfmpegEngine::StopSession(int viewer_id) {
  auto it = sessions_.find(viewer_id);
  if (it == sessions_.end()) return;
  Session& s = *it->second;
  s.no_next_play = true;  // also when it exited by itself and is being drained
  if (s.exited) return;
  s.stop_requested = true;
  s.child->Signal(SIGINT, true);
  if (s.second_interrupt == nullptr) {
    s.second_interrupt = loop_.CreateTimer([&s] {
      if (!s.exited) s.child->Signal(SIGINT, true);
    });
    s.second_interrupt->Arm(opts_.second_interrupt_after);
  }
}

void FfmpegEngine::KillSession(int viewer_id) {
  auto it = sessions_.find(viewer_id);
  if (it == sessions_.end()) return;
  it->second->no_next_play = true;
  if (it->second->exited) return;
  it->second->kill_requested = true;
  it->second->child->Signal(SIGKILL, true);
}

void FfmpegEngine::OnChildExited(Session& s, int wait_status) {
  s.exited = true;
  s.wait_status = wait_status;
  s.second_interrupt.reset();
  // The process is gone, so its pipes hold all they ever will: drain them now (the watches see
  // EOF right away unless a grandchild kept a write end open).
  if (s.stderr_watch != nullptr) {
    Drain(s.child->stderr_fd(), kFinalDrainBudget,
          [&](std::string_view b) { s.log.Feed(b, *s.events); });
    s.log.Finish(*s.events);
    ReportTruncated(s);
    s.stderr_watch.reset();
    s.child->stderr_fd().Reset();
  }
  if (s.progress_watch != nullptr) {
    Drain(s.child->progress_fd(), kFinalDrainBudget,
          [&](std::string_view b) { s.progress.Feed(b, *s.events); });
    s.progress_watch.reset();
    s.child->progress_fd().Reset();
  }
  FinishIfDrained(s);
}

void FfmpegEngine::FinishIfDrained(Session& s) {
  if (!s.exited || s.stderr_watch != nullptr || s.progress_watch != nullptr) return;
  ExitStatus status;
  s.child->MarkReaped(s.wait_status, &status);
  const ProcessEnd end = ClassifyProcessEnd(status, s.stop_requested, s.kill_requested, opts_.vod,
                                            s.segment_seen, s.reload_failed);
  EndReason reason = end.reason;
  if (reason == EndReason::kError || reason == EndReason::kSignal) LogFailure(s, reason, status);
  const int id = s.id;
  const int attempt = s.attempt;
  const int play = s.play;
  const bool next_play = opts_.restart_vod && !s.no_next_play;
  // Destroy the session later: we may be inside one of its watch callbacks.
  auto node = sessions_.extract(id);
  loop_.Post([owned = std::shared_ptr<Session>(std::move(node.mapped()))] {});
  if (end.play_completed) {
    ++plays_completed_;
    counts_.OnEngineCount(EngineCount::kPlayCompleted, 1);
    if (next_play) {
      // The next play of the same viewer: a new process, not a restart the pool counts.
      log::Debug("viewer {}: VOD play {} completed; playing it again", id, play + 1);
      auto r = Spawn(id, attempt, play + 1);
      if (r) return;
      log::Warn("viewer {}: cannot start the next VOD play: {}", id, r.error());
      reason = EndReason::kError;
    }
  }
  if (events_ != nullptr) events_->OnEnded(id, reason);
}

void FfmpegEngine::LogFailure(const Session& s, EndReason reason, const ExitStatus& status) {
  const SteadyTime now = loop_.clock().Now();
  if (last_failure_log_ != SteadyTime{} && now - last_failure_log_ < opts_.failure_log_interval) {
    ++failure_logs_suppressed_;
    return;
  }
  last_failure_log_ = now;
  std::string lines;
  for (const auto& l : s.log.RecentLines()) lines += "\n  " + l;
  const std::string how = status.signal != 0 ? fmt::format("signal {}", status.signal)
                                             : fmt::format("exit code {}", status.code);
  log::Warn("viewer {}: FFmpeg ended ({}, {}){}{}", s.id, measure::ToString(reason), how,
            failure_logs_suppressed_ > 0
                ? fmt::format(" [{} similar failures not shown]", failure_logs_suppressed_)
                : std::string(),
            lines.empty() ? std::string(" with no log lines") : ", last log lines:" + lines);
  failure_logs_suppressed_ = 0;
}

}  // namespace hs::ffmpeg
