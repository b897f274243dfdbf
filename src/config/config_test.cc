// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/config.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hs::config {
namespace {

// SPEC §2, cell by cell.
TEST(ProfilesTest, MatchTheSpecTable) {
  struct Row {
    const char* name;
    int clients, ramp_rate, jitter_ms, metrics_port;
    LogLevel level;
    Variant variant;
    bool reconnect;
    int delay_max, retries, timeout_s;
  };
  const Row want[] = {
      {"default", 50, 5, 100, 9090, LogLevel::kInfo, Variant::kAll, true, 5, 3, 15},
      {"stress", 200, 20, 50, 9090, LogLevel::kWarning, Variant::kAll, true, 3, 2, 10},
      {"gentle", 20, 1, 500, 9090, LogLevel::kInfo, Variant::kFirst, true, 10, 5, 30},
      {"burst", 100, 50, 10, 9090, LogLevel::kWarning, Variant::kAll, false, 0, 1, 5},
      {"extreme", 500, 50, 20, 9090, LogLevel::kError, Variant::kAll, true, 2, 1, 5},
  };
  const std::vector<ProfileValues>& got = Profiles();
  ASSERT_EQ(got.size(), std::size(want));
  for (std::size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(want[i].name);
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].clients, want[i].clients);
    EXPECT_EQ(got[i].ramp_rate, want[i].ramp_rate);
    EXPECT_EQ(got[i].ramp_jitter_ms, want[i].jitter_ms);
    EXPECT_EQ(got[i].metrics_port, want[i].metrics_port);
    EXPECT_EQ(got[i].log_level, want[i].level);
    EXPECT_EQ(got[i].variant, want[i].variant);
    EXPECT_EQ(got[i].reconnect, want[i].reconnect);
    EXPECT_EQ(got[i].reconnect_delay_max_s, want[i].delay_max);
    EXPECT_EQ(got[i].seg_max_retry, want[i].retries);
    EXPECT_EQ(got[i].timeout_s, want[i].timeout_s);
  }
}

TEST(ProfilesTest, ConfigDefaultsEqualTheDefaultProfile) {
  const Config c;
  const ProfileValues p = *FindProfile("default");
  EXPECT_EQ(c.profile, p.name);
  EXPECT_EQ(c.clients, p.clients);
  EXPECT_EQ(c.ramp_rate, p.ramp_rate);
  EXPECT_EQ(c.ramp_jitter.count(), p.ramp_jitter_ms);
  EXPECT_EQ(c.metrics_port, p.metrics_port);
  EXPECT_EQ(c.log_level, p.log_level);
  EXPECT_EQ(c.variant, p.variant);
  EXPECT_EQ(c.reconnect, p.reconnect);
  EXPECT_EQ(c.reconnect_delay_max_s, p.reconnect_delay_max_s);
  EXPECT_EQ(c.seg_max_retry, p.seg_max_retry);
  EXPECT_EQ(c.timeout.count(), p.timeout_s * 1000);
}

TEST(ProfilesTest, FindAndSortedNames) {
  EXPECT_TRUE(FindProfile("extreme").has_value());
  EXPECT_FALSE(FindProfile("Default").has_value());
  EXPECT_FALSE(FindProfile("").has_value());
  EXPECT_EQ(SortedProfileNames(),
            (std::vector<std::string>{"burst", "default", "extreme", "gentle", "stress"}));
  EXPECT_EQ(OriginProfileNames(),
            (std::vector<std::string>{"default", "low-latency", "abr", "stress", "tiny", "ll-hls",
                                      "ll-hls-abr"}));
}

struct DerivedCase {
  int clients;
  int ramp_rate;
  Derived want;
};

TEST(DerivedTest, IntegerMathsAsNix) {
  const DerivedCase cases[] = {
      {50, 5, {10, 1014, 1750, 250}},     // default
      {200, 20, {10, 3864, 4000, 1000}},  // stress
      {20, 1, {20, 444, 1300, 100}},      // gentle
      {100, 50, {2, 1964, 2500, 500}},    // burst
      {500, 50, {10, 9564, 8500, 2500}},  // extreme
      {7, 2, {3, 197, 1105, 35}},         // 7/2 truncates to 3
      {1, 5, {0, 83, 1015, 5}},           // faster ramp than viewers
      {100000, 1, {100000, 1900064, 1501000, 500000}},
      {10, 0, {0, 254, 1150, 50}},  // invalid rate never divides by zero
  };
  for (const DerivedCase& c : cases) {
    Config config;
    config.clients = c.clients;
    config.ramp_rate = c.ramp_rate;
    const Derived d = config.ComputeDerived();
    SCOPED_TRACE(testing::Message() << c.clients << "/" << c.ramp_rate);
    EXPECT_EQ(d.ramp_duration_s, c.want.ramp_duration_s);
    EXPECT_EQ(d.estimated_memory_mb, c.want.estimated_memory_mb);
    EXPECT_EQ(d.recommended_fd_limit, c.want.recommended_fd_limit);
    EXPECT_EQ(d.recommended_ports, c.want.recommended_ports);
  }
}

TEST(EnumNamesTest, RoundTrip) {
  for (Variant v : {Variant::kAll, Variant::kFirst, Variant::kHighest, Variant::kLowest}) {
    EXPECT_EQ(ParseVariant(ToString(v)), v);
  }
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    EXPECT_EQ(ParseLogLevel(ToString(l)), l);
  }
  for (LogFormat f : {LogFormat::kText, LogFormat::kJson}) {
    EXPECT_EQ(ParseLogFormat(ToString(f)), f);
  }
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("INFO").has_value());
  EXPECT_FALSE(ParseVariant("best").has_value());
  EXPECT_FALSE(ParseLogFormat("xml").has_value());
}

TEST(ConfigPredicatesTest, TapForHttpAndHttps) {
  Config c;
  c.stream_url = "http://o/x.m3u8";
  EXPECT_TRUE(c.UsesTap());
  c.tap = false;
  EXPECT_FALSE(c.UsesTap());
  c.tap = true;
  c.stream_url = "https://o/x.m3u8";
  EXPECT_TRUE(c.UsesTap());  // TLS intercepted by the tap
}

}  // namespace
}  // namespace hs::config
