// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Test helpers for the tap (header-only, included by *_test.cc only): a loopback HTTP/1.1
// origin and a raw client, both on the test's EventLoop, so a whole proxy exchange runs on one
// thread, deterministically, and every socket is an RAII handle. The origin parses requests
// with its own few lines of code, independent of the tap's parser under test.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/event_loop.h"
#include "core/io.h"
#include "core/test_util.h"
#include "core/unique_fd.h"

namespace hs::tap::test {

using hs::test::ConnectLoopback;
using hs::test::CountOpenFds;
using hs::test::ListenLoopback;
using hs::test::RunUntil;

/// How the test origin answers one path.
struct OriginRoute {
  enum class Mode {
    kNormal,        ///< Content-Length response
    kChunked,       ///< chunked, in pieces of `chunk` bytes
    kCloseMidBody,  ///< announce the full length, send half, close
    kNeverAnswer,   ///< read the request, never answer
    kSlowBody,      ///< head at once, then `pieces` body pieces `delay` apart
    kNoLength,      ///< no Content-Length: body delimited by closing
    kDropReused,    ///< close without answering when the connection already served a request
    kRaw,           ///< send `body` as the whole response, head included
  };
  int status = 200;
  std::string body;
  std::string content_type = "application/octet-stream";
  Mode mode = Mode::kNormal;
  size_t chunk = 7;
  int pieces = 5;
  Duration delay = std::chrono::milliseconds(40);
  bool connection_close = false;  ///< answer with "Connection: close" and close
};

/// A loopback HTTP/1.1 origin on the test's loop: keep-alive, "Range: bytes=N-" (206, as
/// nginx answers FFmpeg), and the fault modes above. Logs every request with what it sent.
class TestOrigin {
 public:
  struct Logged {
    std::string method, target, version, user_agent, range;
    std::vector<std::string> header_lines;  ///< "Name: value" as received
    std::string body;                       ///< request body
    int connection = 0;                     ///< 1-based connection number
    std::string sent;                       ///< every response byte sent for this request
  };

  explicit TestOrigin(EventLoop& loop) : loop_(loop) {}
  bool Listen() {
    listen_ = ListenLoopback(&port_);
    if (!listen_.Valid()) return false;
    watch_ = loop_.Watch(listen_.Get(), EPOLLIN, [this](std::uint32_t) { Accept(); });
    return watch_ != nullptr;
  }
  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return fmt::format("http://127.0.0.1:{}{}", port_, path);
  }
  void Route(const std::string& path, OriginRoute route) { routes_[path] = std::move(route); }
  const std::vector<Logged>& log() const { return log_; }
  int connections_accepted() const { return next_id_ - 1; }
  size_t open_connections() const { return conns_.size(); }
  /// Closes the connections the origin holds open (like an idle keep-alive timeout).
  void CloseIdle() {
    for (auto it = conns_.begin(); it != conns_.end();) {
      it = it->second->out.empty() ? conns_.erase(it) : std::next(it);
    }
  }
  void Stop() {
    conns_.clear();
    watch_.reset();
    listen_.Reset();
  }

 private:
  struct Conn {
    int id = 0;
    UniqueFd fd;
    std::unique_ptr<FileWatch> watch;
    std::unique_ptr<Timer> timer;
    std::string in, out;
    int served = 0;
    bool close_after = false;
    bool busy = false;      // answering (a slow body, or never)
    std::string slow_rest;  // kSlowBody: body bytes still to send
    size_t log_index = 0;
  };

  void Accept() {
    for (;;) {
      int raw = ::accept4(listen_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (raw < 0) return;
      auto c = std::make_unique<Conn>();
      Conn* p = c.get();
      c->id = next_id_++;
      c->fd.Reset(raw);
      c->watch = loop_.Watch(raw, EPOLLIN, [this, p](std::uint32_t ev) { OnEvent(p, ev); });
      c->timer = loop_.CreateTimer([this, p] { SlowPiece(p); });
      conns_.emplace(p, std::move(c));
    }
  }

  void Drop(Conn* c) {
    // Posted: we may be inside the connection's own callback.
    auto it = conns_.find(c);
    if (it == conns_.end()) return;
    std::shared_ptr<Conn> doomed(std::move(it->second));
    conns_.erase(it);
    doomed->watch.reset();
    doomed->timer.reset();
    loop_.Post([doomed] {});
  }

  void OnEvent(Conn* c, std::uint32_t ev) {
    if (ev & EPOLLIN) {
      char buf[65536];
      IoResult r = ReadSome(c->fd.Get(), buf, sizeof(buf));
      if (r.status == IoStatus::kEof || r.status == IoStatus::kError) return Drop(c);
      c->in.append(buf, r.bytes);
    }
    Serve(c);
  }

  // Answers complete requests one at a time, each after the previous response left.
  void Serve(Conn* c) {
    for (;;) {
      bool served = false;
      if (!c->busy && c->out.empty() && !c->close_after) served = TryServe(c);
      if (!Flush(c)) return;
      if (!served || !c->out.empty()) return;
    }
  }

  // Returns false if the connection was dropped.
  bool Flush(Conn* c) {
    while (!c->out.empty()) {
      IoResult r = WriteSome(c->fd.Get(), c->out.data(), c->out.size());
      if (r.status == IoStatus::kRetry) break;
      if (r.status != IoStatus::kOk) {
        Drop(c);
        return false;
      }
      c->out.erase(0, r.bytes);
    }
    if (c->out.empty() && c->close_after && c->slow_rest.empty()) {
      Drop(c);
      return false;
    }
    c->watch->SetEvents(c->out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
    return true;
  }

  bool TryServe(Conn* c) {
    const size_t end = c->in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    Logged req;
    std::vector<std::string> lines;
    for (size_t pos = 0; pos < end;) {
      size_t nl = c->in.find("\r\n", pos);
      lines.push_back(c->in.substr(pos, nl - pos));
      pos = nl + 2;
    }
    size_t sp1 = lines[0].find(' '), sp2 = lines[0].rfind(' ');
    req.method = lines[0].substr(0, sp1);
    req.target = lines[0].substr(sp1 + 1, sp2 - sp1 - 1);
    req.version = lines[0].substr(sp2 + 1);
    size_t content_length = 0;
    for (size_t i = 1; i < lines.size(); ++i) {
      req.header_lines.push_back(lines[i]);
      std::string lower = lines[i];
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      const std::string value = lines[i].substr(lines[i].find(':') + 2);
      if (lower.rfind("user-agent:", 0) == 0) req.user_agent = value;
      if (lower.rfind("range:", 0) == 0) req.range = value;
      if (lower.rfind("content-length:", 0) == 0) content_length = std::stoul(value);
    }
    if (c->in.size() < end + 4 + content_length) return false;
    req.body = c->in.substr(end + 4, content_length);
    c->in.erase(0, end + 4 + content_length);
    req.connection = c->id;
    c->log_index = log_.size();
    log_.push_back(std::move(req));
    Answer(c, log_.back());
    return true;
  }

  void Answer(Conn* c, const Logged& req) {
    auto it = routes_.find(req.target);
    OriginRoute route = it != routes_.end() ? it->second : OriginRoute{404, "not found\n"};
    using M = OriginRoute::Mode;
    if (route.mode == M::kNeverAnswer || (route.mode == M::kDropReused && c->served > 0)) {
      c->busy = true;
      if (route.mode == M::kDropReused) c->close_after = true;
      return;
    }
    ++c->served;
    if (route.mode == M::kRaw) {
      c->close_after = route.connection_close;
      log_[c->log_index].sent = route.body;
      c->out += route.body;
      return;
    }
    std::string body = route.body;
    int status = route.status;
    std::string extra;
    if (status == 200 && req.range.rfind("bytes=", 0) == 0 && route.mode == M::kNormal) {
      const size_t from = std::stoul(req.range.substr(6));
      extra = fmt::format("Content-Range: bytes {}-{}/{}\r\n", from, body.size() - 1, body.size());
      body = body.substr(std::min(from, body.size()));
      status = 206;
    }
    if (route.connection_close || route.mode == M::kNoLength) {
      extra += "Connection: close\r\n";
      c->close_after = true;
    }
    std::string head = fmt::format("HTTP/1.1 {} X\r\nServer: test-origin\r\nContent-Type: {}\r\n{}",
                                   status, route.content_type, extra);
    std::string out;
    if (route.mode == M::kChunked) {
      out = head + "Transfer-Encoding: chunked\r\n\r\n";
      for (size_t i = 0; i < body.size(); i += route.chunk) {
        const std::string piece = body.substr(i, route.chunk);
        out += fmt::format("{:x};x=y\r\n{}\r\n", piece.size(), piece);
      }
      out += "0\r\nX-Trailer: t\r\n\r\n";
    } else if (route.mode == M::kNoLength) {
      out = head + "\r\n" + body;
    } else {
      out = head + fmt::format("Content-Length: {}\r\n\r\n", body.size());
      if (route.mode == M::kCloseMidBody) {
        out += body.substr(0, body.size() / 2);
        c->close_after = true;
      } else if (route.mode == M::kSlowBody) {
        c->slow_rest = body;
        c->busy = true;
        c->timer->Arm(route.delay);
        slow_piece_ = body.size() / static_cast<size_t>(route.pieces) + 1;
        slow_delay_ = route.delay;
      } else if (req.method != "HEAD") {
        out += body;
      }
    }
    log_[c->log_index].sent = out;
    c->out += out;
  }

  void SlowPiece(Conn* c) {
    const std::string piece = c->slow_rest.substr(0, slow_piece_);
    c->slow_rest.erase(0, piece.size());
    log_[c->log_index].sent += piece;
    c->out += piece;
    if (c->slow_rest.empty()) {
      c->busy = false;
    } else {
      c->timer->Arm(slow_delay_);
    }
    Serve(c);
  }

  EventLoop& loop_;
  UniqueFd listen_;
  std::unique_ptr<FileWatch> watch_;
  int port_ = 0;
  int next_id_ = 1;
  size_t slow_piece_ = 1;
  Duration slow_delay_{};
  std::map<std::string, OriginRoute> routes_;
  std::vector<Logged> log_;
  std::map<Conn*, std::unique_ptr<Conn>> conns_;
};

/// A raw client socket on the test's loop: sends bytes as given and collects what it receives.
/// Reading can be paused (a slow or stuck client).
class TestClient {
 public:
  TestClient(EventLoop& loop, int port) : loop_(loop), fd_(ConnectLoopback(port)) {
    watch_ = loop_.Watch(fd_.Get(), EPOLLIN, [this](std::uint32_t ev) { OnEvent(ev); });
  }
  /// Queues \a bytes for sending (sent as the socket accepts them).
  void Send(const std::string& bytes) {
    out_ += bytes;
    Update();
  }
  /// Stops or resumes reading; \a max_read caps each read (to read slowly).
  void SetReading(bool on, size_t max_read = 65536) {
    reading_ = on;
    max_read_ = max_read;
    Update();
  }
  /// Closes the socket (abortive if \a reset: SO_LINGER 0 makes close() send RST).
  void Close(bool reset = false) {
    if (reset) {
      linger l{1, 0};
      ::setsockopt(fd_.Get(), SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    watch_.reset();
    fd_.Reset();
  }
  const std::string& received() const { return received_; }
  bool eof() const { return eof_; }
  /// Waits until \a n bytes arrived (or EOF / timeout).
  bool WaitBytes(size_t n, Duration timeout = std::chrono::seconds(5)) {
    return RunUntil(
               loop_, [&] { return received_.size() >= n || eof_; }, timeout) &&
           received_.size() >= n;
  }
  bool WaitEof(Duration timeout = std::chrono::seconds(5)) {
    return RunUntil(
        loop_, [&] { return eof_; }, timeout);
  }

 private:
  void Update() {
    if (!watch_) return;
    std::uint32_t ev = 0;
    if (reading_ && !eof_) ev |= EPOLLIN;
    if (!out_.empty()) ev |= EPOLLOUT;
    watch_->SetEvents(ev);
  }
  void OnEvent(std::uint32_t ev) {
    if ((ev & EPOLLOUT) && !out_.empty()) {
      IoResult r = WriteSome(fd_.Get(), out_.data(), out_.size());
      if (r.status == IoStatus::kOk) out_.erase(0, r.bytes);
    }
    if (reading_ && (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
      std::string buf(max_read_, '\0');
      IoResult r = ReadSome(fd_.Get(), buf.data(), buf.size());
      if (r.status == IoStatus::kOk) received_.append(buf.data(), r.bytes);
      if (r.status == IoStatus::kEof || r.status == IoStatus::kError) eof_ = true;
    }
    Update();
  }

  EventLoop& loop_;
  UniqueFd fd_;
  std::unique_ptr<FileWatch> watch_;
  std::string out_, received_;
  bool reading_ = true;
  bool eof_ = false;
  size_t max_read_ = 65536;
};

}  // namespace hs::tap::test
