// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "report/thresholds.h"

#include <cmath>

#include <fmt/format.h>

namespace hs::report {
namespace {

constexpr double kUs = 1e-6;

std::optional<double> HistStat(const stats::Histogram& h, std::string_view stat, double unit) {
  if (h.count() == 0) return std::nullopt;
  if (stat == "mean") return h.Mean() * unit;
  const double p = config::StatPercentile(stat);
  if (p < 0) return std::nullopt;
  return static_cast<double>(p >= 100 ? h.max() : h.Percentile(p)) * unit;
}

std::optional<double> Ratio(double num, double den) {
  if (!(den > 0)) return std::nullopt;
  return num / den;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no other control characters than tab, CR and LF.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Describe(const Verdict& v) {
  const auto& t = v.threshold;
  if (!v.value) return fmt::format("{}: no data (counts as breached)", t.expr);
  return fmt::format("{} = {} (limit {} {})", t.figure, FormatFigure(t.unit, *v.value),
                     config::ToString(t.op), FormatFigure(t.unit, t.limit));
}

}  // namespace

std::optional<double> FigureValue(const stats::Snapshot& s, std::string_view figure) {
  const auto& by_kind = s.requests.by_kind;
  if (figure == "errors") return static_cast<double>(s.TotalErrors());
  if (figure == "errors_rate")
    return Ratio(static_cast<double>(s.TotalErrors()), static_cast<double>(s.TotalRequests()));
  if (figure == "restarts") return static_cast<double>(s.TotalRestarts());
  if (figure == "stalls") {
    double n = 0;
    for (const auto& [cause, count] : s.stalls_by_cause) n += static_cast<double>(count);
    return n;
  }
  if (figure == "rebuffer_events") return static_cast<double>(s.rebuffer_events);
  // Rebuffer time / watch time: the native engine's playhead (no data for FFmpeg viewers).
  if (figure == "rebuffer_ratio") return Ratio(s.rebuffer_s, s.watch_s);
  if (figure == "active_ratio") {
    if (s.active_ratio_at_stop >= 0) return s.active_ratio_at_stop;
    return Ratio(s.active, s.target);
  }
  if (figure == "peak_active") return s.peak_active;
  if (figure == "requests") return static_cast<double>(s.TotalRequests());
  if (figure.starts_with("startup_")) return HistStat(s.startup_us, figure.substr(8), kUs);
  if (figure.starts_with("live_latency_"))
    return HistStat(s.live_latency_ms, figure.substr(13), 1e-3);
  const config::KindFigureName k = config::SplitKindFigure(figure);
  if (k.kind.empty()) return std::nullopt;
  auto it = by_kind.find(k.kind);
  if (it == by_kind.end()) return std::nullopt;
  const stats::KindFigures& f = it->second;
  if (k.metric == "errors_rate") {
    std::uint64_t bad = f.errors;
    for (const auto& [code, n] : f.codes)
      if (code >= 400) bad += n;
    return Ratio(static_cast<double>(bad), static_cast<double>(f.requests));
  }
  return HistStat(k.metric == "ttfb" ? f.ttfb_us : f.total_us, k.stat, kUs);
}

std::vector<Verdict> Evaluate(const std::vector<config::Threshold>& thresholds,
                              const stats::Snapshot& s) {
  std::vector<Verdict> out;
  out.reserve(thresholds.size());
  for (const auto& t : thresholds) {
    Verdict v{t, FigureValue(s, t.figure), false};
    v.passed = v.value.has_value() && t.Holds(*v.value);
    out.push_back(std::move(v));
  }
  return out;
}

bool AllPassed(const std::vector<Verdict>& verdicts) {
  for (const auto& v : verdicts)
    if (!v.passed) return false;
  return true;
}

std::string FormatFigure(config::FigureUnit unit, double value) {
  switch (unit) {
    case config::FigureUnit::kSeconds:
      if (value < 1) return fmt::format("{:.1f}ms", value * 1000);
      if (value < 120) return fmt::format("{:.2f}s", value);
      return fmt::format("{:.1f}m", value / 60);
    case config::FigureUnit::kRatio:
      return fmt::format("{:.3g}%", value * 100);
    case config::FigureUnit::kCount:
      if (value == std::floor(value) && std::fabs(value) < 1e15)
        return fmt::format("{}", static_cast<long long>(value));
      return fmt::format("{:.3g}", value);
  }
  return "?";
}

std::string FormatThresholdsText(const std::vector<Verdict>& verdicts) {
  if (verdicts.empty()) return "";
  int failed = 0;
  for (const auto& v : verdicts) failed += v.passed ? 0 : 1;
  std::string out =
      fmt::format("\nThresholds: {} of {} passed\n", verdicts.size() - failed, verdicts.size());
  for (const auto& v : verdicts) {
    out += fmt::format("  {:<4}  {:<32} {}\n", v.passed ? "ok" : "FAIL", v.threshold.expr,
                       v.value ? FormatFigure(v.threshold.unit, *v.value) : "no data");
  }
  return out;
}

nlohmann::json ThresholdsJson(const std::vector<Verdict>& verdicts) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : verdicts) {
    const auto& t = v.threshold;
    out.push_back({{"expr", t.expr},
                   {"figure", t.figure},
                   {"op", config::ToString(t.op)},
                   {"limit", t.limit},
                   {"value", v.value ? nlohmann::json(*v.value) : nlohmann::json(nullptr)},
                   {"verdict", v.passed ? "pass" : "fail"},
                   {"abort", t.abort}});
  }
  return out;
}

std::string JunitXml(const std::vector<Verdict>& verdicts, double run_s, std::string_view stream) {
  int failed = 0;
  for (const auto& v : verdicts) failed += v.passed ? 0 : 1;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"hls-swarm\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "time=\"{2:.3f}\">\n"
      "  <testsuite name=\"hls-swarm thresholds\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" "
      "skipped=\"0\" time=\"{2:.3f}\">\n"
      "    <properties>\n"
      "      <property name=\"stream\" value=\"{3}\"/>\n"
      "    </properties>\n",
      verdicts.size(), failed, run_s, XmlEscape(stream));
  for (const auto& v : verdicts) {
    out += fmt::format("    <testcase classname=\"hls-swarm.thresholds\" name=\"{}\" time=\"0\"",
                       XmlEscape(v.threshold.expr));
    if (v.passed) {
      out += fmt::format(">\n      <system-out>{}</system-out>\n    </testcase>\n",
                         XmlEscape(Describe(v)));
    } else {
      out += fmt::format(
          ">\n      <failure message=\"{0}\" type=\"threshold\">{0}</failure>\n    </testcase>\n",
          XmlEscape(Describe(v)));
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace hs::report
