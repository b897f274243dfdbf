// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The HTTP client against a scripted loopback server on the same loop: keep-alive, framing,
// timeouts, faults, retries, cancellation, and no fd left open.
#include "http/client.h"

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/net.h"
#include "http/http_test_util.h"

namespace hs::http::test {
namespace {

using measure::RequestError;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct ClientTest : testing::Test {
  void SetUp() override { fds_before_ = CountOpenFds(); }
  void TearDown() override {
    conn_.reset();
    // The server closes its side once it reads the client's FIN.
    RunUntil(
        loop_, [&] { return server_->open_connections() == 0; }, seconds(2));
    EXPECT_EQ(CountOpenFds(), fds_before_) << "file descriptors leaked";
  }

  static Request Get(const std::string& target, bool keep_body = true) {
    Request r;
    r.target = target;
    r.keep_body = keep_body;
    r.extra_headers = "User-Agent: hls-swarm-test\r\n";
    return r;
  }

  /// Sends \a req on conn_ and runs the loop until done (at most \a limit).
  Response Fetch(const Endpoint& to, Request req, Duration limit = seconds(5)) {
    std::optional<Response> got;
    conn_->Send(to, std::move(req), [&](Response&& r) { got = std::move(r); });
    EXPECT_FALSE(got.has_value()) << "done ran inside Send()";
    EXPECT_TRUE(RunUntil(
        loop_, [&] { return got.has_value(); }, limit))
        << "no answer";
    return got.value_or(Response{});
  }
  Response Fetch(Request req) { return Fetch(server_->endpoint(), std::move(req)); }

  int fds_before_ = 0;
  RealClock clock_;
  EventLoop loop_{clock_};
  ClientShared shared_{loop_, nullptr};
  std::unique_ptr<ScriptedServer> server_ = std::make_unique<ScriptedServer>(loop_);
  std::unique_ptr<Connection> conn_ = std::make_unique<Connection>(shared_);
};

TEST_F(ClientTest, KeepAliveCarriesSeveralRequestsOnOneConnection) {
  server_->Route("/a", {Ok("alpha")});
  server_->Route("/b", {Ok("bravo!")});
  for (int i = 0; i < 3; ++i) {
    const Response r = Fetch(Get(i == 1 ? "/b" : "/a"));
    EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, i == 1 ? "bravo!" : "alpha");
    EXPECT_EQ(r.body_bytes, r.body.size());
    EXPECT_EQ(r.reused, i > 0);
    EXPECT_FALSE(r.keepalive_retry);
    EXPECT_EQ(r.content_type, "text/plain");
    EXPECT_EQ(r.remote, "127.0.0.1:" + std::to_string(server_->port()));
    EXPECT_GT(r.header_bytes, 40u);
    EXPECT_LE(r.ttfb, r.total);
    EXPECT_EQ(r.connect_time == Duration::zero(), i > 0);
    EXPECT_TRUE(conn_->open());
    EXPECT_FALSE(conn_->busy());
  }
  EXPECT_EQ(server_->accepted(), 1);
  ASSERT_EQ(server_->log().size(), 3u);
  const std::string& head = server_->log()[0].head;
  EXPECT_EQ(head.rfind("GET /a HTTP/1.1\r\nHost: 127.0.0.1:", 0), 0u) << head;
  EXPECT_NE(head.find("\r\nUser-Agent: hls-swarm-test\r\n\r\n"), std::string::npos) << head;
  EXPECT_EQ(shared_.counters().connects, 1u);
  EXPECT_EQ(shared_.counters().requests, 3u);
}

TEST_F(ClientTest, HostHeaderAndDoneMaySendTheNextRequest) {
  server_->Route("/a", {Ok("1")});
  Request first = Get("/a");
  first.host_header = "cdn.example:8080";
  std::vector<Response> got;
  const Endpoint to = server_->endpoint();
  conn_->Send(to, first, [&](Response&& r) {
    got.push_back(std::move(r));
    conn_->Send(to, Get("/a"), [&](Response&& r2) { got.push_back(std::move(r2)); });
  });
  ASSERT_TRUE(RunUntil(
      loop_, [&] { return got.size() == 2; }, seconds(5)));
  EXPECT_TRUE(got[1].reused);
  EXPECT_NE(server_->log()[0].head.find("\r\nHost: cdn.example:8080\r\n"), std::string::npos);
}

TEST_F(ClientTest, DiscardedBodyIsCountedNotKept) {
  const std::string big(300'000, 'x');
  server_->Route("/seg.ts", {Ok(big)});
  const Response r = Fetch(Get("/seg.ts", false));
  EXPECT_EQ(r.error, RequestError::kNone);
  EXPECT_EQ(r.body_bytes, big.size());
  EXPECT_TRUE(r.body.empty());
  const Response kept = Fetch(Get("/seg.ts", true));
  EXPECT_EQ(kept.body, big);
  EXPECT_TRUE(kept.reused);
}

TEST_F(ClientTest, ChunkedBodyCountsWireBytes) {
  const std::string body_wire = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n";
  server_->Route("/c", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body_wire});
  const Response r = Fetch(Get("/c"));
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.body_bytes, body_wire.size());
  EXPECT_TRUE(Fetch(Get("/c")).reused);
}

TEST_F(ClientTest, HeadAndBodySplitIntoSmallPiecesAreReassembled) {
  const std::string raw = "HTTP/1.1 200 OK\r\nX-Long: " + std::string(300, 'v') +
                          "\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  server_->Route("/slow", {raw, Reply::Action::kTrickle, 7});
  const Response r = Fetch(Get("/slow"));
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "abc");
  EXPECT_EQ(r.header_bytes + r.body_bytes, raw.size());
}

TEST_F(ClientTest, UntilCloseBodyEndsWithTheConnection) {
  server_->Route("/u", {"HTTP/1.1 200 OK\r\n\r\nuntil close", Reply::Action::kSendClose});
  const Response r = Fetch(Get("/u"));
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "until close");
  EXPECT_FALSE(conn_->open());
  server_->Route("/a", {Ok("next")});
  const Response next = Fetch(Get("/a"));
  EXPECT_FALSE(next.reused);
  EXPECT_EQ(server_->accepted(), 2);
}

TEST_F(ClientTest, Http10WithoutKeepAliveReconnects) {
  server_->Route("/10", {"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"});
  server_->Route("/10ka",
                 {"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"});
  EXPECT_EQ(Fetch(Get("/10")).body, "hi");
  EXPECT_FALSE(conn_->open());
  EXPECT_FALSE(Fetch(Get("/10ka")).reused);
  EXPECT_TRUE(Fetch(Get("/10ka")).reused);
  EXPECT_EQ(server_->accepted(), 2);
}

TEST_F(ClientTest, ConnectionCloseIsHonoured) {
  server_->Route("/close", {Ok("bye", "Connection: close\r\n")});
  EXPECT_EQ(Fetch(Get("/close")).status, 200);
  EXPECT_FALSE(conn_->open());
  const Response r = Fetch(Get("/close"));
  EXPECT_FALSE(r.reused);
  EXPECT_EQ(server_->accepted(), 2);
}

TEST_F(ClientTest, StatusLocationHeadInterimAndNoBodyResponses) {
  server_->Route("/r", {"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"});
  server_->Route("/404", {"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"});
  server_->Route("/503", {"HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy"});
  server_->Route("/304", {"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"});
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: x\r\n\r\n";
  server_->Route("/1xx", {interim + "HTTP/1.1 204 No Content\r\n\r\n"});
  server_->Route("/head", {"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"});
  const Response redirect = Fetch(Get("/r"));
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.location, "/elsewhere");
  EXPECT_EQ(Fetch(Get("/404")).status, 404);
  const Response busy = Fetch(Get("/503"));
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(busy.error, RequestError::kNone);
  EXPECT_EQ(busy.body, "busy");
  EXPECT_EQ(Fetch(Get("/304")).status, 304);
  const Response no_content = Fetch(Get("/1xx"));
  EXPECT_EQ(no_content.status, 204);
  EXPECT_EQ(no_content.header_bytes, interim.size() + 27);
  Request head = Get("/head");
  head.method = "HEAD";
  const Response h = Fetch(head);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body_bytes, 0u);
  EXPECT_TRUE(Fetch(Get("/404")).reused);  // every one of these kept the connection
  EXPECT_EQ(server_->accepted(), 1);
}

TEST_F(ClientTest, ConnectRefused) {
  const int port = FreeLoopbackPort();
  ASSERT_NE(port, 0);
  const Response r = Fetch(LoopbackEndpoint(port), Get("/"));
  EXPECT_EQ(r.error, RequestError::kConnectRefused) << r.error_detail;
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(conn_->open());
}

TEST_F(ClientTest, ConnectTimeoutOnAFullBacklog) {
  // A listener that never accepts, with its accept queue full: Linux drops further SYNs, so
  // the next connect stays in SYN-SENT (loopback only; nothing leaves the machine).
  int port = 0;
  UniqueFd listener = ListenLoopback(&port, 0);
  std::vector<UniqueFd> fillers;
  for (int i = 0; i < 4; ++i) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const Endpoint e = LoopbackEndpoint(port);
    ::connect(fd.Get(), reinterpret_cast<const sockaddr*>(&e.addr), e.addr_len);
    fillers.push_back(std::move(fd));
  }
  Request req = Get("/");
  req.connect_timeout = milliseconds(300);
  const SteadyTime t0 = clock_.Now();
  const Response r = Fetch(LoopbackEndpoint(port), req);
  if (r.error != RequestError::kConnectTimeout) {
    GTEST_SKIP() << "this kernel completed the connect: " << measure::ToString(r.error);
  }
  EXPECT_GE(clock_.Now() - t0, milliseconds(290));
  EXPECT_LT(r.total, seconds(2));
}

TEST_F(ClientTest, ServerThatNeverAnswersTimesOut) {
  server_->Route("/hang", {"", Reply::Action::kNever});
  Request req = Get("/hang");
  req.ttfb_timeout = milliseconds(200);
  const Response r = Fetch(req);
  EXPECT_EQ(r.error, RequestError::kTimeout);
  EXPECT_GE(r.total, milliseconds(190));
  EXPECT_FALSE(conn_->open());
  // A body that stalls after its first bytes hits the total timeout instead.
  server_->Route("/stall", {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"});
  Request stall = Get("/stall");
  stall.total_timeout = milliseconds(250);
  const Response s = Fetch(stall);
  EXPECT_EQ(s.error, RequestError::kTimeout);
  EXPECT_EQ(s.status, 200);
  EXPECT_EQ(s.body_bytes, 3u);
}

TEST_F(ClientTest, CloseMidBodyIsTruncated) {
  server_->Route("/cut", {"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(50, 'a'),
                          Reply::Action::kSendClose});
  const Response r = Fetch(Get("/cut"));
  EXPECT_EQ(r.error, RequestError::kTruncated);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body_bytes, 50u);
  server_->Route("/cutchunk", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                               Reply::Action::kSendClose});
  EXPECT_EQ(Fetch(Get("/cutchunk")).error, RequestError::kTruncated);
  server_->Route("/cuthead", {"HTTP/1.1 200 OK\r\nContent-", Reply::Action::kSendClose});
  EXPECT_EQ(Fetch(Get("/cuthead")).error, RequestError::kReset);
}

TEST_F(ClientTest, CloseBeforeTheResponseIsResetWithoutRetryOnAFreshConnection) {
  server_->Route("/drop", {"", Reply::Action::kCloseNow});
  const Response r = Fetch(Get("/drop"));
  EXPECT_EQ(r.error, RequestError::kReset) << r.error_detail;
  EXPECT_FALSE(r.keepalive_retry);
  EXPECT_EQ(server_->accepted(), 1);
}

TEST_F(ClientTest, ReusedConnectionDroppedByTheServerIsRetriedOnce) {
  server_->Route("/d", {Ok("fresh"), Reply::Action::kDropIfReused});
  EXPECT_EQ(Fetch(Get("/d")).body, "fresh");
  const Response r = Fetch(Get("/d"));
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "fresh");
  EXPECT_TRUE(r.keepalive_retry);
  EXPECT_FALSE(r.reused);
  EXPECT_GT(r.connect_time, Duration::zero());
  EXPECT_EQ(server_->accepted(), 2);
  EXPECT_EQ(shared_.counters().keepalive_retries, 1u);
}

TEST_F(ClientTest, IdleConnectionClosedByTheServerIsNoticedAndReplaced) {
  server_->Route("/a", {Ok("a")});
  EXPECT_EQ(Fetch(Get("/a")).status, 200);
  server_->CloseIdle();
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return !conn_->open(); }, seconds(2)));
  const Response r = Fetch(Get("/a"));
  EXPECT_EQ(r.error, RequestError::kNone);
  EXPECT_FALSE(r.reused);
  EXPECT_FALSE(r.keepalive_retry);
}

TEST_F(ClientTest, BadResponsesAndOversizedBodies) {
  server_->Route("/garbage", {"SPDY/3 200 OK\r\n\r\n"});
  server_->Route("/badchunk", {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"});
  server_->Route("/twolengths",
                 {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"});
  server_->Route("/big", {Ok(std::string(5000, 'b'))});
  EXPECT_EQ(Fetch(Get("/garbage")).error, RequestError::kBadResponse);
  EXPECT_EQ(Fetch(Get("/badchunk")).error, RequestError::kBadResponse);
  EXPECT_EQ(Fetch(Get("/twolengths")).error, RequestError::kBadResponse);
  Request big = Get("/big");
  big.max_body_bytes = 1000;
  const Response r = Fetch(big);
  EXPECT_EQ(r.error, RequestError::kBadResponse);
  EXPECT_NE(r.error_detail.find("max_body_bytes"), std::string::npos);
  EXPECT_EQ(Fetch(Get("/big", false)).error, RequestError::kNone);  // discarded: no limit
}

TEST_F(ClientTest, CancelThenDestroyCallsNothing) {
  server_->Route("/hang", {"", Reply::Action::kNever});
  bool called = false;
  conn_->Send(server_->endpoint(), Get("/hang"), [&](Response&&) { called = true; });
  ASSERT_TRUE(RunUntil(
      loop_, [&] { return server_->log().size() == 1; }, seconds(2)));
  conn_->Cancel();
  EXPECT_FALSE(conn_->busy());
  EXPECT_FALSE(conn_->open());
  conn_.reset();
  RunUntil(
      loop_, [] { return false; }, milliseconds(50));
  EXPECT_FALSE(called);
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return server_->open_connections() == 0; }, seconds(2)));
}

TEST_F(ClientTest, ImmediateFailureIsDeliveredLaterAndDestroyingBeforeItIsSafe) {
  const Endpoint https = LoopbackEndpoint(server_->port(), true);
  const Response r = Fetch(https, Get("/"));  // Fetch checks done did not run inside Send
  EXPECT_EQ(r.error, RequestError::kTls);
  bool called = false;
  conn_->Send(https, Get("/"), [&](Response&&) { called = true; });
  conn_.reset();
  RunUntil(
      loop_, [] { return false; }, milliseconds(20));
  EXPECT_FALSE(called);
}

TEST_F(ClientTest, SendingElsewhereClosesTheOldConnection) {
  ScriptedServer other(loop_);
  server_->Route("/a", {Ok("a")});
  other.Route("/b", {Ok("b")});
  EXPECT_EQ(Fetch(Get("/a")).body, "a");
  const Response r = Fetch(other.endpoint(), Get("/b"));
  EXPECT_EQ(r.body, "b");
  EXPECT_FALSE(r.reused);
  EXPECT_TRUE(RunUntil(
      loop_, [&] { return server_->open_connections() == 0; }, seconds(2)));
}

}  // namespace
}  // namespace hs::http::test
