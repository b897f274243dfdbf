// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/unique_fd.h"

namespace hs {

class EventLoop;

/// A registered file descriptor. Destroying it unregisters the fd (it does not close it).
/// Owned by whoever registered it; must not outlive the EventLoop.
class FileWatch {
 public:
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;
  /// Changes the epoll event mask (EPOLLIN, EPOLLOUT, ...).
  void SetEvents(std::uint32_t events);
  int fd() const { return fd_; }

 private:
  friend class EventLoop;
  FileWatch(EventLoop& loop, int fd, std::uint64_t id) : loop_(loop), fd_(fd), id_(id) {}
  EventLoop& loop_;
  int fd_;
  std::uint64_t id_;
  std::uint32_t events_ = 0;
};

/// A one-shot timer that can be re-armed. Destroying it cancels it.
class Timer {
 public:
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  /// (Re)arms the timer to fire once after \a delay (from the loop clock's Now()).
  void Arm(Duration delay);
  void ArmAt(SteadyTime when);
  void Cancel();
  bool Armed() const { return armed_; }

 private:
  friend class EventLoop;
  Timer(EventLoop& loop, std::function<void()> cb) : loop_(loop), cb_(std::move(cb)) {}
  EventLoop& loop_;
  std::function<void()> cb_;
  SteadyTime when_{};
  std::uint64_t seq_ = 0;
  bool armed_ = false;
};

/// Single-threaded epoll loop owning fds, timers and deferred tasks. Not thread-safe: every
/// method must be called from the thread that runs Run().
class EventLoop {
 public:
  using IoCallback = std::function<void(std::uint32_t events)>;

  explicit EventLoop(const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Registers \a fd for \a events; \a cb runs on readiness. Returns nullptr if epoll refuses.
  std::unique_ptr<FileWatch> Watch(int fd, std::uint32_t events, IoCallback cb);
  /// Creates an unarmed timer whose callback runs on the loop.
  std::unique_ptr<Timer> CreateTimer(std::function<void()> cb);
  /// Runs \a task after the current dispatch round (safe place to destroy objects whose
  /// callback is running).
  void Post(std::function<void()> task);

  /// Runs until Stop().
  void Run();
  /// Waits at most \a max_wait for events/timers and dispatches them once.
  void RunOnce(Duration max_wait);
  void Stop() { stopped_ = true; }
  /// When the earliest armed timer is due; SteadyTime::max() when none is armed. Lets tests on
  /// a FakeClock step time from timer to timer.
  SteadyTime NextTimerAt() const {
    return timers_.empty() ? SteadyTime::max() : timers_.begin()->when;
  }
  bool Stopped() const { return stopped_; }
  const Clock& clock() const { return clock_; }

 private:
  friend class FileWatch;
  friend class Timer;
  struct TimerKey {
    SteadyTime when;
    std::uint64_t seq;
    Timer* timer;
    bool operator<(const TimerKey& o) const { return when != o.when ? when < o.when : seq < o.seq; }
  };
  void Unregister(FileWatch& w);
  void Modify(FileWatch& w, std::uint32_t events);
  void Schedule(Timer& t);
  void Unschedule(Timer& t);
  void FireDueTimers();
  void RunPosted();
  int NextTimeoutMs(Duration max_wait) const;

  const Clock& clock_;
  UniqueFd epoll_;
  std::uint64_t next_id_ = 1;
  std::uint64_t next_seq_ = 1;
  std::unordered_map<std::uint64_t, std::pair<FileWatch*, IoCallback>> watches_;
  std::set<TimerKey> timers_;
  std::vector<std::function<void()>> posted_;
  bool stopped_ = false;
};

}  // namespace hs
