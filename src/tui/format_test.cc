// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tui/format.h"

#include <gtest/gtest.h>

namespace hs::tui {
namespace {

TEST(FormatTest, Durations) {
  const std::pair<double, const char*> cases[] = {{0, "0s"},          {-3, "0s"},
                                                  {9.9, "9s"},        {59, "59s"},
                                                  {60, "1m00s"},      {95.5, "1m35s"},
                                                  {3599, "59m59s"},   {3600, "1h00m00s"},
                                                  {3723, "1h02m03s"}, {100 * 3600, "100h00m00s"}};
  for (const auto& [in, want] : cases) EXPECT_EQ(FormatDuration(in), want) << in;
}

TEST(FormatTest, Rates) {
  EXPECT_EQ(FormatRate(std::nullopt), "-");
  EXPECT_EQ(FormatRate(0.0), "0.0");
  EXPECT_EQ(FormatRate(-1.0), "0.0");
  EXPECT_EQ(FormatRate(0.44), "0.4");
  EXPECT_EQ(FormatRate(12.46), "12.5");
  EXPECT_EQ(FormatRate(1234.4), "1234");
  EXPECT_EQ(FormatRate(12345.0), "12.3k");
  EXPECT_EQ(FormatRate(2.5e6), "2.5M");
}

TEST(FormatTest, BitratesFromBytes) {
  EXPECT_EQ(FormatBitrate(std::nullopt), "-");
  EXPECT_EQ(FormatBitrate(0.0), "0 b/s");
  EXPECT_EQ(FormatBitrate(100.0), "800 b/s");
  EXPECT_EQ(FormatBitrate(150.0), "1.2 kb/s");
  EXPECT_EQ(FormatBitrate(5e6), "40.0 Mb/s");
  EXPECT_EQ(FormatBitrate(1.25e9), "10.00 Gb/s");
}

TEST(FormatTest, BytesAndMillis) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(999), "999 B");
  EXPECT_EQ(FormatBytes(1200), "1.2 kB");
  EXPECT_EQ(FormatBytes(12'300'000), "12.3 MB");
  EXPECT_EQ(FormatBytes(1'234'000'000), "1.23 GB");
  EXPECT_EQ(FormatMillis(690, 1), "0.69");
  EXPECT_EQ(FormatMillis(12'340, 1), "12.3");
  EXPECT_EQ(FormatMillis(1'234'000, 1), "1234");
  EXPECT_EQ(FormatMillis(0, 0), "-");
}

TEST(FormatTest, ColumnsCountCodePoints) {
  EXPECT_EQ(Columns(""), 0);
  EXPECT_EQ(Columns("abc"), 3);
  EXPECT_EQ(Columns("▁▂█"), 3);
  EXPECT_EQ(FitColumns("▁▂█x", 2), "▁▂");
  EXPECT_EQ(FitColumns("abc", 5), "abc");
  EXPECT_EQ(FitColumns("abc", 0), "");
  EXPECT_EQ(FitColumns("abc", -1), "");
  EXPECT_EQ(PadColumns("─a", 4), "─a  ");
  EXPECT_EQ(PadColumns("abcdef", 3), "abc");
}

TEST(FormatTest, SanitizeAndEllipsize) {
  EXPECT_EQ(Sanitize("a\tb\x1b[2Jé"), "a?b?[2J??");
  EXPECT_EQ(Ellipsize("http://origin/stream.m3u8", 40, true), "http://origin/stream.m3u8");
  EXPECT_EQ(Ellipsize("abcdefghij", 7, true), "abc…hij");
  EXPECT_EQ(Ellipsize("abcdefghij", 7, false), "abc~hij");
  EXPECT_EQ(Columns(Ellipsize("abcdefghij", 6, true)), 6);
  EXPECT_EQ(Ellipsize("abcdefghij", 0, true), "");
}

TEST(FormatTest, JoinLeftRight) {
  EXPECT_EQ(JoinLeftRight("ab", "cd", 8), "ab    cd");
  EXPECT_EQ(JoinLeftRight("ab", "cd", 5), "ab");  // two spaces needed between them
  EXPECT_EQ(JoinLeftRight("abcdef", "", 4), "abcd");
}

TEST(FormatTest, Sparkline) {
  const std::vector<double> ramp = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(Sparkline(ramp, 20, true), "▁▁▂▃▄▅▆▇█");
  EXPECT_EQ(Sparkline(ramp, 20, false), "__.-:=+*#");
  EXPECT_EQ(Sparkline(ramp, 3, false), "+*#");  // only the newest values
  EXPECT_EQ(Sparkline({0, 0}, 5, false), "__");
  EXPECT_EQ(Sparkline({1, 1}, 5, false, 8), "__");  // the floor keeps noise low
  EXPECT_EQ(Sparkline({}, 5, true), "");
  EXPECT_EQ(Sparkline(ramp, 0, true), "");
}

TEST(FormatTest, BarAndRule) {
  EXPECT_EQ(Bar(0.5, 8, false), "####----");
  EXPECT_EQ(Bar(2.0, 3, false), "###");
  EXPECT_EQ(Bar(-1.0, 3, true), "░░░");
  EXPECT_EQ(Bar(0.5, 0, true), "");
  EXPECT_EQ(Rule("Viewers", 16, false), "-- Viewers -----");
  EXPECT_EQ(Columns(Rule("Viewers", 16, true)), 16);
  EXPECT_EQ(Rule("a very long title", 8, false), "-- a ver");
}

}  // namespace
}  // namespace hs::tui
