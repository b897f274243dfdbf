// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "originmon/prom_text.h"

#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace hs::originmon {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct GoodLine {
  const char* line;
  const char* name;
  Labels labels;
  double value;
  std::optional<std::int64_t> timestamp_ms;
};

TEST(PromTextTest, ParsesSampleLines) {
  const GoodLine cases[] = {
      {"up 1", "up", {}, 1, {}},
      {"node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12345.67",
       "node_cpu_seconds_total",
       {{"cpu", "0"}, {"mode", "idle"}},
       12345.67,
       {}},
      {"http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000",
       "http_requests_total",
       {{"method", "post"}, {"code", "200"}},
       1027,
       1395066363000},
      {"a{} 2", "a", {}, 2, {}},
      {"a{b=\"x\",} 3", "a", {{"b", "x"}}, 3, {}},
      {"a { b = \"x\" , c=\"\" } 4", "a", {{"b", "x"}, {"c", ""}}, 4, {}},
      {R"(msdos{path="C:\\DIR\\FILE.TXT",q="say \"hi\"\n"} 5)",
       "msdos",
       {{"path", R"(C:\DIR\FILE.TXT)"}, {"q", "say \"hi\"\n"}},
       5,
       {}},
      {"a{path=\"/x y,z}=\"} 1", "a", {{"path", "/x y,z}="}}, 1, {}},
      {"ns:sub_metric_2 7", "ns:sub_metric_2", {}, 7, {}},
      {"_under 8", "_under", {}, 8, {}},
      {"  a\t1\t", "a", {}, 1, {}},
      {"a 1e-3", "a", {}, 1e-3, {}},
      {"a -0.5", "a", {}, -0.5, {}},
      {"a 8.253546496e+09", "a", {}, 8.253546496e9, {}},
      {"a +Inf", "a", {}, kInf, {}},
      {"a -Inf", "a", {}, -kInf, {}},
      {"a{le=\"+Inf\"} 3", "a", {{"le", "+Inf"}}, 3, {}},
      {"a 1 -5", "a", {}, 1, -5},
      {"a{b=\"c\"}9", "a", {{"b", "c"}}, 9, {}},
      {"a{b=\"ünïcødé ✓\"} 1", "a", {{"b", "ünïcødé ✓"}}, 1, {}},
  };
  for (const GoodLine& c : cases) {
    SCOPED_TRACE(c.line);
    std::optional<Sample> s = ParseSampleLine(c.line);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->name, c.name);
    EXPECT_EQ(s->labels, c.labels);
    EXPECT_EQ(s->value, c.value);
    EXPECT_EQ(s->timestamp_ms, c.timestamp_ms);
  }
}

TEST(PromTextTest, NaNValue) {
  std::optional<Sample> s = ParseSampleLine("go_gc_duration_seconds{quantile=\"0\"} NaN");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(std::isnan(s->value));
}

TEST(PromTextTest, RejectsMalformedSampleLines) {
  const char* const cases[] = {
      "1abc 1",                // name starts with a digit
      "{a=\"b\"} 1",           // no name
      "a",                     // no value
      "a{b=\"c\"}",            // no value after labels
      "a{b=\"c\" 1",           // unterminated label set
      "a{b=\"c 1",             // unterminated label value
      "a{b=\"c\\x\"} 1",       // unknown escape
      "a{b=\"c\\",             // escape at end of line
      "a{b=\"c\",b=\"d\"} 1",  // duplicate label
      "a{\"b\"=\"c\"} 1",      // quoted label name
      "a{b=c} 1",              // unquoted label value
      "a{b:c=\"d\"} 1",        // colon in a label name
      "a{,} 1",                // lone comma
      "a{b=\"c\";d=\"e\"} 1",  // wrong separator
      "a 1 2 3",               // trailing garbage
      "a 1 2.5",               // timestamp is not an integer
      "a 1x",                  // trailing characters in the value
      "a 0x10",                // hex is not a sample value
      "a 1.5.5",
      "a +-1",
      "a Infx",
      "a -",
      "a-b 1",  // '-' is not a name character
      "a\x01 1",
  };
  for (const char* line : cases) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(ParseSampleLine(line).has_value());
  }
}

TEST(PromTextTest, ParsesValues) {
  struct Case {
    const char* text;
    std::optional<double> want;
  };
  const Case cases[] = {
      {"0", 0},
      {"42", 42},
      {"-1.5e3", -1500},
      {"+2", 2},
      {".5", 0.5},
      {"1E2", 100},
      {"Inf", kInf},
      {"+inf", kInf},
      {"-Inf", -kInf},
      {"infinity", kInf},
      {"", std::nullopt},
      {"+", std::nullopt},
      {"1e", std::nullopt},
      {"e1", std::nullopt},
      {" 1", std::nullopt},
      {"1 ", std::nullopt},
      {"--1", std::nullopt},
      {"nan1", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(ParsePromValue(c.text), c.want);
  }
  EXPECT_TRUE(std::isnan(ParsePromValue("NaN").value_or(0)));
  EXPECT_TRUE(std::isnan(ParsePromValue("nan").value_or(0)));
}

constexpr const char* kNodeExcerpt =
    "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
    "# TYPE node_cpu_seconds_total counter\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 8412.31\n"
    "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 301.2\n"
    "# HELP node_memory_MemTotal_bytes Memory information field MemTotal_bytes.\n"
    "# TYPE node_memory_MemTotal_bytes gauge\n"
    "node_memory_MemTotal_bytes 8.253546496e+09\n"
    "# HELP node_uname_info Labeled system information as provided by the uname system call.\n"
    "# TYPE node_uname_info gauge\n"
    "node_uname_info{domainname=\"(none)\",machine=\"x86_64\",nodename=\"origin\","
    "release=\"6.1.0-13-amd64\",sysname=\"Linux\",version=\"#1 SMP PREEMPT_DYNAMIC\"} 1\n"
    "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.\n"
    "# TYPE go_gc_duration_seconds summary\n"
    "go_gc_duration_seconds{quantile=\"0.5\"} 3.1e-05\n"
    "go_gc_duration_seconds_sum 0.00123\n"
    "go_gc_duration_seconds_count 12\n";

TEST(PromTextTest, ParsesANodeExporterExcerpt) {
  ParsedText p = ParsePromText(kNodeExcerpt);
  EXPECT_EQ(p.bad_lines, 0u);
  EXPECT_EQ(p.first_bad_line, 0u);
  ASSERT_EQ(p.samples.size(), 7u);
  EXPECT_EQ(p.samples[1].name, "node_cpu_seconds_total");
  ASSERT_NE(p.samples[1].FindLabel("mode"), nullptr);
  EXPECT_EQ(*p.samples[1].FindLabel("mode"), "user");
  EXPECT_EQ(p.samples[1].FindLabel("device"), nullptr);
  EXPECT_EQ(p.samples[2].value, 8.253546496e9);
  EXPECT_EQ(p.samples[3].labels.size(), 6u);
  ASSERT_EQ(p.types.size(), 4u);
  EXPECT_EQ(p.types[0].name, "node_cpu_seconds_total");
  EXPECT_EQ(p.types[0].type, MetricType::kCounter);
  EXPECT_EQ(p.types[1].type, MetricType::kGauge);
  EXPECT_EQ(p.types[3].type, MetricType::kSummary);
}

TEST(PromTextTest, CountsBadLinesAndKeepsTheRest) {
  const std::string text =
      "ok_one 1\r\n"  // CRLF line ending
      "\n"
      "   \t\n"  // blank
      "# just a comment\n"
      "#HELP tight_help also a HELP line\n"
      "# TYPE ok_two gauge\n"
      "<html><body>oops</body></html>\n"  // line 7: first bad
      "# TYPE ok_two sometype\n"          // unknown type
      "# TYPE\n"                          // no name
      "# HELP 9bad docs\n"                // bad name
      "ok_two{a=\"b\"} 2\n"
      "broken{a=\"b\" 3\n"
      "ok_three 3";  // no final newline
  ParsedText p = ParsePromText(text);
  ASSERT_EQ(p.samples.size(), 3u);
  EXPECT_EQ(p.samples[0].name, "ok_one");
  EXPECT_EQ(p.samples[0].value, 1);
  EXPECT_EQ(p.samples[1].name, "ok_two");
  EXPECT_EQ(p.samples[2].name, "ok_three");
  EXPECT_EQ(p.bad_lines, 5u);
  EXPECT_EQ(p.first_bad_line, 7u);
  ASSERT_EQ(p.types.size(), 1u);
  EXPECT_EQ(p.types[0].name, "ok_two");
}

TEST(PromTextTest, SurvivesBinaryGarbage) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) % 256));
  ParsedText p = ParsePromText(junk);
  EXPECT_GT(p.bad_lines, 0u);
  ParsedText empty = ParsePromText("");
  EXPECT_TRUE(empty.samples.empty());
  EXPECT_EQ(empty.bad_lines, 0u);
}

}  // namespace
}  // namespace hs::originmon
