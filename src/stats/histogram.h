// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace hs::stats {

/// Log-linear histogram of non-negative integer values (e.g. microseconds), HDR style:
/// values below 2^kSubBits are exact; above, each power of two is split into 2^kSubBits linear
/// sub-buckets, so any recorded value is known within 1/2^kSubBits (~3 %). O(1) recording,
/// fixed memory (~16 KiB), mergeable by adding bucket counts. Percentiles use nearest rank.
class Histogram {
 public:
  static constexpr int kSubBits = 5;
  static constexpr int kSubCount = 1 << kSubBits;
  static constexpr int kMaxExponent = 48;  ///< values up to 2^48 (≈ 9 years in µs)
  static constexpr int kBucketCount = (kMaxExponent - kSubBits + 1) * kSubCount;

  void Record(std::uint64_t value);
  void Merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double sum() const { return sum_; }
  double Mean() const;
  double StdDev() const;
  /// Nearest-rank percentile: the smallest bucket value v such that at least p % of the
  /// recorded values are <= v (reported as the bucket's upper edge, clamped to max()).
  /// \a p in [0, 100]; 0 when empty.
  std::uint64_t Percentile(double p) const;
  /// Number of recorded values <= \a bound (exact at bucket edges, within one bucket otherwise).
  std::uint64_t CountAtOrBelow(std::uint64_t bound) const;

  static int BucketIndex(std::uint64_t value);
  /// Largest value that falls into bucket \a index.
  static std::uint64_t BucketUpperEdge(int index);

 private:
  std::array<std::uint64_t, kBucketCount> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  double sum_ = 0;
  double sum_sq_ = 0;
};

}  // namespace hs::stats
