// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::originmon {

/// One `name="value"` pair of a sample's label set, value unescaped.
struct Label {
  std::string name;
  std::string value;
  bool operator==(const Label&) const = default;
};

/// A sample's label set in exposition order. Exporters send a handful of labels per sample, so
/// a linear scan beats any map here.
using Labels = std::vector<Label>;

/// One sample line of the Prometheus text exposition format.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;                          ///< may be NaN or ±Inf
  std::optional<std::int64_t> timestamp_ms;  ///< as sent (ms since the epoch), rarely present

  /// The value of label \a label_name, or nullptr if the sample does not carry it.
  const std::string* FindLabel(std::string_view label_name) const;
};

/// Metric type declared by a `# TYPE` line.
enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUntyped };

/// A `# TYPE` declaration.
struct TypeLine {
  std::string name;
  MetricType type = MetricType::kUntyped;
};

/// Everything usable in one exposition, plus how much of it was not.
struct ParsedText {
  std::vector<Sample> samples;     ///< in input order
  std::vector<TypeLine> types;     ///< `# TYPE` lines in input order
  std::size_t bad_lines = 0;       ///< lines skipped as malformed (not counting comments/blanks)
  std::size_t first_bad_line = 0;  ///< 1-based number of the first of those, 0 if none
};

/// Parses the Prometheus text format 0.0.4: `# HELP`/`# TYPE` lines, other `#` comments and
/// blank lines (ignored), and sample lines `name{label="value",...} value [timestamp]`.
/// Label values may contain the escapes `\\`, `\"` and `\n`; values may be decimal or
/// exponent floats, `NaN`, `+Inf`, `-Inf`. Lines may end in LF or CRLF. A malformed line (bad
/// name, unterminated label set, unknown escape, duplicate label, bad number, trailing
/// garbage) is skipped and counted; parsing never fails as a whole. Pure.
ParsedText ParsePromText(std::string_view text);

/// Parses one sample line (no comment, no newline); nullopt if it is malformed. Pure.
std::optional<Sample> ParseSampleLine(std::string_view line);

/// Parses a sample value: a float as Go's strconv.ParseFloat reads it in exporters' output
/// (optional sign, digits, fraction, exponent; `NaN`, `Inf`, `+Inf`, `-Inf` in any case).
/// nullopt for anything else, including trailing characters. Pure.
std::optional<double> ParsePromValue(std::string_view text);

}  // namespace hs::originmon
