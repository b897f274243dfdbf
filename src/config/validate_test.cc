// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "config/validate.h"

#include <string>

#include <gtest/gtest.h>

namespace hs::config {
namespace {

TEST(CheckStreamUrlTest, AcceptsHttpAndHttps) {
  struct Case {
    const char* url;
    const char* want;
  };
  const Case cases[] = {
      {"http://origin/stream.m3u8", "http://origin/stream.m3u8"},
      {"https://cdn.example.com:8443/live/master.m3u8?token=a&b=c",
       "https://cdn.example.com:8443/live/master.m3u8?token=a&b=c"},
      {"HTTP://Origin:8080/x.m3u8", "http://Origin:8080/x.m3u8"},
      {"http://[::1]:8080/x.m3u8", "http://[::1]:8080/x.m3u8"},
      {"http://127.0.0.1", "http://127.0.0.1"},
      {"http://user:pw@host/x", "http://user:pw@host/x"},
      {"http://host#frag", "http://host#frag"},
  };
  for (const Case& c : cases) {
    Result<std::string> got = CheckStreamUrl(c.url);
    ASSERT_TRUE(got.has_value()) << c.url << ": " << got.error().detail;
    EXPECT_EQ(*got, c.want);
  }
}

TEST(CheckStreamUrlTest, RejectsWithReason) {
  struct Case {
    const char* url;
    const char* detail_part;
  };
  const Case cases[] = {
      {"origin/stream.m3u8", "must start with http:// or https://"},
      {"ftp://origin/x", "must start with http:// or https://"},
      {"", "must start with http://"},
      {"http://", "has no host"},
      {"http:///x.m3u8", "has no host"},
      {"http://:8080/x", "has no host"},
      {"http://host:0/x", "port '0' is not a number 1..65535"},
      {"http://host:99999/x", "port '99999'"},
      {"http://host:http/x", "port 'http'"},
      {"http://host:/x", "port ''"},
      {"http://[::1/x", "unclosed '['"},
      {"http://[nothex]/x", "not an IPv6 address"},
      {"http://[::1]x/", "unexpected text after ']'"},
      {"http://host/a b", "contains a space"},
      {"http://host/a\r\nb", "control character"},
  };
  for (const Case& c : cases) {
    Result<std::string> got = CheckStreamUrl(c.url);
    ASSERT_FALSE(got.has_value()) << c.url;
    EXPECT_NE(got.error().detail.find(c.detail_part), std::string::npos)
        << c.url << " -> " << got.error().detail;
  }
}

TEST(CheckHeaderTest, Table) {
  struct Case {
    const char* header;
    bool ok;
  };
  const Case cases[] = {
      {"X-Test: 1", true}, {"X-Test:1", true},     {"Authorization: Bearer a.b", true},
      {"X-Empty:", true},  {"X-Tab:\tv", true},    {"NoColon", false},
      {": v", false},      {"Bad Name: v", false}, {"X: a\r\nEvil: 1", false},
      {"X: a\nb", false},  {"X: a\x01", false},    {"X(y): v", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckHeader(c.header).has_value(), c.ok) << c.header;
  }
  EXPECT_EQ(CheckHeader("X: a\rb").error().detail, "contains CR or LF (one header per -header)");
}

TEST(ParseHostPortTest, Table) {
  struct Case {
    const char* text;
    bool ok;
    const char* host;
    int port;
  };
  const Case cases[] = {
      {"127.0.0.1:9100", true, "127.0.0.1", 9100},
      {":9090", true, "0.0.0.0", 9090},
      {"[::1]:9100", true, "::1", 9100},
      {"localhost:1", true, "127.0.0.1", 1},
      {"0.0.0.0:0", true, "0.0.0.0", 0},
      {"9090", false, "", 0},
      {"::1:9090", false, "", 0},
      {"host.example:9090", false, "", 0},
      {"1.2.3.4:65536", false, "", 0},
      {"1.2.3.4:", false, "", 0},
      {"[1.2.3.4]:80", false, "", 0},
  };
  for (const Case& c : cases) {
    Result<HostPort> got = ParseHostPort(c.text);
    ASSERT_EQ(got.has_value(), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(got->host, c.host);
      EXPECT_EQ(got->port, c.port);
    }
  }
}

TEST(ParseShardTest, Table) {
  EXPECT_EQ(ParseShard("0/1")->count, 1);
  EXPECT_EQ(ParseShard("3/4")->index, 3);
  for (const char* bad : {"4/4", "1", "-1/4", "0/0", "a/b", "1/", "/2", "0/10001", "1/2/3"}) {
    EXPECT_FALSE(ParseShard(bad).has_value()) << bad;
  }
}

TEST(ParseIntegerTest, Strict) {
  EXPECT_EQ(ParseInteger("42"), 42);
  EXPECT_EQ(ParseInteger("+42"), 42);
  EXPECT_EQ(ParseInteger("-7"), -7);
  for (const char* bad :
       {"", " 1", "1 ", "1.0", "0x10", "1e3", "++1", "+-1", "+", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInteger(bad).has_value()) << bad;
  }
}

TEST(IsIpLiteralTest, Table) {
  EXPECT_TRUE(IsIpLiteral("192.168.1.50"));
  EXPECT_TRUE(IsIpLiteral("::1"));
  EXPECT_TRUE(IsIpLiteral("2001:db8::5"));
  EXPECT_FALSE(IsIpLiteral("example.com"));
  EXPECT_FALSE(IsIpLiteral("[::1]"));
  EXPECT_FALSE(IsIpLiteral("1.2.3"));
  EXPECT_FALSE(IsIpLiteral(""));
}

}  // namespace
}  // namespace hs::config
