// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// TLS interception of a CONNECT: the two handshakes, the socket I/O of both sides (plain or
// TLS), and requests inside the tunnel. See ProxyConnection and tls_intercept.h.
#include <sys/epoll.h>

#include <utility>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "core/log.h"
#include "tap/proxy_connection.h"

namespace hs::tap {

namespace {

// Logs the first failures of a kind and then every 100th, so a broken origin cannot flood the
// log with one line per viewer connection.
bool ShouldLog(std::uint64_t count) { return count <= 3 || count % 100 == 0; }

}  // namespace

void ProxyConnection::Intercept::ReleaseBuffers() {
  if (client_ssl) SSL_free_buffers(client_ssl.get());
  if (upstream_ssl) SSL_free_buffers(upstream_ssl.get());
}

bool ProxyConnection::UpstreamReady() const {
  return upstream_connected_ && (!tls_ || tls_->upstream_ready);
}

IoResult ProxyConnection::ClientRead(StreamBuffer& into) {
  if (tls_ && tls_->client_ready) {
    std::uint32_t want = 0;
    return into.ReadFrom(tls_->client_ssl.get(), into.space(), &want);
  }
  return into.ReadFrom(client_.Get(), into.space());
}

IoResult ProxyConnection::ClientWrite() {
  if (tls_ && tls_->client_ready) {
    std::uint32_t want = 0;
    return to_client_.WriteTo(tls_->client_ssl.get(), to_client_ready_, &want);
  }
  return to_client_.WriteTo(client_.Get(), to_client_ready_);
}

IoResult ProxyConnection::UpstreamRead(size_t max) {
  if (tls_ && tls_->upstream_ssl) {
    std::uint32_t want = 0;
    return to_client_.ReadFrom(tls_->upstream_ssl.get(), max, &want);
  }
  return to_client_.ReadFrom(upstream_.Get(), max);
}

IoResult ProxyConnection::UpstreamWrite() {
  if (tls_ && tls_->upstream_ssl) {
    std::uint32_t want = 0;
    return to_upstream_.WriteTo(tls_->upstream_ssl.get(), to_upstream_.size(), &want);
  }
  return to_upstream_.WriteTo(upstream_.Get(), to_upstream_.size());
}

void ProxyConnection::StartIntercept(const RequestHead& head) {
  Result<UpstreamAddress> addr =
      ctx_.addresses.Lookup(head.host, head.port, ctx_.loop.clock().Now());
  if (addr && IsSelf(*addr)) return Refuse(508, "the tunnel is addressed to the tap itself");
  ++ctx_.stats.intercepted;
  // Until the client's handshake is done this is reported as a tunnel (with its error) if it
  // ends; afterwards requests are reported instead.
  OpenTunnelRecord(head);
  tls_ = std::make_unique<Intercept>();
  tls_->host = head.host;
  tls_->authority = head.HostPort();
  SetPhase(Phase::kHandshake);
  if (addr) tls_->addr = *addr;
  ConnectTunnel(addr);
}

// The 200 reached the client: its ClientHello comes next.
void ProxyConnection::StartClientTls() {
  auto ssl = ctx_.tls->NewServer(client_.Get(), tls_->host);
  if (!ssl) {
    ++ctx_.stats.client_tls_failures;
    if (ShouldLog(ctx_.stats.client_tls_failures)) log::Warn("tap: {}", ssl.error());
    if (tunnel_) tunnel_->error = RequestError::kTls;
    return Close();
  }
  tls_->client_ssl = std::move(*ssl);
  ClientHandshake();
}

void ProxyConnection::ClientHandshake() {
  switch (http::TlsHandshake(tls_->client_ssl.get(), &tls_->client_want)) {
    case http::TlsStep::kWant:
      return;
    case http::TlsStep::kFailed:
      return ClientTlsFailed(http::TlsContext::FailureDetail(tls_->client_ssl.get()));
    case http::TlsStep::kDone:
      break;
  }
  tls_->client_ready = true;
  tunnel_.reset();  // from now on the requests are the records
  SetPhase(Phase::kIdle);
}

void ProxyConnection::ClientTlsFailed(const std::string& why) {
  ++ctx_.stats.client_tls_failures;
  // An alert from the viewer means it refused the tap's certificate; a viewer that just went
  // away mid-handshake (a stop, a kill) is no news worth a warning.
  const bool refused = why.find("alert") != std::string::npos;
  if (refused && ShouldLog(ctx_.stats.client_tls_failures)) {
    log::Warn(
        "tap: a viewer refused the tap's TLS handshake for {} ({}); a viewer that verifies "
        "certificates needs the run's CA",
        tls_->authority, why);
  } else if (!refused) {
    log::Debug("tap: a viewer's TLS handshake with the tap for {} ended: {}", tls_->authority, why);
  }
  if (!refused) {
    tunnel_.reset();  // nothing was refused and nothing carried: no record
  } else if (tunnel_) {
    tunnel_->error = RequestError::kTls;
  }
  tls_->client_ssl.reset();
  Close();
}

void ProxyConnection::UpstreamHandshake() {
  switch (http::TlsHandshake(tls_->upstream_ssl.get(), &tls_->upstream_want)) {
    case http::TlsStep::kWant:
      return;
    case http::TlsStep::kFailed: {
      ++ctx_.stats.upstream_tls_failures;
      tls_->upstream_error = http::TlsContext::FailureDetail(tls_->upstream_ssl.get());
      if (ShouldLog(ctx_.stats.upstream_tls_failures)) {
        log::Warn("tap: TLS to the origin {} failed: {}{}", tls_->authority, tls_->upstream_error,
                  ctx_.tls->upstream().verify()
                      ? " (trust its CA with SSL_CERT_FILE, or -dangerous to skip verification)"
                      : "");
      }
      tls_->upstream_ssl.reset();
      CloseUpstream();
      if (ex_) FailExchange(RequestError::kTls);
      return;
    }
    case http::TlsStep::kDone:
      break;
  }
  ctx_.tls->upstream().OnHandshakeDone(tls_->upstream_ssl.get());
  tls_->upstream_ready = true;
  tls_->connect_time = ctx_.loop.clock().Now() - connect_started_;
  if (ex_ && requests_served_ == 0) ex_->record.connect_time = tls_->connect_time;
  SetPhase(phase_);  // from the connect timeout to the I/O timeout
  WriteUpstream();
}

void ProxyConnection::StartTlsExchange(const RequestHead& head, BodyFramer request_body) {
  if (!upstream_.Valid() && tls_->upstream_error.empty()) {
    // The origin closed this connection (keep-alive timeout) just as the client reused it:
    // close the client's too, and it reconnects as it would have to without the tap.
    ++ctx_.stats.keepalive_retries;
    return Close();
  }
  NewExchange(head, fmt::format("https://{}{}", tls_->authority, head.path), requests_served_ > 0,
              request_body);
  if (requests_served_ == 0) ex_->record.connect_time = tls_->connect_time;
  std::string upstream_head =
      fmt::format("{} {} HTTP/1.{}\r\n", head.method, head.target, head.minor_version);
  for (const HttpHeader& h : head.headers) {
    upstream_head.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  upstream_head.append("\r\n");
  to_upstream_.Append(upstream_head);
  MoveRequestBody();
  if (phase_ == Phase::kClosed) return;
  SetPhase(Phase::kExchange);
  if (!tls_->upstream_error.empty()) return FailExchange(RequestError::kTls);
  if (UpstreamReady()) WriteUpstream();
}

// OpenSSL may hold decrypted bytes the socket no longer signals (a record read only partly
// because the buffer was nearly full): read them now that there may be room.
void ProxyConnection::PumpTls() {
  for (int i = 0; i < 64 && tls_ && phase_ != Phase::kClosed; ++i) {
    if (tls_->upstream_ready && upstream_.Valid() && SSL_pending(tls_->upstream_ssl.get()) > 0 &&
        WantUpstreamRead()) {
      ReadUpstream();
    } else if (tls_->client_ready && SSL_pending(tls_->client_ssl.get()) > 0 && WantClientRead()) {
      ReadClient();
    } else {
      return;
    }
  }
}

// close_notify on both sides (best effort, never waiting), as FFmpeg and nginx both send it.
void ProxyConnection::ShutdownTls() {
  if (!tls_) return;
  if (tls_->client_ready) SSL_shutdown(tls_->client_ssl.get());
  if (tls_->upstream_ready && upstream_.Valid()) SSL_shutdown(tls_->upstream_ssl.get());
}

}  // namespace hs::tap
