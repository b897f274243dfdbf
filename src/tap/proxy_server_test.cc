// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The tap end to end on loopback: a test origin, the tap and raw clients on one EventLoop.
#include "tap/proxy_server.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tap/tap_test_util.h"

namespace hs::tap {
namespace {

using OriginMode = test::OriginRoute::Mode;
using std::chrono::milliseconds;

constexpr const char* kMedia =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
    "#EXTINF:2.000,\nseg0.ts\n#EXTINF:1.500,\nseg1.ts\n#EXT-X-ENDLIST\n";

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class RecordingListener : public TapListener {
 public:
  void OnRequestComplete(const RequestRecord& r) override { requests.push_back(r); }
  void OnTunnelClosed(const TunnelRecord& r) override { tunnels.push_back(r); }
  std::vector<RequestRecord> requests;
  std::vector<TunnelRecord> tunnels;
};

class ProxyTest : public testing::Test {
 protected:
  void SetUp() override {
    fds_before_ = test::CountOpenFds();
    origin_ = std::make_unique<test::TestOrigin>(loop_);
    ASSERT_TRUE(origin_->Listen());
    origin_->Route("/live/stream.m3u8", {200, kMedia, "application/vnd.apple.mpegurl"});
    origin_->Route("/live/seg0.ts", {200, Pattern(100'000), "video/mp2t"});
    origin_->Route("/live/seg1.ts", {200, Pattern(50'000), "video/mp2t"});
  }

  void TearDown() override {
    clients_.clear();
    tap_.reset();
    origin_.reset();
    for (int i = 0; i < 3; ++i) loop_.RunOnce(milliseconds(0));  // posted deletions
    EXPECT_EQ(test::CountOpenFds(), fds_before_) << "file descriptors leaked";
  }

  void StartTap(TapOptions options = {}) {
    tap_ = std::make_unique<TapServer>(loop_, std::move(options), &listener_);
    ASSERT_TRUE(tap_->Listen());
    ASSERT_GT(tap_->port(), 0);
  }

  test::TestClient& NewClient() {
    clients_.push_back(std::make_unique<test::TestClient>(loop_, tap_->port()));
    return *clients_.back();
  }

  // An absolute-form request as FFmpeg 5.1 sends it through a proxy.
  std::string Get(const std::string& path, const std::string& extra = "",
                  const std::string& method = "GET") const {
    return fmt::format(
        "{} {} HTTP/1.1\r\nUser-Agent: hls-swarm/0.1.0/client-7\r\nAccept: */*\r\n"
        "Range: bytes=0-\r\nHost: 127.0.0.1:{}\r\nProxy-Connection: keep-alive\r\n{}\r\n",
        method, origin_->Url(path), origin_->port(), extra);
  }

  bool WaitRecords(size_t n, Duration timeout = std::chrono::seconds(5)) {
    return test::RunUntil(
        loop_, [&] { return listener_.requests.size() >= n; }, timeout);
  }

  std::string SentByOrigin(size_t i) const { return origin_->log().at(i).sent; }

  RealClock clock_;
  EventLoop loop_{clock_};
  int fds_before_ = 0;
  RecordingListener listener_;
  std::unique_ptr<test::TestOrigin> origin_;
  std::unique_ptr<TapServer> tap_;
  std::vector<std::unique_ptr<test::TestClient>> clients_;
};

TEST_F(ProxyTest, PlaylistThenSegmentOnOneKeptAliveConnection) {
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/live/stream.m3u8"));
  ASSERT_TRUE(WaitRecords(1));
  ASSERT_TRUE(c.WaitBytes(SentByOrigin(0).size()));
  EXPECT_EQ(c.received(), SentByOrigin(0));
  c.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(2));
  const std::string both = SentByOrigin(0) + SentByOrigin(1);
  ASSERT_TRUE(c.WaitBytes(both.size()));
  EXPECT_EQ(c.received(), both);  // byte for byte, heads included

  const RequestRecord& pl = listener_.requests[0];
  EXPECT_EQ(pl.viewer_id, 7);
  EXPECT_EQ(pl.kind, RequestKind::kMediaPlaylist);
  EXPECT_EQ(pl.status, 206);
  EXPECT_EQ(pl.body_bytes, std::string(kMedia).size());
  EXPECT_EQ(pl.header_bytes + pl.body_bytes, SentByOrigin(0).size());
  EXPECT_FALSE(pl.reused_connection);
  EXPECT_EQ(pl.error, RequestError::kNone);
  EXPECT_GT(pl.connect_time.count(), 0);
  EXPECT_GT(pl.ttfb.count(), 0);
  EXPECT_GE(pl.total, pl.ttfb);
  EXPECT_EQ(pl.path, origin_->Url("/live/stream.m3u8"));

  const RequestRecord& seg = listener_.requests[1];
  EXPECT_EQ(seg.kind, RequestKind::kSegment);
  EXPECT_DOUBLE_EQ(seg.media_duration_s, 1.5);
  EXPECT_EQ(seg.status, 206);
  EXPECT_EQ(seg.body_bytes, 50'000u);
  EXPECT_TRUE(seg.reused_connection);
  EXPECT_EQ(seg.connect_time.count(), 0);

  // The origin saw origin-form requests on one connection, headers as sent minus
  // Proxy-Connection, Range untouched.
  ASSERT_EQ(origin_->log().size(), 2u);
  EXPECT_EQ(origin_->connections_accepted(), 1);
  const auto& req = origin_->log()[1];
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/live/seg1.ts");
  EXPECT_EQ(req.version, "HTTP/1.1");
  EXPECT_EQ(req.range, "bytes=0-");
  EXPECT_EQ(req.user_agent, "hls-swarm/0.1.0/client-7");
  EXPECT_EQ(req.header_lines,
            (std::vector<std::string>{"User-Agent: hls-swarm/0.1.0/client-7", "Accept: */*",
                                      "Range: bytes=0-",
                                      fmt::format("Host: 127.0.0.1:{}", origin_->port())}));
  EXPECT_EQ(tap_->stats().requests, 2u);
  EXPECT_EQ(tap_->stats().reused_requests, 1u);
  EXPECT_EQ(tap_->stats().upstream_connects, 1u);
  EXPECT_EQ(tap_->stats().request_errors, 0u);
}

TEST_F(ProxyTest, KindsFromMasterAndMediaPlaylists) {
  origin_->Route("/master.m3u8",
                 {200, "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nv0/index.m3u8\n", "text/plain"});
  origin_->Route("/v0/index.m3u8",
                 {200,
                  "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n"
                  "#EXT-X-KEY:METHOD=AES-128,URI=\"k.bin\"\n#EXTINF:3.975,\na.m4s\n",
                  "application/vnd.apple.mpegurl"});
  for (const char* p : {"/v0/init.mp4", "/v0/k.bin", "/v0/a.m4s", "/v0/b.m4s", "/other.bin"}) {
    origin_->Route(p, {200, "x"});
  }
  StartTap();
  test::TestClient& c = NewClient();
  const std::vector<std::string> paths = {"/master.m3u8", "/v0/index.m3u8", "/v0/init.mp4",
                                          "/v0/k.bin",    "/v0/a.m4s",      "/v0/b.m4s",
                                          "/other.bin"};
  for (size_t i = 0; i < paths.size(); ++i) {
    c.Send(Get(paths[i]));
    ASSERT_TRUE(WaitRecords(i + 1)) << paths[i];
  }
  const std::vector<RequestKind> kinds = {
      RequestKind::kMaster,  RequestKind::kMediaPlaylist, RequestKind::kInit, RequestKind::kKey,
      RequestKind::kSegment, RequestKind::kSegment,       RequestKind::kOther};
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(listener_.requests[i].kind, kinds[i]) << paths[i];
  }
  EXPECT_DOUBLE_EQ(listener_.requests[4].media_duration_s, 3.975);
  EXPECT_DOUBLE_EQ(listener_.requests[5].media_duration_s, -1);  // not in the playlist
}

TEST_F(ProxyTest, ChunkedPlaylistPassesThroughUnchangedAndIsParsed) {
  origin_->Route("/chunked.m3u8",
                 {200, kMedia, "application/vnd.apple.mpegurl", OriginMode::kChunked, 7});
  origin_->Route("/seg0.ts", {200, "s"});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/chunked.m3u8"));
  ASSERT_TRUE(WaitRecords(1));
  ASSERT_TRUE(c.WaitBytes(SentByOrigin(0).size()));
  EXPECT_EQ(c.received(), SentByOrigin(0));
  const RequestRecord& r = listener_.requests[0];
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.kind, RequestKind::kMediaPlaylist);
  EXPECT_EQ(r.header_bytes + r.body_bytes, SentByOrigin(0).size());  // chunk framing counted
  c.Send(Get("/seg0.ts"));
  ASSERT_TRUE(WaitRecords(2));
  EXPECT_EQ(listener_.requests[1].kind, RequestKind::kSegment);
  EXPECT_DOUBLE_EQ(listener_.requests[1].media_duration_s, 2.0);
  EXPECT_TRUE(listener_.requests[1].reused_connection);
}

TEST_F(ProxyTest, ErrorStatusesKeepTheConnection) {
  origin_->Route("/live/gone.ts", {404, "not here\n"});
  origin_->Route("/live/busy.ts", {503, "try later\n"});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/live/gone.ts"));
  ASSERT_TRUE(WaitRecords(1));
  c.Send(Get("/live/busy.ts"));
  ASSERT_TRUE(WaitRecords(2));
  ASSERT_TRUE(c.WaitBytes(SentByOrigin(0).size() + SentByOrigin(1).size()));
  EXPECT_EQ(c.received(), SentByOrigin(0) + SentByOrigin(1));
  EXPECT_EQ(listener_.requests[0].status, 404);
  EXPECT_EQ(listener_.requests[0].body_bytes, 9u);
  EXPECT_EQ(listener_.requests[0].error, RequestError::kNone);
  EXPECT_EQ(listener_.requests[1].status, 503);
  EXPECT_TRUE(listener_.requests[1].reused_connection);
  EXPECT_EQ(origin_->connections_accepted(), 1);
}

TEST_F(ProxyTest, ConnectionCloseFromOriginClosesTheClient) {
  origin_->Route("/once.ts",
                 {200, "abc", "video/mp2t", OriginMode::kNormal, 7, 5, milliseconds(40), true});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/once.ts"));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_EQ(c.received(), SentByOrigin(0));
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kNone);
  test::TestClient& c2 = NewClient();
  c2.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(2));
  EXPECT_FALSE(listener_.requests[1].reused_connection);
  EXPECT_EQ(origin_->connections_accepted(), 2);
}

TEST_F(ProxyTest, BodyUntilCloseAndHttp10) {
  origin_->Route("/noclen.ts", {200, Pattern(3000), "video/mp2t", OriginMode::kNoLength});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(
      fmt::format("GET {} HTTP/1.0\r\nUser-Agent: a/client-1\r\n\r\n", origin_->Url("/noclen.ts")));
  ASSERT_TRUE(c.WaitEof());
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(c.received(), SentByOrigin(0));
  EXPECT_EQ(listener_.requests[0].body_bytes, 3000u);
  EXPECT_EQ(listener_.requests[0].error, RequestError::kNone);
  EXPECT_EQ(origin_->log()[0].version, "HTTP/1.0");
  // A Host header was added for the HTTP/1.0 request that had none.
  EXPECT_EQ(origin_->log()[0].header_lines.back(),
            fmt::format("Host: 127.0.0.1:{}", origin_->port()));
}

TEST_F(ProxyTest, OriginClosingMidBodyIsTruncated) {
  origin_->Route("/cut.ts", {200, Pattern(40'000), "video/mp2t", OriginMode::kCloseMidBody});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/cut.ts"));
  ASSERT_TRUE(WaitRecords(1));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_EQ(c.received(), SentByOrigin(0));  // what the origin sent, then the close
  const RequestRecord& r = listener_.requests[0];
  EXPECT_EQ(r.error, RequestError::kTruncated);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body_bytes, 20'000u);
  EXPECT_EQ(tap_->stats().request_errors, 1u);
}

TEST_F(ProxyTest, OriginNeverAnsweringTimesOutWith504) {
  origin_->Route("/hang.ts", {200, "", "", OriginMode::kNeverAnswer});
  TapOptions o;
  o.io_timeout = milliseconds(300);
  StartTap(o);
  test::TestClient& c = NewClient();
  const SteadyTime t0 = clock_.Now();
  c.Send(Get("/hang.ts"));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_GE(clock_.Now() - t0, milliseconds(290));
  EXPECT_EQ(c.received().rfind("HTTP/1.1 504 Gateway Timeout\r\n", 0), 0u) << c.received();
  EXPECT_NE(c.received().find("Proxy-Status: hls-swarm-tap; error=connection_read_timeout"),
            std::string::npos);
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kTimeout);
  EXPECT_EQ(listener_.requests[0].status, 0);
  // The tap closed its upstream connection.
  EXPECT_TRUE(test::RunUntil(
      loop_, [&] { return origin_->open_connections() == 0; }, std::chrono::seconds(2)));
}

TEST_F(ProxyTest, OriginStallingMidBodyTimesOutAndCloses) {
  origin_->Route("/stall.ts", {200, Pattern(5000), "video/mp2t", OriginMode::kSlowBody, 7, 2,
                               milliseconds(1500)});
  TapOptions o;
  o.io_timeout = milliseconds(200);
  StartTap(o);
  test::TestClient& c = NewClient();
  c.Send(Get("/stall.ts"));
  ASSERT_TRUE(c.WaitEof());
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kTimeout);
  EXPECT_EQ(listener_.requests[0].status, 200);
  // The head had reached the client, so no 504: the connection is closed mid-body instead.
  EXPECT_EQ(c.received(), SentByOrigin(0).substr(0, c.received().size()));
  EXPECT_EQ(c.received().rfind("HTTP/1.1 200 X\r\n", 0), 0u);
}

TEST_F(ProxyTest, IdleAndTricklingClientsAreClosedByTimeouts) {
  TapOptions o;
  o.io_timeout = milliseconds(200);
  o.keepalive_timeout = milliseconds(600);
  StartTap(o);
  test::TestClient& idle = NewClient();
  idle.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(1));
  test::TestClient& trickle = NewClient();
  trickle.Send("GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: x");
  const SteadyTime t0 = clock_.Now();
  ASSERT_TRUE(trickle.WaitEof());
  const Duration trickle_closed = clock_.Now() - t0;
  EXPECT_GE(trickle_closed, milliseconds(190));
  EXPECT_LT(trickle_closed, milliseconds(550));  // the I/O timeout, not the keep-alive one
  EXPECT_FALSE(idle.eof());
  ASSERT_TRUE(idle.WaitEof());
  EXPECT_GE(clock_.Now() - t0, milliseconds(500));
  EXPECT_TRUE(test::RunUntil(
      loop_, [&] { return tap_->connection_count() == 0; }, std::chrono::seconds(1)));
}

TEST_F(ProxyTest, ConnectRefusedIs502) {
  int dead_port = 0;
  { UniqueFd probe = test::ListenLoopback(&dead_port); }  // bound, then closed: nobody listens
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(fmt::format("GET http://127.0.0.1:{}/x.ts HTTP/1.1\r\nUser-Agent: a/client-2\r\n\r\n",
                     dead_port));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_EQ(c.received().rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << c.received();
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kConnectRefused);
  EXPECT_EQ(listener_.requests[0].viewer_id, 2);
  EXPECT_EQ(listener_.requests[0].kind, RequestKind::kSegment);
  EXPECT_EQ(tap_->stats().upstream_connect_failures, 1u);
}

TEST_F(ProxyTest, UnresolvableHostIs502) {
  StartTap();
  test::TestClient& c = NewClient();
  c.Send("GET http://no-such-host.invalid/x.ts HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(c.WaitEof(std::chrono::seconds(15)));
  EXPECT_EQ(c.received().rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << c.received();
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kResolve);
}

TEST_F(ProxyTest, ResolveIpOverridesTheHost) {
  TapOptions o;
  o.resolve_ip = "127.0.0.1";
  StartTap(o);
  test::TestClient& c = NewClient();
  c.Send(
      fmt::format("GET http://cdn.example:{}/live/seg1.ts HTTP/1.1\r\nHost: cdn.example:{}\r\n\r\n",
                  origin_->port(), origin_->port()));
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].status, 200);
  EXPECT_EQ(listener_.requests[0].body_bytes, 50'000u);
  EXPECT_EQ(origin_->log()[0].header_lines[0],
            fmt::format("Host: cdn.example:{}", origin_->port()));
}

TEST_F(ProxyTest, ConnectTimeoutIs504) {
  // A listener whose accept queue is full drops further SYNs, so connect() hangs.
  int port = 0;
  UniqueFd full = test::ListenLoopback(&port, 0);
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) fillers.push_back(test::ConnectLoopback(port));
  test::RunUntil(
      loop_, [] { return false; }, milliseconds(50));
  TapOptions o;
  o.connect_timeout = milliseconds(300);
  StartTap(o);
  test::TestClient& c = NewClient();
  c.Send(fmt::format("GET http://127.0.0.1:{}/x.ts HTTP/1.1\r\n\r\n", port));
  ASSERT_TRUE(c.WaitEof());
  ASSERT_TRUE(WaitRecords(1));
  if (listener_.requests[0].error == RequestError::kNone) GTEST_SKIP() << "kernel accepted";
  EXPECT_EQ(listener_.requests[0].error, RequestError::kConnectTimeout);
  EXPECT_EQ(c.received().rfind("HTTP/1.1 504 Gateway Timeout\r\n", 0), 0u) << c.received();
}

TEST_F(ProxyTest, SlowBodyTimings) {
  origin_->Route("/slow.ts",
                 {200, Pattern(5000), "video/mp2t", OriginMode::kSlowBody, 7, 5, milliseconds(40)});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/slow.ts"));
  ASSERT_TRUE(WaitRecords(1));
  const RequestRecord& r = listener_.requests[0];
  EXPECT_EQ(r.error, RequestError::kNone);
  EXPECT_EQ(r.body_bytes, 5000u);
  EXPECT_LT(r.ttfb, milliseconds(35));    // the head came at once
  EXPECT_GE(r.total, milliseconds(190));  // 5 pieces, 40 ms apart
  ASSERT_TRUE(c.WaitBytes(SentByOrigin(0).size()));
  EXPECT_EQ(c.received(), SentByOrigin(0));
}

TEST_F(ProxyTest, TenMegabytesStreamWithBoundedMemory) {
  const std::string big = Pattern(10 * 1024 * 1024);
  origin_->Route("/big.ts", {200, big, "video/mp2t"});
  StartTap();
  test::TestClient& c = NewClient();
  c.SetReading(true, 16 * 1024);  // a slower reader than the origin writer
  c.Send(Get("/big.ts"));
  ASSERT_TRUE(c.WaitBytes(big.size() + 100, std::chrono::seconds(30)) ||
              c.received().size() > big.size());
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(c.received(), SentByOrigin(0));
  EXPECT_EQ(listener_.requests[0].body_bytes, big.size());
  EXPECT_LE(tap_->stats().buffered.peak, 64u * 1024 + 1024);
  EXPECT_EQ(tap_->stats().buffered.current, 0u);
}

TEST_F(ProxyTest, BadClientsDoNotDisturbAGoodOne) {
  origin_->Route("/slow.ts", {200, Pattern(20'000), "video/mp2t", OriginMode::kSlowBody, 7, 10,
                              milliseconds(30)});
  origin_->Route("/big.ts", {200, Pattern(4 * 1024 * 1024), "video/mp2t"});
  StartTap();
  test::TestClient& good = NewClient();
  good.Send(Get("/slow.ts"));
  test::TestClient& malformed = NewClient();
  malformed.Send("GARBAGE\r\n\r\n");
  test::TestClient& huge = NewClient();
  huge.Send("GET " + origin_->Url("/x") + " HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') +
            "\r\n\r\n");
  test::TestClient& junk = NewClient();
  junk.Send(std::string("\x16\x03\x01\x00\xff\x00\x00\x00", 8) + Pattern(100));
  test::TestClient& quitter = NewClient();
  quitter.Send(Get("/big.ts"));
  test::TestClient& origin_form = NewClient();
  origin_form.Send("GET /live/seg1.ts HTTP/1.1\r\nHost: x\r\n\r\n");

  ASSERT_TRUE(quitter.WaitBytes(100'000));
  quitter.Close(/*reset=*/true);
  junk.Close();
  ASSERT_TRUE(malformed.WaitEof());
  EXPECT_EQ(malformed.received().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
  ASSERT_TRUE(huge.WaitEof());
  EXPECT_EQ(huge.received().rfind("HTTP/1.1 431 Request Header Fields Too Large\r\n", 0), 0u)
      << huge.received().substr(0, 200);
  ASSERT_TRUE(origin_form.WaitEof());
  EXPECT_EQ(origin_form.received().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);

  ASSERT_TRUE(test::RunUntil(
      loop_, [&] { return listener_.requests.size() >= 2; }, std::chrono::seconds(5)));
  ASSERT_TRUE(good.WaitBytes(SentByOrigin(0).size()));
  EXPECT_EQ(good.received(), SentByOrigin(0));
  int aborted = 0, fine = 0;
  for (const RequestRecord& r : listener_.requests) {
    if (r.error == RequestError::kClientAborted) {
      ++aborted;
      // At least what reached the client, plus what the tap had already received.
      EXPECT_GE(r.body_bytes + r.header_bytes, 100'000u);
      EXPECT_EQ(r.status, 206);
    }
    if (r.error == RequestError::kNone && r.body_bytes == 20'000) ++fine;
  }
  EXPECT_EQ(aborted, 1);
  EXPECT_EQ(fine, 1);
  EXPECT_EQ(tap_->stats().bad_requests, 3u);
  EXPECT_TRUE(test::RunUntil(
      loop_, [&] { return tap_->connection_count() == 1; }, std::chrono::seconds(2)));
}

TEST_F(ProxyTest, ConnectTunnelCarriesBytesBothWays) {
  StartTap();
  test::TestClient& c = NewClient();
  const std::string inner = "GET /live/seg1.ts HTTP/1.1\r\nHost: x\r\n\r\n";
  c.Send(
      fmt::format("CONNECT 127.0.0.1:{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n"
                  "User-Agent: a/client-4\r\n\r\n",
                  origin_->port(), origin_->port()));
  const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
  ASSERT_TRUE(c.WaitBytes(established.size()));
  EXPECT_EQ(c.received(), established);
  c.Send(inner);
  ASSERT_TRUE(test::RunUntil(
      loop_, [&] { return origin_->log().size() == 1; }, std::chrono::seconds(5)));
  ASSERT_TRUE(c.WaitBytes(established.size() + SentByOrigin(0).size()));
  EXPECT_EQ(c.received().substr(established.size()), SentByOrigin(0));
  c.Close();
  ASSERT_TRUE(test::RunUntil(
      loop_, [&] { return listener_.tunnels.size() == 1; }, std::chrono::seconds(5)));
  const TunnelRecord& t = listener_.tunnels[0];
  EXPECT_EQ(t.viewer_id, 4);
  EXPECT_EQ(t.bytes_up, inner.size());
  EXPECT_EQ(t.bytes_down, SentByOrigin(0).size());
  EXPECT_EQ(t.error, RequestError::kNone);
  EXPECT_EQ(t.authority, fmt::format("127.0.0.1:{}", origin_->port()));
  EXPECT_TRUE(listener_.requests.empty());
}

TEST_F(ProxyTest, KeptAliveConnectionClosedByOriginIsRetriedOnce) {
  origin_->Route("/drop.ts", {200, "fresh", "video/mp2t", OriginMode::kDropReused});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(1));
  c.Send(Get("/drop.ts"));
  ASSERT_TRUE(WaitRecords(2));
  const RequestRecord& r = listener_.requests[1];
  EXPECT_EQ(r.error, RequestError::kNone);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.reused_connection);
  EXPECT_EQ(tap_->stats().keepalive_retries, 1u);
  EXPECT_EQ(origin_->connections_accepted(), 2);
  ASSERT_TRUE(c.WaitBytes(SentByOrigin(0).size() + origin_->log().back().sent.size()));
}

TEST_F(ProxyTest, IdleUpstreamClosedByOriginIsReplaced) {
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(1));
  origin_->CloseIdle();
  test::RunUntil(
      loop_, [] { return false; }, milliseconds(50));
  c.Send(Get("/live/seg0.ts"));
  ASSERT_TRUE(WaitRecords(2));
  EXPECT_EQ(listener_.requests[1].error, RequestError::kNone);
  EXPECT_FALSE(listener_.requests[1].reused_connection);
  EXPECT_EQ(tap_->stats().keepalive_retries, 0u);
  EXPECT_EQ(origin_->connections_accepted(), 2);
  EXPECT_FALSE(c.eof());
}

TEST_F(ProxyTest, PipelinedHeadAndPostRequests) {
  origin_->Route("/post", {200, "posted"});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/live/seg1.ts", "", "HEAD") + Get("/post", "Content-Length: 5\r\n", "POST") +
         "hello" + Get("/live/stream.m3u8"));
  ASSERT_TRUE(WaitRecords(3));
  const std::string all = SentByOrigin(0) + SentByOrigin(1) + SentByOrigin(2);
  ASSERT_TRUE(c.WaitBytes(all.size()));
  EXPECT_EQ(c.received(), all);
  EXPECT_EQ(listener_.requests[0].method, "HEAD");
  EXPECT_EQ(listener_.requests[0].body_bytes, 0u);
  EXPECT_EQ(origin_->log()[1].body, "hello");
  EXPECT_EQ(listener_.requests[2].kind, RequestKind::kMediaPlaylist);
  EXPECT_TRUE(listener_.requests[2].reused_connection);
  EXPECT_EQ(origin_->connections_accepted(), 1);
}

TEST_F(ProxyTest, BadAndOddResponses) {
  origin_->Route("/garbage", {200, "NOT HTTP AT ALL\r\n\r\n", "", OriginMode::kRaw});
  origin_->Route("/continue", {200,
                               "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
                               "Content-Length: 2\r\n\r\nok",
                               "", OriginMode::kRaw});
  origin_->Route(
      "/extra", {200, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", "", OriginMode::kRaw});
  origin_->Route("/badchunk", {200,
                               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "zz\r\n",
                               "", OriginMode::kRaw});
  StartTap();
  test::TestClient& a = NewClient();
  a.Send(Get("/garbage"));
  ASSERT_TRUE(a.WaitEof());
  EXPECT_EQ(a.received().rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u);
  test::TestClient& b = NewClient();
  b.Send(Get("/continue") + Get("/extra"));
  ASSERT_TRUE(WaitRecords(3));
  const std::string extra_ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_TRUE(b.WaitBytes(SentByOrigin(1).size() + extra_ok.size()));
  EXPECT_EQ(b.received(), SentByOrigin(1) + extra_ok);  // the origin's extra bytes dropped
  EXPECT_EQ(listener_.requests[0].error, RequestError::kBadResponse);
  EXPECT_EQ(listener_.requests[1].status, 200);
  EXPECT_EQ(listener_.requests[1].body_bytes, 2u);
  EXPECT_EQ(listener_.requests[2].body_bytes, 2u);
  test::TestClient& d = NewClient();
  d.Send(Get("/badchunk"));
  ASSERT_TRUE(d.WaitEof());
  ASSERT_TRUE(WaitRecords(4));
  EXPECT_EQ(listener_.requests[3].error, RequestError::kBadResponse);
  EXPECT_EQ(listener_.requests[3].status, 200);
}

TEST_F(ProxyTest, SwitchingProtocolsBecomesATunnel) {
  const std::string upgrade =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nHELLO";
  origin_->Route("/ws", {200, upgrade, "", OriginMode::kRaw});
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(Get("/ws", "Connection: Upgrade\r\nUpgrade: x\r\n"));
  ASSERT_TRUE(c.WaitBytes(upgrade.size()));
  EXPECT_EQ(c.received(), upgrade);
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].status, 101);
  EXPECT_EQ(listener_.requests[0].body_bytes, 0u);
  c.Close();
  EXPECT_TRUE(test::RunUntil(
      loop_, [&] { return tap_->connection_count() == 0; }, std::chrono::seconds(2)));
}

TEST_F(ProxyTest, RequestToTheTapItselfIsRefused) {
  StartTap();
  test::TestClient& c = NewClient();
  c.Send(fmt::format("GET http://127.0.0.1:{}/x HTTP/1.1\r\n\r\n", tap_->port()));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_EQ(c.received().rfind("HTTP/1.1 508 Loop Detected\r\n", 0), 0u);
  EXPECT_EQ(tap_->stats().connections_accepted, 1u);
  EXPECT_EQ(tap_->ProxyUrl(), fmt::format("http://127.0.0.1:{}", tap_->port()));
}

TEST_F(ProxyTest, ListenRejectsBadOptions) {
  TapOptions o;
  o.resolve_ip = "not-an-ip";
  TapServer tap(loop_, o, nullptr);
  EXPECT_FALSE(tap.Listen());
  TapOptions o2;
  o2.listen_address = "localhost";
  TapServer tap2(loop_, o2, nullptr);
  EXPECT_FALSE(tap2.Listen());
}

}  // namespace
}  // namespace hs::tap
