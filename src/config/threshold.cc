// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/threshold.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace hs::config {
namespace {

constexpr std::string_view kKinds[] = {"segment", "playlist", "master", "init", "key", "part"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsKnownKind(std::string_view k) {
  for (auto known : kKinds)
    if (k == known) return true;
  return false;
}

bool IsStat(std::string_view stat) { return stat == "mean" || StatPercentile(stat) >= 0; }

/// The family a figure name belongs to, or nullptr.
const FigureFamily* FindFamily(std::string_view figure) {
  const auto& families = ThresholdFigures();
  for (const auto& f : families) {
    const std::string_view p = f.pattern;
    if (p == figure) return &f;
    if (p.starts_with("KIND_")) {
      KindFigureName k = SplitKindFigure(figure);
      if (k.kind.empty()) continue;
      std::string want = "KIND_" + k.metric + (k.stat.empty() ? "" : "_STAT");
      if (want == p) return &f;
    } else if (p.ends_with("_STAT")) {
      std::string_view base = p.substr(0, p.size() - 4);  // keeps the '_'
      if (figure.starts_with(base) && IsStat(figure.substr(base.size()))) return &f;
    }
  }
  return nullptr;
}

Result<double> ParseNumber(std::string_view text, std::string_view* rest) {
  std::size_t n = 0;
  while (n < text.size() &&
         ((text[n] >= '0' && text[n] <= '9') || text[n] == '.' || (n == 0 && text[n] == '-')))
    ++n;
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + n, v);
  if (n == 0 || ec != std::errc() || ptr != text.data() + n || !std::isfinite(v))
    return Fail(ErrorCode::kUsage, "no number");
  *rest = Trim(text.substr(n));
  return v;
}

}  // namespace

const std::vector<FigureFamily>& ThresholdFigures() {
  static const std::vector<FigureFamily> kFamilies = {
      {"errors_rate", FigureUnit::kRatio, "errors / requests (request and viewer errors)"},
      {"errors", FigureUnit::kCount, "errors of every type"},
      {"restarts", FigureUnit::kCount, "viewer restarts, all causes"},
      {"stalls", FigureUnit::kCount, "viewers killed by the stall or startup watchdog"},
      {"rebuffer_ratio", FigureUnit::kRatio, "rebuffer time / watch time (native engine)"},
      {"rebuffer_events", FigureUnit::kCount, "playout buffer ran empty (native engine)"},
      {"startup_STAT", FigureUnit::kSeconds, "viewer start → playing"},
      {"live_latency_STAT", FigureUnit::kSeconds,
       "now − program date time of the playing position (native engine)"},
      {"active_ratio", FigureUnit::kRatio,
       "viewers playing / target, when the run stops (each second during it for :abort)"},
      {"peak_active", FigureUnit::kCount, "most viewers playing at once"},
      {"requests", FigureUnit::kCount, "requests measured (or logged by the engine)"},
      {"KIND_ttfb_STAT", FigureUnit::kSeconds, "request sent → first response byte"},
      {"KIND_download_STAT", FigureUnit::kSeconds, "request sent → last body byte"},
      {"KIND_errors_rate", FigureUnit::kRatio, "requests of KIND with an error or HTTP ≥ 400"},
  };
  return kFamilies;
}

const char* ToString(CompareOp op) {
  switch (op) {
    case CompareOp::kLess:
      return "<";
    case CompareOp::kLessEqual:
      return "<=";
    case CompareOp::kGreater:
      return ">";
    case CompareOp::kGreaterEqual:
      return ">=";
  }
  return "?";
}

bool Threshold::Holds(double value) const {
  switch (op) {
    case CompareOp::kLess:
      return value < limit;
    case CompareOp::kLessEqual:
      return value <= limit;
    case CompareOp::kGreater:
      return value > limit;
    case CompareOp::kGreaterEqual:
      return value >= limit;
  }
  return false;
}

double StatPercentile(std::string_view stat) {
  if (stat == "max") return 100;
  if (stat.size() < 2 || stat[0] != 'p') return -1;
  std::string_view num = stat.substr(1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || ptr != num.data() + num.size() || !(v > 0) || v > 100) return -1;
  return v;
}

KindFigureName SplitKindFigure(std::string_view figure) {
  const std::size_t us = figure.find('_');
  if (us == std::string_view::npos || !IsKnownKind(figure.substr(0, us))) return {};
  std::string_view rest = figure.substr(us + 1);
  if (rest == "errors_rate") return {std::string(figure.substr(0, us)), "errors_rate", ""};
  for (std::string_view metric : {std::string_view("ttfb"), std::string_view("download")}) {
    if (rest.size() > metric.size() + 1 && rest.starts_with(metric) && rest[metric.size()] == '_') {
      std::string_view stat = rest.substr(metric.size() + 1);
      if (IsStat(stat))
        return {std::string(figure.substr(0, us)), std::string(metric), std::string(stat)};
    }
  }
  return {};
}

std::string KnownFiguresText() {
  std::string out;
  for (const auto& f : ThresholdFigures())
    out += fmt::format("{}{}", out.empty() ? "" : ", ", f.pattern);
  out += "; KIND: segment, playlist, master, init, key; STAT: p50, p90, p99 (any pN), max, mean";
  return out;
}

Result<Threshold> ParseThreshold(std::string_view text) {
  Threshold t;
  std::string_view s = Trim(text);
  t.expr = std::string(s);
  auto bad = [&](std::string_view why) { return Fail(ErrorCode::kUsage, std::string(why)); };
  if (s.ends_with(":abort")) {
    t.abort = true;
    s = Trim(s.substr(0, s.size() - 6));
  }
  std::size_t n = 0;
  while (n < s.size() && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
                          s[n] == '_' || s[n] == '.'))
    ++n;
  if (n == 0) return bad("wants FIGURE<LIMIT, e.g. segment_ttfb_p99<500ms, errors_rate<1%");
  t.figure = std::string(s.substr(0, n));
  const FigureFamily* family = FindFamily(t.figure);
  if (family == nullptr)
    return bad(fmt::format("unknown figure '{}'; known: {}", t.figure, KnownFiguresText()));
  t.unit = family->unit;
  s = Trim(s.substr(n));
  if (s.starts_with("<=")) {
    t.op = CompareOp::kLessEqual;
    s.remove_prefix(2);
  } else if (s.starts_with(">=")) {
    t.op = CompareOp::kGreaterEqual;
    s.remove_prefix(2);
  } else if (s.starts_with('<')) {
    t.op = CompareOp::kLess;
    s.remove_prefix(1);
  } else if (s.starts_with('>')) {
    t.op = CompareOp::kGreater;
    s.remove_prefix(1);
  } else {
    return bad("wants an operator <, <=, > or >= after the figure");
  }
  s = Trim(s);
  std::string_view unit;
  auto number = ParseNumber(s, &unit);
  if (!number) return bad("wants a number after the operator");
  double v = *number;
  switch (t.unit) {
    case FigureUnit::kSeconds:
      if (unit == "ms")
        v /= 1000;
      else if (unit == "us" || unit == "µs")
        v /= 1e6;
      else if (unit == "s") { /* seconds */
      } else if (unit == "m")
        v *= 60;
      else
        return bad(fmt::format("{} is a time: give a unit (ms, s or m), not '{}'", t.figure, unit));
      break;
    case FigureUnit::kRatio:
      if (unit == "%")
        v /= 100;
      else if (!unit.empty())
        return bad(fmt::format("{} is a ratio: give 1% or 0.01, not '{}'", t.figure, unit));
      if (v < 0 || v > 1) return bad(fmt::format("{} is a ratio between 0% and 100%", t.figure));
      break;
    case FigureUnit::kCount:
      if (!unit.empty())
        return bad(fmt::format("{} is a count: give a plain number, not '{}'", t.figure, unit));
      break;
  }
  if (v < 0) return bad("a limit cannot be negative");
  t.limit = v;
  return t;
}

}  // namespace hs::config
