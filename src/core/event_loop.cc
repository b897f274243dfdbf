// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/event_loop.h"

#include <errno.h>
#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>

namespace hs {

FileWatch::~FileWatch() { loop_.Unregister(*this); }
void FileWatch::SetEvents(std::uint32_t events) { loop_.Modify(*this, events); }

Timer::~Timer() { Cancel(); }
void Timer::Arm(Duration delay) { ArmAt(loop_.clock().Now() + delay); }
void Timer::ArmAt(SteadyTime when) {
  Cancel();
  when_ = when;
  loop_.Schedule(*this);
}
void Timer::Cancel() {
  if (armed_) loop_.Unschedule(*this);
}

EventLoop::EventLoop(const Clock& clock) : clock_(clock), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  assert(epoll_.Valid());
}

EventLoop::~EventLoop() = default;

std::unique_ptr<FileWatch> EventLoop::Watch(int fd, std::uint32_t events, IoCallback cb) {
  std::uint64_t id = next_id_++;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_.Get(), EPOLL_CTL_ADD, fd, &ev) != 0) return nullptr;
  auto watch = std::unique_ptr<FileWatch>(new FileWatch(*this, fd, id));
  watch->events_ = events;
  watches_.emplace(id, std::make_pair(watch.get(), std::move(cb)));
  return watch;
}

void EventLoop::Unregister(FileWatch& w) {
  // The fd may already be closed by its owner; epoll drops closed fds itself, so ignore errors.
  ::epoll_ctl(epoll_.Get(), EPOLL_CTL_DEL, w.fd_, nullptr);
  watches_.erase(w.id_);
}

void EventLoop::Modify(FileWatch& w, std::uint32_t events) {
  if (w.events_ == events) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = w.id_;
  ::epoll_ctl(epoll_.Get(), EPOLL_CTL_MOD, w.fd_, &ev);
  w.events_ = events;
}

std::unique_ptr<Timer> EventLoop::CreateTimer(std::function<void()> cb) {
  return std::unique_ptr<Timer>(new Timer(*this, std::move(cb)));
}

void EventLoop::Schedule(Timer& t) {
  t.seq_ = next_seq_++;
  t.armed_ = true;
  timers_.insert(TimerKey{t.when_, t.seq_, &t});
}

void EventLoop::Unschedule(Timer& t) {
  timers_.erase(TimerKey{t.when_, t.seq_, &t});
  t.armed_ = false;
}

void EventLoop::Post(std::function<void()> task) { posted_.push_back(std::move(task)); }

int EventLoop::NextTimeoutMs(Duration max_wait) const {
  if (!posted_.empty()) return 0;
  Duration wait = max_wait;
  if (!timers_.empty()) {
    wait = std::min(wait, timers_.begin()->when - clock_.Now());
  }
  if (wait <= Duration::zero()) return 0;
  // Round up so a timer is never woken for a fraction of a millisecond too early.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  return static_cast<int>(std::min<long long>(ms, 60'000));
}

void EventLoop::FireDueTimers() {
  const SteadyTime now = clock_.Now();
  // Fire in deadline order; a callback may arm or cancel other timers, so re-read begin().
  while (!timers_.empty() && timers_.begin()->when <= now) {
    Timer* t = timers_.begin()->timer;
    timers_.erase(timers_.begin());
    t->armed_ = false;
    t->cb_();
  }
}

void EventLoop::RunPosted() {
  while (!posted_.empty()) {
    std::vector<std::function<void()>> tasks;
    tasks.swap(posted_);
    for (auto& task : tasks) task();
  }
}

void EventLoop::RunOnce(Duration max_wait) {
  std::array<epoll_event, 256> events{};
  int n = ::epoll_wait(epoll_.Get(), events.data(), static_cast<int>(events.size()),
                       NextTimeoutMs(max_wait));
  for (int i = 0; i < n; ++i) {
    // Look the id up each time: an earlier callback in this batch may have removed it.
    auto it = watches_.find(events[static_cast<size_t>(i)].data.u64);
    if (it == watches_.end()) continue;
    IoCallback cb = it->second.second;  // copy: the callback may destroy its own watch
    cb(events[static_cast<size_t>(i)].events);
  }
  FireDueTimers();
  RunPosted();
}

void EventLoop::Run() {
  stopped_ = false;
  while (!stopped_) RunOnce(std::chrono::seconds(1));
}

}  // namespace hs
