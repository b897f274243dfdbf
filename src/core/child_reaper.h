// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/types.h>

#include <functional>
#include <unordered_map>

namespace hs {

/// Reaps every child of the process with waitpid(-1, WNOHANG) when SIGCHLD arrives and
/// dispatches each exit to the callback registered for its pid. One per process; loop thread
/// only. Children nobody registered are reaped and ignored.
class ChildReaper {
 public:
  using ExitCallback = std::function<void(int wait_status)>;
  void Register(pid_t pid, ExitCallback cb) { callbacks_[pid] = std::move(cb); }
  void Unregister(pid_t pid) { callbacks_.erase(pid); }
  /// Call on SIGCHLD (and whenever an exit may have been missed).
  void ReapAll();
  size_t watched() const { return callbacks_.size(); }

 private:
  std::unordered_map<pid_t, ExitCallback> callbacks_;
};

}  // namespace hs
