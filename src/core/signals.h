// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <signal.h>

#include <functional>
#include <initializer_list>
#include <memory>

#include "core/event_loop.h"
#include "core/unique_fd.h"

namespace hs {

/// Blocks a set of signals for the whole process and delivers them through a signalfd on the
/// loop, so the program has no signal handlers at all. Create it before any thread starts.
/// The destructor restores the previous mask. Also ignores SIGPIPE (a write to a closed socket
/// must be an error return, not death); children get SIGPIPE back to default when spawned.
class SignalWatcher {
 public:
  using Callback = std::function<void(int signo)>;
  SignalWatcher(EventLoop& loop, std::initializer_list<int> signals, Callback cb);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  /// The mask that was in force before blocking; children must be started with it.
  const sigset_t& original_mask() const { return original_mask_; }
  bool ok() const { return watch_ != nullptr; }

 private:
  void OnReadable();
  sigset_t original_mask_{};
  UniqueFd fd_;
  Callback cb_;
  std::unique_ptr<FileWatch> watch_;
};

}  // namespace hs
