// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hs::config {

/// Parses Go's time.ParseDuration syntax: an optional sign, then one or more decimal numbers
/// (fraction allowed) each followed by a unit ns, us, µs, μs, ms, s, m, h ("300ms", "1.5h",
/// "1h30m", "-2m3.5s"). A lone "0" (optionally signed) is zero. Anything else, including a bare
/// number, is an ErrorCode::kParse error whose detail is a short phrase ("missing unit") meant
/// to be embedded in a message that names the flag. Pure; any thread.
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view text);

/// Like ParseGoDuration, but a bare number ("15", "2.5", "-1") is read in \a default_unit,
/// which must be one of 1ns, 1us, 1ms, 1s, 1min or 1h. Used by flags whose Go ancestor took
/// integers (-timeout 15 = 15 s, -ramp-jitter 100 = 100 ms). Pure; any thread.
Result<std::chrono::nanoseconds> ParseDurationOrNumber(std::string_view text,
                                                       std::chrono::nanoseconds default_unit);

/// Formats like Go's Duration.String(): "0s", "1.5µs", "200ms", "1m30s", "1h0m0s", "-2s".
std::string FormatGoDuration(std::chrono::nanoseconds d);

}  // namespace hs::config
