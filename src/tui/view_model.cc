// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/view_model.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "tui/format.h"

namespace hs::tui {

namespace {

using std::chrono::seconds;

// Kinds in the order a player meets them; unknown kinds follow alphabetically.
constexpr std::array<std::string_view, 7> kKindOrder = {"master", "playlist", "part", "segment",
                                                        "init",   "key",      "other"};
// Widths at which tables grow extra columns.
constexpr int kWideWidth = 100;

// Line priorities: the layout drops the highest numbers first when rows run short.
constexpr int kKeep = 0;       // never dropped (header, key figures, footer)
constexpr int kTable = 1;      // table headers and main rows
constexpr int kSecondary = 2;  // totals, sparkline, origin summary, lesser kinds
constexpr int kRule = 3;       // panel titles
constexpr int kDetail = 4;     // extra detail lines

struct Line {
  std::string text;
  int priority = kKeep;
  Style style = Style::kNormal;
};

struct Draft {
  std::string name;
  std::vector<Line> lines;
};

std::string JoinCounts(const std::map<std::string, std::uint64_t>& m) {
  std::string out;
  for (const auto& [k, v] : m) {
    if (v == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", Sanitize(k), v);
  }
  return out;
}

std::uint64_t Sum(const std::map<std::string, std::uint64_t>& m) {
  std::uint64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

// Builds the panels of one frame; every method is pure over the constructor's inputs.
class Builder {
 public:
  Builder(const stats::Snapshot& s, const RateWindow& h, const ViewContext& ctx)
      : s_(s), h_(h), ctx_(ctx), w_(ctx.width), uni_(ctx.unicode), kinds_(Kinds()) {}

  std::vector<Draft> Build() {
    return {Header(), Viewers(), Requests(), Latency(), Errors(), Throughput(), Origin(), Footer()};
  }

 private:
  std::vector<std::string> Kinds() const;
  Line Title(std::string_view title) const { return {Rule(title, w_, uni_), kRule, Style::kTitle}; }
  std::optional<double> RunRate(std::uint64_t count) const {
    if (s_.elapsed_s <= 0) return std::nullopt;
    return static_cast<double>(count) / s_.elapsed_s;
  }
  Draft Header() const;
  Draft Viewers() const;
  Draft Requests() const;
  std::string RequestRow(const std::string& label, const std::string& kind, std::uint64_t count,
                         std::optional<std::uint64_t> bytes) const;
  Draft Latency() const;
  Draft Errors() const;
  Draft Throughput() const;
  Draft Origin() const;
  Draft Footer() const;

  const stats::Snapshot& s_;
  const RateWindow& h_;
  const ViewContext& ctx_;
  int w_;
  bool uni_;
  std::vector<std::string> kinds_;
};

std::vector<std::string> Builder::Kinds() const {
  std::vector<std::string> out;
  const auto by_kind = s_.RequestsByKind();
  for (std::string_view k : kKindOrder) {
    auto it = by_kind.find(std::string(k));
    if (it != by_kind.end() && it->second > 0) out.emplace_back(k);
  }
  for (const auto& [k, n] : by_kind) {
    if (n > 0 && std::find(kKindOrder.begin(), kKindOrder.end(), k) == kKindOrder.end()) {
      out.push_back(k);
    }
  }
  return out;
}

Draft Builder::Header() const {
  Draft d{"header", {}};
  // The stream type from the preflight: a VOD ends (plays complete), a live stream does not.
  const std::string right = (s_.stream_type.empty() ? "" : Sanitize(s_.stream_type) + "  ") +
                            "profile " + Sanitize(ctx_.profile);
  const int url_width = w_ - Columns("hls-swarm  ") - Columns(right) - 2;
  const std::string left = "hls-swarm  " + Ellipsize(Sanitize(ctx_.stream_url), url_width, uni_);
  d.lines.push_back({JoinLeftRight(left, right, w_), kKeep, Style::kTitle});
  std::string time = "elapsed " + FormatDuration(ctx_.elapsed_s);
  if (ctx_.planned_duration_s > 0) {
    time += fmt::format(" / {}  remaining {}", FormatDuration(ctx_.planned_duration_s),
                        FormatDuration(ctx_.planned_duration_s - ctx_.elapsed_s));
  } else {
    time += " (until stopped)";
  }
  time += fmt::format("   target {}  running {}", s_.target, s_.running);
  d.lines.push_back({JoinLeftRight(time, ctx_.ramp_paused ? "RAMP PAUSED" : s_.stage, w_), kKeep,
                     ctx_.ramp_paused ? Style::kAlert : Style::kNormal});
  return d;
}

Draft Builder::Viewers() const {
  Draft d{"viewers", {Title("Viewers")}};
  const std::string counts =
      fmt::format("ramping {}  active {}  buffering {}  stalled {}  restarting {}", s_.starting,
                  s_.active, s_.requests.buffering_now, s_.stalled, s_.backoff);
  std::string peak = fmt::format("peak {}", s_.peak_active);
  // A VOD's completed plays (the header says VOD); short enough for 80 columns.
  if (s_.stream_type == "VOD") peak = fmt::format("plays {}  {}", s_.plays_completed, peak);
  d.lines.push_back({JoinLeftRight(counts, peak, w_), kKeep});
  const int waiting = std::max(0, s_.target - s_.running - s_.backoff);
  std::string right =
      fmt::format(" {:3.0f}%  {:.1f}/s", s_.ramp_progress * 100, s_.ramp_rate_achieved);
  if (waiting > 0) right += fmt::format("  {} to start", waiting);
  if (ctx_.ramp_paused) right += "  PAUSED";
  const std::string bar = Bar(s_.ramp_progress, w_ - Columns("ramp ") - Columns(right), uni_);
  d.lines.push_back({"ramp " + bar + right, kTable});
  if (s_.HasNative()) {
    // Quality of experience from the native players' playheads.
    std::string q = fmt::format("QoE  rebuffer {:.2f}% ({} events)", 100 * s_.RebufferRatio(),
                                s_.rebuffer_events);
    if (s_.live_latency_ms.count() > 0) {
      q += fmt::format("  live latency p50 {:.1f}s",
                       static_cast<double>(s_.live_latency_ms.Percentile(50)) / 1000.0);
    }
    if (s_.played_bitrate_bps > 0) {
      q += fmt::format("  played {:.0f} kbit/s", s_.played_bitrate_bps / 1000.0);
    }
    if (s_.rendition_switches > 0) q += fmt::format("  switches {}", s_.rendition_switches);
    d.lines.push_back({FitColumns(q, w_), kSecondary});
  }
  if (s_.streams.size() > 1) {
    // Several streams: playing/target and requests of each, by its bounded label.
    std::string line = "streams";
    for (const stats::StreamFigures& f : s_.streams) {
      line += fmt::format("  {} {}/{} req {}", f.label, f.playing, f.target,
                          f.requests.TotalRequests());
    }
    d.lines.push_back({FitColumns(Sanitize(line), w_), kSecondary});
  }
  if (!s_.engines.empty()) {
    // -engine-mix: playing/target and errors of each engine's viewers.
    std::string line = "engines";
    for (const stats::EngineFigures& e : s_.engines) {
      line += fmt::format("  {} {}/{} err {}", e.engine, e.playing, e.target, e.Errors());
    }
    d.lines.push_back({FitColumns(line, w_), kSecondary});
  }
  return d;
}

std::string Builder::RequestRow(const std::string& label, const std::string& kind,
                                std::uint64_t count, std::optional<std::uint64_t> bytes) const {
  const bool have_bytes = bytes.has_value();
  auto byte_rate = [&](std::optional<double> r) {
    return have_bytes ? r : std::optional<double>();
  };
  std::optional<double> run_bytes;
  if (have_bytes) run_bytes = RunRate(*bytes);
  std::string row = fmt::format(
      "{:<9}{:>10}{:>8}{:>8}{:>12}{:>11}{:>11}{:>10}", FitColumns(label, 8),
      FormatRate(h_.RequestRate(kind, seconds(1))), FormatRate(h_.RequestRate(kind, seconds(30))),
      FormatRate(RunRate(count)), FormatBitrate(byte_rate(h_.ByteRate(kind, seconds(1)))),
      FormatBitrate(byte_rate(h_.ByteRate(kind, seconds(30)))), FormatBitrate(run_bytes),
      have_bytes ? FormatBytes(*bytes) : "-");
  if (w_ >= kWideWidth) {
    std::uint64_t errors = 0, reused = 0, n = 0;
    for (const auto& [k, f] : s_.requests.by_kind) {
      if (kind != RateWindow::kAllKinds && k != kind) continue;
      errors += f.errors;
      reused += f.reused;
      n += f.requests;
    }
    const std::string reuse =
        n > 0 ? fmt::format("{:.0f}%", 100.0 * static_cast<double>(reused) / static_cast<double>(n))
              : "-";
    row += fmt::format("{:>9}{:>9}", s_.requests.enabled ? std::to_string(errors) : "-",
                       s_.requests.enabled ? reuse : "-");
  }
  return row;
}

Draft Builder::Requests() const {
  Draft d{"requests", {Title("Requests and throughput")}};
  std::string head = fmt::format("{:<9}{:>10}{:>8}{:>8}{:>12}{:>11}{:>11}{:>10}", "kind",
                                 "req/s 1s", "30s", "run", "bit/s 1s", "30s", "run", "bytes");
  if (w_ >= kWideWidth) head += fmt::format("{:>9}{:>9}", "errors", "reused");
  d.lines.push_back({head, kTable, Style::kTitle});
  if (kinds_.empty()) {
    d.lines.push_back({"no requests yet", kTable});
    return d;
  }
  const auto by_kind = s_.RequestsByKind();
  for (const std::string& k : kinds_) {
    std::optional<std::uint64_t> bytes;
    if (s_.requests.enabled) {
      auto it = s_.requests.by_kind.find(k);
      bytes = it == s_.requests.by_kind.end() ? 0 : it->second.body_bytes;
    }
    const int prio = (k == "segment" || k == "playlist") ? kTable : kSecondary;
    d.lines.push_back({RequestRow(k, k, by_kind.at(k), bytes), prio});
  }
  std::optional<std::uint64_t> total_bytes;
  if (s_.requests.enabled) total_bytes = s_.bytes_received;
  d.lines.push_back(
      {RequestRow("total", RateWindow::kAllKinds, Sum(by_kind), total_bytes), kSecondary});
  return d;
}

Draft Builder::Latency() const {
  Draft d{"latency", {Title("Latency (ms)")}};
  if (!s_.requests.enabled) {
    d.lines.push_back({"no timings: the measurement tap is off (-tap=false or https)", kTable});
    return d;
  }
  d.lines.push_back({fmt::format("{:<9}{:>12}{:>8}{:>8}{:>16}{:>8}{:>8}", "kind", "TTFB p50", "p90",
                                 "p99", "download p50", "p90", "p99"),
                     kTable, Style::kTitle});
  bool any = false;
  for (const std::string& k : kinds_) {
    auto it = s_.requests.by_kind.find(k);
    if (it == s_.requests.by_kind.end()) continue;
    const stats::Histogram& t = it->second.ttfb_us;
    const stats::Histogram& dl = it->second.total_us;
    const int prio = (k == "segment" || k == "playlist") ? kTable : kSecondary;
    d.lines.push_back({fmt::format("{:<9}{:>12}{:>8}{:>8}{:>16}{:>8}{:>8}", FitColumns(k, 8),
                                   FormatMillis(t.Percentile(50), t.count()),
                                   FormatMillis(t.Percentile(90), t.count()),
                                   FormatMillis(t.Percentile(99), t.count()),
                                   FormatMillis(dl.Percentile(50), dl.count()),
                                   FormatMillis(dl.Percentile(90), dl.count()),
                                   FormatMillis(dl.Percentile(99), dl.count())),
                       prio});
    any = true;
  }
  if (!any) d.lines.push_back({"no requests yet", kTable});
  return d;
}

Draft Builder::Errors() const {
  Draft d{"errors", {Title("HTTP, errors and restarts")}};
  std::map<int, std::uint64_t> codes;
  if (s_.requests.enabled) {
    for (const auto& [k, f] : s_.requests.by_kind) {
      for (const auto& [code, n] : f.codes) codes[code] += n;
    }
  } else {
    codes = s_.http_errors_by_code;
  }
  std::string http;
  bool bad_status = false;
  for (const auto& [code, n] : codes) {
    http += fmt::format("{}{} {}", http.empty() ? "" : "  ", code, n);
    bad_status = bad_status || (code >= 400 && n > 0);
  }
  d.lines.push_back({FitColumns("HTTP      " + (http.empty() ? "none" : http), w_), kTable,
                     bad_status ? Style::kAlert : Style::kNormal});

  std::map<std::string, std::uint64_t> errors = s_.errors_by_type;
  const std::string who = s_.requests.source.empty() ? "tap" : s_.requests.source;
  for (const auto& [type, n] : s_.requests.errors_by_type) errors[who + " " + type] += n;
  const std::uint64_t n_errors = Sum(errors);
  d.lines.push_back(
      {FitColumns(n_errors == 0 ? "errors    none"
                                : fmt::format("errors    {} ({})", n_errors, JoinCounts(errors)),
                  w_),
       kTable, n_errors > 0 ? Style::kAlert : Style::kNormal});

  const std::uint64_t n_restarts = s_.TotalRestarts();
  std::string restarts = n_restarts == 0 ? "restarts  none"
                                         : fmt::format("restarts  {} ({})", n_restarts,
                                                       JoinCounts(s_.restarts_by_cause));
  if (s_.spawn_failures > 0) restarts += fmt::format("   spawn failures {}", s_.spawn_failures);
  d.lines.push_back({FitColumns(restarts, w_), kTable});

  d.lines.push_back(
      {FitColumns(fmt::format("segments  failed {}  skipped {}  expired {}   playlists stale {}  "
                              "reload failed {}   reconnects {}",
                              s_.segments_failed, s_.segments_skipped, s_.segments_expired,
                              s_.requests.stale_now, s_.playlist_reload_failures, s_.reconnects),
                  w_),
       kDetail});
  return d;
}

Draft Builder::Throughput() const {
  Draft d{"throughput", {Title("Throughput")}};
  if (!s_.requests.enabled) {
    d.lines.push_back({"no throughput: the measurement tap is off", kSecondary});
    return d;
  }
  const std::vector<double> all = h_.ThroughputHistory(RateWindow::kDefaultCapacity);
  const double peak = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  const std::string right = fmt::format(
      "  now {}  peak {}", FormatBitrate(h_.ByteRate(RateWindow::kAllKinds, seconds(1))),
      FormatBitrate(peak));
  const int spark_width = std::max(0, w_ - Columns("bit/s ") - Columns(right));
  const std::vector<double> shown = h_.ThroughputHistory(static_cast<std::size_t>(spark_width));
  d.lines.push_back(
      {"bit/s " + PadColumns(Sparkline(shown, spark_width, uni_), spark_width) + right,
       kSecondary});
  return d;
}

// The origin panel's (label, value) pairs from the snapshot (URLs there are already redacted).
std::vector<std::pair<std::string, std::string>> OriginPairs(const stats::OriginSample& o) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* label, const std::optional<double>& v, double scale, const char* unit,
                 int decimals) {
    if (v) out.emplace_back(label, fmt::format("{:.{}f}{}", *v * scale, decimals, unit));
  };
  add("cpu", o.cpu_percent, 1, "%", 1);
  add("mem", o.memory_used_percent, 1, "%", 1);
  add("net in", o.network_rx_bytes_per_s, 8 / 1e6, " Mbit/s", 1);
  add("net out", o.network_tx_bytes_per_s, 8 / 1e6, " Mbit/s", 1);
  add("nginx conns", o.nginx_connections_active, 1, "", 0);
  add("nginx req/s", o.nginx_requests_per_s, 1, "", 1);
  for (const auto& e : o.errors) out.emplace_back("scrape error", e);
  return out;
}

Draft Builder::Origin() const {
  Draft d{"origin", {Title("Origin")}};
  const auto pairs = OriginPairs(s_.origin);
  if (pairs.empty()) {
    d.lines.push_back({"no origin metrics (-origin-metrics URL)", kDetail});
    return d;
  }
  // Labelled like the HTTP/errors rows, so the figures still read right without the title.
  const std::string first = "origin    ";
  const std::string indent(first.size(), ' ');
  std::string line = first;
  for (const auto& [label, value] : pairs) {
    const std::string item = Sanitize(label) + " " + Sanitize(value);
    const bool fresh = line == first || line == indent;
    if (!fresh && Columns(line) + 3 + Columns(item) > w_) {
      d.lines.push_back({line, d.lines.size() == 1 ? kSecondary : kDetail});
      line = indent;
    }
    line += (line == first || line == indent ? "" : "   ") + item;
  }
  d.lines.push_back({FitColumns(line, w_), d.lines.size() == 1 ? kSecondary : kDetail});
  return d;
}

Draft Builder::Footer() const {
  // The bottom row stops one column short of the edge, so the terminal never scrolls.
  const int width = w_ - 1;
  const std::string right = "log " + Sanitize(ctx_.log_path);
  std::string left =
      ctx_.notice.empty() ? "q quit  p pause ramp  +/- viewers 10%  ? help" : Sanitize(ctx_.notice);
  if (Columns(left) + 2 + Columns(right) > width) left = ctx_.notice.empty() ? "? help" : left;
  std::string text;
  if (Columns(left) + 2 + Columns(right) <= width) {
    text = JoinLeftRight(left, right, width);
  } else if (Columns(right) <= width) {
    text = right;
  } else {
    text = "log " + Ellipsize(Sanitize(ctx_.log_path), width - 4, uni_);
  }
  return {"footer", {{FitColumns(text, width), kKeep, Style::kTitle}}};
}

// Drops the highest-priority lines (the lowest on screen first) until everything fits.
void DropToFit(std::vector<Draft>& drafts, int height) {
  std::size_t total = 0;
  for (const Draft& d : drafts) total += d.lines.size();
  while (total > static_cast<std::size_t>(height)) {
    Draft* victim_panel = nullptr;
    std::size_t victim_line = 0;
    int worst = kKeep;
    for (Draft& d : drafts) {
      for (std::size_t i = 0; i < d.lines.size(); ++i) {
        if (d.lines[i].priority >= worst && d.lines[i].priority > kKeep) {
          worst = d.lines[i].priority;
          victim_panel = &d;
          victim_line = i;
        }
      }
    }
    if (victim_panel == nullptr) break;  // only kKeep lines left: the caller clips
    auto& lines = victim_panel->lines;
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(victim_line));
    --total;
    // A title with nothing under it goes too.
    if (std::all_of(lines.begin(), lines.end(),
                    [](const Line& l) { return l.priority == kRule; })) {
      total -= lines.size();
      lines.clear();
    }
  }
}

Overlay BuildHelp(const ViewContext& ctx) {
  Overlay o;
  const std::vector<std::string> text = HelpLines(ctx);
  int inner = 0;
  for (const std::string& t : text) inner = std::max(inner, Columns(t));
  inner = std::min(inner + 2, ctx.width - 4);
  const std::string h = ctx.unicode ? "─" : "-";
  const std::string v = ctx.unicode ? "│" : "|";
  std::string edge;
  for (int i = 0; i < inner; ++i) edge += h;
  o.rows.push_back((ctx.unicode ? "┌" : "+") + edge + (ctx.unicode ? "┐" : "+"));
  for (const std::string& t : text) o.rows.push_back(v + PadColumns(" " + t, inner) + v);
  o.rows.push_back((ctx.unicode ? "└" : "+") + edge + (ctx.unicode ? "┘" : "+"));
  o.left = std::max(0, (ctx.width - (inner + 2)) / 2);
  o.top = std::max(0, (ctx.height - static_cast<int>(o.rows.size())) / 2);
  return o;
}

}  // namespace

const Panel* ViewModel::Find(const std::string& name) const {
  for (const Panel& p : panels) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string ViewModel::Text() const {
  std::string out;
  for (const Row& r : rows) out += r.text + "\n";
  return out;
}

std::vector<std::string> HelpLines(const ViewContext& ctx) {
  return {"hls-swarm dashboard keys",
          "",
          "q   quit: stop the viewers, print the report",
          "p   pause / resume the ramp",
          "+   add 10 % more viewers",
          "-   remove 10 % of the viewers",
          "?   show / hide this help",
          "",
          "rates: last 1 s, last 30 s, whole run",
          "log: " + Sanitize(ctx.log_path)};
}

ViewModel BuildViewModel(const stats::Snapshot& s, const RateWindow& history,
                         const ViewContext& ctx) {
  ViewModel vm;
  vm.width = std::max(0, ctx.width);
  vm.height = std::max(0, ctx.height);
  if (vm.width < kMinWidth || vm.height < kMinHeight) {
    vm.too_small = true;
    if (vm.height > 0) {
      vm.rows.push_back({FitColumns(fmt::format("terminal too small: {}x{}, need {}x{}", vm.width,
                                                vm.height, kMinWidth, kMinHeight),
                                    vm.width - 1),
                         Style::kAlert});
    }
    return vm;
  }
  std::vector<Draft> drafts = Builder(s, history, ctx).Build();
  DropToFit(drafts, vm.height);
  for (Draft& d : drafts) {
    if (d.lines.empty()) continue;
    Panel p{d.name, {}};
    for (Line& l : d.lines) p.rows.push_back({FitColumns(l.text, vm.width), l.style});
    vm.panels.push_back(std::move(p));
  }
  // Panels top-down, then blank rows, then the footer pinned to the last row.
  for (const Panel& p : vm.panels) {
    if (p.name == "footer") continue;
    for (const Row& r : p.rows) vm.rows.push_back(r);
  }
  vm.rows.resize(static_cast<std::size_t>(vm.height - 1));
  if (const Panel* footer = vm.Find("footer")) vm.rows.push_back(footer->rows.front());
  if (ctx.show_help) vm.help = BuildHelp(ctx);
  return vm;
}

}  // namespace hs::tui
