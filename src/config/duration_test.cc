// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/duration.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace hs::config {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

struct GoodCase {
  const char* text;
  nanoseconds want;
};

// Cases from Go's time/time_test.go parseDurationTests.
TEST(ParseGoDurationTest, AcceptsGoSyntax) {
  const GoodCase cases[] = {
      {"0", nanoseconds(0)},
      {"+0", nanoseconds(0)},
      {"-0", nanoseconds(0)},
      {"5s", seconds(5)},
      {"30s", seconds(30)},
      {"1478s", seconds(1478)},
      {"-5s", seconds(-5)},
      {"+5s", seconds(5)},
      {"-0s", nanoseconds(0)},
      {"5.0s", seconds(5)},
      {"5.6s", milliseconds(5600)},
      {"5.s", seconds(5)},
      {".5s", milliseconds(500)},
      {"1.0s", seconds(1)},
      {"1.00s", seconds(1)},
      {"1.004s", milliseconds(1004)},
      {"1.0040s", milliseconds(1004)},
      {"100.00100s", milliseconds(100001)},
      {"10ns", nanoseconds(10)},
      {"11us", microseconds(11)},
      {"12\xC2\xB5s", microseconds(12)},
      {"12\xCE\xBCs", microseconds(12)},
      {"13ms", milliseconds(13)},
      {"14s", seconds(14)},
      {"15m", minutes(15)},
      {"16h", hours(16)},
      {"3h30m", hours(3) + minutes(30)},
      {"1h30m", minutes(90)},
      {"10.5s4m", minutes(4) + milliseconds(10500)},
      {"-2m3.4s", -(minutes(2) + milliseconds(3400))},
      {"2m3.5s", minutes(2) + milliseconds(3500)},
      {"1h2m3s4ms5us6ns",
       hours(1) + minutes(2) + seconds(3) + milliseconds(4) + microseconds(5) + nanoseconds(6)},
      {"39h9m14.425s", hours(39) + minutes(9) + milliseconds(14425)},
      {"52763797000ns", nanoseconds(52763797000)},
      {"0.3333333333333333333h", minutes(20)},
      {"9007199254740993ns", nanoseconds((std::int64_t{1} << 53) + 1)},
      {"9223372036854775807ns", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"9223372036.854775807s", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"-9223372036854775808ns", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"0.100000000000000000000h", minutes(6)},
      {"1.5h", minutes(90)},
      {"300ms", milliseconds(300)},
  };
  for (const GoodCase& c : cases) {
    Result<nanoseconds> got = ParseGoDuration(c.text);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().detail;
    EXPECT_EQ(got->count(), c.want.count()) << c.text;
  }
}

struct BadCase {
  const char* text;
  const char* detail;
};

TEST(ParseGoDurationTest, RejectsWithReason) {
  const BadCase cases[] = {
      {"", "invalid duration"},
      {"3", "missing unit"},
      {"-", "invalid duration"},
      {"s", "invalid duration"},
      {".", "invalid duration"},
      {"-.", "invalid duration"},
      {".s", "invalid duration"},
      {"+.s", "invalid duration"},
      {"1d", "unknown unit \"d\""},
      {"1.5x", "unknown unit \"x\""},
      {"5s ", "unknown unit \"s \""},
      {" 5s", "invalid duration"},
      {"1h-30m", "unknown unit \"h-\""},
      {"9223372036854775808ns", "duration out of range"},
      {"9223372036854775.808us", "duration out of range"},
      {"9223372036854ms775us808ns", "duration out of range"},
      {"3000000h", "duration out of range"},
  };
  for (const BadCase& c : cases) {
    Result<nanoseconds> got = ParseGoDuration(c.text);
    ASSERT_FALSE(got.has_value()) << c.text;
    EXPECT_EQ(got.error().code, ErrorCode::kParse) << c.text;
    EXPECT_EQ(got.error().detail, c.detail) << c.text;
  }
}

struct DefaultUnitCase {
  const char* text;
  nanoseconds unit;
  nanoseconds want;
};

TEST(ParseDurationOrNumberTest, BareNumbersUseTheDefaultUnit) {
  const DefaultUnitCase cases[] = {
      {"15", seconds(1), seconds(15)},
      {"2.5", seconds(1), milliseconds(2500)},
      {"100", milliseconds(1), milliseconds(100)},
      {"0", milliseconds(1), nanoseconds(0)},
      {"-1", seconds(1), seconds(-1)},
      {"+3", minutes(1), minutes(3)},
      {".5", hours(1), minutes(30)},
      {"7", microseconds(1), microseconds(7)},
      {"7", nanoseconds(1), nanoseconds(7)},
      {"200ms", seconds(1), milliseconds(200)},
      {"1m30s", milliseconds(1), seconds(90)},
  };
  for (const DefaultUnitCase& c : cases) {
    Result<nanoseconds> got = ParseDurationOrNumber(c.text, c.unit);
    ASSERT_TRUE(got.has_value()) << c.text << ": " << got.error().detail;
    EXPECT_EQ(got->count(), c.want.count()) << c.text;
  }
  EXPECT_FALSE(ParseDurationOrNumber("abc", seconds(1)).has_value());
  EXPECT_FALSE(ParseDurationOrNumber("1.2.3", seconds(1)).has_value());
  EXPECT_FALSE(ParseDurationOrNumber("", seconds(1)).has_value());
}

struct FormatCase {
  nanoseconds d;
  const char* want;
};

// Cases from Go's time/time_test.go durationTests.
TEST(FormatGoDurationTest, MatchesGoString) {
  const FormatCase cases[] = {
      {nanoseconds(0), "0s"},
      {nanoseconds(1), "1ns"},
      {nanoseconds(1100), "1.1\xC2\xB5s"},
      {microseconds(2200), "2.2ms"},
      {milliseconds(3300), "3.3s"},
      {minutes(4) + seconds(5), "4m5s"},
      {minutes(4) + milliseconds(5001), "4m5.001s"},
      {hours(5) + minutes(6) + milliseconds(7001), "5h6m7.001s"},
      {minutes(8) + nanoseconds(1), "8m0.000000001s"},
      {nanoseconds(std::numeric_limits<std::int64_t>::max()), "2562047h47m16.854775807s"},
      {nanoseconds(std::numeric_limits<std::int64_t>::min()), "-2562047h47m16.854775808s"},
      {seconds(90), "1m30s"},
      {milliseconds(200), "200ms"},
      {hours(1), "1h0m0s"},
      {seconds(-2), "-2s"},
      {microseconds(1), "1\xC2\xB5s"},
      {nanoseconds(999), "999ns"},
  };
  for (const FormatCase& c : cases) {
    EXPECT_EQ(FormatGoDuration(c.d), c.want) << c.d.count();
  }
}

TEST(FormatGoDurationTest, RoundTripsThroughParse) {
  const nanoseconds cases[] = {nanoseconds(0), nanoseconds(12345), milliseconds(1500), minutes(61),
                               hours(-3) - nanoseconds(7)};
  for (nanoseconds d : cases) {
    Result<nanoseconds> back = ParseGoDuration(FormatGoDuration(d));
    ASSERT_TRUE(back.has_value()) << FormatGoDuration(d);
    EXPECT_EQ(back->count(), d.count());
  }
}

}  // namespace
}  // namespace hs::config
