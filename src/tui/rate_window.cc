// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/rate_window.h"

#include <algorithm>
#include <chrono>

namespace hs::tui {

namespace {

std::uint64_t Lookup(const std::map<std::string, std::uint64_t>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? 0 : it->second;
}

// Counters only grow; a smaller value (a restarted aggregator) counts as no progress.
double PerSecond(std::uint64_t now, std::uint64_t before, Duration dt) {
  const double s = ToSeconds(dt);
  if (s <= 0) return 0;
  return now >= before ? static_cast<double>(now - before) / s : 0.0;
}

}  // namespace

RateWindow::RateWindow(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 2)) {}

void RateWindow::Add(const stats::Snapshot& s, SteadyTime now) {
  CounterSample c;
  c.at = now;
  c.requests = s.RequestsByKind();
  for (const auto& [kind, f] : s.requests.by_kind) c.bytes[kind] = f.body_bytes;
  for (const auto& [kind, n] : c.requests) c.total_requests += n;
  c.total_bytes = s.bytes_received;
  if (!samples_.empty() && now <= samples_.back().at) {
    c.at = samples_.back().at;
    samples_.back() = std::move(c);
    return;
  }
  samples_.push_back(std::move(c));
  while (samples_.size() > capacity_) samples_.pop_front();
}

const CounterSample* RateWindow::Baseline(Duration window) const {
  if (samples_.size() < 2) return nullptr;
  // The closest sample to "window ago", so a late redraw does not double the interval.
  const SteadyTime target = samples_.back().at - window;
  const CounterSample* best = &samples_.front();
  for (std::size_t i = 0; i + 1 < samples_.size(); ++i) {
    const CounterSample& c = samples_[i];
    if (std::chrono::abs(c.at - target) < std::chrono::abs(best->at - target)) best = &c;
  }
  return best;
}

std::optional<double> RateWindow::RequestRate(const std::string& kind, Duration window) const {
  const CounterSample* base = Baseline(window);
  if (base == nullptr) return std::nullopt;
  const CounterSample& now = samples_.back();
  if (kind == kAllKinds) {
    return PerSecond(now.total_requests, base->total_requests, now.at - base->at);
  }
  return PerSecond(Lookup(now.requests, kind), Lookup(base->requests, kind), now.at - base->at);
}

std::optional<double> RateWindow::ByteRate(const std::string& kind, Duration window) const {
  const CounterSample* base = Baseline(window);
  if (base == nullptr) return std::nullopt;
  const CounterSample& now = samples_.back();
  if (kind == kAllKinds) return PerSecond(now.total_bytes, base->total_bytes, now.at - base->at);
  return PerSecond(Lookup(now.bytes, kind), Lookup(base->bytes, kind), now.at - base->at);
}

std::vector<double> RateWindow::ThroughputHistory(std::size_t n) const {
  std::vector<double> out;
  if (samples_.size() < 2 || n == 0) return out;
  const std::size_t pairs = samples_.size() - 1;
  const std::size_t first = pairs > n ? pairs - n : 0;
  for (std::size_t i = first; i < pairs; ++i) {
    const CounterSample& a = samples_[i];
    const CounterSample& b = samples_[i + 1];
    out.push_back(PerSecond(b.total_bytes, a.total_bytes, b.at - a.at));
  }
  return out;
}

}  // namespace hs::tui
