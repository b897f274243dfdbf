// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace hs {

struct CommandOutput {
  int exit_code = -1;  ///< -1 if killed by a signal or the timeout
  bool timed_out = false;
  std::string output;  ///< stdout and stderr interleaved, truncated at max_bytes
};

/// Runs \a argv synchronously (startup-time probes only, never from a loop callback once
/// viewers run), capturing at most \a max_bytes of output, killing it after \a timeout.
/// Fails only if the program cannot be started (e.g. not found).
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout, size_t max_bytes = 1 << 20);

/// Looks \a name up in PATH like execvp does; returns the path or empty.
std::string FindInPath(const std::string& name);

}  // namespace hs
