// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "core/child_reaper.h"

#include <errno.h>
#include <sys/wait.h>

namespace hs {

void ChildReaper::ReapAll() {
  for (;;) {
    int st = 0;
    pid_t pid = ::waitpid(-1, &st, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid <= 0) return;
    auto it = callbacks_.find(pid);
    if (it == callbacks_.end()) continue;
    ExitCallback cb = std::move(it->second);
    callbacks_.erase(it);
    cb(st);
  }
}

}  // namespace hs
