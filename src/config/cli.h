// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace hs::config {

/// What main() should do after parsing.
enum class Action {
  kRun,         ///< the load run, or one of its modes (Config::check/print_cmd/print_config)
  kHelp,        ///< print CliOutcome::help_text to stdout, exit 0
  kVersion,     ///< print the version and FFmpeg's, exit 0
  kOrigin,      ///< `hls-swarm origin`: run the bundled test origin (CliOutcome::origin)
  kTune,        ///< `hls-swarm tune`: kernel settings and limits (CliOutcome::tune)
  kUsageError,  ///< print each CliOutcome::errors line to stderr, exit 2
};

/// Options of `hls-swarm origin`.
struct OriginOptions {
  std::string profile = "default";  ///< one of OriginProfileNames()
  int port = 8080;                  ///< nginx listen port, 1..65535
  std::string addr = "127.0.0.1";   ///< nginx listen address (IP literal)
  std::string dir;                  ///< working directory; "" = create a fresh temporary one
  bool exporters = false;           ///< also run node_exporter and nginx-prometheus-exporter
};

/// Options of `hls-swarm tune`.
struct TuneOptions {
  bool apply = false;  ///< false: print current vs recommended (--print, the default)
};

/// Everything ParseCommandLine found. When errors is non-empty, action is kUsageError.
struct CliOutcome {
  Action action = Action::kRun;
  Config config;                    ///< effective configuration (valid when action != kUsageError)
  OriginOptions origin;             ///< meaningful when action == kOrigin
  TuneOptions tune;                 ///< meaningful when action == kTune
  std::vector<std::string> errors;  ///< one line each, naming the flag or variable and the fix
  std::vector<std::string> warnings;  ///< non-fatal, one line each; print them to stderr
  /// kHelp: the full text, ending in '\n'. kUsageError: a one-line hint without '\n'.
  std::string help_text;
};

/// Looks an environment variable up; nullopt when unset.
using GetEnv = std::function<std::optional<std::string>(const std::string&)>;

/// Parses the command line \a args (without argv[0]) in Go `flag` syntax.
///
/// Precedence for each value: explicit flag > environment variable (STREAM_URL, CLIENTS,
/// RAMP_RATE, METRICS_PORT, LOG_LEVEL, VARIANT; empty counts as unset) > -profile. The words of
/// EXTRA_ARGS (split like a shell, see shell_split.h) are appended to the flags before parsing,
/// so they win over earlier flags exactly as in the container entrypoint. -tui defaults to
/// \a stdout_is_tty. The first positional word "origin", "tune" or "help" selects a subcommand
/// whose own flags follow it. Every problem is collected into CliOutcome::errors (exit 2 is up
/// to the caller). Pure apart from calling \a getenv; never throws.
CliOutcome ParseCommandLine(const std::vector<std::string>& args, const GetEnv& getenv,
                            bool stdout_is_tty);

/// Convenience for main(): a GetEnv reading the process environment with std::getenv.
GetEnv ProcessEnv();

}  // namespace hs::config
