// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The client over TLS against a loopback HTTPS server with an in-memory test PKI:
// verification on and off, wrong names, unknown CAs, session resumption, keep-alive.
#include "http/tls.h"

#include <signal.h>

#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "core/fs.h"
#include "http/client.h"
#include "http/http_test_util.h"
#include "http/tls_test_util.h"

namespace hs::http::test {
namespace {

using measure::RequestError;
using std::chrono::seconds;

struct TlsTest : testing::Test {
  void SetUp() override {
    // OpenSSL writes with write(2); the app ignores SIGPIPE (SignalWatcher), so does the test.
    ::signal(SIGPIPE, SIG_IGN);
    fds_before_ = CountOpenFds();
    auto dir = MakeTempDir("hs-tls-test");
    ASSERT_TRUE(dir.has_value());
    dir_ = *dir;
    ASSERT_TRUE(pki_.WriteCaFile(dir_ + "/ca.pem"));
    server_ = std::make_unique<TlsTestServer>(pki_);
    server_->Start();
  }
  void TearDown() override {
    conn_.reset();
    shared_.reset();
    tls_.reset();
    server_.reset();
    RemoveTree(dir_);
    EXPECT_EQ(CountOpenFds(), fds_before_) << "file descriptors leaked";
  }

  void UseTls(bool verify, const std::string& ca_file) {
    auto tls = TlsContext::Create(verify, ca_file);
    ASSERT_TRUE(tls.has_value()) << tls.error().detail;
    tls_ = std::move(*tls);
    shared_ = std::make_unique<ClientShared>(loop_, tls_.get());
    conn_ = std::make_unique<Connection>(*shared_);
  }

  Response Fetch(const std::string& host, const std::string& target = "/") {
    std::optional<Response> got;
    Request req;
    req.target = target;
    req.keep_body = target != "/big";
    conn_->Send(LoopbackEndpoint(server_->port(), true, host), req,
                [&](Response&& r) { got = std::move(r); });
    EXPECT_TRUE(RunUntil(
        loop_, [&] { return got.has_value(); }, seconds(5)))
        << "no answer";
    return got.value_or(Response{});
  }

  int fds_before_ = 0;
  std::string dir_;
  TestPki pki_;
  std::unique_ptr<TlsTestServer> server_;
  RealClock clock_;
  EventLoop loop_{clock_};
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<ClientShared> shared_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(TlsTest, VerifiedWithTheCaFileAndKeptAlive) {
  UseTls(true, pki_.ca_file);
  const Response r = Fetch("localhost");
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_GT(r.connect_time, r.ttfb * 0);
  const Response big = Fetch("localhost", "/big");
  EXPECT_EQ(big.error, RequestError::kNone) << big.error_detail;
  EXPECT_EQ(big.body_bytes, 200'000u);
  EXPECT_TRUE(big.reused);
  EXPECT_EQ(big.connect_time, Duration::zero());
  EXPECT_EQ(tls_->handshakes(), 1u);
  EXPECT_EQ(server_->handshakes(), 1);
}

TEST_F(TlsTest, AnIpLiteralIsVerifiedAgainstTheAddress) {
  UseTls(true, pki_.ca_file);
  const Response by_ip = Fetch("127.0.0.1");
  EXPECT_EQ(by_ip.error, RequestError::kNone) << by_ip.error_detail;
  conn_->Close();
  const Response no_name = Fetch("");
  EXPECT_EQ(no_name.error, RequestError::kNone) << no_name.error_detail;
}

TEST_F(TlsTest, UnknownCaFailsWithAClearDetail) {
  // The system store does not know the test CA.
  auto tls = TlsContext::Create(true, "");
  if (!tls) GTEST_SKIP() << "no system CA store: " << tls.error().detail;
  UseTls(true, "");
  const Response r = Fetch("localhost");
  EXPECT_EQ(r.error, RequestError::kTls);
  EXPECT_NE(r.error_detail.find("certificate verify failed: unable to get local issuer"),
            std::string::npos)
      << r.error_detail;
  EXPECT_FALSE(conn_->open());
}

TEST_F(TlsTest, VerificationOffAcceptsAnyCertificate) {
  UseTls(false, "");
  const Response r = Fetch("wrong.example");
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_EQ(r.body, "hello");
}

TEST_F(TlsTest, WrongHostNameFails) {
  UseTls(true, pki_.ca_file);
  const Response r = Fetch("wrong.example");
  EXPECT_EQ(r.error, RequestError::kTls);
  EXPECT_NE(r.error_detail.find("hostname mismatch"), std::string::npos) << r.error_detail;
}

TEST_F(TlsTest, MissingCaFileIsAStartupError) {
  auto tls = TlsContext::Create(true, dir_ + "/absent.pem");
  ASSERT_FALSE(tls.has_value());
  EXPECT_NE(tls.error().detail.find("absent.pem"), std::string::npos);
}

TEST_F(TlsTest, SecondConnectionResumesTheSession) {
  UseTls(true, pki_.ca_file);
  EXPECT_EQ(Fetch("localhost").error, RequestError::kNone);
  conn_->Close();  // the next request needs a new connection (and a new handshake)
  const Response r = Fetch("localhost");
  EXPECT_EQ(r.error, RequestError::kNone) << r.error_detail;
  EXPECT_FALSE(r.reused);
  EXPECT_EQ(tls_->handshakes(), 2u);
  EXPECT_EQ(tls_->resumptions(), 1u);
  EXPECT_EQ(tls_->cached_sessions(), 1u);
  EXPECT_EQ(server_->resumed(), 1);
  // Another host name is another cache entry: no resumption across names.
  conn_->Close();
  EXPECT_EQ(Fetch("127.0.0.1").error, RequestError::kNone);
  EXPECT_EQ(tls_->resumptions(), 1u);
  EXPECT_EQ(tls_->cached_sessions(), 2u);
}

TEST_F(TlsTest, SessionCacheIsBounded) {
  auto tls = TlsContext::Create(true, pki_.ca_file, 1);
  ASSERT_TRUE(tls.has_value());
  tls_ = std::move(*tls);
  shared_ = std::make_unique<ClientShared>(loop_, tls_.get());
  conn_ = std::make_unique<Connection>(*shared_);
  EXPECT_EQ(Fetch("localhost").error, RequestError::kNone);
  conn_->Close();
  EXPECT_EQ(Fetch("127.0.0.1").error, RequestError::kNone);
  conn_->Close();
  EXPECT_EQ(tls_->cached_sessions(), 1u);
  EXPECT_EQ(Fetch("localhost").error, RequestError::kNone);  // evicted: full handshake
  EXPECT_EQ(tls_->resumptions(), 0u);
}

TEST_F(TlsTest, PlainHttpToATlsServerIsABadResponseOrReset) {
  UseTls(true, pki_.ca_file);
  std::optional<Response> got;
  Request req;
  req.target = "/";
  req.ttfb_timeout = seconds(3);
  conn_->Send(LoopbackEndpoint(server_->port()), req, [&](Response&& r) { got = std::move(r); });
  ASSERT_TRUE(RunUntil(
      loop_, [&] { return got.has_value(); }, seconds(5)));
  EXPECT_NE(got->error, RequestError::kNone);
}

}  // namespace
}  // namespace hs::http::test
