// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::config {

/// What a threshold's figure measures, which decides the units its limit accepts.
enum class FigureUnit {
  kSeconds,  ///< a time: the limit needs a unit (500ms, 2s, 1m)
  kRatio,    ///< a share: "1%" or a fraction "0.01"
  kCount,    ///< a plain number: "0", "10"
};

/// One family of figures a threshold can name. A name such as "segment_ttfb_p99" is the
/// pattern "KIND_ttfb_STAT": KIND and STAT are filled from the lists in the description.
struct FigureFamily {
  std::string_view pattern;  ///< e.g. "errors_rate" or "KIND_ttfb_STAT"
  FigureUnit unit;
  std::string_view help;  ///< one line for usage errors and -help
};

/// Every figure family, in the order -help lists them.
const std::vector<FigureFamily>& ThresholdFigures();

enum class CompareOp { kLess, kLessEqual, kGreater, kGreaterEqual };
const char* ToString(CompareOp op);

/// A parsed `-threshold` expression: FIGURE OP LIMIT[UNIT][:abort].
struct Threshold {
  std::string expr;    ///< as the user wrote it (trimmed)
  std::string figure;  ///< e.g. "segment_ttfb_p99"
  FigureUnit unit = FigureUnit::kCount;
  CompareOp op = CompareOp::kLess;
  double limit = 0;  ///< in seconds, as a fraction, or as a count
  bool abort = false;

  /// True when \a value satisfies the threshold.
  bool Holds(double value) const;
};

/// Parses one expression ("segment_ttfb_p99<500ms", "errors_rate<1%", "active_ratio>=99%:abort").
/// Errors are ErrorCode::kUsage with a detail saying what is wrong (the caller names the flag
/// and expression); an unknown figure lists the known ones. Pure.
Result<Threshold> ParseThreshold(std::string_view expr);

/// The figure families as text for messages: "errors_rate, errors, ..., KIND_ttfb_STAT (KIND:
/// ...)".
std::string KnownFiguresText();

/// Splits a figure name of a per-kind family: "segment_ttfb_p99" → {"segment", "ttfb", "p99"}.
/// Empty parts when the name is not of the form KIND_(ttfb|download)_STAT with a known KIND and
/// STAT.
struct KindFigureName {
  std::string kind;    ///< segment, playlist, master, init, key
  std::string metric;  ///< ttfb, download, errors_rate
  std::string stat;    ///< p50, p90, p95, p99, p99.9, max, mean (empty for errors_rate)
};
KindFigureName SplitKindFigure(std::string_view figure);

/// Percentile of a STAT: "p99" → 99, "p99.9" → 99.9, "max" → 100; negative for "mean" or not a
/// percentile.
double StatPercentile(std::string_view stat);

}  // namespace hs::config
