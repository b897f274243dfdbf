// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::config {

/// One stage of a load shape: over \a duration the target moves linearly from the previous
/// stage's target (0 before the first) to \a target. A short stage is a join storm; a stage
/// whose target equals the previous one is a hold.
struct Stage {
  std::chrono::milliseconds duration{0};
  int target = 0;
};

/// Parses "-stages 2m:500,10m:500,20s:2000,5m:2000,1m:0" (DURATION:TARGET, comma-separated;
/// durations as Go durations, 0 allowed for a step). Errors are kUsage with the bad stage.
Result<std::vector<Stage>> ParseStages(std::string_view text);

/// The load shape over time (pure): which target the plan asks for \a t after the start, when
/// that rounded target next changes, and a short description of the stage at \a t.
class StagePlan {
 public:
  explicit StagePlan(std::vector<Stage> stages);

  /// The plan's exact (fractional) target at \a t; the last target after the end.
  double ExactAt(std::chrono::milliseconds t) const;
  /// ExactAt rounded to the nearest viewer.
  int TargetAt(std::chrono::milliseconds t) const;
  /// The first time after \a t at which TargetAt changes; nullopt when it never does again.
  std::optional<std::chrono::milliseconds> NextChangeAfter(std::chrono::milliseconds t) const;
  /// Index of the stage running at \a t (stages.size() after the end).
  std::size_t StageAt(std::chrono::milliseconds t) const;
  /// "stage 2/5 ramp 500→2000, 12s left" (or "stages done").
  std::string Describe(std::chrono::milliseconds t) const;
  std::chrono::milliseconds TotalDuration() const { return total_; }
  int MaxTarget() const;
  /// Largest |slope| of any stage of non-zero length, in viewers per second.
  double MaxRate() const;
  const std::vector<Stage>& stages() const { return stages_; }

 private:
  std::vector<Stage> stages_;
  std::chrono::milliseconds total_{0};
};

}  // namespace hs::config
