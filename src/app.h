// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include "config/cli.h"
#include "config/config.h"

namespace hs::app {

/// Exit codes (SPEC §1).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitThreshold = 3;  ///< the run ended and a -threshold was breached

/// The load run (and -check, -print-cmd, -print-config): wires every module together and runs
/// the event loop until the duration ends or a signal arrives. Returns the exit code.
int RunLoad(const config::Config& cfg);
/// `hls-swarm origin`: serves the bundled test origin until signalled.
int RunOrigin(const config::OriginOptions& opts, const config::Config& cfg);
/// `hls-swarm tune`: prints (or applies, as root) the kernel settings of SPEC §7.
int RunTune(const config::TuneOptions& opts, const config::Config& cfg);
/// `hls-swarm -version`.
int PrintVersion(const config::Config& cfg);

}  // namespace hs::app
