// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// TLS interception: the run's CA and its leaves (checked with OpenSSL's own verifier), a round
// trip CONNECT → TLS → requests through the tap to a loopback HTTPS origin, and an origin
// whose certificate the tap must refuse.
#include "tap/tls_intercept.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "core/fs.h"
#include "http/tls_test_util.h"
#include "tap/proxy_server.h"
#include "tap/proxy_test_fixture.h"

namespace hs::tap::test {
namespace {

using std::chrono::seconds;

X509Ptr ParsePem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509Ptr x(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  return x;
}

std::string PemOf(X509* x) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void*>(&data));
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

// X509_verify_cert of \a leaf against \a ca alone, for \a host (DNS name or IP literal).
int Verify(X509* ca, X509* leaf, const std::string& host, bool ip) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
  }
  const int ok = X509_verify_cert(ctx);
  const int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok == 1 ? X509_V_OK : err;
}

TEST(CertAuthorityTest, LeavesVerifyAgainstTheRunsCaOnly) {
  auto ca = CertAuthority::Create();
  ASSERT_TRUE(ca) << ca.error().detail;
  X509* dns = (*ca)->Leaf("cdn.example.com");
  X509* ip = (*ca)->Leaf("10.0.0.1");
  X509* ip6 = (*ca)->Leaf("::1");
  ASSERT_NE(dns, nullptr);
  ASSERT_NE(ip, nullptr);
  ASSERT_NE(ip6, nullptr);
  EXPECT_EQ((*ca)->Leaf("cdn.example.com"), dns) << "leaves are cached per name";
  EXPECT_EQ((*ca)->leaf_count(), 3u);

  X509* root = (*ca)->ca();
  EXPECT_EQ(Verify(root, dns, "cdn.example.com", false), X509_V_OK);
  EXPECT_EQ(Verify(root, ip, "10.0.0.1", true), X509_V_OK);
  EXPECT_EQ(Verify(root, ip6, "::1", true), X509_V_OK);
  // The name is in the SAN: another name or address does not verify.
  EXPECT_EQ(Verify(root, dns, "other.example.com", false), X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(Verify(root, ip, "10.0.0.2", true), X509_V_ERR_IP_ADDRESS_MISMATCH);
  // A leaf is no CA: it cannot sign for anyone.
  EXPECT_NE(Verify(dns, ip, "10.0.0.1", true), X509_V_OK);

  // Each run has its own CA: another run's leaves do not verify with this one.
  auto other = CertAuthority::Create();
  ASSERT_TRUE(other);
  EXPECT_NE(Verify(root, (*other)->Leaf("cdn.example.com"), "cdn.example.com", false), X509_V_OK);

  // The PEM given to FFmpeg (-ca_file) is the same certificate.
  X509Ptr parsed = ParsePem((*ca)->CaPem());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(X509_cmp(parsed.get(), root), 0);
  EXPECT_EQ(Verify(parsed.get(), dns, "cdn.example.com", false), X509_V_OK);
}

// What one client thread saw: the CONNECT answer and each response (head + body), in order.
struct ClientResult {
  std::string connect_reply;
  std::string verify_error;  // the client's verification of the tap's leaf, "" when fine
  std::string responses;
  bool handshake_ok = false;
};

// A blocking client in the shape of FFmpeg through -http_proxy: CONNECT, TLS (verifying the
// tap's leaf against \a ca_pem for \a host), then \a requests on the one connection; reads
// until \a expect_bytes of responses arrived or the peer closed. Every call has a 5 s timeout.
ClientResult RunClient(int tap_port, const std::string& host, int port, const std::string& ca_pem,
                       const std::vector<std::string>& paths, size_t expect_bytes) {
  ClientResult out;
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval tv{5, 0};
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(tap_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return out;
  const std::string connect = fmt::format(
      "CONNECT {0}:{1} HTTP/1.1\r\nUser-Agent: hls-swarm/0.1.0/client-3\r\nHost: {0}:{1}\r\n\r\n",
      host, port);
  if (::send(fd.Get(), connect.data(), connect.size(), MSG_NOSIGNAL) < 0) return out;
  char c;
  while (out.connect_reply.find("\r\n\r\n") == std::string::npos &&
         out.connect_reply.size() < 4096 && ::recv(fd.Get(), &c, 1, 0) == 1) {
    out.connect_reply += c;
  }
  if (out.connect_reply.rfind("HTTP/1.1 200", 0) != 0) return out;

  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
  X509Ptr ca = ParsePem(ca_pem);
  if (ca) X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), ca.get());
  SSL_CTX_set_verify(ctx.get(), ca ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, void (*)(SSL*)> ssl(SSL_new(ctx.get()), SSL_free);
  SSL_set_fd(ssl.get(), fd.Get());
  SSL_set1_host(ssl.get(), host.c_str());
  SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(host.c_str()));
  if (SSL_connect(ssl.get()) != 1) {
    out.verify_error = X509_verify_cert_error_string(SSL_get_verify_result(ssl.get()));
    return out;
  }
  out.handshake_ok = true;
  for (const std::string& path : paths) {
    const std::string req = fmt::format(
        "GET {} HTTP/1.1\r\nUser-Agent: hls-swarm/0.1.0/client-3\r\nAccept: */*\r\n"
        "Host: {}:{}\r\n\r\n",
        path, host, port);
    if (SSL_write(ssl.get(), req.data(), static_cast<int>(req.size())) <= 0) return out;
  }
  char buf[16384];
  while (out.responses.size() < expect_bytes) {
    const int n = SSL_read(ssl.get(), buf, sizeof(buf));
    if (n <= 0) break;
    out.responses.append(buf, static_cast<size_t>(n));
  }
  SSL_shutdown(ssl.get());
  return out;
}

class TapTlsTest : public ProxyTest {
 protected:
  void SetUp() override {
    // OpenSSL writes with write(2); the app ignores SIGPIPE (SignalWatcher), so does the test.
    ::signal(SIGPIPE, SIG_IGN);
    ProxyTest::SetUp();
    auto dir = MakeTempDir("hs-tap-tls-test");
    ASSERT_TRUE(dir.has_value());
    dir_ = *dir;
    ASSERT_TRUE(pki_.WriteCaFile(dir_ + "/origin-ca.pem"));
    ASSERT_TRUE(stranger_.WriteCaFile(dir_ + "/stranger-ca.pem"));
    origin_tls_ = std::make_unique<http::test::TlsTestServer>(pki_);
    origin_tls_->Start();
  }
  void TearDown() override {
    origin_tls_.reset();
    RemoveTree(dir_);
    ProxyTest::TearDown();
  }

  // The tap intercepting, trusting \a ca_file for origins; "localhost" goes to 127.0.0.1.
  void StartTlsTap(const std::string& ca_file) {
    TapOptions o;
    o.resolve_ip = "127.0.0.1";
    StartTap(o);
    ASSERT_TRUE(tap_->InterceptTls(true, ca_file));
    ca_pem_ = tap_->CaPem();
    ASSERT_FALSE(ca_pem_.empty());
  }

  // Runs RunClient on a thread while the loop serves the tap, until \a records are in.
  ClientResult Exchange(const std::vector<std::string>& paths, size_t expect_bytes,
                        size_t records) {
    ClientResult result;
    std::atomic<bool> done{false};
    std::thread client([&] {
      result =
          RunClient(tap_->port(), "localhost", origin_tls_->port(), ca_pem_, paths, expect_bytes);
      done = true;
    });
    RunUntil(
        loop_, [&] { return done && listener_.requests.size() >= records; }, seconds(10));
    client.join();
    // Let the tap see the client's close.
    RunUntil(
        loop_, [&] { return tap_->connection_count() == 0; }, seconds(2));
    return result;
  }

  std::string dir_;
  http::test::TestPki pki_;       // the origin's CA and leaf (localhost, 127.0.0.1)
  http::test::TestPki stranger_;  // a CA that did not sign the origin's leaf
  std::unique_ptr<http::test::TlsTestServer> origin_tls_;
  std::string ca_pem_;
};

TEST_F(TapTlsTest, RequestsInsideAnInterceptedTunnelAreRecordedLikeHttp) {
  StartTlsTap(pki_.ca_file);
  const size_t big = 200'000;
  const size_t expect =
      http::test::Ok(std::string(big, 'z')).size() + http::test::Ok("hello").size();
  ClientResult r = Exchange({"/big", "/live/stream.m3u8"}, expect, 2);
  EXPECT_EQ(r.responses.size(), expect);
  EXPECT_EQ(r.connect_reply.rfind("HTTP/1.1 200", 0), 0u) << r.connect_reply;
  // The client verified the tap's leaf for "localhost" with the run's CA.
  ASSERT_TRUE(r.handshake_ok) << r.verify_error;
  EXPECT_NE(r.responses.find(std::string(big, 'z')), std::string::npos);
  EXPECT_NE(r.responses.find("hello"), std::string::npos);

  ASSERT_EQ(listener_.requests.size(), 2u);
  EXPECT_TRUE(listener_.tunnels.empty()) << "intercepted connections are not tunnels";
  const RequestRecord& first = listener_.requests[0];
  const RequestRecord& second = listener_.requests[1];
  const std::string base = fmt::format("https://localhost:{}", origin_tls_->port());
  EXPECT_EQ(first.path, base + "/big");
  EXPECT_EQ(first.error, RequestError::kNone);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body_bytes, big);
  EXPECT_EQ(first.viewer_id, 3);
  EXPECT_FALSE(first.reused_connection);
  EXPECT_GT(first.connect_time.count(), 0) << "TCP + TLS to the origin";
  EXPECT_EQ(second.path, base + "/live/stream.m3u8");
  EXPECT_EQ(second.body_bytes, 5u);
  EXPECT_TRUE(second.reused_connection);
  // One connection and one full handshake at the origin, as the client made (no resumption).
  EXPECT_EQ(origin_tls_->handshakes(), 1);
  EXPECT_EQ(origin_tls_->resumed(), 0);
  EXPECT_EQ(tap_->stats().intercepted, 1u);
  EXPECT_EQ(tap_->stats().upstream_connects, 1u);
  EXPECT_EQ(tap_->stats().upstream_tls_failures, 0u);
}

TEST_F(TapTlsTest, OriginCertificateNotTrustedGivesATlsErrorRecordAnd502) {
  StartTlsTap(stranger_.ca_file);  // the origin's leaf is not signed by this CA
  ClientResult r = Exchange({"/live/seg0.ts"}, 1 << 20, 1);
  ASSERT_TRUE(r.handshake_ok) << "the viewer's side is still the tap's own certificate";
  EXPECT_EQ(r.responses.rfind("HTTP/1.1 502", 0), 0u) << r.responses;
  EXPECT_NE(r.responses.find("tls_certificate_error"), std::string::npos) << r.responses;
  EXPECT_NE(r.responses.find("certificate verify failed"), std::string::npos) << r.responses;
  ASSERT_EQ(listener_.requests.size(), 1u);
  EXPECT_EQ(listener_.requests[0].error, RequestError::kTls);
  EXPECT_EQ(listener_.requests[0].viewer_id, 3);
  EXPECT_EQ(tap_->stats().upstream_tls_failures, 1u);
  EXPECT_EQ(origin_tls_->handshakes(), 0);
}

TEST_F(TapTlsTest, ClientThatDoesNotTrustTheRunsCaFailsItsHandshakeAsATunnelError) {
  StartTlsTap(pki_.ca_file);
  ca_pem_ = PemOf(pki_.ca.get());  // the client trusts only the origin's CA, not the tap's
  ClientResult r = Exchange({"/live/seg0.ts"}, 1, 0);
  EXPECT_FALSE(r.handshake_ok);
  RunUntil(
      loop_, [&] { return !listener_.tunnels.empty(); }, seconds(2));
  EXPECT_TRUE(listener_.requests.empty());
  ASSERT_EQ(listener_.tunnels.size(), 1u);
  EXPECT_EQ(listener_.tunnels[0].error, RequestError::kTls);
  EXPECT_EQ(tap_->stats().client_tls_failures, 1u);
}

}  // namespace
}  // namespace hs::tap::test
