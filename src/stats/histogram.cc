// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "stats/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hs::stats {

int Histogram::BucketIndex(std::uint64_t value) {
  if (value < static_cast<std::uint64_t>(kSubCount)) return static_cast<int>(value);
  const int exp = static_cast<int>(std::bit_width(value)) - 1;  // value in [2^exp, 2^(exp+1))
  if (exp >= kMaxExponent) return kBucketCount - 1;
  const int shift = exp - kSubBits;
  const int sub = static_cast<int>((value >> shift) & (kSubCount - 1));
  return (exp - kSubBits + 1) * kSubCount + sub;
}

std::uint64_t Histogram::BucketUpperEdge(int index) {
  if (index < kSubCount) return static_cast<std::uint64_t>(index);
  const int group = index / kSubCount;  // >= 1
  const int sub = index % kSubCount;
  const int exp = group + kSubBits - 1;
  const int shift = exp - kSubBits;
  const std::uint64_t low = (std::uint64_t{1} << exp) + (static_cast<std::uint64_t>(sub) << shift);
  return low + (std::uint64_t{1} << shift) - 1;
}

void Histogram::Record(std::uint64_t value) {
  ++buckets_[static_cast<size_t>(BucketIndex(value))];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  const auto v = static_cast<double>(value);
  sum_ += v;
  sum_sq_ += v * v;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  sum_sq_ += other.sum_sq_;
}

double Histogram::Mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }

double Histogram::StdDev() const {
  if (count_ < 2) return 0.0;
  const double n = static_cast<double>(count_);
  const double var = (sum_sq_ - sum_ * sum_ / n) / (n - 1);
  return var > 0 ? std::sqrt(var) : 0.0;
}

std::uint64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += buckets_[static_cast<size_t>(i)];
    if (seen >= rank) return std::clamp(BucketUpperEdge(i), min(), max_);
  }
  return max_;
}

std::uint64_t Histogram::CountAtOrBelow(std::uint64_t bound) const {
  if (bound >= max_) return count_;
  std::uint64_t n = 0;
  const int last = BucketIndex(bound);
  for (int i = 0; i <= last; ++i) n += buckets_[static_cast<size_t>(i)];
  return n;
}

}  // namespace hs::stats
