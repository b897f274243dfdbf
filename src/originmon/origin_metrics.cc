// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "originmon/origin_metrics.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hs::originmon {

namespace {

constexpr std::string_view kCpuSeconds = "node_cpu_seconds_total";
constexpr std::string_view kMemTotal = "node_memory_MemTotal_bytes";
constexpr std::string_view kMemAvailable = "node_memory_MemAvailable_bytes";
constexpr std::string_view kNetReceive = "node_network_receive_bytes_total";
constexpr std::string_view kNetTransmit = "node_network_transmit_bytes_total";
constexpr std::string_view kNginxActive = "nginx_connections_active";
constexpr std::string_view kNginxRequests = "nginx_http_requests_total";

// A counter that went down by less than this share of its value did not reset: Linux's iowait
// in /proc/stat is documented to go backwards a little, and treating that as a reset would add
// the whole counter (days of CPU time) to one interval.
constexpr double kJitterShare = 0.01;

using SampleFilter = bool (*)(const Sample&);

bool AnySeries(const Sample&) { return true; }
bool IsIdleCpu(const Sample& s) {
  const std::string* mode = s.FindLabel("mode");
  return mode != nullptr && *mode == "idle";
}
bool IsNotLoopback(const Sample& s) {
  const std::string* device = s.FindLabel("device");
  return device == nullptr || *device != "lo";
}

bool Matches(const Sample& s, std::string_view name, SampleFilter keep) {
  return s.name == name && std::isfinite(s.value) && keep(s);
}

// Identifies a series within one metric name regardless of label order.
std::string SeriesKey(const Labels& labels) {
  std::vector<const Label*> sorted;
  sorted.reserve(labels.size());
  for (const Label& l : labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(),
            [](const Label* a, const Label* b) { return a->name < b->name; });
  std::string key;
  for (const Label* l : sorted) {
    // Unit and record separators cannot occur in label names and hardly in values.
    key += l->name;
    key += '\x1f';
    key += l->value;
    key += '\x1e';
  }
  return key;
}

double Increase(double before, double now) {
  if (now >= before) return now - before;
  if (before - now <= kJitterShare * before) return 0;
  return now;  // reset: the counter restarted from zero since the previous scrape
}

// Sum over matching series of their increase from \a prev to \a cur; absent when no series is
// in both scrapes.
std::optional<double> CounterIncrease(const Scrape& prev, const Scrape& cur, std::string_view name,
                                      SampleFilter keep) {
  std::unordered_map<std::string, double> before;
  for (const Sample& s : prev.samples) {
    if (Matches(s, name, keep)) before.emplace(SeriesKey(s.labels), s.value);
  }
  if (before.empty()) return std::nullopt;
  std::optional<double> sum;
  for (const Sample& s : cur.samples) {
    if (!Matches(s, name, keep)) continue;
    auto it = before.find(SeriesKey(s.labels));
    if (it == before.end()) continue;
    sum = sum.value_or(0) + Increase(it->second, s.value);
  }
  return sum;
}

std::optional<double> SumGauge(const Scrape& scrape, std::string_view name, SampleFilter keep) {
  std::optional<double> sum;
  for (const Sample& s : scrape.samples) {
    if (Matches(s, name, keep)) sum = sum.value_or(0) + s.value;
  }
  return sum;
}

std::optional<double> CpuCount(const Scrape& scrape) {
  std::set<std::string> cpus;
  for (const Sample& s : scrape.samples) {
    if (s.name != kCpuSeconds) continue;
    if (const std::string* cpu = s.FindLabel("cpu")) cpus.insert(*cpu);
  }
  if (cpus.empty()) return std::nullopt;
  return static_cast<double>(cpus.size());
}

void ComputeCpu(const Scrape& prev, const Scrape& cur, OriginFigures& f) {
  f.cpu_count = CpuCount(cur);
  const std::optional<double> all = CounterIncrease(prev, cur, kCpuSeconds, AnySeries);
  const std::optional<double> idle = CounterIncrease(prev, cur, kCpuSeconds, IsIdleCpu);
  if (!all || !idle || *all <= 0) return;
  const double busy_share = 1.0 - *idle / *all;
  f.cpu_utilisation_percent = 100.0 * std::clamp(busy_share, 0.0, 1.0);
}

void ComputeMemory(const Scrape& cur, OriginFigures& f) {
  const std::optional<double> total = SumGauge(cur, kMemTotal, AnySeries);
  const std::optional<double> available = SumGauge(cur, kMemAvailable, AnySeries);
  if (!total || !available || *total <= 0) return;
  f.memory_total_bytes = *total;
  f.memory_used_bytes = std::max(0.0, *total - *available);
  f.memory_used_percent = 100.0 * *f.memory_used_bytes / *total;
}

std::optional<double> PerSecond(std::optional<double> increase, double seconds) {
  if (!increase) return std::nullopt;
  return *increase / seconds;
}

void AddTo(std::optional<double>& acc, const std::optional<double>& v) {
  if (v) acc = acc.value_or(0) + *v;
}

}  // namespace

OriginFigures Compute(const Scrape& prev, const Scrape& cur) {
  OriginFigures f;
  ComputeMemory(cur, f);
  f.nginx_connections_active = SumGauge(cur, kNginxActive, AnySeries);
  const double seconds = ToSeconds(cur.time - prev.time);
  if (prev.samples.empty() || seconds <= 0) {
    f.cpu_count = CpuCount(cur);
    return f;
  }
  ComputeCpu(prev, cur, f);
  f.network_receive_bytes_per_second =
      PerSecond(CounterIncrease(prev, cur, kNetReceive, IsNotLoopback), seconds);
  f.network_transmit_bytes_per_second =
      PerSecond(CounterIncrease(prev, cur, kNetTransmit, IsNotLoopback), seconds);
  f.nginx_requests_per_second =
      PerSecond(CounterIncrease(prev, cur, kNginxRequests, AnySeries), seconds);
  return f;
}

bool IsOriginMetric(std::string_view name) {
  for (std::string_view known : {kCpuSeconds, kMemTotal, kMemAvailable, kNetReceive, kNetTransmit,
                                 kNginxActive, kNginxRequests}) {
    if (name == known) return true;
  }
  return false;
}

OriginFigures Merge(const std::vector<OriginFigures>& parts) {
  OriginFigures m;
  double cpu_weighted = 0;
  double cpu_weight = 0;
  for (const OriginFigures& p : parts) {
    AddTo(m.cpu_count, p.cpu_count);
    if (p.cpu_utilisation_percent) {
      const double w = p.cpu_count.value_or(1.0);
      cpu_weighted += *p.cpu_utilisation_percent * w;
      cpu_weight += w;
    }
    if (p.memory_used_bytes && p.memory_total_bytes) {
      AddTo(m.memory_used_bytes, p.memory_used_bytes);
      AddTo(m.memory_total_bytes, p.memory_total_bytes);
    }
    AddTo(m.network_receive_bytes_per_second, p.network_receive_bytes_per_second);
    AddTo(m.network_transmit_bytes_per_second, p.network_transmit_bytes_per_second);
    AddTo(m.nginx_connections_active, p.nginx_connections_active);
    AddTo(m.nginx_requests_per_second, p.nginx_requests_per_second);
  }
  if (cpu_weight > 0) m.cpu_utilisation_percent = cpu_weighted / cpu_weight;
  if (m.memory_total_bytes && *m.memory_total_bytes > 0) {
    m.memory_used_percent = 100.0 * m.memory_used_bytes.value_or(0) / *m.memory_total_bytes;
  }
  return m;
}

}  // namespace hs::originmon
