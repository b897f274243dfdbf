// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "pool/schedule.h"

#include <algorithm>
#include <cmath>

namespace hs::pool {

std::vector<RampSlot> BuildRampSchedule(int count, int first_id, double rate_per_s, Duration jitter,
                                        std::mt19937_64& rng) {
  std::vector<RampSlot> slots;
  slots.reserve(static_cast<size_t>(std::max(count, 0)));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double spacing_ns = rate_per_s > 0 ? 1e9 / rate_per_s : 0.0;
  for (int i = 0; i < count; ++i) {
    double jitter_ns = static_cast<double>(jitter.count()) * u(rng);
    auto offset = Duration(static_cast<Duration::rep>(spacing_ns * i + jitter_ns));
    slots.push_back(RampSlot{first_id + i, offset});
  }
  std::stable_sort(slots.begin(), slots.end(),
                   [](const RampSlot& a, const RampSlot& b) { return a.offset < b.offset; });
  return slots;
}

Duration RestartBackoff(int attempt, Duration cap, std::mt19937_64& rng) {
  if (cap <= Duration::zero()) cap = std::chrono::seconds(5);
  const double base_ns = 250e6 * std::pow(1.7, std::clamp(attempt, 0, 64));
  const double capped = std::min(base_ns, static_cast<double>(cap.count()));
  std::uniform_real_distribution<double> u(0.8, 1.2);
  return Duration(static_cast<Duration::rep>(capped * u(rng)));
}

}  // namespace hs::pool
