// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The tap end to end on loopback: forwarding, keep-alive, framing, classification, tunnels.
#include "tap/proxy_server.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tap/proxy_test_fixture.h"
#include "tap/tap_test_util.h"

namespace hs::tap::test {
namespace {

using std::chrono::milliseconds;

TEST_F(ProxyTest, PlaylistThenSegmentOnOneKeptAliveConnection) {
  StartTap();
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
  c.Send(Get("/once.ts"));
  ASSERT_TRUE(c.WaitEof());
  EXPECT_EQ(c.received(), SentByOrigin(0));
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kNone);
  TestClient& c2 = NewClient();
  c2.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(2));
  EXPECT_FALSE(listener_.requests[1].reused_connection);
  EXPECT_EQ(origin_->connections_accepted(), 2);
}

TEST_F(ProxyTest, BodyUntilCloseAndHttp10) {
  origin_->Route("/noclen.ts", {200, Pattern(3000), "video/mp2t", OriginMode::kNoLength});
  StartTap();
  TestClient& c = NewClient();
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

TEST_F(ProxyTest, ResolveIpOverridesTheHost) {
  TapOptions o;
  o.resolve_ip = "127.0.0.1";
  StartTap(o);
  TestClient& c = NewClient();
  c.Send(
      fmt::format("GET http://cdn.example:{}/live/seg1.ts HTTP/1.1\r\nHost: cdn.example:{}\r\n\r\n",
                  origin_->port(), origin_->port()));
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].status, 200);
  EXPECT_EQ(listener_.requests[0].body_bytes, 50'000u);
  EXPECT_EQ(origin_->log()[0].header_lines[0],
            fmt::format("Host: cdn.example:{}", origin_->port()));
}

TEST_F(ProxyTest, SlowBodyTimings) {
  origin_->Route("/slow.ts",
                 {200, Pattern(5000), "video/mp2t", OriginMode::kSlowBody, 7, 5, milliseconds(40)});
  StartTap();
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
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

TEST_F(ProxyTest, ConnectTunnelCarriesBytesBothWays) {
  StartTap();
  TestClient& c = NewClient();
  const std::string inner = "GET /live/seg1.ts HTTP/1.1\r\nHost: x\r\n\r\n";
  c.Send(
      fmt::format("CONNECT 127.0.0.1:{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n"
                  "User-Agent: a/client-4\r\n\r\n",
                  origin_->port(), origin_->port()));
  const std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
  ASSERT_TRUE(c.WaitBytes(established.size()));
  EXPECT_EQ(c.received(), established);
  c.Send(inner);
  ASSERT_TRUE(RunUntil(
      loop_, [&] { return origin_->log().size() == 1; }, std::chrono::seconds(5)));
  ASSERT_TRUE(c.WaitBytes(established.size() + SentByOrigin(0).size()));
  EXPECT_EQ(c.received().substr(established.size()), SentByOrigin(0));
  c.Close();
  ASSERT_TRUE(RunUntil(
      loop_, [&] { return listener_.tunnels.size() == 1; }, std::chrono::seconds(5)));
  const TunnelRecord& t = listener_.tunnels[0];
  EXPECT_EQ(t.viewer_id, 4);
  EXPECT_EQ(t.bytes_up, inner.size());
  EXPECT_EQ(t.bytes_down, SentByOrigin(0).size());
  EXPECT_EQ(t.error, RequestError::kNone);
  EXPECT_EQ(t.authority, fmt::format("127.0.0.1:{}", origin_->port()));
  EXPECT_TRUE(listener_.requests.empty());
}

TEST_F(ProxyTest, PipelinedHeadAndPostRequests) {
  origin_->Route("/post", {200, "posted"});
  StartTap();
  TestClient& c = NewClient();
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

TEST_F(ProxyTest, SwitchingProtocolsBecomesATunnel) {
  const std::string upgrade =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nHELLO";
  origin_->Route("/ws", {200, upgrade, "", OriginMode::kRaw});
  StartTap();
  TestClient& c = NewClient();
  c.Send(Get("/ws", "Connection: Upgrade\r\nUpgrade: x\r\n"));
  ASSERT_TRUE(c.WaitBytes(upgrade.size()));
  EXPECT_EQ(c.received(), upgrade);
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].status, 101);
  EXPECT_EQ(listener_.requests[0].body_bytes, 0u);
  c.Close();
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return tap_->connection_count() == 0; }, std::chrono::seconds(2)));
}

}  // namespace
}  // namespace hs::tap::test
