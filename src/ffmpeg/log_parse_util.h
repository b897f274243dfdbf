// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

/// Small hand-written scanners shared by the stderr and `-progress` parsers. Pure functions,
/// no allocation, no locale.
namespace hs::ffmpeg::parse {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) { return c == ' ' || c == '\t'; }

/// \a s without leading and trailing spaces/tabs.
inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

/// Removes \a prefix from \a s and returns true if \a s starts with it; else leaves \a s alone.
inline bool Consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

/// Consumes a run of decimal digits (optionally signed with '-') from the front of \a s.
inline std::optional<int64_t> ConsumeInt(std::string_view& s) {
  int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc()) return std::nullopt;
  s.remove_prefix(static_cast<size_t>(ptr - s.data()));
  return value;
}

/// The whole of \a s (trimmed) as an integer.
inline std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s);
  auto value = ConsumeInt(s);
  if (!value || !s.empty()) return std::nullopt;
  return value;
}

/// Consumes a decimal number (`1.5`, `-3`, `0.691`) from the front of \a s.
inline std::optional<double> ConsumeDouble(std::string_view& s) {
  double value = 0;
  const auto [ptr, ec] =
      std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return std::nullopt;
  s.remove_prefix(static_cast<size_t>(ptr - s.data()));
  return value;
}

/// The whole of \a s (trimmed) as a number.
inline std::optional<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  auto value = ConsumeDouble(s);
  if (!value || !s.empty()) return std::nullopt;
  return value;
}

/// `speed=` value: `1.5x`, `   1x`, `0.691x`, `1.2e+03x`; -1 for `N/A` or garbage.
inline double ParseSpeed(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.back() != 'x') return -1;
  s.remove_suffix(1);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value < 0) return -1;
  return value;
}

/// `bitrate=` value: `2712.3kbits/s`; -1 for `N/A` or garbage.
inline double ParseBitrateKbps(std::string_view s) {
  s = Trim(s);
  auto value = ConsumeDouble(s);
  if (!value || s != "kbits/s") return -1;
  return *value;
}

/// `[-]HH:MM:SS[.frac]` (FFmpeg `time=` / `out_time=`) in microseconds; nullopt for `N/A`.
inline std::optional<int64_t> ParseClockUs(std::string_view s) {
  s = Trim(s);
  const bool negative = Consume(s, "-");
  auto h = ConsumeInt(s);
  if (!h || *h < 0 || !Consume(s, ":")) return std::nullopt;
  auto m = ConsumeInt(s);
  if (!m || *m < 0 || !Consume(s, ":")) return std::nullopt;
  auto sec = ConsumeInt(s);
  if (!sec || *sec < 0) return std::nullopt;
  int64_t frac_us = 0;
  if (Consume(s, ".")) {
    int64_t scale = 100000;
    while (!s.empty() && IsDigit(s.front())) {
      frac_us += (s.front() - '0') * scale;
      scale /= 10;
      s.remove_prefix(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  const int64_t us = ((*h * 60 + *m) * 60 + *sec) * 1000000 + frac_us;
  return negative ? -us : us;
}

}  // namespace hs::ffmpeg::parse
