// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hs::tui {

// Pure text helpers of the dashboard. Every glyph they produce (ASCII or the block and
// box-drawing characters) is one terminal column wide, so a column count is a code point count.

/// Number of terminal columns of \a text: UTF-8 code points (all our glyphs are one column).
int Columns(std::string_view text);
/// \a text cut to at most \a width columns, never splitting a UTF-8 sequence. \a width < 0 → "".
std::string FitColumns(std::string_view text, int width);
/// \a text fitted to exactly \a width columns: cut, or padded with spaces on the right.
std::string PadColumns(std::string_view text, int width);
/// Text from outside (URLs, paths, origin figures) made safe for one screen line: control
/// bytes and non-ASCII bytes (whose width we cannot know) become '?'.
std::string Sanitize(std::string_view text);
/// \a text in at most \a width columns, cutting the middle ("http://a…/x.m3u8") when needed.
std::string Ellipsize(std::string_view text, int width, bool unicode);
/// \a left, then \a right aligned to the right edge of \a width columns (at least two spaces
/// between them); \a right is dropped when both do not fit, and the result is fitted.
std::string JoinLeftRight(std::string_view left, std::string_view right, int width);

/// "12s", "1m05s", "1h02m03s" (negative values as 0).
std::string FormatDuration(double seconds);
/// Events per second: "-" when unknown, "0.4", "12.5", "1234", "12.3k".
std::string FormatRate(std::optional<double> per_second);
/// Throughput from bytes per second, in bits: "-", "0 b/s", "812 b/s", "1.2 kb/s", "12.3 Mb/s".
std::string FormatBitrate(std::optional<double> bytes_per_second);
/// A byte count, decimal units: "512 B", "1.2 kB", "12.3 MB", "1.23 GB".
std::string FormatBytes(std::uint64_t bytes);
/// Microseconds shown as milliseconds: "0.69", "12.3", "1234"; "-" when \a count is 0.
std::string FormatMillis(std::uint64_t micros, std::uint64_t count);

/// One character per value, scaled to the largest of \a values (at least \a floor): unicode
/// blocks ▁..█ or ASCII "_.-:=+*#"; 0 is the lowest glyph. Only the last \a width values.
std::string Sparkline(const std::vector<double>& values, int width, bool unicode, double floor = 0);
/// A bar of \a width columns filled to \a fraction (clamped to 0..1): "████░░░" or "###---".
std::string Bar(double fraction, int width, bool unicode);
/// A panel rule "── Title ──────" of \a width columns ("-- Title ------" in ASCII).
std::string Rule(std::string_view title, int width, bool unicode);

}  // namespace hs::tui
