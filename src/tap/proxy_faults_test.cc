// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The tap end to end on loopback: origin faults, timeouts, bad clients and bad responses.
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

TEST_F(ProxyTest, OriginClosingMidBodyIsTruncated) {
  origin_->Route("/cut.ts", {200, Pattern(40'000), "video/mp2t", OriginMode::kCloseMidBody});
  StartTap();
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
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
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return origin_->open_connections() == 0; }, std::chrono::seconds(2)));
}

TEST_F(ProxyTest, OriginStallingMidBodyTimesOutAndCloses) {
  origin_->Route("/stall.ts", {200, Pattern(5000), "video/mp2t", OriginMode::kSlowBody, 7, 2,
                               milliseconds(1500)});
  TapOptions o;
  o.io_timeout = milliseconds(200);
  StartTap(o);
  TestClient& c = NewClient();
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
  TestClient& idle = NewClient();
  idle.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(1));
  TestClient& trickle = NewClient();
  trickle.Send("GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: x");
  const SteadyTime t0 = clock_.Now();
  ASSERT_TRUE(trickle.WaitEof());
  const Duration trickle_closed = clock_.Now() - t0;
  EXPECT_GE(trickle_closed, milliseconds(190));
  EXPECT_LT(trickle_closed, milliseconds(550));  // the I/O timeout, not the keep-alive one
  EXPECT_FALSE(idle.eof());
  ASSERT_TRUE(idle.WaitEof());
  EXPECT_GE(clock_.Now() - t0, milliseconds(500));
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return tap_->connection_count() == 0; }, std::chrono::seconds(1)));
}

TEST_F(ProxyTest, ConnectRefusedIs502) {
  int dead_port = 0;
  { UniqueFd probe = ListenLoopback(&dead_port); }  // bound, then closed: nobody listens
  StartTap();
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
  c.Send("GET http://no-such-host.invalid/x.ts HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(c.WaitEof(std::chrono::seconds(15)));
  EXPECT_EQ(c.received().rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << c.received();
  ASSERT_TRUE(WaitRecords(1));
  EXPECT_EQ(listener_.requests[0].error, RequestError::kResolve);
}

TEST_F(ProxyTest, ConnectTimeoutIs504) {
  // A listener whose accept queue is full drops further SYNs, so connect() hangs.
  int port = 0;
  UniqueFd full = ListenLoopback(&port, 0);
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) fillers.push_back(ConnectLoopback(port));
  RunUntil(
      loop_, [] { return false; }, milliseconds(50));
  TapOptions o;
  o.connect_timeout = milliseconds(300);
  StartTap(o);
  TestClient& c = NewClient();
  c.Send(fmt::format("GET http://127.0.0.1:{}/x.ts HTTP/1.1\r\n\r\n", port));
  ASSERT_TRUE(c.WaitEof());
  ASSERT_TRUE(WaitRecords(1));
  if (listener_.requests[0].error == RequestError::kNone) GTEST_SKIP() << "kernel accepted";
  EXPECT_EQ(listener_.requests[0].error, RequestError::kConnectTimeout);
  EXPECT_EQ(c.received().rfind("HTTP/1.1 504 Gateway Timeout\r\n", 0), 0u) << c.received();
}

TEST_F(ProxyTest, BadClientsDoNotDisturbAGoodOne) {
  origin_->Route("/slow.ts", {200, Pattern(20'000), "video/mp2t", OriginMode::kSlowBody, 7, 10,
                              milliseconds(30)});
  origin_->Route("/big.ts", {200, Pattern(4 * 1024 * 1024), "video/mp2t"});
  StartTap();
  TestClient& good = NewClient();
  good.Send(Get("/slow.ts"));
  TestClient& malformed = NewClient();
  malformed.Send("GARBAGE\r\n\r\n");
  TestClient& huge = NewClient();
  huge.Send("GET " + origin_->Url("/x") + " HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'a') +
            "\r\n\r\n");
  TestClient& junk = NewClient();
  junk.Send(std::string("\x16\x03\x01\x00\xff\x00\x00\x00", 8) + Pattern(100));
  TestClient& quitter = NewClient();
  quitter.Send(Get("/big.ts"));
  TestClient& origin_form = NewClient();
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

  ASSERT_TRUE(RunUntil(
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
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return tap_->connection_count() == 1; }, std::chrono::seconds(2)));
}

TEST_F(ProxyTest, KeptAliveConnectionClosedByOriginIsRetriedOnce) {
  origin_->Route("/drop.ts", {200, "fresh", "video/mp2t", OriginMode::kDropReused});
  StartTap();
  TestClient& c = NewClient();
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
  TestClient& c = NewClient();
  c.Send(Get("/live/seg1.ts"));
  ASSERT_TRUE(WaitRecords(1));
  origin_->CloseIdle();
  RunUntil(
      loop_, [] { return false; }, milliseconds(50));
  c.Send(Get("/live/seg0.ts"));
  ASSERT_TRUE(WaitRecords(2));
  EXPECT_EQ(listener_.requests[1].error, RequestError::kNone);
  EXPECT_FALSE(listener_.requests[1].reused_connection);
  EXPECT_EQ(tap_->stats().keepalive_retries, 0u);
  EXPECT_EQ(origin_->connections_accepted(), 2);
  EXPECT_FALSE(c.eof());
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
  TestClient& a = NewClient();
  a.Send(Get("/garbage"));
  ASSERT_TRUE(a.WaitEof());
  EXPECT_EQ(a.received().rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u);
  TestClient& b = NewClient();
  b.Send(Get("/continue") + Get("/extra"));
  ASSERT_TRUE(WaitRecords(3));
  const std::string extra_ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_TRUE(b.WaitBytes(SentByOrigin(1).size() + extra_ok.size()));
  EXPECT_EQ(b.received(), SentByOrigin(1) + extra_ok);  // the origin's extra bytes dropped
  EXPECT_EQ(listener_.requests[0].error, RequestError::kBadResponse);
  EXPECT_EQ(listener_.requests[1].status, 200);
  EXPECT_EQ(listener_.requests[1].body_bytes, 2u);
  EXPECT_EQ(listener_.requests[2].body_bytes, 2u);
  TestClient& d = NewClient();
  d.Send(Get("/badchunk"));
  ASSERT_TRUE(d.WaitEof());
  ASSERT_TRUE(WaitRecords(4));
  EXPECT_EQ(listener_.requests[3].error, RequestError::kBadResponse);
  EXPECT_EQ(listener_.requests[3].status, 200);
}

TEST_F(ProxyTest, RequestToTheTapItselfIsRefused) {
  StartTap();
  TestClient& c = NewClient();
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
}  // namespace hs::tap::test
