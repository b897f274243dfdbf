// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The upstream side of a proxied connection: connecting, forwarding the request, parsing and
// relaying the response while it streams, and turning each request into a record.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "core/io.h"
#include "http/cache_status.h"
#include "tap/proxy_connection.h"

namespace hs::tap {

namespace {

constexpr size_t kMaxAbortDrainBytes = 16 << 20;
constexpr std::string_view kConnectEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";

int StatusFor(RequestError error) {
  return error == RequestError::kConnectTimeout || error == RequestError::kTimeout ? 504 : 502;
}

// RFC 9209 Proxy-Status error types.
const char* ProxyErrorFor(RequestError error) {
  switch (error) {
    case RequestError::kConnectRefused:
      return "connection_refused";
    case RequestError::kConnectTimeout:
      return "connection_timeout";
    case RequestError::kResolve:
      return "dns_error";
    case RequestError::kTimeout:
      return "connection_read_timeout";
    case RequestError::kReset:
      return "connection_terminated";
    case RequestError::kTruncated:
      return "http_response_incomplete";
    case RequestError::kTls:
      return "tls_certificate_error";
    default:
      return "http_protocol_error";
  }
}

RequestError ConnectErrorFor(int err) {
  return err == ETIMEDOUT ? RequestError::kConnectTimeout : RequestError::kConnectRefused;
}

}  // namespace

RequestError ProxyConnection::ConnectUpstream(const UpstreamAddress& addr) {
  ++ctx_.stats.upstream_connects;
  UniqueFd fd(::socket(addr.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return RequestError::kConnectRefused;  // EMFILE and friends
  const int one = 1;
  ::setsockopt(fd.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  connect_started_ = ctx_.loop.clock().Now();
  upstream_connected_ = false;
  const int rc = ::connect(fd.Get(), reinterpret_cast<const sockaddr*>(&addr.addr), addr.len);
  if (rc != 0 && errno != EINPROGRESS) return ConnectErrorFor(errno);
  upstream_ = std::move(fd);
  // Even an immediate success is handled from the EPOLLOUT it produces, so that callers never
  // see the connection progress under their feet.
  upstream_watch_ =
      ctx_.loop.Watch(upstream_.Get(), EPOLLOUT, [this](std::uint32_t ev) { OnUpstreamEvent(ev); });
  if (!upstream_watch_) {
    CloseUpstream();
    return RequestError::kConnectRefused;
  }
  return RequestError::kNone;
}

void ProxyConnection::CloseUpstream() {
  upstream_watch_.reset();
  if (tls_) {  // the SSL object before its socket
    tls_->upstream_ssl.reset();
    tls_->upstream_ready = false;
  }
  upstream_.Reset();
  upstream_connected_ = false;
  upstream_reusable_ = false;
  upstream_key_.clear();
}

void ProxyConnection::OnUpstreamEvent(std::uint32_t events) {
  if (phase_ == Phase::kClosed || !upstream_.Valid()) return;
  if (!upstream_connected_) {
    int err = 0;
    socklen_t len = sizeof(err);
    ::getsockopt(upstream_.Get(), SOL_SOCKET, SO_ERROR, &err, &len);
    OnConnectResult(err);
    return UpdateInterest();
  }
  if (!UpstreamReady()) {  // the origin's TLS handshake (intercepted CONNECT)
    UpstreamHandshake();
    PumpTls();
    return UpdateInterest();
  }
  const bool hangup = (events & (EPOLLERR | EPOLLHUP)) != 0;
  if ((events & EPOLLOUT) || (hangup && !to_upstream_.empty())) WriteUpstream();
  if (phase_ != Phase::kClosed && upstream_.Valid() && ((events & EPOLLIN) || hangup)) {
    if (WantUpstreamRead()) {
      ReadUpstream();
    } else if (hangup) {
      // HUP/ERR are reported whatever the mask; until we can read again, stop watching.
      upstream_watch_.reset();
    }
  }
  PumpTls();
  UpdateInterest();
}

void ProxyConnection::OnConnectResult(int err) {
  if (err != 0) {
    ++ctx_.stats.upstream_connect_failures;
    CloseUpstream();
    const RequestError error = ConnectErrorFor(err);
    if (phase_ == Phase::kTunnel || phase_ == Phase::kHandshake) return FailTunnel(error);
    if (ex_) FailExchange(error);
    return;
  }
  upstream_connected_ = true;
  const Duration connect_time = ctx_.loop.clock().Now() - connect_started_;
  if (ex_) ex_->record.connect_time = connect_time;
  if (tunnel_) {
    tunnel_->connect_time = connect_time;
    to_client_.Append(kConnectEstablished);
    to_client_ready_ = to_client_.size();
  }
  if (tls_) {  // intercepted: TLS to the origin now, while the client starts its handshake
    auto ssl = ctx_.tls->upstream().NewClient(upstream_.Get(), tls_->host,
                                              reinterpret_cast<const sockaddr*>(&tls_->addr.addr));
    if (!ssl) {
      ++ctx_.stats.upstream_tls_failures;
      tls_->upstream_error = ssl.error().detail;
      CloseUpstream();
      return;
    }
    tls_->upstream_ssl = std::move(*ssl);
    return UpstreamHandshake();
  }
  SetPhase(phase_);  // from the connect timeout to the I/O timeout
  WriteUpstream();
}

void ProxyConnection::WriteUpstream() {
  if (!UpstreamReady()) return;
  for (;;) {
    while (!to_upstream_.empty()) {
      IoResult r = UpstreamWrite();
      if (r.status == IoStatus::kRetry) break;
      if (r.status != IoStatus::kOk) return OnUpstreamEnd(r.err != 0 ? r.err : EPIPE);
      Touch();
    }
    if (!to_upstream_.empty() || !ex_ || ex_->request_body.done() || client_in_.empty()) break;
    MoveRequestBody();
    if (phase_ == Phase::kClosed) return;
  }
  if (ex_ && !ex_->request_sent && to_upstream_.empty() && ex_->request_body.done()) {
    ex_->request_sent = true;
    ex_->sent_at = ctx_.loop.clock().Now();
  }
  MaybeCloseAfterFlush();
}

void ProxyConnection::ReadUpstream() {
  IoResult r = UpstreamRead(to_client_.space());
  if (r.status == IoStatus::kRetry) return;
  if (r.status != IoStatus::kOk) return OnUpstreamEnd(r.status == IoStatus::kEof ? 0 : r.err);
  Touch();
  ctx_.stats.bytes_from_upstream += r.bytes;
  if (phase_ == Phase::kTunnel) {
    if (tunnel_) tunnel_->bytes_down += r.bytes;
    to_client_ready_ = to_client_.size();
    return WriteClient();
  }
  if (!ex_) {
    // Bytes on an idle kept-alive connection: the origin broke the protocol; never reuse it.
    to_client_.TruncateTo(to_client_ready_);
    CloseUpstream();
    if (tls_) Close();  // one upstream per intercepted connection
    return;
  }
  if (!ex_->response_started) {
    ex_->response_started = true;
    ex_->record.ttfb =
        ex_->request_sent ? ctx_.loop.clock().Now() - ex_->sent_at : Duration::zero();
  }
  ProcessResponse();
  if (phase_ != Phase::kClosed) WriteClient();
}

// Parses what arrived after the bytes already known to be response: the head, then body
// framing. Only parsed bytes become writable, so the client never sees a half-checked head.
void ProxyConnection::ProcessResponse() {
  while (ex_ && !ex_->response_complete) {
    const std::string_view pending = to_client_.view().substr(to_client_ready_);
    if (pending.empty()) return;
    if (!ex_->head_done) {
      if (!ProcessResponseHead(pending)) return;
      continue;
    }
    std::string* copy = ex_->copy_playlist ? &ex_->playlist : nullptr;
    const size_t n = ex_->response_body.Feed(pending, copy);
    to_client_ready_ += n;
    ex_->record.body_bytes = ex_->response_body.wire_bytes();
    if (copy != nullptr && ex_->playlist.size() > ctx_.options.max_playlist_bytes) {
      ex_->copy_playlist = false;
      std::string().swap(ex_->playlist);
    }
    if (ex_->response_body.error()) return FailExchange(RequestError::kBadResponse);
    if (ex_->response_body.done()) ex_->response_complete = true;
  }
  if (ex_ && to_client_.size() > to_client_ready_) {
    ex_->trailing_garbage = true;
    to_client_.TruncateTo(to_client_ready_);
  }
}

bool ProxyConnection::ProcessResponseHead(std::string_view pending) {
  const HeadStatus st = response_parser_.Feed(pending);
  if (st == HeadStatus::kIncomplete) return false;
  if (st == HeadStatus::kError) {
    FailExchange(RequestError::kBadResponse);
    return false;
  }
  const ResponseHead& head = response_parser_.head();
  ex_->record.header_bytes += response_parser_.head_bytes();
  to_client_ready_ += response_parser_.head_bytes();
  if (head.status < 200 && head.status != 101) {  // interim (100 Continue): relay, read on
    response_parser_.Reset();
    return true;
  }
  ex_->record.status = head.status;
  ex_->record.cache = http::CacheStatusOf(head);
  ex_->head_done = true;
  if (head.status == 101) {
    ex_->upgrade = true;
    ex_->response_complete = true;
    to_client_ready_ = to_client_.size();
    return true;
  }
  FramingChoice framing = ResponseFraming(head, ex_->record.method);
  if (!framing.ok) {
    FailExchange(RequestError::kBadResponse);
    return false;
  }
  ex_->response_body = framing.framer;
  ex_->response_keep_alive = head.KeepAlive();
  const std::string* type = head.Find("content-type");
  ex_->copy_playlist = head.status >= 200 && head.status < 300 &&
                       head.Find("content-encoding") == nullptr &&
                       hls::LooksLikePlaylist(ex_->url, type != nullptr ? *type : std::string());
  if (ex_->response_body.done()) ex_->response_complete = true;
  return true;
}

// The client went away mid-response. What the origin already sent is sitting in our socket's
// receive buffer, and the origin counts it as sent ($body_bytes_sent): count it too, reading
// only what has arrived (never waiting for more), so byte totals match the origin's log.
void ProxyConnection::CountUnreadResponse() {
  if (!ex_ || !ex_->head_done || !UpstreamReady() || !upstream_.Valid()) return;
  to_client_.Clear();  // everything in it was parsed already
  to_client_ready_ = 0;
  for (size_t drained = 0; drained < kMaxAbortDrainBytes && !ex_->response_body.done();) {
    IoResult r = UpstreamRead(to_client_.cap());
    if (r.status != IoStatus::kOk) break;
    drained += r.bytes;
    ex_->response_body.Feed(to_client_.view(), nullptr);
    to_client_.TruncateTo(0);
  }
  ex_->record.body_bytes = ex_->response_body.wire_bytes();
}

// The upstream closed (err == 0) or failed (errno).
void ProxyConnection::OnUpstreamEnd(int err) {
  if (!ex_) {
    if (phase_ == Phase::kTunnel) return FinishTunnelRead();
    CloseUpstream();           // the origin closed an idle kept-alive connection: fine
    if (tls_) return Close();  // and the intercepted client connection with it
    return MaybeCloseAfterFlush();
  }
  Exchange& ex = *ex_;
  if (ex.response_complete) return CloseUpstream();
  if (!ex.response_started && tls_ && ex.record.reused_connection &&
      ex.request_body.framing() == Framing::kNone) {
    // Intercepted: the viewer sees its kept-alive connection close, exactly as without the tap,
    // and retries on a new one itself; the origin never saw this request.
    ++ctx_.stats.keepalive_retries;
    ex_.reset();
    return Close();
  }
  if (!ex.response_started) {
    // A kept-alive connection the origin closed just as the request went out: FFmpeg would
    // retry on a new connection itself ("keepalive request failed"), so the tap does the same.
    if (ex.record.reused_connection && !ex.retried && ex.request_body.framing() == Framing::kNone) {
      return RetryOnNewConnection();
    }
    return FailExchange(RequestError::kReset);
  }
  if (!ex.head_done) return FailExchange(RequestError::kReset);
  if (err == 0 && ex.response_body.FinishOnEof()) {
    ex.response_complete = true;
    CloseUpstream();
    if (to_client_ready_ == 0) FinishExchange();
    return;
  }
  FailExchange(err == 0 ? RequestError::kTruncated : RequestError::kReset);
}

void ProxyConnection::RetryOnNewConnection() {
  ++ctx_.stats.keepalive_retries;
  ex_->retried = true;
  ex_->record.reused_connection = false;
  ex_->request_sent = false;
  const std::string key = upstream_key_;
  CloseUpstream();
  to_upstream_.Clear();
  to_upstream_.Append(ex_->upstream_head);
  if (OpenUpstreamForExchange(
          ctx_.addresses.Lookup(ex_->host, ex_->port, ctx_.loop.clock().Now()))) {
    upstream_key_ = key;
  }
}

void ProxyConnection::FinishExchange() {
  Exchange& ex = *ex_;
  ex.record.total = ctx_.loop.clock().Now() - ex.record.started;
  Report(true);
  ++requests_served_;
  // A body delimited by the close, or a "Connection: close" on either side, ends the client
  // connection too: the client was told so, exactly as the origin told it.
  const bool client_keep = ex.keep_alive && ex.response_keep_alive && !ex.upgrade &&
                           ex.response_body.framing() != Framing::kUntilClose;
  const bool upgrade = ex.upgrade;
  upstream_reusable_ =
      client_keep && upstream_.Valid() && upstream_connected_ && !ex.trailing_garbage;
  ex_.reset();
  response_parser_.Reset();
  if (upgrade) {  // 101: from now on relay bytes both ways
    to_upstream_.Append(client_in_.view());
    client_in_.Clear();
    return SetPhase(Phase::kTunnel);
  }
  if (!upstream_reusable_) CloseUpstream();
  to_client_.Release();
  to_upstream_.Release();
  if (!client_keep || (tls_ && !upstream_reusable_)) return Close();
  SetPhase(Phase::kIdle);
  if (client_in_.empty()) {
    client_in_.Release();
    if (tls_) tls_->ReleaseBuffers();
  } else {
    ParseRequest();  // a pipelined request already buffered: no readiness event will come
  }
}

void ProxyConnection::FailExchange(RequestError error) {
  Exchange& ex = *ex_;
  ex.record.error = error;
  ex.record.total = ctx_.loop.clock().Now() - ex.record.started;
  const bool nothing_delivered = ex.delivered == 0;
  Report(false);
  ex_.reset();
  response_parser_.Reset();
  CloseUpstream();
  to_upstream_.Clear();
  if (nothing_delivered) {
    const bool tls_failed = error == RequestError::kTls && tls_ && !tls_->upstream_error.empty();
    return SendTapResponse(StatusFor(error), ProxyErrorFor(error),
                           tls_failed ? "TLS to the origin failed: " + tls_->upstream_error
                                      : std::string(ToString(error)));
  }
  // Mid-body: deliver what the origin sent, then close, so the client sees the same truncation.
  to_client_.TruncateTo(to_client_ready_);
  SetPhase(Phase::kFlushClose);
  MaybeCloseAfterFlush();
}

void ProxyConnection::Report(bool learn) {
  RequestRecord& rec = ex_->record;
  std::optional<RequestKind> learned;
  if (learn && ex_->copy_playlist && rec.error == RequestError::kNone) {
    learned = ctx_.classifier.LearnPlaylist(ex_->url, ex_->playlist);
  }
  if (learned) {
    rec.kind = *learned;
    // Identical bodies on successive reloads mean the playlist stopped advancing.
    rec.playlist_body_hash = std::hash<std::string_view>()(ex_->playlist);
  } else {
    const UrlInfo info = ctx_.classifier.Classify(ex_->url);
    rec.kind = info.kind;
    rec.media_duration_s = info.media_duration_s;
  }
  ++ctx_.stats.requests;
  if (rec.error != RequestError::kNone) ++ctx_.stats.request_errors;
  if (rec.reused_connection) ++ctx_.stats.reused_requests;
  if (ctx_.listener != nullptr) ctx_.listener->OnRequestComplete(rec);
}

// One side of a tunnel ended: deliver what is buffered for the other side, then close.
void ProxyConnection::FinishTunnelRead() {
  SetPhase(Phase::kFlushClose);
  to_client_ready_ = to_client_.size();
  MaybeCloseAfterFlush();
}

void ProxyConnection::FailTunnel(RequestError error) {
  if (tunnel_) tunnel_->error = error;
  CloseUpstream();
  to_upstream_.Clear();
  SendTapResponse(StatusFor(error), ProxyErrorFor(error), ToString(error));
}

void ProxyConnection::ReportTunnel() {
  tunnel_->duration = ctx_.loop.clock().Now() - tunnel_->started;
  if (ctx_.listener != nullptr) ctx_.listener->OnTunnelClosed(*tunnel_);
  tunnel_.reset();
}

}  // namespace hs::tap
