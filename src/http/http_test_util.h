// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Test helpers for the HTTP client (header-only, included by *_test.cc only): a scripted
// loopback server on the test's EventLoop that answers each request target with raw bytes and
// a fault action, so every exchange runs on one thread, deterministically. The server finds
// requests with its own few lines of code, independent of the parser under test.

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.h"
#include "core/io.h"
#include "core/test_util.h"
#include "core/unique_fd.h"
#include "http/client.h"

namespace hs::http::test {

using hs::test::ConnectLoopback;
using hs::test::CountOpenFds;
using hs::test::ListenLoopback;
using hs::test::RunUntil;

/// An endpoint at 127.0.0.1:\a port.
inline Endpoint LoopbackEndpoint(int port, bool tls = false, std::string host = "") {
  Endpoint e;
  auto* a = reinterpret_cast<sockaddr_in*>(&e.addr);
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a->sin_port = htons(static_cast<std::uint16_t>(port));
  e.addr_len = sizeof(sockaddr_in);
  e.tls = tls;
  e.host = std::move(host);
  return e;
}

/// How the scripted server answers one target.
struct Reply {
  enum class Action {
    kSend,          ///< send `raw`, keep the connection open
    kSendClose,     ///< send `raw`, then close
    kNever,         ///< never answer
    kCloseNow,      ///< close without answering
    kDropIfReused,  ///< close without answering on a connection that served before, else kSend
    kTrickle,       ///< send `raw` in pieces of `piece` bytes, one per millisecond
  };
  std::string raw;
  Action action = Action::kSend;
  size_t piece = 1;
};

/// A 200 response with a Content-Length body.
inline std::string Ok(const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// The scripted loopback server.
class ScriptedServer {
 public:
  struct Logged {
    std::string target;
    std::string head;  ///< the request head as received
    int connection = 0;
  };

  explicit ScriptedServer(EventLoop& loop) : loop_(loop) {
    listen_ = ListenLoopback(&port_);
    watch_ = loop_.Watch(listen_.Get(), EPOLLIN, [this](std::uint32_t) { Accept(); });
  }
  int port() const { return port_; }
  Endpoint endpoint() const { return LoopbackEndpoint(port_); }
  void Route(const std::string& target, Reply reply) { routes_[target] = std::move(reply); }
  const std::vector<Logged>& log() const { return log_; }
  int accepted() const { return next_id_ - 1; }
  size_t open_connections() const { return conns_.size(); }
  /// Closes every connection that is not sending (an idle keep-alive timeout).
  void CloseIdle() {
    for (auto it = conns_.begin(); it != conns_.end();) {
      it = it->second->out.empty() ? conns_.erase(it) : std::next(it);
    }
  }

 private:
  struct Conn {
    int id = 0;
    int served = 0;
    UniqueFd fd;
    std::unique_ptr<FileWatch> watch;
    std::unique_ptr<Timer> timer;
    std::string in, out;
    size_t piece = 0;  // kTrickle: bytes per tick; 0 = all at once
    bool close_after = false;
  };

  void Accept() {
    for (;;) {
      int raw = ::accept4(listen_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (raw < 0) return;
      auto c = std::make_unique<Conn>();
      Conn* p = c.get();
      c->id = next_id_++;
      c->fd.Reset(raw);
      c->watch = loop_.Watch(raw, EPOLLIN, [this, p](std::uint32_t ev) {
        if ((ev & EPOLLOUT) && !Flush(p)) return;
        if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) OnReadable(p);
      });
      c->timer = loop_.CreateTimer([this, p] { Flush(p); });
      conns_.emplace(p, std::move(c));
    }
  }

  // Posted: we may be inside the connection's own callback.
  void Drop(Conn* c) {
    auto it = conns_.find(c);
    if (it == conns_.end()) return;
    std::shared_ptr<Conn> doomed(std::move(it->second));
    conns_.erase(it);
    doomed->watch.reset();
    doomed->timer->Cancel();
    loop_.Post([doomed] {});
  }

  void OnReadable(Conn* c) {
    char buf[16384];
    IoResult r = ReadSome(c->fd.Get(), buf, sizeof(buf));
    if (r.status == IoStatus::kEof || r.status == IoStatus::kError) return Drop(c);
    c->in.append(buf, r.bytes);
    for (size_t end; (end = c->in.find("\r\n\r\n")) != std::string::npos;) {
      Logged req;
      req.head = c->in.substr(0, end + 4);
      c->in.erase(0, end + 4);
      const size_t sp = req.head.find(' ');
      req.target = req.head.substr(sp + 1, req.head.find(' ', sp + 1) - sp - 1);
      req.connection = c->id;
      log_.push_back(req);
      if (!Answer(c, req.target)) return;
    }
  }

  // Returns false if the connection was dropped.
  bool Answer(Conn* c, const std::string& target) {
    auto it = routes_.find(target);
    const Reply reply = it != routes_.end() ? it->second : Reply{Ok("not found"), {}};
    using A = Reply::Action;
    if (reply.action == A::kNever) return true;
    if (reply.action == A::kCloseNow || (reply.action == A::kDropIfReused && c->served > 0)) {
      Drop(c);
      return false;
    }
    ++c->served;
    c->out += reply.raw;
    c->close_after = reply.action == A::kSendClose;
    c->piece = reply.action == A::kTrickle ? reply.piece : 0;
    return Flush(c);
  }

  bool Flush(Conn* c) {
    while (!c->out.empty()) {
      const size_t n = c->piece != 0 ? std::min(c->piece, c->out.size()) : c->out.size();
      IoResult r = WriteSome(c->fd.Get(), c->out.data(), n);
      if (r.status == IoStatus::kRetry) break;
      if (r.status != IoStatus::kOk) {
        Drop(c);
        return false;
      }
      c->out.erase(0, r.bytes);
      if (c->piece != 0 && !c->out.empty()) {
        c->timer->Arm(std::chrono::milliseconds(1));
        return true;
      }
    }
    if (c->out.empty() && c->close_after) {
      Drop(c);
      return false;
    }
    c->watch->SetEvents(c->out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
    return true;
  }

  EventLoop& loop_;
  UniqueFd listen_;
  std::unique_ptr<FileWatch> watch_;
  int port_ = 0;
  int next_id_ = 1;
  std::map<std::string, Reply> routes_;
  std::vector<Logged> log_;
  std::map<Conn*, std::unique_ptr<Conn>> conns_;
};

}  // namespace hs::http::test
