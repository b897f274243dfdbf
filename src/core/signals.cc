// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/signals.h"

#include <errno.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace hs {

SignalWatcher::SignalWatcher(EventLoop& loop, std::initializer_list<int> signals, Callback cb)
    : cb_(std::move(cb)) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, &original_mask_);
  ::signal(SIGPIPE, SIG_IGN);
  fd_.Reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
  if (fd_.Valid()) watch_ = loop.Watch(fd_.Get(), EPOLLIN, [this](std::uint32_t) { OnReadable(); });
}

SignalWatcher::~SignalWatcher() {
  watch_.reset();
  fd_.Reset();
  ::sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
}

void SignalWatcher::OnReadable() {
  signalfd_siginfo info{};
  for (;;) {
    ssize_t n = ::read(fd_.Get(), &info, sizeof(info));
    if (n != static_cast<ssize_t>(sizeof(info))) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    cb_(static_cast<int>(info.ssi_signo));
  }
}

}  // namespace hs
