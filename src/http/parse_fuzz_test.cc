// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// A bounded, seeded fuzz test of the response side of http/parse.h as the client drives it:
// ResponseHeadParser on a growing buffer, then ResponseFraming and BodyFramer. Mutated
// responses (bit flips, truncations, huge header lines, bogus chunk sizes, overflowing
// lengths) are fed whole and in random splits; both runs must agree and respect the
// invariants. Run under ASan+UBSan (-DHLS_SWARM_SANITIZE=ON) to catch memory errors and UB.
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/parse.h"

namespace hs::http {
namespace {

constexpr int kCases = 20'000;

/// Everything observable about one response, whichever way it was fed.
struct Outcome {
  HeadStatus head = HeadStatus::kIncomplete;
  size_t head_bytes = 0;
  int status = 0;
  bool framing_ok = false;
  Framing framing = Framing::kNone;
  bool done = false;
  bool error = false;
  std::uint64_t wire_bytes = 0;
  std::uint64_t payload_bytes = 0;
  std::string payload;
  size_t body_consumed = 0;
  bool eof_ends_body = false;

  bool operator==(const Outcome&) const = default;
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 400)) {
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 32 && c < 127) {
      out += c;
    } else {
      out += "\\x" + std::to_string(static_cast<unsigned char>(c));
    }
  }
  return out;
}

// Feeds \a msg cut at \a cuts (increasing offsets; msg.size() last). Checks invariants with
// EXPECTs and returns what happened.
Outcome Feed(const std::string& msg, const std::vector<size_t>& cuts, const std::string& method) {
  Outcome o;
  ResponseHeadParser parser;
  BodyFramer framer;
  bool in_body = false;
  size_t body_start = 0;
  for (size_t cut : cuts) {
    if (!in_body) {
      o.head = parser.Feed(std::string_view(msg.data(), cut));
      if (o.head == HeadStatus::kError) return o;
      if (o.head == HeadStatus::kIncomplete) continue;
      o.head_bytes = parser.head_bytes();
      EXPECT_LE(o.head_bytes, cut);
      o.status = parser.head().status;
      EXPECT_GE(o.status, 100);
      EXPECT_LE(o.status, 999);
      FramingChoice choice = ResponseFraming(parser.head(), method);
      o.framing_ok = choice.ok;
      if (!choice.ok) return o;
      framer = choice.framer;
      o.framing = framer.framing();
      in_body = true;
      body_start = o.head_bytes;
    }
    if (framer.done() || framer.error() || cut <= body_start) continue;
    const std::string_view piece(msg.data() + body_start, cut - body_start);
    const size_t used = framer.Feed(piece, &o.payload);
    EXPECT_LE(used, piece.size());
    if (used < piece.size()) {
      EXPECT_TRUE(framer.done() || framer.error());
    }
    body_start += used;
    o.body_consumed += used;
  }
  if (!in_body) return o;
  o.done = framer.done();
  o.error = framer.error();
  EXPECT_FALSE(o.done && o.error);
  o.wire_bytes = framer.wire_bytes();
  o.payload_bytes = framer.payload_bytes();
  EXPECT_EQ(o.payload_bytes, o.payload.size());
  EXPECT_EQ(o.wire_bytes, o.body_consumed);
  EXPECT_LE(o.payload_bytes, o.wire_bytes);
  if (o.done) {
    EXPECT_EQ(framer.Feed("more", nullptr), 0u);
  }
  o.eof_ends_body = framer.FinishOnEof();
  return o;
}

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  size_t Below(size_t n) {
    return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  bool OneIn(size_t n) { return Below(n) == 0; }

  std::string Body(size_t max) {
    std::string b(Below(max), '\0');
    for (char& c : b) c = static_cast<char>('a' + Below(26));
    return b;
  }

  std::string Chunked() {
    std::string out;
    for (size_t n = Below(5); n > 0; --n) {
      const std::string piece = Body(40) + "x";
      char size[32];
      std::snprintf(size, sizeof(size), OneIn(2) ? "%zx" : "%zX", piece.size());
      out += size + std::string(OneIn(4) ? ";name=value" : "") + "\r\n" + piece + "\r\n";
    }
    out += "0\r\n";
    if (OneIn(3)) out += "X-Trailer: yes\r\n";
    return out + "\r\n";
  }

  std::string Valid() {
    static const char* kStatus[] = {"200 OK",        "206 Partial", "204 No Content", "304 NM",
                                    "404 Not Found", "503 Busy",    "100 Continue",   "302 Found"};
    std::string head = std::string(OneIn(6) ? "HTTP/1.0 " : "HTTP/1.1 ") + kStatus[Below(8)] +
                       (OneIn(5) ? "\n" : "\r\n");
    head += "Server: fuzz\r\nContent-Type: application/vnd.apple.mpegurl\r\n";
    if (OneIn(4)) head += "Connection: " + std::string(OneIn(2) ? "close" : "keep-alive") + "\r\n";
    const std::string body = Body(200);
    switch (Below(3)) {
      case 0:
        return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      case 1:
        return head + "Transfer-Encoding: chunked\r\n\r\n" + Chunked();
      default:
        return head + "\r\n" + body;  // until close
    }
  }

  void Mutate(std::string& m) {
    switch (Below(8)) {
      case 0:  // bit flips
        for (size_t n = 1 + Below(8); n > 0 && !m.empty(); --n) {
          m[Below(m.size())] ^= static_cast<char>(1u << Below(8));
        }
        break;
      case 1:  // truncation
        m.resize(Below(m.size() + 1));
        break;
      case 2: {  // special bytes
        static const char kSpecial[] = "\r\n: ;0fF\t\x00\x7f-";
        for (size_t n = 1 + Below(4); n > 0 && !m.empty(); --n) {
          m[Below(m.size())] = kSpecial[Below(sizeof(kSpecial) - 1)];
        }
        break;
      }
      case 3:  // a huge header line (beyond the head limit, or just under it)
        m.insert(m.find("\r\n") == std::string::npos ? 0 : m.find("\r\n") + 2,
                 "X-Huge: " + std::string(OneIn(2) ? 40'000 : 30'000, 'h') + "\r\n");
        break;
      case 4: {  // bogus chunk size
        static const char* kSizes[] = {
            "ffffffffffffffffffff", "-1", "0x10", " 5", "", "10000000000000000",
            "7fffffffffffffff",     "g"};
        m = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
            std::string(kSizes[Below(8)]) + "\r\n" + Body(30) + "\r\n0\r\n\r\n";
        break;
      }
      case 5: {  // overflowing or malformed Content-Length
        static const char* kLengths[] = {"99999999999999999999999",
                                         "18446744073709551616",
                                         "18446744073709551615",
                                         "1, 2",
                                         "-5",
                                         "+3",
                                         "0x10",
                                         "3 3"};
        m = "HTTP/1.1 200 OK\r\nContent-Length: " + std::string(kLengths[Below(8)]) + "\r\n\r\nabc";
        break;
      }
      case 6:  // both framings
        m.insert(m.find("\r\n") == std::string::npos ? 0 : m.find("\r\n") + 2,
                 "Transfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n");
        break;
      default:  // duplicate a slice
        if (!m.empty()) {
          const size_t at = Below(m.size());
          m.insert(at, m.substr(at, Below(64)));
        }
    }
  }

  std::vector<size_t> Cuts(size_t size) {
    std::vector<size_t> cuts;
    const size_t max_piece = OneIn(4) ? 3 : (OneIn(2) ? 64 : 4096);
    for (size_t at = 0; at < size;) {
      at = std::min(size, at + 1 + Below(max_piece));
      cuts.push_back(at);
    }
    if (cuts.empty()) cuts.push_back(0);
    return cuts;
  }

 private:
  std::mt19937 rng_;
};

TEST(HttpParseFuzzTest, SplitFeedingAgreesWithWholeFeeding) {
  Generator gen(20260101);
  const auto t0 = std::chrono::steady_clock::now();
  int complete = 0, incomplete = 0, errors = 0;
  for (int i = 0; i < kCases; ++i) {
    std::string msg = gen.Valid();
    for (size_t n = gen.OneIn(5) ? 0 : 1 + gen.Below(2); n > 0; --n) gen.Mutate(msg);
    const std::string method = gen.OneIn(10) ? "HEAD" : "GET";
    const Outcome whole = Feed(msg, {msg.size()}, method);
    const Outcome split = Feed(msg, gen.Cuts(msg.size()), method);
    if (!(whole == split) || testing::Test::HasFailure()) {
      ADD_FAILURE() << "case " << i << " differs or breaks an invariant: " << Escape(msg);
      break;
    }
    const bool bad_framing = whole.head == HeadStatus::kComplete && !whole.framing_ok;
    if (whole.head == HeadStatus::kError || bad_framing || whole.error) {
      ++errors;
    } else if (whole.done) {
      ++complete;
    } else {
      ++incomplete;
    }
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  // Every class of outcome must be exercised, or the corpus has drifted into one corner.
  EXPECT_GT(complete, kCases / 10);
  EXPECT_GT(incomplete, kCases / 20);
  EXPECT_GT(errors, kCases / 20);
  RecordProperty("complete", complete);
  RecordProperty("incomplete", incomplete);
  RecordProperty("errors", errors);
  std::printf("fuzz: %d complete, %d need more, %d errors in %lld ms\n", complete, incomplete,
              errors,
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
}

}  // namespace
}  // namespace hs::http
