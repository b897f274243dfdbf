// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "stats/snapshot.h"

namespace hs::metrics {

/// Static labels of hlsswarm_build_info.
struct BuildInfo {
  std::string version;
  std::string ffmpeg_version;
  std::string ffmpeg_missing;  ///< comma-separated options this FFmpeg lacks
};

/// Builds every hlsswarm_* family from a Snapshot. We build prometheus-cpp MetricFamily values
/// ourselves (instead of Family<Counter> objects updated in place) because the numbers already
/// live in stats::Snapshot and our log-linear histograms: this renders them exactly, with no
/// second copy to keep in step. Pure.
std::vector<prometheus::MetricFamily> BuildFamilies(const stats::Snapshot& s,
                                                    const BuildInfo& info);

/// Prometheus text exposition format 0.0.4 of \a families (prometheus-cpp TextSerializer).
std::string RenderText(const std::vector<prometheus::MetricFamily>& families);

/// Upper bounds (seconds) of the exported latency histograms.
const std::vector<double>& LatencyBucketsSeconds();

}  // namespace hs::metrics
