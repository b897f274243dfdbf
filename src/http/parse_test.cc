// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/parse.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hs::http {
namespace {

struct RequestCase {
  std::string input;
  HeadStatus status;
  int error_status = 0;  // when kError
  TargetForm form = TargetForm::kAbsolute;
  std::string host{};
  int port = 0;
  std::string path{};
};

TEST(HttpParseTest, RequestHeads) {
  const std::vector<RequestCase> cases = {
      {"GET http://origin:8080/seg.ts HTTP/1.1\r\nHost: origin:8080\r\nRange: bytes=0-\r\n\r\n",
       HeadStatus::kComplete, 0, TargetForm::kAbsolute, "origin", 8080, "/seg.ts"},
      {"GET http://h/x?y=1 HTTP/1.0\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAbsolute, "h",
       80, "/x?y=1"},
      {"GET http://h HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAbsolute, "h", 80,
       "/"},
      {"GET http://[::1]:81/a HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAbsolute,
       "::1", 81, "/a"},
      {"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", HeadStatus::kComplete,
       0, TargetForm::kAuthority, "example.com", 443, ""},
      {"CONNECT [::1]:8443 HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAuthority,
       "::1", 8443, ""},
      {"GET /plain HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kOrigin, "", 0,
       "/plain"},
      {"OPTIONS * HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAsterisk, "", 0, ""},
      {"GET http://h/ HTTP/1.1\nHost: h\n\n", HeadStatus::kComplete, 0, TargetForm::kAbsolute, "h",
       80, "/"},
      {"\r\n\r\nGET http://h/ HTTP/1.1\r\n\r\n", HeadStatus::kComplete, 0, TargetForm::kAbsolute,
       "h", 80, "/"},
      {"GET http://h/ HTTP/1.1\r\nHost: h\r\n", HeadStatus::kIncomplete},
      {"GET http://h/ HTTP/1.1\r\n\r", HeadStatus::kIncomplete},
      {"", HeadStatus::kIncomplete},
      {"GET\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/\r\n\r\n", HeadStatus::kError, 400},
      {"GET  http://h/ HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/2.0\r\n\r\n", HeadStatus::kError, 505},
      {"GET http://h/ HTTX/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1x\r\n\r\n", HeadStatus::kError, 400},
      {"G(T http://h/ HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nNoColon\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nBad Name: x\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nHost : h\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nA: b\rc\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://h/ HTTP/1.1\r\nA: b\x01\r\n\r\n", HeadStatus::kError, 400},
      {std::string("GET http://h/\0 HTTP/1.1\r\n\r\n", 27), HeadStatus::kError, 400},
      {"CONNECT host HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"CONNECT host:99999 HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET ftp://h/ HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET http://:80/ HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"GET * HTTP/1.1\r\n\r\n", HeadStatus::kError, 400},
      {"\x16\x03\x01\x02\x10\x01\x01\x01\xfc\x03\x03\r\n\r\n", HeadStatus::kError, 400},
  };
  for (const RequestCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "input: " << c.input);
    RequestHeadParser p;
    ASSERT_EQ(p.Feed(c.input), c.status) << p.error();
    if (c.status == HeadStatus::kError) {
      EXPECT_EQ(p.error_status(), c.error_status);
      EXPECT_FALSE(p.error().empty());
    }
    if (c.status != HeadStatus::kComplete) continue;
    EXPECT_EQ(p.head_bytes(), c.input.size());
    EXPECT_EQ(p.head().form, c.form);
    EXPECT_EQ(p.head().host, c.host);
    EXPECT_EQ(p.head().port, c.port);
    EXPECT_EQ(p.head().path, c.path);
  }
}

TEST(HttpParseTest, RequestFieldsAndHostPort) {
  RequestHeadParser p;
  const std::string in =
      "GET http://127.0.0.1:8080/live/seg1.ts HTTP/1.1\r\nUser-Agent: x/client-3\r\n"
      "Accept: */*\r\nRange: bytes=0-\r\nConnection: close\r\nHost: 127.0.0.1:8080\r\n"
      "Icy-MetaData:1\r\n\r\nNEXT";
  ASSERT_EQ(p.Feed(in), HeadStatus::kComplete);
  const RequestHead& h = p.head();
  EXPECT_EQ(p.head_bytes(), in.size() - 4);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "http://127.0.0.1:8080/live/seg1.ts");
  EXPECT_EQ(h.minor_version, 1);
  ASSERT_EQ(h.headers.size(), 6u);
  EXPECT_EQ(h.headers[5].name, "Icy-MetaData");
  EXPECT_EQ(h.headers[5].value, "1");
  ASSERT_NE(h.Find("user-agent"), nullptr);
  EXPECT_EQ(*h.Find("USER-AGENT"), "x/client-3");
  EXPECT_EQ(h.Find("cookie"), nullptr);
  EXPECT_FALSE(h.KeepAlive());
  EXPECT_EQ(h.HostPort(), "127.0.0.1:8080");
  RequestHeadParser v6;
  ASSERT_EQ(v6.Feed("GET http://[::1]:8080/ HTTP/1.1\r\n\r\n"), HeadStatus::kComplete);
  EXPECT_EQ(v6.head().HostPort(), "[::1]:8080");
}

TEST(HttpParseTest, RequestHeadByteByByteMatchesWhole) {
  const std::string in = "GET http://h:1/a HTTP/1.1\r\nHost: h:1\r\nUser-Agent: u/client-9\r\n\r\n";
  RequestHeadParser p;
  for (size_t i = 1; i < in.size(); ++i) {
    ASSERT_EQ(p.Feed(std::string_view(in).substr(0, i)), HeadStatus::kIncomplete) << i;
  }
  ASSERT_EQ(p.Feed(in), HeadStatus::kComplete);
  EXPECT_EQ(p.head_bytes(), in.size());
  EXPECT_EQ(*p.head().Find("user-agent"), "u/client-9");
  p.Reset();
  ASSERT_EQ(p.Feed(in), HeadStatus::kComplete);
}

TEST(HttpParseTest, RequestHeadLimits) {
  const std::string big_header = "X-Big: " + std::string(20 * 1024, 'a') + "\r\n";
  {
    RequestHeadParser p(16 * 1024);
    EXPECT_EQ(p.Feed("GET http://h/ HTTP/1.1\r\n" + big_header), HeadStatus::kError);
    EXPECT_EQ(p.error_status(), 431);
  }
  {
    RequestHeadParser p(16 * 1024);
    EXPECT_EQ(p.Feed("GET http://h/ HTTP/1.1\r\n" + big_header + "\r\n"), HeadStatus::kError);
    EXPECT_EQ(p.error_status(), 431);
  }
  {
    RequestHeadParser p(16 * 1024);
    EXPECT_EQ(p.Feed(std::string(17 * 1024, '\n')), HeadStatus::kError);
    EXPECT_EQ(p.error_status(), 431);
  }
  {
    std::string many = "GET http://h/ HTTP/1.1\r\n";
    for (int i = 0; i < 200; ++i) many += "A: b\r\n";
    RequestHeadParser p(16 * 1024);
    EXPECT_EQ(p.Feed(many + "\r\n"), HeadStatus::kError);
    EXPECT_EQ(p.error_status(), 431);
  }
  {  // exactly at the limit is fine
    std::string head = "GET http://h/ HTTP/1.1\r\nX: ";
    head += std::string(16 * 1024 - head.size() - 4, 'v') + "\r\n\r\n";
    ASSERT_EQ(head.size(), 16u * 1024);
    RequestHeadParser p(16 * 1024);
    EXPECT_EQ(p.Feed(head), HeadStatus::kComplete);
  }
}

struct ResponseCase {
  std::string input;
  HeadStatus status;
  int code = 0;
  std::string reason{};
};

TEST(HttpParseTest, ResponseHeads) {
  const std::vector<ResponseCase> cases = {
      {"HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\n\r\n", HeadStatus::kComplete, 206,
       "Partial Content"},
      {"HTTP/1.1 200\r\n\r\n", HeadStatus::kComplete, 200, ""},
      {"HTTP/1.1 200 \r\n\r\n", HeadStatus::kComplete, 200, ""},
      {"HTTP/1.0 404 Not Found\n\n", HeadStatus::kComplete, 404, "Not Found"},
      {"HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n\r\n", HeadStatus::kComplete, 200, "OK"},
      {"HTTP/1.1 200 OK\r\n", HeadStatus::kIncomplete},
      {"HTTP/1.1 20 OK\r\n\r\n", HeadStatus::kError},
      {"HTTP/1.1 2000 OK\r\n\r\n", HeadStatus::kError},
      {"HTTP/1.1 099 OK\r\n\r\n", HeadStatus::kError},
      {"HTTP/2 200 OK\r\n\r\n", HeadStatus::kError},
      {"ICY 200 OK\r\n\r\n", HeadStatus::kError},
      {"HTTP/1.1 200 OK\r\nBad\r\n\r\n", HeadStatus::kError},
      {"<html>\r\n\r\n", HeadStatus::kError},
  };
  for (const ResponseCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "input: " << c.input);
    ResponseHeadParser p;
    ASSERT_EQ(p.Feed(c.input), c.status) << p.error();
    if (c.status != HeadStatus::kComplete) continue;
    EXPECT_EQ(p.head().status, c.code);
    EXPECT_EQ(p.head().reason, c.reason);
    EXPECT_EQ(p.head_bytes(), c.input.size());
  }
  ResponseHeadParser folded;
  ASSERT_EQ(folded.Feed("HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n\r\n"), HeadStatus::kComplete);
  EXPECT_EQ(*folded.head().Find("a"), "b c");
  ResponseHeadParser huge(1024);
  EXPECT_EQ(huge.Feed("HTTP/1.1 200 OK\r\nX: " + std::string(2000, 'x')), HeadStatus::kError);
}

TEST(HttpParseTest, KeepAliveRules) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 200 OK\r\n\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\n\r\n", false},
      {"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false},
      {"HTTP/1.0 200 OK\r\n\r\n", false},
      {"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n", true},
      {"HTTP/1.1 200 OK\r\nConnection: closed\r\n\r\n", true},
  };
  for (const Case& c : cases) {
    ResponseHeadParser p;
    ASSERT_EQ(p.Feed(c.head), HeadStatus::kComplete);
    EXPECT_EQ(p.head().KeepAlive(), c.keep_alive) << c.head;
  }
  RequestHeadParser r10;
  ASSERT_EQ(r10.Feed("GET http://h/ HTTP/1.0\r\nProxy-Connection: keep-alive\r\n\r\n"),
            HeadStatus::kComplete);
  EXPECT_FALSE(r10.head().KeepAlive());  // Proxy-Connection is not Connection
  RequestHeadParser r11;
  ASSERT_EQ(r11.Feed("GET http://h/ HTTP/1.1\r\n\r\n"), HeadStatus::kComplete);
  EXPECT_TRUE(r11.head().KeepAlive());
}

struct FramingCase {
  std::string head;
  std::string method;
  bool ok;
  Framing framing;
};

TEST(HttpParseTest, ResponseFramingChoice) {
  const std::vector<FramingCase> cases = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD", true, Framing::kNone},
      {"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", "GET", true, Framing::kNone},
      {"HTTP/1.1 304 Not Modified\r\n\r\n", "GET", true, Framing::kNone},
      {"HTTP/1.1 100 Continue\r\n\r\n", "GET", true, Framing::kNone},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "GET", true, Framing::kContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "GET", true, Framing::kContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n", "GET", true,
       Framing::kContentLength},
      {"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "GET", false, Framing::kNone},
      {"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", "GET", false, Framing::kNone},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "GET", false, Framing::kNone},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", true, Framing::kChunked},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", "GET", true,
       Framing::kChunked},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", "GET", true,
       Framing::kChunked},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET", true, Framing::kUntilClose},
      {"HTTP/1.1 200 OK\r\n\r\n", "GET", true, Framing::kUntilClose},
      {"HTTP/1.0 200 OK\r\n\r\n", "GET", true, Framing::kUntilClose},
  };
  for (const FramingCase& c : cases) {
    ResponseHeadParser p;
    ASSERT_EQ(p.Feed(c.head), HeadStatus::kComplete) << c.head;
    FramingChoice f = ResponseFraming(p.head(), c.method);
    EXPECT_EQ(f.ok, c.ok) << c.head;
    if (c.ok) {
      EXPECT_EQ(f.framer.framing(), c.framing) << c.head;
    }
  }
}

TEST(HttpParseTest, RequestFramingChoice) {
  const std::vector<FramingCase> cases = {
      {"GET http://h/ HTTP/1.1\r\n\r\n", "", true, Framing::kNone},
      {"POST http://h/ HTTP/1.1\r\nContent-Length: 3\r\n\r\n", "", true, Framing::kContentLength},
      {"POST http://h/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", "", true,
       Framing::kChunked},
      {"POST http://h/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", "",
       false, Framing::kNone},
      {"POST http://h/ HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "", false, Framing::kNone},
      {"POST http://h/ HTTP/1.1\r\nContent-Length: 3x\r\n\r\n", "", false, Framing::kNone},
  };
  for (const FramingCase& c : cases) {
    RequestHeadParser p;
    ASSERT_EQ(p.Feed(c.head), HeadStatus::kComplete) << c.head;
    FramingChoice f = RequestFraming(p.head());
    EXPECT_EQ(f.ok, c.ok) << c.head;
    if (c.ok) {
      EXPECT_EQ(f.framer.framing(), c.framing) << c.head;
    }
  }
}

TEST(HttpParseTest, ContentLengthAndUntilClose) {
  BodyFramer f = BodyFramer::ContentLength(5);
  std::string payload;
  EXPECT_EQ(f.Feed("abc", &payload), 3u);
  EXPECT_FALSE(f.done());
  EXPECT_EQ(f.Feed("deHTTP/1.1", &payload), 2u);
  EXPECT_TRUE(f.done());
  EXPECT_EQ(payload, "abcde");
  EXPECT_EQ(f.wire_bytes(), 5u);
  EXPECT_EQ(f.Feed("more", nullptr), 0u);

  BodyFramer cut = BodyFramer::ContentLength(5);
  cut.Feed("ab", nullptr);
  EXPECT_FALSE(cut.FinishOnEof());

  BodyFramer close = BodyFramer::UntilClose();
  EXPECT_EQ(close.Feed("anything", nullptr), 8u);
  EXPECT_FALSE(close.done());
  EXPECT_TRUE(close.FinishOnEof());
  EXPECT_TRUE(close.done());
  EXPECT_EQ(close.wire_bytes(), 8u);

  EXPECT_TRUE(BodyFramer().done());
  EXPECT_TRUE(BodyFramer::ContentLength(0).done());
}

constexpr std::string_view kChunkedBody =
    "5\r\nhello\r\n6;name=value\r\n world\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n"
    "X-Other: u\r\n\r\n";

TEST(HttpParseTest, ChunkedWhole) {
  BodyFramer f = BodyFramer::Chunked();
  std::string payload;
  const std::string in = std::string(kChunkedBody) + "HTTP/1.1 200 OK";
  EXPECT_EQ(f.Feed(in, &payload), kChunkedBody.size());
  EXPECT_TRUE(f.done());
  EXPECT_FALSE(f.error());
  EXPECT_EQ(payload, "hello world0123456789");
  EXPECT_EQ(f.wire_bytes(), kChunkedBody.size());
  EXPECT_EQ(f.payload_bytes(), 21u);
  EXPECT_TRUE(f.FinishOnEof());
}

TEST(HttpParseTest, ChunkedSplitAtEveryByte) {
  for (size_t split = 0; split <= kChunkedBody.size(); ++split) {
    BodyFramer f = BodyFramer::Chunked();
    std::string payload;
    size_t used = f.Feed(kChunkedBody.substr(0, split), &payload);
    EXPECT_EQ(used, split);
    EXPECT_EQ(f.done(), split == kChunkedBody.size()) << split;
    used += f.Feed(kChunkedBody.substr(split), &payload);
    EXPECT_EQ(used, kChunkedBody.size()) << split;
    EXPECT_TRUE(f.done()) << split;
    EXPECT_EQ(payload, "hello world0123456789") << split;
  }
  BodyFramer bytewise = BodyFramer::Chunked();
  std::string payload;
  for (char c : kChunkedBody) ASSERT_EQ(bytewise.Feed(std::string_view(&c, 1), &payload), 1u);
  EXPECT_TRUE(bytewise.done());
  EXPECT_EQ(payload, "hello world0123456789");
}

TEST(HttpParseTest, ChunkedNoTrailer) {
  BodyFramer f = BodyFramer::Chunked();
  EXPECT_EQ(f.Feed("0\r\n\r\n", nullptr), 5u);
  EXPECT_TRUE(f.done());
}

TEST(HttpParseTest, ChunkedErrors) {
  const std::vector<std::string> bad = {
      "zz\r\n",                                // not hex
      "\r\n",                                  // empty size
      "5\r\nhelloXX",                          // no CRLF after the data
      "5\nhello\r\n",                          // bare LF after the size
      "fffffffffffffffff\r\n",                 // 17 hex digits: overflow
      "5;" + std::string(5000, 'e') + "\r\n",  // endless extension
      "0\r\nX: " + std::string(20000, 't'),    // endless trailer
      "0\r\n\rX",                              // bad final CRLF
  };
  for (const std::string& in : bad) {
    BodyFramer f = BodyFramer::Chunked();
    f.Feed(in, nullptr);
    EXPECT_TRUE(f.error()) << in.substr(0, 40);
    EXPECT_FALSE(f.done());
  }
  BodyFramer cut = BodyFramer::Chunked();
  cut.Feed("5\r\nhel", nullptr);
  EXPECT_FALSE(cut.error());
  EXPECT_FALSE(cut.FinishOnEof());
}

TEST(HttpParseTest, TokensAndCase) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-length"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "content-lengt"));
  EXPECT_TRUE(HasToken("keep-alive, Upgrade", "upgrade"));
  EXPECT_TRUE(HasToken(" close ", "close"));
  EXPECT_FALSE(HasToken("closed", "close"));
  EXPECT_FALSE(HasToken("", "close"));
}

TEST(HttpParseTest, FindHeadEndResumes) {
  const std::string head = "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody";
  size_t pos = 0;
  for (size_t i = 1; i < head.size() - 4; ++i) {
    EXPECT_EQ(FindHeadEnd(std::string_view(head).substr(0, i), &pos), 0u) << i;
  }
  EXPECT_EQ(FindHeadEnd(head, &pos), head.size() - 4);
}

// Random bytes and mutated heads never crash or over-read (run under ASan in CI).
TEST(HttpParseTest, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string seed =
      "GET http://h:8080/a.ts HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n";
  for (int i = 0; i < 20000; ++i) {
    std::string in = seed;
    const int edits = static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      in[rng() % in.size()] = static_cast<char>(rng() & 0xff);
    }
    if (rng() % 4 == 0) in.resize(rng() % in.size());
    RequestHeadParser req(256);
    ResponseHeadParser resp(256);
    if (req.Feed(in) == HeadStatus::kComplete) {
      EXPECT_LE(req.head_bytes(), in.size());
      FramingChoice f = RequestFraming(req.head());
      if (f.ok) f.framer.Feed(std::string_view(in).substr(req.head_bytes()), nullptr);
    }
    resp.Feed(in);
    BodyFramer chunked = BodyFramer::Chunked();
    std::string payload;
    EXPECT_LE(chunked.Feed(in, &payload), in.size());
    EXPECT_LE(payload.size(), in.size());
  }
}

}  // namespace
}  // namespace hs::http
