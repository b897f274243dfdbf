// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <string>

#include "stats/snapshot.h"

namespace hs::stats {

/// One engine of an -engine-mix snapshot, for the sinks' tests.
inline EngineFigures MixEngine(std::string engine, int percent, int target, int playing,
                               std::uint64_t request_errors = 0, std::uint64_t engine_errors = 0) {
  EngineFigures e;
  e.engine = std::move(engine);
  e.percent = percent;
  e.target = target;
  e.playing = playing;
  e.request_errors = request_errors;
  e.engine_errors = engine_errors;
  return e;
}

}  // namespace hs::stats
