// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <vector>

#include "config/cli.h"
#include "config/config.h"
#include "config/go_flags.h"

namespace hs::config {

/// What the builder needs besides the flags.
struct BuildOptions {
  bool stdout_is_tty = false;  ///< default of -tui
  bool url_required = true;    ///< false for subcommands; -print-config and -test-origin relax it
};

/// Turns parsed main flags plus environment fallbacks into a validated Config (SPEC §1/§2):
/// profile values first, then environment variables, then explicit flags. Appends one line per
/// problem to \a errors and per caveat to \a warnings; the returned Config is only meaningful
/// when no error was added. Pure apart from calling \a getenv.
Config BuildConfig(const ParsedFlags& flags, const GetEnv& getenv, const BuildOptions& options,
                   std::vector<std::string>* errors, std::vector<std::string>* warnings);

}  // namespace hs::config
