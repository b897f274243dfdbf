// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Helpers shared by the unit tests of several modules (header-only, included by *_test.cc and
// test utility headers only): descriptor counts, loopback sockets, running a loop until a
// condition, and stepping a FakeClock from one armed timer to the next.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/unique_fd.h"

namespace hs::test {

/// Number of open file descriptors of this process.
inline int CountOpenFds() {
  int n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
  }
  return n - 3;  // ".", ".." and the directory's own fd
}

/// Runs \a loop until \a done() or \a timeout (on the loop's clock); returns done().
inline bool RunUntil(EventLoop& loop, const std::function<bool()>& done, Duration timeout) {
  const SteadyTime deadline = loop.clock().Now() + timeout;
  while (!done() && loop.clock().Now() < deadline) loop.RunOnce(std::chrono::milliseconds(5));
  return done();
}

/// Moves \a clock (the clock of \a loop) to \a until, firing every timer and posted task on
/// the way in deadline order: tests on a fake clock run without sleeping.
inline void StepUntil(EventLoop& loop, FakeClock& clock, SteadyTime until) {
  loop.RunOnce(Duration::zero());
  for (int guard = 0; guard < 1000000; ++guard) {
    const SteadyTime next = loop.NextTimerAt();
    if (next > until) break;
    if (next > clock.Now()) clock.Advance(next - clock.Now());
    loop.RunOnce(Duration::zero());
  }
  if (until > clock.Now()) clock.Advance(until - clock.Now());
  loop.RunOnce(Duration::zero());
}

/// A non-blocking TCP socket connected to 127.0.0.1:\a port (connect may still be in progress).
inline UniqueFd ConnectLoopback(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::connect(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a));
  return fd;
}

/// A non-blocking listening socket on 127.0.0.1 with a kernel-chosen port.
inline UniqueFd ListenLoopback(int* port, int backlog = 64) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  auto* sa = reinterpret_cast<sockaddr*>(&a);
  if (::bind(fd.Get(), sa, len) != 0 || ::listen(fd.Get(), backlog) != 0 ||
      ::getsockname(fd.Get(), sa, &len) != 0) {
    return UniqueFd();
  }
  *port = ntohs(a.sin_port);
  return fd;
}

}  // namespace hs::test
