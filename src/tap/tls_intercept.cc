// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/tls_intercept.h"

#include <utility>

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace hs::tap {

namespace {

std::string OpenSslError() { return http::OpenSslErrors("unknown OpenSSL error"); }

PkeyPtr NewEcKey() { return PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")); }

bool AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for \a key named \a cn, signed by \a issuer (self-signed when null).
X509Ptr MakeCert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key,
                 long serial, const std::string& san) {
  X509Ptr x(X509_new());
  if (!x) return nullptr;
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  // From a day ago: viewers and origin may disagree about the clock by a little.
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -86400);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 30L * 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  // A CN is at most 64 characters (RFC 5280 ub-common-name); the SAN carries the real name.
  const std::string short_cn = cn.substr(0, 64);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(short_cn.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : x.get();
  X509_set_issuer_name(x.get(), X509_get_subject_name(signer));
  bool ok = AddExtension(x.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    ok = ok && AddExtension(x.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
         AddExtension(x.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && AddExtension(x.get(), signer, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExtension(x.get(), signer, NID_authority_key_identifier, "keyid") &&
         AddExtension(x.get(), signer, NID_key_usage, "critical,digitalSignature") &&
         AddExtension(x.get(), signer, NID_ext_key_usage, "serverAuth") &&
         AddExtension(x.get(), signer, NID_subject_alt_name, san.c_str());
  }
  if (!ok) return nullptr;
  if (X509_sign(x.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    return nullptr;
  }
  return x;
}

}  // namespace

void X509Deleter::operator()(X509* x) const { X509_free(x); }
void PkeyDeleter::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
void ServerSslDeleter::operator()(SSL* ssl) const { SSL_free(ssl); }

Result<std::unique_ptr<CertAuthority>> CertAuthority::Create() {
  ERR_clear_error();
  std::unique_ptr<CertAuthority> ca(new CertAuthority());
  ca->ca_key_ = NewEcKey();
  ca->leaf_key_ = NewEcKey();
  if (!ca->ca_key_ || !ca->leaf_key_) {
    return Fail(ErrorCode::kInternal, "cannot make an EC P-256 key: " + OpenSslError());
  }
  unsigned char id[4] = {};
  RAND_bytes(id, sizeof(id));
  const std::string cn =
      fmt::format("hls-swarm tap CA {:02x}{:02x}{:02x}{:02x}", id[0], id[1], id[2], id[3]);
  ca->ca_ = MakeCert(ca->ca_key_.get(), cn, nullptr, nullptr, 1, "");
  if (!ca->ca_) {
    return Fail(ErrorCode::kInternal, "cannot make the tap's CA certificate: " + OpenSslError());
  }
  return ca;
}

X509* CertAuthority::Leaf(const std::string& host) {
  if (auto it = leaves_.find(host); it != leaves_.end()) return it->second.get();
  const std::string san = (http::IsIpLiteral(host) ? "IP:" : "DNS:") + host;
  X509Ptr leaf = MakeCert(leaf_key_.get(), host, ca_.get(), ca_key_.get(), next_serial_++, san);
  if (!leaf) return nullptr;
  return leaves_.emplace(host, std::move(leaf)).first->second.get();
}

std::string CertAuthority::CaPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  std::string out;
  if (PEM_write_bio_X509(bio, ca_.get()) == 1) {
    char* data = nullptr;
    // BIO_get_mem_data() is a macro with a C cast.
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void*>(&data));
    if (n > 0) out.assign(data, static_cast<size_t>(n));
  }
  BIO_free(bio);
  return out;
}

Result<std::unique_ptr<TlsInterceptor>> TlsInterceptor::Create(bool verify_origin,
                                                               const std::string& ca_file) {
  std::unique_ptr<TlsInterceptor> t(new TlsInterceptor());
  auto authority = CertAuthority::Create();
  if (!authority) return tl::unexpected(authority.error());
  t->authority_ = std::move(*authority);
  // FFmpeg never resumes a TLS session, so neither does the tap towards the origin
  // (max_sessions 0): the origin sees the same full handshakes as without the tap.
  auto upstream = http::TlsContext::Create(verify_origin, ca_file, 0);
  if (!upstream) return tl::unexpected(upstream.error());
  t->upstream_ = std::move(*upstream);
  ERR_clear_error();
  t->server_ctx_ = SSL_CTX_new(TLS_server_method());
  if (t->server_ctx_ == nullptr) {
    return Fail(ErrorCode::kInternal, "SSL_CTX_new (server): " + OpenSslError());
  }
  SSL_CTX_set_min_proto_version(t->server_ctx_, TLS1_2_VERSION);
  SSL_CTX_set_mode(t->server_ctx_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                       SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(t->server_ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_TICKET);
  // No resumption from viewers either (FFmpeg does not offer it): no tickets, no cache.
  SSL_CTX_set_num_tickets(t->server_ctx_, 0);
  SSL_CTX_set_session_cache_mode(t->server_ctx_, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_PrivateKey(t->server_ctx_, t->authority_->leaf_key()) != 1) {
    return Fail(ErrorCode::kInternal, "SSL_CTX_use_PrivateKey: " + OpenSslError());
  }
  return t;
}

TlsInterceptor::~TlsInterceptor() { SSL_CTX_free(server_ctx_); }

Result<ServerSslPtr> TlsInterceptor::NewServer(int fd, const std::string& host) {
  ERR_clear_error();
  X509* leaf = authority_->Leaf(host);
  if (leaf == nullptr) {
    return Fail(ErrorCode::kInternal,
                fmt::format("cannot make a certificate for {}: {}", host, OpenSslError()));
  }
  ServerSslPtr ssl(SSL_new(server_ctx_));
  if (!ssl) return Fail(ErrorCode::kInternal, "SSL_new (server): " + OpenSslError());
  if (SSL_use_certificate(ssl.get(), leaf) != 1 || SSL_check_private_key(ssl.get()) != 1 ||
      SSL_set_fd(ssl.get(), fd) != 1) {
    return Fail(ErrorCode::kInternal, "cannot set up the tap's TLS server: " + OpenSslError());
  }
  SSL_set_accept_state(ssl.get());
  return ssl;
}

}  // namespace hs::tap
