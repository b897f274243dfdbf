// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "stats/snapshot.h"

namespace hs::tui {

/// The cumulative counters of one snapshot that rates are derived from.
struct CounterSample {
  SteadyTime at{};
  std::map<std::string, std::uint64_t> requests;  ///< by kind (tap, else FFmpeg's log)
  std::map<std::string, std::uint64_t> bytes;     ///< body bytes by kind (tap only)
  std::uint64_t total_requests = 0;               ///< sum of \a requests
  std::uint64_t total_bytes = 0;                  ///< Snapshot::bytes_received
};

/// A small ring of recent snapshots' counters, fed once per redraw, from which the dashboard
/// derives rates over the last 1 s / 30 s and the throughput sparkline. Pure value code: time
/// is whatever the caller passes. Loop thread only (like every dashboard object).
class RateWindow {
 public:
  /// 256 samples = about 2 minutes at the dashboard's 500 ms redraw.
  static constexpr std::size_t kDefaultCapacity = 256;
  /// The kind name that means "all kinds" in RequestRate()/ByteRate().
  static constexpr const char* kAllKinds = "";

  explicit RateWindow(std::size_t capacity = kDefaultCapacity);

  /// Records the counters of \a s as of \a now. A sample at or before the newest one replaces
  /// it (time never runs backwards here); the oldest sample goes when the ring is full.
  void Add(const stats::Snapshot& s, SteadyTime now);

  /// Requests per second of \a kind (kAllKinds = all) between the newest sample and the older
  /// sample closest to \a window before it. nullopt with fewer than two samples.
  std::optional<double> RequestRate(const std::string& kind, Duration window) const;
  /// Body bytes per second of \a kind (kAllKinds = Snapshot::bytes_received), as RequestRate.
  std::optional<double> ByteRate(const std::string& kind, Duration window) const;
  /// Total bytes per second between consecutive samples, oldest first: at most \a n values.
  std::vector<double> ThroughputHistory(std::size_t n) const;

  std::size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }
  /// The newest sample; requires !empty().
  const CounterSample& latest() const { return samples_.back(); }

 private:
  /// The sample to measure the newest one against, or nullptr with fewer than two samples.
  const CounterSample* Baseline(Duration window) const;

  std::size_t capacity_;
  std::deque<CounterSample> samples_;
};

}  // namespace hs::tui
