// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/url.h"

#include <string>

#include <gtest/gtest.h>

namespace hs::hls {
namespace {

struct GoodUrl {
  const char* url;
  const char* scheme;
  const char* host;
  int port;
  const char* path_and_query;
  const char* host_port;
  const char* host_header;
};

TEST(UrlTest, ParsesValidUrls) {
  const GoodUrl cases[] = {
      {"http://example.com/live/stream.m3u8", "http", "example.com", 80, "/live/stream.m3u8",
       "example.com:80", "example.com"},
      {"https://cdn.example.com/a.m3u8?token=x,y", "https", "cdn.example.com", 443,
       "/a.m3u8?token=x,y", "cdn.example.com:443", "cdn.example.com"},
      {"HTTP://Example.COM:8080", "http", "example.com", 8080, "/", "example.com:8080",
       "example.com:8080"},
      {"http://127.0.0.1:1/x#frag", "http", "127.0.0.1", 1, "/x", "127.0.0.1:1", "127.0.0.1:1"},
      {"http://[::1]:8443/hls/x.m3u8", "http", "::1", 8443, "/hls/x.m3u8", "[::1]:8443",
       "[::1]:8443"},
      {"https://[2001:db8::7]/", "https", "2001:db8::7", 443, "/", "[2001:db8::7]:443",
       "[2001:db8::7]"},
      {"http://user:pw@host:65535?q=1", "http", "host", 65535, "/?q=1", "host:65535", "host:65535"},
  };
  for (const GoodUrl& c : cases) {
    SCOPED_TRACE(c.url);
    Result<UrlParts> parts = ParseHttpUrl(c.url);
    ASSERT_TRUE(parts) << parts.error().detail;
    EXPECT_EQ(parts->scheme, c.scheme);
    EXPECT_EQ(parts->host, c.host);
    EXPECT_EQ(parts->port, c.port);
    EXPECT_EQ(parts->path_and_query, c.path_and_query);
    EXPECT_EQ(parts->HostPort(), c.host_port);
    EXPECT_EQ(parts->HostHeader(), c.host_header);
  }
}

TEST(UrlTest, KeepsUserinfoAndPortFlag) {
  Result<UrlParts> parts = ParseHttpUrl("http://user:pw@host/x");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->userinfo, "user:pw");
  EXPECT_FALSE(parts->port_explicit);
  EXPECT_TRUE(ParseHttpUrl("http://host:80/")->port_explicit);
}

TEST(UrlTest, RejectsMalformedUrlsWithAReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "empty URL"},
      {"example.com/stream.m3u8", "has no scheme"},
      {"//example.com/x", "has no scheme"},
      {"http:/example.com/x", "has no scheme"},
      {"ftp://example.com/x", "unsupported scheme \"ftp\""},
      {"rtmp://example.com/x", "unsupported scheme"},
      {"http:///x", "empty host"},
      {"http://:8080/x", "empty host"},
      {"http://host:0/", "bad port \"0\""},
      {"http://host:65536/", "bad port \"65536\""},
      {"http://host:80a/", "bad port \"80a\""},
      {"http://host:/", "bad port \"\""},
      {"http://host:-1/", "bad port"},
      {"http://exa mple.com/", "space or control character at offset 10"},
      {"http://example.com/a b.m3u8", "space or control character"},
      {"http://example.com/x\n", "space or control character"},
      {"http://[::1/x", "unterminated IPv6"},
      {"http://[zz::1]/x", "invalid IPv6"},
      {"http://[127.0.0.1]/x", "invalid IPv6"},
      {"http://[::1]x/", "junk after IPv6"},
      {"http://ho$t/", "invalid character '$'"},
  };
  for (const auto& [url, want] : cases) {
    SCOPED_TRACE(url);
    Result<UrlParts> parts = ParseHttpUrl(url);
    ASSERT_FALSE(parts);
    EXPECT_EQ(parts.error().code, ErrorCode::kUsage);
    EXPECT_NE(parts.error().detail.find(want), std::string::npos) << parts.error().detail;
  }
}

TEST(UrlTest, ResolvesRfc3986Examples) {
  // RFC 3986 §5.4.1 normal and §5.4.2 abnormal examples (fragments are dropped by design).
  const char* base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},
      {";x", "http://a/b/c/;x"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},
      {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},
      {"g/../h", "http://a/b/c/h"},
      {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},
  };
  for (const auto& [ref, want] : cases) {
    EXPECT_EQ(ResolveUrl(base, ref), want) << "ref " << ref;
  }
}

TEST(UrlTest, ResolvesHlsStyleReferences) {
  const char* master = "https://cdn.example.com:8443/live/master.m3u8?token=abc";
  EXPECT_EQ(ResolveUrl(master, "720p/index.m3u8"),
            "https://cdn.example.com:8443/live/720p/index.m3u8");
  EXPECT_EQ(ResolveUrl(master, "/other/x.m3u8"), "https://cdn.example.com:8443/other/x.m3u8");
  EXPECT_EQ(ResolveUrl(master, "../vod/seg1.ts?sig=1"),
            "https://cdn.example.com:8443/vod/seg1.ts?sig=1");
  EXPECT_EQ(ResolveUrl(master, "http://other.example/x.ts"), "http://other.example/x.ts");
  EXPECT_EQ(ResolveUrl(master, "//edge.example/x.ts"), "https://edge.example/x.ts");
  EXPECT_EQ(ResolveUrl("http://h", "seg.ts"), "http://h/seg.ts");
  EXPECT_EQ(ResolveUrl("http://h/dir/", "seg.ts"), "http://h/dir/seg.ts");
  EXPECT_EQ(ResolveUrl("http://[::1]:8080/a/b.m3u8", "c.ts"), "http://[::1]:8080/a/c.ts");
  EXPECT_EQ(ResolveUrl("", "relative.ts"), "relative.ts");
}

}  // namespace
}  // namespace hs::hls

namespace hs::hls {
namespace {

TEST(WithHostTest, ReplacesHostKeepsPortAndPath) {
  EXPECT_EQ(WithHost("http://cdn.example:8080/a/b.m3u8?t=1", "192.0.2.1"),
            "http://192.0.2.1:8080/a/b.m3u8?t=1");
  EXPECT_EQ(WithHost("https://cdn.example/x.m3u8", "2001:db8::1"), "https://[2001:db8::1]/x.m3u8");
  EXPECT_EQ(WithHost("not a url", "192.0.2.1"), "not a url");
}

}  // namespace
}  // namespace hs::hls
