// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/client.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/cache_status.h"

namespace hs::http {

namespace {

using measure::RequestError;

// Reads per readiness event on a plain socket: level-triggered epoll calls again, and other
// connections get their turn in between.
constexpr int kMaxReadsPerEvent = 4;

RequestError ConnectErrorFor(int err) {
  return err == ETIMEDOUT ? RequestError::kConnectTimeout : RequestError::kConnectRefused;
}

std::string ErrnoText(std::string_view what, int err) {
  return std::string(what) + ": " + ::strerror(err);
}

}  // namespace

std::string Endpoint::Label() const {
  return AddressLabel(reinterpret_cast<const sockaddr*>(&addr));
}

bool Endpoint::SameAs(const Endpoint& other) const {
  if (tls != other.tls || host != other.host || addr.ss_family != other.addr.ss_family) {
    return false;
  }
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    const auto& b = reinterpret_cast<const sockaddr_in&>(other.addr);
    return a.sin_port == b.sin_port && a.sin_addr.s_addr == b.sin_addr.s_addr;
  }
  if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    const auto& b = reinterpret_cast<const sockaddr_in6&>(other.addr);
    return a.sin6_port == b.sin6_port && a.sin6_scope_id == b.sin6_scope_id &&
           std::memcmp(&a.sin6_addr, &b.sin6_addr, sizeof(a.sin6_addr)) == 0;
  }
  return addr_len == other.addr_len && std::memcmp(&addr, &other.addr, addr_len) == 0;
}

ClientShared::ClientShared(EventLoop& loop, TlsContext* tls, size_t read_buffer_bytes)
    : loop_(loop),
      tls_(tls),
      read_buffer_(new char[std::max<size_t>(read_buffer_bytes, 16 * 1024)]),
      read_buffer_bytes_(std::max<size_t>(read_buffer_bytes, 16 * 1024)) {}

Connection::Connection(ClientShared& shared) : shared_(shared) {}

Connection::~Connection() { Close(); }

void Connection::Send(const Endpoint& to, Request req, DoneCallback done) {
  assert(!busy());
  EventLoop& loop = shared_.loop();
  if (!timer_) timer_ = loop.CreateTimer([this] { OnTimer(); });
  req_ = std::move(req);
  done_ = std::move(done);
  resp_ = Response{};
  resp_.started = loop.clock().Now();
  resp_.remote = to.Label();
  total_deadline_ = resp_.started + req_.total_timeout;
  got_byte_ = false;
  if (to.tls && shared_.tls() == nullptr) {
    return FailSoon(RequestError::kTls, "https needs a TLS context");
  }
  if (open() && keep_alive_ && endpoint_.SameAs(to)) {
    resp_.reused = true;
    return BeginRequest();
  }
  CloseSocket();
  endpoint_ = to;
  Connect();
}

void Connection::Cancel() { Close(); }

void Connection::Close() {
  CloseSocket();
  if (timer_) timer_->Cancel();
  done_ = nullptr;
  phase_ = Phase::kIdle;
  parser_.Reset();
  framer_ = BodyFramer();
  std::string().swap(head_);
}

void Connection::CloseSocket() {
  watch_.reset();
  if (ssl_ && SSL_is_init_finished(ssl_.get()) == 1) {
    // SSL_free() without a close_notify marks the session not resumable (OpenSSL's
    // ssl_clear_bad_session), which would empty the resumption cache. One best-effort
    // close_notify, as browsers send; a handshake that failed is dropped without one.
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
  ssl_.reset();
  fd_.Reset();
  keep_alive_ = false;
}

void Connection::Watch(std::uint32_t events) {
  if (watch_) watch_->SetEvents(events);
}

void Connection::ArmTimer() { timer_->ArmAt(std::min(phase_deadline_, total_deadline_)); }

void Connection::Connect() {
  ++shared_.counters().connects;
  const auto* addr = reinterpret_cast<const sockaddr*>(&endpoint_.addr);
  UniqueFd fd(::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return FailSoon(RequestError::kConnectRefused, ErrnoText("socket", errno));
  const int one = 1;
  ::setsockopt(fd.Get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  connect_started_ = shared_.loop().clock().Now();
  if (::connect(fd.Get(), addr, endpoint_.addr_len) != 0 && errno != EINPROGRESS) {
    return FailSoon(ConnectErrorFor(errno), ErrnoText("connect", errno));
  }
  fd_ = std::move(fd);
  // Even an immediate success is handled from the EPOLLOUT it produces.
  watch_ = shared_.loop().Watch(fd_.Get(), EPOLLOUT, [this](std::uint32_t ev) { OnEvents(ev); });
  if (!watch_) return FailSoon(RequestError::kConnectRefused, ErrnoText("epoll_ctl", errno));
  phase_ = Phase::kConnecting;
  phase_deadline_ = connect_started_ + req_.connect_timeout;
  ArmTimer();
}

void Connection::OnEvents(std::uint32_t /*events*/) {
  // The phase decides what to try; the syscall then reports errors and hang-ups itself.
  switch (phase_) {
    case Phase::kConnecting:
      return OnConnected();
    case Phase::kHandshake:
      return DoHandshake();
    case Phase::kWriting:
      return DoWrite();
    case Phase::kHead:
    case Phase::kBody:
      return DoRead();
    case Phase::kIdle:
      return OnIdleReadable();
    case Phase::kFailPending:
      return;
  }
}

void Connection::OnTimer() {
  if (phase_ == Phase::kFailPending) return Finish();
  if (phase_ == Phase::kIdle) return;
  const SteadyTime now = shared_.loop().clock().Now();
  if (now >= total_deadline_) {
    const bool connecting = phase_ == Phase::kConnecting || phase_ == Phase::kHandshake;
    return Fail(connecting ? RequestError::kConnectTimeout : RequestError::kTimeout,
                "total timeout");
  }
  if (now >= phase_deadline_) {
    if (phase_ == Phase::kConnecting || phase_ == Phase::kHandshake) {
      return Fail(RequestError::kConnectTimeout, "connect timeout");
    }
    return Fail(RequestError::kTimeout, "no response byte before the TTFB timeout");
  }
  ArmTimer();
}

void Connection::OnConnected() {
  int err = 0;
  socklen_t len = sizeof(err);
  ::getsockopt(fd_.Get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return Fail(ConnectErrorFor(err), ErrnoText("connect", err));
  if (!endpoint_.tls) {
    resp_.connect_time = shared_.loop().clock().Now() - connect_started_;
    return BeginRequest();
  }
  auto ssl = shared_.tls()->NewClient(fd_.Get(), endpoint_.host,
                                      reinterpret_cast<const sockaddr*>(&endpoint_.addr));
  if (!ssl) return Fail(RequestError::kTls, ssl.error().detail);
  ssl_ = std::move(*ssl);
  phase_ = Phase::kHandshake;
  DoHandshake();
}

void Connection::DoHandshake() {
  std::uint32_t want = 0;
  switch (TlsHandshake(ssl_.get(), &want)) {
    case TlsStep::kDone:
      shared_.tls()->OnHandshakeDone(ssl_.get());
      resp_.connect_time = shared_.loop().clock().Now() - connect_started_;
      return BeginRequest();
    case TlsStep::kWant:
      return Watch(want);
    case TlsStep::kFailed:
      return Fail(RequestError::kTls, TlsContext::FailureDetail(ssl_.get()));
  }
}

void Connection::BeginRequest() {
  const std::string& host = !req_.host_header.empty() ? req_.host_header
                            : !endpoint_.host.empty() ? endpoint_.host
                                                      : resp_.remote;
  head_.clear();
  head_.reserve(req_.method.size() + req_.target.size() + host.size() + req_.extra_headers.size() +
                32);
  head_.append(req_.method).append(" ").append(req_.target).append(" HTTP/1.1\r\nHost: ");
  head_.append(host).append("\r\n").append(req_.extra_headers).append("\r\n");
  written_ = 0;
  phase_ = Phase::kWriting;
  phase_deadline_ = shared_.loop().clock().Now() + req_.ttfb_timeout;
  ArmTimer();
  DoWrite();
}

void Connection::DoWrite() {
  while (written_ < head_.size()) {
    const IoResult r = Write(head_.data() + written_, head_.size() - written_);
    if (r.status == IoStatus::kRetry) return Watch(io_want_);
    if (r.status != IoStatus::kOk) {
      return FailOrRetry(RequestError::kReset, ErrnoText("write", r.err != 0 ? r.err : EPIPE));
    }
    written_ += r.bytes;
  }
  sent_at_ = shared_.loop().clock().Now();
  head_.clear();
  phase_ = Phase::kHead;
  Watch(EPOLLIN);
}

void Connection::DoRead() {
  char* buf = shared_.read_buffer();
  const size_t cap = shared_.read_buffer_bytes();
  for (int i = 0; i < kMaxReadsPerEvent || (ssl_ && SSL_pending(ssl_.get()) > 0); ++i) {
    const IoResult r = Read(buf, cap);
    if (r.status == IoStatus::kRetry) return Watch(io_want_);
    if (r.status != IoStatus::kOk) return OnReadEnd(r);
    if (!OnBytes(std::string_view(buf, r.bytes))) return;  // finished: `this` may be reused
  }
}

// Returns false when the request ended (done was called: `this` may carry another request).
bool Connection::OnBytes(std::string_view data) {
  if (!got_byte_) {
    got_byte_ = true;
    resp_.ttfb = shared_.loop().clock().Now() - sent_at_;
    phase_deadline_ = SteadyTime::max();
    ArmTimer();
  }
  while (phase_ == Phase::kHead && !data.empty()) {
    size_t used = 0;
    if (!OnHeadBytes(data, &used)) return false;
    data.remove_prefix(used);
  }
  if (phase_ != Phase::kBody) return true;
  if (framer_.done()) {
    if (!data.empty()) keep_alive_ = false;  // bytes after the response: never reuse
    Finish();
    return false;
  }
  return data.empty() || OnBodyBytes(data);
}

// Parses response head bytes; *used = how many bytes of \a data belonged to the head. Returns
// false when the request failed.
bool Connection::OnHeadBytes(std::string_view data, size_t* used) {
  // The common case, a whole head in one read, is parsed in place without a copy; only a head
  // split over reads is gathered in head_.
  const size_t earlier = head_.size();
  if (earlier != 0) head_.append(data);
  const std::string_view buf = earlier != 0 ? std::string_view(head_) : data;
  const HeadStatus st = parser_.Feed(buf);
  if (st == HeadStatus::kError) {
    Fail(RequestError::kBadResponse, "bad response head: " + parser_.error());
    return false;
  }
  if (st == HeadStatus::kIncomplete) {
    if (earlier == 0) head_.assign(data);
    *used = data.size();
    return true;
  }
  *used = parser_.head_bytes() - earlier;
  resp_.header_bytes += parser_.head_bytes();
  if (!AcceptHead()) return false;
  parser_.Reset();
  head_.clear();
  return true;
}

// Takes what the request needs from a complete head: a final head moves to kBody, an interim
// one (100 Continue, 103 Early Hints) leaves kHead for the real one. False when it failed.
bool Connection::AcceptHead() {
  const ResponseHead& head = parser_.head();
  if (head.status == 101) {
    Fail(RequestError::kBadResponse, "unexpected 101 Switching Protocols");
    return false;
  }
  if (head.status < 200) return true;
  FramingChoice framing = ResponseFraming(head, req_.method);
  if (!framing.ok) {
    Fail(RequestError::kBadResponse, "conflicting or invalid body length headers");
    return false;
  }
  resp_.status = head.status;
  if (const std::string* v = head.Find("location")) resp_.location = *v;
  if (const std::string* v = head.Find("content-type")) resp_.content_type = *v;
  resp_.cache = CacheStatusOf(head);
  framer_ = framing.framer;
  keep_alive_ = head.KeepAlive() && framer_.framing() != Framing::kUntilClose;
  phase_ = Phase::kBody;
  return true;
}

bool Connection::OnBodyBytes(std::string_view data) {
  std::string* payload = req_.keep_body ? &resp_.body : nullptr;
  const size_t used = framer_.Feed(data, payload);
  resp_.body_bytes = framer_.wire_bytes();
  if (framer_.error()) {
    Fail(RequestError::kBadResponse, "bad chunked body framing");
    return false;
  }
  if (payload != nullptr && payload->size() > req_.max_body_bytes) {
    Fail(RequestError::kBadResponse,
         "body larger than max_body_bytes (" + std::to_string(req_.max_body_bytes) + ")");
    return false;
  }
  if (!framer_.done()) return true;
  if (used < data.size()) keep_alive_ = false;
  Finish();
  return false;
}

void Connection::OnReadEnd(const IoResult& r) {
  const bool eof = r.status == IoStatus::kEof;
  if (!got_byte_) {
    return FailOrRetry(RequestError::kReset,
                       eof ? "connection closed before the response" : ErrnoText("read", r.err));
  }
  if (phase_ == Phase::kHead) {
    return Fail(RequestError::kReset,
                eof ? "connection closed in the response head" : ErrnoText("read", r.err));
  }
  if (eof && framer_.FinishOnEof()) {
    keep_alive_ = false;
    return Finish();
  }
  Fail(eof ? RequestError::kTruncated : RequestError::kReset,
       eof ? "connection closed before the end of the body" : ErrnoText("read", r.err));
}

// An idle kept-alive socket became readable: the server closed it (or broke the protocol by
// sending unasked bytes). Either way it can carry nothing more.
void Connection::OnIdleReadable() { CloseSocket(); }

// A request on a reused connection that dies before any response byte is sent again, once, on
// a new connection: the server may have closed the idle connection just as the request left
// (browsers, hls.js via the browser, and FFmpeg all do this).
void Connection::FailOrRetry(RequestError error, std::string detail) {
  if (!resp_.reused || resp_.keepalive_retry || got_byte_) return Fail(error, std::move(detail));
  ++shared_.counters().keepalive_retries;
  resp_.reused = false;
  resp_.keepalive_retry = true;
  CloseSocket();
  Connect();
}

void Connection::Fail(RequestError error, std::string detail) {
  resp_.error = error;
  resp_.error_detail = std::move(detail);
  keep_alive_ = false;
  Finish();
}

void Connection::FailSoon(RequestError error, std::string detail) {
  resp_.error = error;
  resp_.error_detail = std::move(detail);
  CloseSocket();
  phase_ = Phase::kFailPending;
  timer_->Arm(Duration::zero());
}

// Ends the request: the connection is left idle (kept alive, or closed) before done runs, so
// done may send the next request; nothing touches `this` after done.
void Connection::Finish() {
  resp_.total = shared_.loop().clock().Now() - resp_.started;
  timer_->Cancel();
  if (keep_alive_ && resp_.error == RequestError::kNone && fd_.Valid()) {
    // SSL_MODE_RELEASE_BUFFERS alone leaves ~16 KiB per idle TLS 1.3 connection (measured with
    // OpenSSL 3.0: 37 KB → 17-21 KB per idle connection with this call); the price is one
    // buffer allocation when the next response arrives.
    if (ssl_) SSL_free_buffers(ssl_.get());
    Watch(EPOLLIN);
  } else {
    CloseSocket();
  }
  phase_ = Phase::kIdle;
  parser_.Reset();
  framer_ = BodyFramer();
  std::string().swap(head_);
  req_ = Request{};
  ++shared_.counters().requests;
  DoneCallback done = std::move(done_);
  done_ = nullptr;
  Response out = std::move(resp_);
  done(std::move(out));
}

IoResult Connection::Read(char* buf, size_t cap) {
  if (!ssl_) {
    const IoResult r = ReadSome(fd_.Get(), buf, cap);
    io_want_ = EPOLLIN;
    return r;
  }
  return TlsRead(ssl_.get(), buf, cap, &io_want_);
}

IoResult Connection::Write(const char* buf, size_t len) {
  if (!ssl_) {
    for (;;) {
      // send(MSG_NOSIGNAL), not write(): a peer that closed must not raise SIGPIPE.
      const ssize_t n = ::send(fd_.Get(), buf, len, MSG_NOSIGNAL);
      io_want_ = EPOLLOUT;
      if (n >= 0) return {IoStatus::kOk, static_cast<size_t>(n), 0};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::kRetry, 0, errno};
      return {IoStatus::kError, 0, errno};
    }
  }
  return TlsWrite(ssl_.get(), buf, len, &io_want_);
}

}  // namespace hs::http
