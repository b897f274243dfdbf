// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace hs::config {

/// The effective configuration for -print-config: one "key: value" line per setting, keys
/// named like the flags and aligned, followed by the derived values (ramp duration, memory,
/// fd limit, ports) with their units. Ends with a newline. Pure.
std::string FormatConfigText(const Config& config);

/// The effective configuration for -print-config -json. The top-level keys are exactly those of
/// nix/swarm-client/config.nix (clients, rampRate, rampJitter [ms], metricsPort, logLevel,
/// variant, reconnect, reconnectDelayMax, segMaxRetry, timeout [whole seconds, rounded down],
/// derived {...}, _profile {name, availableProfiles sorted as attrNames}) plus "run", which
/// holds everything else (stream URL, duration, headers, tap, tui, shard, ...). Pure.
nlohmann::json ConfigToJson(const Config& config);

}  // namespace hs::config
