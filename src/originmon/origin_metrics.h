// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "originmon/prom_text.h"

namespace hs::originmon {

/// One successful scrape of an exporter: its samples and when they were taken.
struct Scrape {
  SteadyTime time{};            ///< when the response arrived (loop clock)
  std::vector<Sample> samples;  ///< as parsed; empty for "no scrape yet"
};

/// What the origin looks like, from node_exporter and nginx-prometheus-exporter figures. A
/// field is absent when the exporters scraped do not provide it, or (for rates) when there is
/// no earlier scrape to compare with.
struct OriginFigures {
  /// Busy share of all CPUs between the two scrapes: 100 × (1 − Δidle / Δall modes), summed
  /// over CPUs (node_cpu_seconds_total). 0..100. iowait counts as busy.
  std::optional<double> cpu_utilisation_percent;
  /// Number of CPUs node_cpu_seconds_total reports; weights CPU when merging hosts.
  std::optional<double> cpu_count;
  /// node_memory_MemTotal_bytes − node_memory_MemAvailable_bytes (latest scrape).
  std::optional<double> memory_used_bytes;
  /// node_memory_MemTotal_bytes (latest scrape).
  std::optional<double> memory_total_bytes;
  /// 100 × memory_used_bytes / memory_total_bytes.
  std::optional<double> memory_used_percent;
  /// Δ node_network_receive_bytes_total / Δt, summed over every device except `lo`.
  std::optional<double> network_receive_bytes_per_second;
  /// Δ node_network_transmit_bytes_total / Δt, summed over every device except `lo`.
  std::optional<double> network_transmit_bytes_per_second;
  /// nginx_connections_active (latest scrape; includes the exporter's own connection).
  std::optional<double> nginx_connections_active;
  /// Δ nginx_http_requests_total / Δt. Counts every request nginx served, including the
  /// exporter's own /nginx_status requests (one per scrape of the exporter).
  std::optional<double> nginx_requests_per_second;

  bool operator==(const OriginFigures&) const = default;
};

/// Computes the figures from two successive scrapes of one exporter; \a prev may be empty (then
/// only the point-in-time figures are present). Rates use the scrapes' times and are absent
/// when \a cur is not later than \a prev. Counters are matched per series (same label set); a
/// series whose value went down was reset (exporter or host restart) and contributes its new
/// value, as Prometheus' rate() does; a series only in \a cur contributes nothing. NaN samples
/// are ignored. Pure.
OriginFigures Compute(const Scrape& prev, const Scrape& cur);

/// True for the metric names Compute() reads, so a scraper can keep only those samples. Pure.
bool IsOriginMetric(std::string_view name);

/// Combines the figures of several exporters (e.g. a node_exporter and an nginx exporter, or
/// several origin hosts): bytes, byte rates, connections and request rates add up; CPU
/// utilisation is the average weighted by CPU count; memory percent is recomputed from the
/// sums. A field is absent if no input has it. Pure.
OriginFigures Merge(const std::vector<OriginFigures>& parts);

}  // namespace hs::originmon
