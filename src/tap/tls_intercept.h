// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// TLS interception for the tap (SPEC §4, issue 12): https viewers send CONNECT; the tap answers
// the TLS handshake itself with a leaf certificate for the CONNECT host, signed by a certificate
// authority made in memory for this run, and opens its own verified TLS connection to the
// origin (the native engine's client code, http::TlsContext). Inside, requests are parsed and
// recorded exactly as on http.
//
// Cost: one EC P-256 key pair for the CA and one shared by every leaf (made once per run), one
// leaf certificate per host name (cached), and per intercepted connection two SSL objects.

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include <openssl/types.h>

#include "core/result.h"
#include "http/tls.h"

namespace hs::tap {

struct X509Deleter {
  void operator()(X509* x) const;
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const;
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

/// A certificate authority made in memory (never written anywhere but where asked): EC P-256,
/// valid from a day ago for 30 days, "hls-swarm tap CA <random>". Issues leaf certificates
/// for host names (subjectAltName DNS, or IP for an address literal), cached per name.
class CertAuthority {
 public:
  static Result<std::unique_ptr<CertAuthority>> Create();
  CertAuthority(const CertAuthority&) = delete;
  CertAuthority& operator=(const CertAuthority&) = delete;

  X509* ca() const { return ca_.get(); }
  /// The key every leaf certifies (one per run: leaves differ by name only).
  EVP_PKEY* leaf_key() const { return leaf_key_.get(); }
  /// The leaf for \a host (a DNS name or an IP literal, without brackets), made on first use.
  /// Null only if OpenSSL failed.
  X509* Leaf(const std::string& host);
  /// The CA certificate in PEM.
  std::string CaPem() const;
  size_t leaf_count() const { return leaves_.size(); }

 private:
  CertAuthority() = default;
  PkeyPtr ca_key_;
  X509Ptr ca_;
  PkeyPtr leaf_key_;
  long next_serial_ = 2;
  std::unordered_map<std::string, X509Ptr> leaves_;
};

/// Owner of one server SSL object.
struct ServerSslDeleter {
  void operator()(SSL* ssl) const;
};
using ServerSslPtr = std::unique_ptr<SSL, ServerSslDeleter>;

/// What an intercepting tap needs: the CA, the server-side SSL_CTX facing the viewers, and the
/// client TlsContext facing the origins. One per tap; loop thread only.
class TlsInterceptor {
 public:
  /// \a verify_origin: check origins' certificates against \a ca_file ("" = the system store,
  /// which honours SSL_CERT_FILE). Fails when the CA cannot be made or the store not loaded.
  static Result<std::unique_ptr<TlsInterceptor>> Create(bool verify_origin,
                                                        const std::string& ca_file);
  ~TlsInterceptor();
  TlsInterceptor(const TlsInterceptor&) = delete;
  TlsInterceptor& operator=(const TlsInterceptor&) = delete;

  /// A server SSL on the accepted socket \a fd (not owned) presenting the leaf for \a host.
  Result<ServerSslPtr> NewServer(int fd, const std::string& host);
  /// The origin-facing client context (verification, SNI: http/tls).
  http::TlsContext& upstream() { return *upstream_; }
  CertAuthority& authority() { return *authority_; }

 private:
  TlsInterceptor() = default;
  std::unique_ptr<CertAuthority> authority_;
  SSL_CTX* server_ctx_ = nullptr;
  std::unique_ptr<http::TlsContext> upstream_;
};

}  // namespace hs::tap
