// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/threshold.h"
#include "stats/snapshot.h"

namespace hs::report {

/// The value of a threshold figure (config::ThresholdFigures) in \a s: seconds, a fraction or a
/// count; nullopt when the run has no data for it (no such requests, engine does not measure it).
std::optional<double> FigureValue(const stats::Snapshot& s, std::string_view figure);

/// One threshold judged against a snapshot.
struct Verdict {
  config::Threshold threshold;
  std::optional<double> value;  ///< nullopt: no data, which counts as breached
  bool passed = false;
};

std::vector<Verdict> Evaluate(const std::vector<config::Threshold>& thresholds,
                              const stats::Snapshot& s);
/// True when every verdict passed (and so the exit code stays 0).
bool AllPassed(const std::vector<Verdict>& verdicts);

/// A figure's value as the user wrote its limit: "412ms", "2.31s", "0.52%", "17".
std::string FormatFigure(config::FigureUnit unit, double value);

/// The report's threshold section ("" when there are none).
std::string FormatThresholdsText(const std::vector<Verdict>& verdicts);
/// [{"expr", "figure", "op", "limit", "value" (null: no data), "verdict" pass|fail, "abort"}].
nlohmann::json ThresholdsJson(const std::vector<Verdict>& verdicts);
/// JUnit XML: one <testsuite name="hls-swarm thresholds"> with a <testcase> per threshold,
/// <failure> for a breached one; \a run_s is the run's length, \a stream its (redacted) URL.
std::string JunitXml(const std::vector<Verdict>& verdicts, double run_s, std::string_view stream);

}  // namespace hs::report
