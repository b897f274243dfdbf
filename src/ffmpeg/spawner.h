// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <memory>

#include "core/child_process.h"
#include "core/result.h"

namespace hs::ffmpeg {

/// Starts viewer processes. The real one forks/execs; tests substitute scripted children.
class Spawner {
 public:
  virtual ~Spawner() = default;
  /// Starts one process for viewer \a viewer_id (its \a attempt-th start, 0-based).
  virtual Result<std::unique_ptr<ChildProcess>> Spawn(int viewer_id, int attempt,
                                                      const SpawnOptions& opts) = 0;
};

class RealSpawner final : public Spawner {
 public:
  Result<std::unique_ptr<ChildProcess>> Spawn(int, int, const SpawnOptions& opts) override {
    return ChildProcess::Spawn(opts);
  }
};

}  // namespace hs::ffmpeg
