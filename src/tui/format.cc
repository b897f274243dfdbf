// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/format.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace hs::tui {

namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

constexpr std::array<const char*, 8> kBlocks = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
constexpr std::string_view kAsciiLevels = "_.-:=+*#";

std::string Repeat(std::string_view glyph, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += glyph;
  return out;
}

}  // namespace

int Columns(std::string_view text) {
  int n = 0;
  for (char c : text) {
    if (!IsContinuation(c)) ++n;
  }
  return n;
}

std::string FitColumns(std::string_view text, int width) {
  if (width <= 0) return {};
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (IsContinuation(text[i])) continue;
    if (n == width) return std::string(text.substr(0, i));
    ++n;
  }
  return std::string(text);
}

std::string PadColumns(std::string_view text, int width) {
  std::string out = FitColumns(text, width);
  const int cols = Columns(out);
  if (cols < width) out.append(static_cast<std::size_t>(width - cols), ' ');
  return out;
}

std::string Sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) c = '?';
  }
  return out;
}

std::string Ellipsize(std::string_view text, int width, bool unicode) {
  if (Columns(text) <= width) return std::string(text);
  const std::string_view dots = unicode ? "…" : "~";
  if (width <= 1) return FitColumns(dots, width);
  // Callers pass sanitized (ASCII) text here, so byte offsets are columns.
  const auto keep = static_cast<std::size_t>(width - 1);
  const std::size_t head = (keep + 1) / 2;
  const std::size_t tail = keep - head;
  return std::string(text.substr(0, head)) + std::string(dots) +
         std::string(text.substr(text.size() - tail));
}

std::string JoinLeftRight(std::string_view left, std::string_view right, int width) {
  const int gap = width - Columns(left) - Columns(right);
  if (right.empty() || gap < 2) return FitColumns(left, width);
  return std::string(left) + std::string(static_cast<std::size_t>(gap), ' ') + std::string(right);
}

std::string FormatDuration(double seconds) {
  const auto total = static_cast<long long>(std::max(0.0, seconds));
  const long long h = total / 3600, m = total / 60 % 60, s = total % 60;
  if (h > 0) return fmt::format("{}h{:02}m{:02}s", h, m, s);
  if (m > 0) return fmt::format("{}m{:02}s", m, s);
  return fmt::format("{}s", s);
}

std::string FormatRate(std::optional<double> per_second) {
  if (!per_second) return "-";
  const double v = std::max(0.0, *per_second);
  if (v < 100) return fmt::format("{:.1f}", v);
  if (v < 10000) return fmt::format("{:.0f}", v);
  if (v < 1e6) return fmt::format("{:.1f}k", v / 1e3);
  return fmt::format("{:.1f}M", v / 1e6);
}

std::string FormatBitrate(std::optional<double> bytes_per_second) {
  if (!bytes_per_second) return "-";
  const double bits = std::max(0.0, *bytes_per_second) * 8;
  if (bits < 1e3) return fmt::format("{:.0f} b/s", bits);
  if (bits < 1e6) return fmt::format("{:.1f} kb/s", bits / 1e3);
  if (bits < 1e9) return fmt::format("{:.1f} Mb/s", bits / 1e6);
  return fmt::format("{:.2f} Gb/s", bits / 1e9);
}

std::string FormatBytes(std::uint64_t bytes) {
  const auto b = static_cast<double>(bytes);
  if (bytes < 1000) return fmt::format("{} B", bytes);
  if (b < 1e6) return fmt::format("{:.1f} kB", b / 1e3);
  if (b < 1e9) return fmt::format("{:.1f} MB", b / 1e6);
  if (b < 1e12) return fmt::format("{:.2f} GB", b / 1e9);
  return fmt::format("{:.2f} TB", b / 1e12);
}

std::string FormatMillis(std::uint64_t micros, std::uint64_t count) {
  if (count == 0) return "-";
  const double ms = static_cast<double>(micros) / 1000.0;
  if (ms < 10) return fmt::format("{:.2f}", ms);
  if (ms < 100) return fmt::format("{:.1f}", ms);
  return fmt::format("{:.0f}", ms);
}

std::string Sparkline(const std::vector<double>& values, int width, bool unicode, double floor) {
  if (width <= 0 || values.empty()) return {};
  const std::size_t n = std::min(values.size(), static_cast<std::size_t>(width));
  const auto first = values.end() - static_cast<std::ptrdiff_t>(n);
  double top = floor;
  for (auto it = first; it != values.end(); ++it) top = std::max(top, *it);
  std::string out;
  for (auto it = first; it != values.end(); ++it) {
    int level = 0;
    if (top > 0 && *it > 0) {
      level = static_cast<int>(std::ceil(*it / top * 8.0)) - 1;
      level = std::clamp(level, 0, 7);
    }
    if (unicode) {
      out += kBlocks[static_cast<std::size_t>(level)];
    } else {
      out += kAsciiLevels[static_cast<std::size_t>(level)];
    }
  }
  return out;
}

std::string Bar(double fraction, int width, bool unicode) {
  if (width <= 0) return {};
  const double f = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
  const int filled = static_cast<int>(std::lround(f * width));
  return Repeat(unicode ? "█" : "#", filled) + Repeat(unicode ? "░" : "-", width - filled);
}

std::string Rule(std::string_view title, int width, bool unicode) {
  const std::string_view dash = unicode ? "─" : "-";
  std::string out = Repeat(dash, 2);
  if (!title.empty()) out += " " + std::string(title) + " ";
  const int rest = width - Columns(out);
  if (rest > 0) out += Repeat(dash, rest);
  return FitColumns(out, width);
}

}  // namespace hs::tui
