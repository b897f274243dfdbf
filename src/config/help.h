// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

namespace hs::config {

/// `hls-swarm -help`: usage, flags grouped by topic (Load shape, Stream selection, Network,
/// Measurement & output, Modes) with defaults, the profile table, Environment, Exit codes and
/// Examples. Generated from MainFlags() and Profiles(), so it cannot drift from the parser.
std::string MainHelpText();

/// `hls-swarm origin -help`.
std::string OriginHelpText();

/// `hls-swarm tune -help`.
std::string TuneHelpText();

}  // namespace hs::config
