// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The client side of a proxied connection: request heads, the tap's own responses, the
// connection's phases and timer. The upstream side is in proxy_upstream.cc.
#include "tap/proxy_connection.h"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "core/http_status.h"
#include "core/io.h"

namespace hs::tap {

namespace {

constexpr std::uint64_t kMaxLingerBytes = 1 << 20;
constexpr Duration kLingerTime = std::chrono::seconds(2);

std::string Reason(int status) {
  const std::string_view r = HttpReasonPhrase(status);
  return r.empty() ? std::string("Error") : std::string(r);
}

// The request as the origin must see it: origin-form target, the client's headers in order and
// unchanged except the two addressed to the proxy itself.
std::string BuildUpstreamHead(const RequestHead& head) {
  std::string out = fmt::format("{} {} HTTP/1.{}\r\n", head.method, head.path, head.minor_version);
  bool has_host = false;
  for (const HttpHeader& h : head.headers) {
    if (EqualsIgnoreCase(h.name, "proxy-connection") ||
        EqualsIgnoreCase(h.name, "proxy-authorization")) {
      continue;
    }
    has_host = has_host || EqualsIgnoreCase(h.name, "host");
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (!has_host) {
    // RFC 9112 §3.2: a proxy must send Host; rebuild it from the absolute target.
    const std::string host = head.ipv6 ? fmt::format("[{}]", head.host) : head.host;
    out.append("Host: ").append(head.port == 80 ? host : fmt::format("{}:{}", host, head.port));
    out.append("\r\n");
  }
  out.append("\r\n");
  return out;
}

}  // namespace

ProxyConnection::ProxyConnection(ProxyContext& ctx, UniqueFd client)
    : ctx_(ctx),
      client_(std::move(client)),
      client_in_(ctx.options.buffer_bytes, &ctx.stats.buffered),
      to_upstream_(ctx.options.buffer_bytes, &ctx.stats.buffered),
      to_client_(ctx.options.buffer_bytes, &ctx.stats.buffered),
      request_parser_(ctx.options.max_request_head_bytes),
      response_parser_(ctx.options.max_response_head_bytes) {}

// Close() or Abandon() has already given every loop registration and buffered byte back; what
// is left (parsers, strings) needs nothing from the loop or the server.
ProxyConnection::~ProxyConnection() = default;

bool ProxyConnection::Start() {
  client_watch_ =
      ctx_.loop.Watch(client_.Get(), EPOLLIN, [this](std::uint32_t ev) { OnClientEvent(ev); });
  if (!client_watch_) {
    phase_ = Phase::kClosed;
    return false;
  }
  timer_ = ctx_.loop.CreateTimer([this] { OnTimer(); });
  ++ctx_.stats.connections_active;
  SetPhase(Phase::kIdle);
  return true;
}

void ProxyConnection::Abandon() {
  if (phase_ != Phase::kClosed) ReleaseAll();
}

void ProxyConnection::Close() {
  if (phase_ == Phase::kClosed) return;
  if (tunnel_) ReportTunnel();
  ShutdownTls();
  ReleaseAll();
  ctx_.on_closed(this);
}

void ProxyConnection::ReleaseAll() {
  phase_ = Phase::kClosed;
  client_watch_.reset();
  upstream_watch_.reset();
  timer_.reset();
  tls_.reset();  // the SSL objects before their sockets
  client_.Reset();
  upstream_.Reset();
  client_in_.Clear();
  to_upstream_.Clear();
  to_client_.Clear();
  to_client_ready_ = 0;
  ex_.reset();
  tunnel_.reset();
  --ctx_.stats.connections_active;
}

void ProxyConnection::ClientGone() {
  if (ex_) {
    CountUnreadResponse();
    ex_->record.error = RequestError::kClientAborted;
    ex_->record.total = ctx_.loop.clock().Now() - ex_->record.started;
    Report(false);
    ex_.reset();
  }
  Close();
}

void ProxyConnection::Touch() { last_progress_ = ctx_.loop.clock().Now(); }

void ProxyConnection::SetPhase(Phase phase) {
  phase_ = phase;
  Touch();
  // Re-arm on every phase change: the new phase's timeout may be shorter than the armed one.
  timer_->ArmAt(last_progress_ + PhaseTimeout());
}

Duration ProxyConnection::PhaseTimeout() const {
  const TapOptions& o = ctx_.options;
  switch (phase_) {
    case Phase::kIdle:
      return client_in_.empty() && requests_served_ > 0 ? o.keepalive_timeout : o.io_timeout;
    case Phase::kExchange:
      return UpstreamReady() ? o.io_timeout : o.connect_timeout;
    case Phase::kHandshake:
      return o.connect_timeout;
    case Phase::kTunnel:
      return upstream_connected_ ? o.keepalive_timeout : o.connect_timeout;
    case Phase::kLinger:
      return std::min(o.io_timeout, kLingerTime);
    default:
      return o.io_timeout;
  }
}

// Progress only moves last_progress_; the timer is re-armed lazily when it fires early, so a
// busy transfer costs no timer operations per read.
void ProxyConnection::OnTimer() {
  if (phase_ == Phase::kClosed) return;
  const SteadyTime deadline = last_progress_ + PhaseTimeout();
  if (ctx_.loop.clock().Now() < deadline) {
    timer_->ArmAt(deadline);
    return;
  }
  if (phase_ == Phase::kExchange && ex_) {
    if (!UpstreamReady()) ++ctx_.stats.upstream_connect_failures;
    FailExchange(UpstreamReady() ? RequestError::kTimeout : RequestError::kConnectTimeout);
  } else if (phase_ == Phase::kTunnel && !upstream_connected_) {
    ++ctx_.stats.upstream_connect_failures;
    FailTunnel(RequestError::kConnectTimeout);
  } else {
    Close();  // idle keep-alive, slow head, idle tunnel, stalled flush or linger
    return;
  }
  UpdateInterest();
}

void ProxyConnection::OnClientEvent(std::uint32_t events) {
  if (phase_ == Phase::kClosed) return;
  // HUP/ERR are reported whatever the interest mask, so they must end the connection now or
  // the level-triggered loop would spin on them.
  if (events & (EPOLLERR | EPOLLHUP)) {
    if (phase_ == Phase::kLinger) return Close();
    if (phase_ == Phase::kHandshake && tls_->client_ssl) {
      // A viewer that rejects the tap's certificate sends an alert and goes: read the alert
      // for the reason, and count it as a failed handshake in any case.
      ClientHandshake();
      if (phase_ != Phase::kHandshake) return;
      return ClientTlsFailed("the viewer closed the connection during the handshake");
    }
    return ClientGone();
  }
  if (phase_ == Phase::kHandshake) {
    if (events & EPOLLOUT) WriteClient();  // the 200 to the CONNECT
    if (phase_ == Phase::kHandshake && tls_->client_ssl) ClientHandshake();
  } else {
    if (events & EPOLLOUT) WriteClient();
    if (phase_ != Phase::kClosed && (events & EPOLLIN)) ReadClient();
  }
  PumpTls();
  UpdateInterest();
}

void ProxyConnection::ReadClient() {
  if (phase_ == Phase::kLinger) {
    std::array<char, 16 * 1024> sink;
    IoResult r = ReadSome(client_.Get(), sink.data(), sink.size());
    if (r.status == IoStatus::kRetry) return;
    linger_bytes_ += r.bytes;
    if (r.status != IoStatus::kOk || linger_bytes_ > kMaxLingerBytes) Close();
    return;
  }
  StreamBuffer& into = phase_ == Phase::kTunnel ? to_upstream_ : client_in_;
  const bool head_starts = phase_ == Phase::kIdle && client_in_.empty();
  IoResult r = ClientRead(into);
  if (r.status == IoStatus::kRetry) return;
  if (r.status != IoStatus::kOk) {
    if (phase_ == Phase::kTunnel) return FinishTunnelRead();
    return ClientGone();  // between requests this is the normal end of a keep-alive connection
  }
  Touch();
  if (tunnel_) tunnel_->bytes_up += r.bytes;
  if (phase_ == Phase::kIdle) {
    // A head has started: from the long keep-alive timeout to the I/O timeout, so a client
    // trickling a head in cannot hold the connection for the keep-alive time.
    if (head_starts) SetPhase(Phase::kIdle);
    ParseRequest();
  } else if (phase_ == Phase::kExchange) {
    MoveRequestBody();
    if (UpstreamReady()) WriteUpstream();
  } else if (phase_ == Phase::kTunnel && upstream_connected_) {
    WriteUpstream();
  }
}

void ProxyConnection::WriteClient() {
  while (to_client_ready_ > 0) {
    IoResult r = ClientWrite();
    if (r.status == IoStatus::kRetry) break;
    if (r.status != IoStatus::kOk) return ClientGone();
    to_client_ready_ -= r.bytes;
    ctx_.stats.bytes_to_client += r.bytes;
    if (ex_) ex_->delivered += r.bytes;
    Touch();
  }
  if (to_client_ready_ > 0) return;
  if (phase_ == Phase::kHandshake && tls_ && !tls_->client_ssl) return StartClientTls();
  if (phase_ == Phase::kExchange && ex_ && ex_->response_complete) return FinishExchange();
  MaybeCloseAfterFlush();
}

void ProxyConnection::MaybeCloseAfterFlush() {
  if (phase_ != Phase::kFlushClose || to_client_ready_ > 0) return;
  if (upstream_.Valid() && !to_upstream_.empty()) return;
  if (!linger_after_flush_) return Close();
  // Closing with unread request bytes would make the kernel send RST, which can destroy the
  // error response before the client reads it; half-close and drain first, as nginx does.
  ::shutdown(client_.Get(), SHUT_WR);
  SetPhase(Phase::kLinger);
}

void ProxyConnection::ParseRequest() {
  const HeadStatus st = request_parser_.Feed(client_in_.view());
  if (st == HeadStatus::kIncomplete) return;
  if (st == HeadStatus::kError) {
    return Refuse(request_parser_.error_status(), request_parser_.error());
  }
  HandleRequestHead();
}

void ProxyConnection::HandleRequestHead() {
  RequestHead head = std::move(request_parser_.head());
  client_in_.Consume(request_parser_.head_bytes());
  request_parser_.Reset();
  if (tls_) {  // inside an intercepted tunnel: requests as sent to an origin
    if (head.form != TargetForm::kOrigin) {
      return Refuse(400, "inside an https tunnel the request target must be a path");
    }
    FramingChoice framing = RequestFraming(head);
    if (!framing.ok) return Refuse(400, "invalid Content-Length or Transfer-Encoding");
    return StartTlsExchange(head, framing.framer);
  }
  if (head.form == TargetForm::kAuthority) {
    // Bytes already sent after the CONNECT head cannot be handed to the TLS server: such a
    // client gets a plain tunnel (FFmpeg waits for the 200).
    if (ctx_.tls != nullptr && client_in_.empty()) return StartIntercept(head);
    return StartTunnel(head);
  }
  if (head.form != TargetForm::kAbsolute) {
    return Refuse(400, "not a proxy request: the target must be an absolute http:// URL");
  }
  if (head.scheme != "http") return Refuse(501, "only http:// is forwarded; https needs CONNECT");
  FramingChoice framing = RequestFraming(head);
  if (!framing.ok) return Refuse(400, "invalid Content-Length or Transfer-Encoding");
  StartExchange(head, framing.framer);
}

// The viewer a request comes from (its User-Agent's "/client-N"), -1 if none.
int ProxyConnection::ViewerOf(const RequestHead& head) {
  const std::string* ua = head.Find("user-agent");
  return ua != nullptr ? ViewerIdFromUserAgent(*ua) : -1;
}

// The exchange of a request (http or intercepted https) and the start of its record.
void ProxyConnection::NewExchange(const RequestHead& head, std::string url, bool reused,
                                  BodyFramer body) {
  ex_ = std::make_unique<Exchange>();
  RequestRecord& rec = ex_->record;
  rec.started = ctx_.loop.clock().Now();
  rec.method = head.method;
  rec.viewer_id = ViewerOf(head);
  rec.reused_connection = reused;
  ex_->url = std::move(url);
  rec.path = ex_->url;
  ex_->keep_alive = head.KeepAlive();
  ex_->request_body = body;
}

void ProxyConnection::StartExchange(const RequestHead& head, BodyFramer request_body) {
  const std::string key = head.HostPort();
  const bool reuse = upstream_.Valid() && upstream_reusable_ && key == upstream_key_;
  Result<UpstreamAddress> addr = UpstreamAddress{};
  if (!reuse) {
    addr = ctx_.addresses.Lookup(head.host, head.port, ctx_.loop.clock().Now());
    if (addr && IsSelf(*addr)) return Refuse(508, "the request is addressed to the tap itself");
  }
  NewExchange(head, fmt::format("http://{}{}", key, head.path), reuse, request_body);
  ex_->host = head.host;
  ex_->port = head.port;
  ex_->upstream_head = BuildUpstreamHead(head);
  upstream_reusable_ = false;
  to_upstream_.Append(ex_->upstream_head);
  MoveRequestBody();
  if (phase_ == Phase::kClosed) return;
  SetPhase(Phase::kExchange);
  if (reuse) return WriteUpstream();
  CloseUpstream();
  if (OpenUpstreamForExchange(addr)) upstream_key_ = key;
}

bool ProxyConnection::OpenUpstreamForExchange(const Result<UpstreamAddress>& addr) {
  RequestError err = RequestError::kResolve;
  if (addr) err = ConnectUpstream(*addr);
  if (err == RequestError::kNone) {
    SetPhase(Phase::kExchange);  // now under the connect timeout
    return true;
  }
  if (err != RequestError::kResolve) ++ctx_.stats.upstream_connect_failures;
  FailExchange(err);
  return false;
}

void ProxyConnection::MoveRequestBody() {
  if (!ex_ || ex_->request_body.done() || client_in_.empty()) return;
  const std::string_view avail =
      client_in_.view().substr(0, std::min(client_in_.size(), to_upstream_.space()));
  const size_t n = ex_->request_body.Feed(avail, nullptr);
  to_upstream_.Append(avail.substr(0, n));
  client_in_.Consume(n);
  if (ex_->request_body.error()) ClientGone();  // a malformed chunked request body
}

bool ProxyConnection::IsSelf(const UpstreamAddress& addr) const {
  return addr.len == ctx_.self.len && std::memcmp(&addr.addr, &ctx_.self.addr, addr.len) == 0;
}

void ProxyConnection::Refuse(int status, std::string_view why) {
  ++ctx_.stats.bad_requests;
  linger_after_flush_ = true;
  SendTapResponse(status, "http_request_error", why);
}

// A response written by the tap itself (the request never reached the origin, or the origin
// failed before any response byte reached the client). Proxy-Status (RFC 9209) names the
// cause for anyone reading FFmpeg's trace log; the connection closes after it.
void ProxyConnection::SendTapResponse(int status, std::string_view proxy_error,
                                      std::string_view body) {
  to_client_.Clear();
  const std::string text = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n"
      "Proxy-Status: hls-swarm-tap; error={}\r\nConnection: close\r\n\r\n{}\n",
      status, Reason(status), body.size() + 1, proxy_error, body);
  to_client_.Append(text);
  to_client_ready_ = to_client_.size();
  SetPhase(Phase::kFlushClose);
}

void ProxyConnection::StartTunnel(const RequestHead& head) {
  Result<UpstreamAddress> addr =
      ctx_.addresses.Lookup(head.host, head.port, ctx_.loop.clock().Now());
  if (addr && IsSelf(*addr)) return Refuse(508, "the tunnel is addressed to the tap itself");
  ++ctx_.stats.tunnels;
  OpenTunnelRecord(head);
  // Bytes sent after the CONNECT head (an eager TLS ClientHello) belong to the tunnel.
  tunnel_->bytes_up = client_in_.size();
  to_upstream_.Append(client_in_.view());
  client_in_.Clear();
  SetPhase(Phase::kTunnel);
  ConnectTunnel(addr);
}

// The record of a CONNECT (a tunnel, or an interception until the client's handshake is done).
void ProxyConnection::OpenTunnelRecord(const RequestHead& head) {
  tunnel_ = std::make_unique<TunnelRecord>();
  tunnel_->started = ctx_.loop.clock().Now();
  tunnel_->authority = head.target;
  tunnel_->viewer_id = ViewerOf(head);
}

// Connects a CONNECT's upstream; a failure (or no address) ends it with its error.
void ProxyConnection::ConnectTunnel(const Result<UpstreamAddress>& addr) {
  RequestError err = addr ? ConnectUpstream(*addr) : RequestError::kResolve;
  if (err != RequestError::kNone) {
    if (err != RequestError::kResolve) ++ctx_.stats.upstream_connect_failures;
    FailTunnel(err);
  }
}

bool ProxyConnection::WantClientRead() const {
  switch (phase_) {
    case Phase::kIdle:
      return client_in_.space() > 0;
    case Phase::kLinger:
      return true;
    case Phase::kExchange:
      // While the response is relayed keep reading the client (bounded) so that a client that
      // goes away is noticed at once rather than after the transfer.
      if (!ex_) return false;
      if (!ex_->request_body.done()) return client_in_.space() > 0 && to_upstream_.space() > 0;
      return client_in_.size() <= ctx_.options.max_request_head_bytes;
    case Phase::kTunnel:
      return to_upstream_.space() > 0;
    default:
      return false;
  }
}

bool ProxyConnection::WantUpstreamRead() const {
  const bool want = (phase_ == Phase::kExchange && ex_ && !ex_->response_complete) ||
                    phase_ == Phase::kTunnel || (phase_ == Phase::kIdle && !ex_) ||
                    (phase_ == Phase::kHandshake && UpstreamReady());
  return want && to_client_.space() > 0;
}

void ProxyConnection::UpdateInterest() {
  if (phase_ == Phase::kClosed) return;
  std::uint32_t c = 0;
  if (phase_ == Phase::kHandshake) {
    if (tls_ && tls_->client_ssl) c = tls_->client_want;
  } else if (WantClientRead()) {
    c = EPOLLIN;
  }
  if (to_client_ready_ > 0) c |= EPOLLOUT;
  client_watch_->SetEvents(c);

  if (!upstream_.Valid()) return;
  std::uint32_t u = 0;
  if (!upstream_connected_) {
    u = EPOLLOUT;
  } else if (!UpstreamReady()) {
    u = tls_->upstream_want;  // the origin's TLS handshake
  } else {
    if (!to_upstream_.empty()) u |= EPOLLOUT;
    if (WantUpstreamRead()) u |= EPOLLIN;
  }
  if (upstream_watch_) {
    upstream_watch_->SetEvents(u);
  } else if (u != 0) {  // parked after a hang-up: watch again now that we can act on it
    upstream_watch_ =
        ctx_.loop.Watch(upstream_.Get(), u, [this](std::uint32_t ev) { OnUpstreamEvent(ev); });
  }
}

}  // namespace hs::tap
