// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/tls.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include <utility>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace hs::http {

std::string OpenSslErrors(std::string_view if_none) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string(if_none) : out;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Pins the verification to the address itself (for "https://127.0.0.1/" or an empty host).
bool VerifyAddress(SSL* ssl, const sockaddr* peer) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (peer->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(peer);
    return X509_VERIFY_PARAM_set1_ip(param, reinterpret_cast<const unsigned char*>(&in->sin_addr),
                                     sizeof(in->sin_addr)) == 1;
  }
  if (peer->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(peer);
    return X509_VERIFY_PARAM_set1_ip(param, reinterpret_cast<const unsigned char*>(&in6->sin6_addr),
                                     sizeof(in6->sin6_addr)) == 1;
  }
  return false;
}

IoResult SslResult(SSL* ssl, int rc, bool reading, std::uint32_t* want) {
  if (rc > 0) return {IoStatus::kOk, static_cast<size_t>(rc), 0};
  const int saved_errno = errno;
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ:
      *want = EPOLLIN;
      return {IoStatus::kRetry, 0, EAGAIN};
    case SSL_ERROR_WANT_WRITE:
      *want = EPOLLOUT;
      return {IoStatus::kRetry, 0, EAGAIN};
    case SSL_ERROR_ZERO_RETURN:
      return {IoStatus::kEof, 0, 0};
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (saved_errno == 0 && reading) return {IoStatus::kEof, 0, 0};
      return {IoStatus::kError, 0, saved_errno != 0 ? saved_errno : EPIPE};
    default:
      ERR_clear_error();
      return {IoStatus::kError, 0, EPROTO};
  }
}

}  // namespace

IoResult TlsRead(SSL* ssl, char* buf, size_t cap, std::uint32_t* want) {
  ERR_clear_error();
  const int n = SSL_read(ssl, buf, static_cast<int>(std::min<size_t>(cap, 1 << 30)));
  return SslResult(ssl, n, true, want);
}

IoResult TlsWrite(SSL* ssl, const char* buf, size_t len, std::uint32_t* want) {
  ERR_clear_error();
  const int n = SSL_write(ssl, buf, static_cast<int>(std::min<size_t>(len, 1 << 30)));
  return SslResult(ssl, n, false, want);
}

TlsStep TlsHandshake(SSL* ssl, std::uint32_t* want) {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl);
  if (rc == 1) return TlsStep::kDone;
  const int err = SSL_get_error(ssl, rc);
  if (err == SSL_ERROR_WANT_READ) {
    *want = EPOLLIN;
    return TlsStep::kWant;
  }
  if (err == SSL_ERROR_WANT_WRITE) {
    *want = EPOLLOUT;
    return TlsStep::kWant;
  }
  return TlsStep::kFailed;
}

void SslDeleter::operator()(SSL* ssl) const {
  delete static_cast<std::string*>(SSL_get_app_data(ssl));
  SSL_free(ssl);
}

std::string AddressLabel(const sockaddr* addr) {
  char ip[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ::inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
    return fmt::format("{}:{}", ip, ntohs(in->sin_port));
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
    return fmt::format("[{}]:{}", ip, ntohs(in6->sin6_port));
  }
  return "?";
}

std::string TlsSessionKey(const std::string& host, const sockaddr* peer) {
  if (host.empty()) return AddressLabel(peer);
  int port = 0;
  if (peer->sa_family == AF_INET)
    port = ntohs(reinterpret_cast<const sockaddr_in*>(peer)->sin_port);
  if (peer->sa_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(peer)->sin6_port);
  }
  return fmt::format("{}:{}", host, port);
}

Result<std::unique_ptr<TlsContext>> TlsContext::Create(bool verify, const std::string& ca_file,
                                                       size_t max_sessions) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return Fail(ErrorCode::kInternal, "SSL_CTX_new: " + OpenSslErrors());
  auto fail = [ctx](std::string why) {
    SSL_CTX_free(ctx);
    return Fail(ErrorCode::kUsage, std::move(why));
  };
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Many origins close without close_notify; a read-until-close body must still end cleanly
  // (what browsers accept too). Truncation of framed bodies is still caught by the framer.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (SSL_CTX_set_alpn_protos(ctx, kAlpnHttp11, sizeof(kAlpnHttp11)) != 0) {
    return fail("SSL_CTX_set_alpn_protos: " + OpenSslErrors());
  }
  if (verify) {
    const bool loaded = ca_file.empty()
                            ? SSL_CTX_set_default_verify_paths(ctx) == 1
                            : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      return fail(fmt::format("cannot load CA certificates from {}: {}",
                              ca_file.empty() ? "the system store" : ca_file, OpenSslErrors()));
    }
  }
  SSL_CTX_set_verify(ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  // Sessions reach us through the callback, also TLS 1.3 tickets that arrive after the
  // handshake; OpenSSL's own client cache is keyed by nothing useful, so it is not used.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, &TlsContext::OnNewSession);
  auto tls = std::unique_ptr<TlsContext>(new TlsContext(ctx, verify, max_sessions));
  SSL_CTX_set_app_data(ctx, tls.get());
  return tls;
}

TlsContext::TlsContext(SSL_CTX* ctx, bool verify, size_t max_sessions)
    : ctx_(ctx), verify_(verify), max_sessions_(max_sessions) {}

TlsContext::~TlsContext() {
  for (auto& [key, cached] : sessions_) SSL_SESSION_free(cached.session);
  SSL_CTX_free(ctx_);
}

Result<SslPtr> TlsContext::NewClient(int fd, const std::string& host, const sockaddr* peer) {
  ERR_clear_error();
  SslPtr ssl(SSL_new(ctx_));
  if (!ssl) return Fail(ErrorCode::kInternal, "SSL_new: " + OpenSslErrors());
  auto* key = new std::string(TlsSessionKey(host, peer));
  SSL_set_app_data(ssl.get(), key);
  if (SSL_set_fd(ssl.get(), fd) != 1) return Fail(ErrorCode::kInternal, "SSL_set_fd failed");
  const bool ip_literal = host.empty() || IsIpLiteral(host);
  // RFC 6066 §3: no SNI for an IP literal.
  // SSL_set_tlsext_host_name() is a macro with a C cast.
  if (!ip_literal && SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                              const_cast<char*>(host.c_str())) != 1) {
    return Fail(ErrorCode::kUsage, "bad TLS server name: " + host);
  }
  if (verify_) {
    const bool ok =
        ip_literal ? VerifyAddress(ssl.get(), peer) : SSL_set1_host(ssl.get(), host.c_str()) == 1;
    if (!ok) return Fail(ErrorCode::kUsage, "cannot verify the TLS peer as " + *key);
  }
  if (auto it = sessions_.find(*key); it != sessions_.end()) {
    SSL_set_session(ssl.get(), it->second.session);
  }
  SSL_set_connect_state(ssl.get());
  return ssl;
}

void TlsContext::OnHandshakeDone(SSL* ssl) {
  ++handshakes_;
  if (SSL_session_reused(ssl) == 1) ++resumptions_;
}

std::string TlsContext::FailureDetail(SSL* ssl) {
  const long verify = SSL_get_verify_result(ssl);
  std::string errors = OpenSslErrors();
  if (verify != X509_V_OK) {
    return fmt::format("certificate verify failed: {}", X509_verify_cert_error_string(verify));
  }
  return errors.empty() ? "TLS handshake failed (connection closed)" : "TLS: " + errors;
}

int TlsContext::OnNewSession(SSL* ssl, SSL_SESSION* session) {
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  const auto* key = static_cast<const std::string*>(SSL_get_app_data(ssl));
  if (self == nullptr || key == nullptr || self->max_sessions_ == 0) return 0;
  self->Store(*key, session);
  return 1;  // we keep the reference
}

void TlsContext::Store(const std::string& key, SSL_SESSION* session) {
  if (auto it = sessions_.find(key); it != sessions_.end()) {
    SSL_SESSION_free(it->second.session);
    it->second = CachedSession{session, next_seq_++};
    return;
  }
  if (sessions_.size() >= max_sessions_) {
    // Linear, but only when full, and the cache holds one entry per origin host.
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.seq < oldest->second.seq) oldest = it;
    }
    SSL_SESSION_free(oldest->second.session);
    sessions_.erase(oldest);
  }
  sessions_.emplace(key, CachedSession{session, next_seq_++});
}

}  // namespace hs::http
