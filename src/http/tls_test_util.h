// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// TLS test helpers (header-only, included by *_test.cc only): an in-memory test PKI (a CA and
// a leaf for "localhost" / 127.0.0.1, EC P-256) and a loopback HTTPS server on its own thread
// using blocking OpenSSL, independent of the client under test. Every blocking call has a
// socket timeout, so a confused test ends instead of hanging.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/unique_fd.h"
#include "http/http_test_util.h"

namespace hs::http::test {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

inline PkeyPtr NewEcKey() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

inline void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)) {
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
}

/// A certificate for \a key named \a cn, signed by \a issuer / \a issuer_key (self-signed when
/// \a issuer is null), valid from an hour ago for a day.
inline X509Ptr MakeCert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
                        long serial, bool ca, const char* san) {
  X509Ptr x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : x.get();
  X509_set_issuer_name(x.get(), X509_get_subject_name(signer));
  AddExtension(x.get(), signer, NID_subject_key_identifier, "hash");
  if (ca) {
    AddExtension(x.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(x.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(x.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(x.get(), signer, NID_authority_key_identifier, "keyid");
    AddExtension(x.get(), signer, NID_ext_key_usage, "serverAuth");
    AddExtension(x.get(), signer, NID_subject_alt_name, san);
  }
  X509_sign(x.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256());
  return x;
}

/// A CA and a leaf for DNS:localhost and IP:127.0.0.1, plus the CA as a PEM file.
struct TestPki {
  PkeyPtr ca_key = NewEcKey();
  X509Ptr ca = MakeCert(ca_key.get(), "hls-swarm test CA", nullptr, nullptr, 1, true, nullptr);
  PkeyPtr leaf_key = NewEcKey();
  X509Ptr leaf = MakeCert(leaf_key.get(), "localhost", ca.get(), ca_key.get(), 2, false,
                          "DNS:localhost,IP:127.0.0.1");
  std::string ca_file;  ///< written by WriteCaFile

  /// Writes the CA certificate to \a path; returns false on failure.
  bool WriteCaFile(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "w");
    if (f == nullptr) return false;
    const bool ok = PEM_write_X509(f, ca.get()) == 1;
    std::fclose(f);
    if (ok) ca_file = path;
    return ok;
  }
};

/// A loopback HTTPS/1.1 server on its own thread: answers "/big" with 200 000 bytes and every
/// other target with "hello", keep-alive, until stopped. Serves many connections at once
/// (poll), each request with blocking SSL calls bounded by 2 s socket timeouts.
class TlsTestServer {
 public:
  explicit TlsTestServer(TestPki& pki) : ctx_(SSL_CTX_new(TLS_server_method())) {
    SSL_CTX_use_certificate(ctx_.get(), pki.leaf.get());
    SSL_CTX_use_PrivateKey(ctx_.get(), pki.leaf_key.get());
    listen_ = ListenLoopback(&port_, 1024);
    SetBlocking(listen_.Get());
  }
  ~TlsTestServer() { Stop(); }
  int port() const { return port_; }
  /// Runs the server on a new thread.
  void Start() {
    thread_ = std::thread([this] { Serve(); });
  }
  /// Runs the server on the calling thread until Stop() (from another thread) or forever.
  void Serve() {
    while (!stop_) {
      std::vector<pollfd> fds{{listen_.Get(), POLLIN, 0}};
      for (const Conn& c : conns_) fds.push_back({c.fd.Get(), POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      for (size_t i = fds.size() - 1; i >= 1; --i) {
        if (fds[i].revents != 0 && !ServeOne(conns_[i - 1])) conns_.erase(conns_.begin() + i - 1);
      }
      if (fds[0].revents & POLLIN) Accept();
    }
    conns_.clear();
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int handshakes() const { return handshakes_; }
  int failed_handshakes() const { return failed_handshakes_; }
  int resumed() const { return resumed_; }

 private:
  struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  struct Conn {
    UniqueFd fd;
    std::unique_ptr<SSL, SslFree> ssl;
    std::string in;
  };

  static void SetBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK); }

  void Accept() {
    const int raw = ::accept4(listen_.Get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (raw < 0) return;
    Conn c;
    c.fd.Reset(raw);
    timeval tv{2, 0};
    ::setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(raw, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    c.ssl.reset(SSL_new(ctx_.get()));
    SSL_set_fd(c.ssl.get(), raw);
    if (SSL_accept(c.ssl.get()) != 1) {
      ++failed_handshakes_;
      return;
    }
    ++handshakes_;
    if (SSL_session_reused(c.ssl.get()) == 1) ++resumed_;
    conns_.push_back(std::move(c));
  }

  // Reads what arrived and answers complete requests; false when the connection ended.
  bool ServeOne(Conn& c) {
    char buf[16384];
    const int n = SSL_read(c.ssl.get(), buf, sizeof(buf));
    if (n <= 0) return false;
    c.in.append(buf, static_cast<size_t>(n));
    for (size_t end; (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
      const bool big = c.in.rfind("GET /big ", 0) == 0;
      c.in.erase(0, end + 4);
      const std::string out = Ok(big ? std::string(200'000, 'z') : "hello");
      if (SSL_write(c.ssl.get(), out.data(), static_cast<int>(out.size())) <= 0) return false;
    }
    return true;
  }

  SslCtxPtr ctx_;
  UniqueFd listen_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> failed_handshakes_{0};
  std::atomic<int> resumed_{0};
  std::vector<Conn> conns_;  // server thread only
};

}  // namespace hs::http::test
