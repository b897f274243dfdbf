// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// TLS for the native engine's HTTP client (OpenSSL 3): one TlsContext per engine holds the
// SSL_CTX (trust store, verification policy) and a small cache of sessions so that a viewer's
// next connection to the same host resumes instead of paying a full handshake, as browsers do.
// Connections own their SSL objects (SslPtr); the context never sees sockets or the loop.
//
// Memory: SSL_MODE_RELEASE_BUFFERS frees an SSL's 16 KiB+ record buffers whenever they are
// empty, so an idle kept-alive TLS connection costs the SSL object, not its buffers.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <openssl/types.h>

#include "core/io.h"
#include "core/result.h"

// openssl/types.h leaves SSL_SESSION to ssl.h; redeclaring the same typedef is allowed.
typedef struct ssl_session_st SSL_SESSION;

namespace hs::http {

/// This thread's OpenSSL error queue as text ("; "-joined), which it empties; \p if_none when
/// the queue is empty. Shared by the native engine's client and the tap's TLS interception.
std::string OpenSslErrors(std::string_view if_none = {});

/// True if \p host is an IPv4 or IPv6 address literal (certificates name it as IP:, not DNS:).
bool IsIpLiteral(const std::string& host);

/// Frees an SSL created by TlsContext::NewClient (and the session-cache key attached to it).
struct SslDeleter {
  void operator()(SSL* ssl) const;
};
/// Owner of one client SSL object.
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

/// The client-side TLS configuration of one engine. Not thread-safe: use it from the thread of
/// the loop whose connections use it. Must outlive every SSL it created.
class TlsContext {
 public:
  static constexpr size_t kDefaultMaxSessions = 256;

  /// TLS 1.2 or newer, ALPN "http/1.1". \a verify: check the peer's chain against \a ca_file
  /// (PEM; "" = the system's default store) and its name (SSL_set1_host, or the IP address).
  /// \a max_sessions bounds the resumption cache (oldest entries are evicted); 0 turns
  /// resumption off (the tap's origin side: FFmpeg never resumes). Fails when the CA file
  /// cannot be loaded.
  static Result<std::unique_ptr<TlsContext>> Create(bool verify, const std::string& ca_file,
                                                    size_t max_sessions = kDefaultMaxSessions);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  /// A client SSL on connected socket \a fd (not owned) for a server named \a host ("" = use
  /// the address \a peer for verification and the session key; an IP literal is verified as an
  /// address and gets no SNI). Offers a cached session for "host:port" when there is one.
  Result<SslPtr> NewClient(int fd, const std::string& host, const sockaddr* peer);
  /// Call once SSL_connect() succeeded on \a ssl: counts the handshake and the resumption.
  void OnHandshakeDone(SSL* ssl);
  /// One line saying why the handshake on \a ssl failed: the verification error
  /// (X509_verify_cert_error_string) when verification failed, else OpenSSL's error queue.
  /// Clears the thread's OpenSSL error queue.
  static std::string FailureDetail(SSL* ssl);

  bool verify() const { return verify_; }
  /// Handshakes completed (full + resumed).
  std::uint64_t handshakes() const { return handshakes_; }
  /// Subset of handshakes() that resumed a cached session.
  std::uint64_t resumptions() const { return resumptions_; }
  /// Sessions in the cache now (≤ max_sessions).
  size_t cached_sessions() const { return sessions_.size(); }

 private:
  struct CachedSession {
    SSL_SESSION* session = nullptr;  // one reference owned
    std::uint64_t seq = 0;           // insertion order, for eviction
  };
  TlsContext(SSL_CTX* ctx, bool verify, size_t max_sessions);
  static int OnNewSession(SSL* ssl, SSL_SESSION* session);
  void Store(const std::string& key, SSL_SESSION* session);

  SSL_CTX* ctx_;
  bool verify_;
  size_t max_sessions_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t handshakes_ = 0;
  std::uint64_t resumptions_ = 0;
  std::unordered_map<std::string, CachedSession> sessions_;
};

/// SSL_read on a non-blocking \a ssl as an IoResult (shared by the native engine's client and
/// the tap): kRetry with *\a want = EPOLLIN or EPOLLOUT (what OpenSSL waits for), kEof on
/// close_notify or a close without it, kError (errno, or EPROTO) otherwise.
IoResult TlsRead(SSL* ssl, char* buf, size_t cap, std::uint32_t* want);
/// SSL_write, same conventions (a partial write is kOk with fewer bytes).
IoResult TlsWrite(SSL* ssl, const char* buf, size_t len, std::uint32_t* want);

/// One step of a non-blocking handshake (SSL_do_handshake).
enum class TlsStep { kDone, kWant, kFailed };
/// Drives the handshake of \a ssl (client or server, as set up); on kWant *\a want says
/// EPOLLIN or EPOLLOUT; on kFailed the caller asks TlsContext::FailureDetail why.
TlsStep TlsHandshake(SSL* ssl, std::uint32_t* want);

/// "ip:port" of \a addr ("[v6]:port" for IPv6), "?" for another family.
std::string AddressLabel(const sockaddr* addr);

/// "host:port" (host = \a host, or the numeric address of \a peer when \a host is empty), the
/// key of the session cache.
std::string TlsSessionKey(const std::string& host, const sockaddr* peer);

}  // namespace hs::http
