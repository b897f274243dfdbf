// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <random>
#include <vector>

#include "core/clock.h"

namespace hs::pool {

/// When one viewer starts, relative to the start of the ramp.
struct RampSlot {
  int viewer_id;
  Duration offset;
};

/// Viewer i (0-based within this batch) starts at i / \a rate_per_s + U[0, \a jitter).
/// The achieved mean rate is therefore \a rate_per_s. Slots are sorted by offset.
std::vector<RampSlot> BuildRampSchedule(int count, int first_id, double rate_per_s, Duration jitter,
                                        std::mt19937_64& rng);

/// Restart delay after \a attempt consecutive failures (0-based): 250 ms × 1.7^attempt,
/// capped at \a cap (5 s when \a cap is zero), then ±20 % uniform jitter.
Duration RestartBackoff(int attempt, Duration cap, std::mt19937_64& rng);

/// A viewer that ran at least this long before exiting starts its backoff from zero again.
inline constexpr Duration kBackoffResetAfter = std::chrono::seconds(30);

}  // namespace hs::pool
