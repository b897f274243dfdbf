// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "metrics/http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <chrono>

#include <fmt/format.h>

#include "core/http_status.h"
#include "core/io.h"

namespace hs::metrics {

namespace {
constexpr size_t kMaxHead = 8192;

std::string Reason(int status) {
  const std::string_view r = HttpReasonPhrase(status);
  return r.empty() ? std::string("Status") : std::string(r);
}
}  // namespace

struct HttpServer::Conn {
  UniqueFd fd;
  std::unique_ptr<FileWatch> watch;
  std::unique_ptr<Timer> idle;
  std::string in;
  std::string out;
  size_t sent = 0;
  bool responding = false;
};

HttpServer::HttpServer(EventLoop& loop) : loop_(loop) {}
HttpServer::~HttpServer() { Close(); }

void HttpServer::Close() {
  conns_.clear();
  listen_watch_.reset();
  listen_fd_.Reset();
}

Result<void> HttpServer::Listen(const std::string& addr, int port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, addr.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, addr.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
  } else {
    return Fail(ErrorCode::kUsage, fmt::format("metrics address '{}' is not an IP address", addr));
  }
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return Fail(ErrorCode::kIo, fmt::format("socket: {}", ::strerror(errno)));
  int one = 1;
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd.Get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    return Fail(ErrorCode::kIo,
                fmt::format("cannot listen on {}:{} for metrics: {} (choose another with "
                            "-metrics-port, or 0 to disable)",
                            addr, port, ::strerror(errno)));
  }
  if (::listen(fd.Get(), 128) != 0) {
    return Fail(ErrorCode::kIo, fmt::format("listen: {}", ::strerror(errno)));
  }
  sockaddr_storage bound{};
  socklen_t blen = sizeof(bound);
  ::getsockname(fd.Get(), reinterpret_cast<sockaddr*>(&bound), &blen);
  port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                  : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  listen_fd_ = std::move(fd);
  listen_watch_ = loop_.Watch(listen_fd_.Get(), EPOLLIN, [this](std::uint32_t) { OnAccept(); });
  return {};
}

void HttpServer::OnAccept() {
  for (int i = 0; i < 64; ++i) {
    int cfd = ::accept4(listen_fd_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) return;  // EAGAIN, or EMFILE: try again on the next readiness
    auto c = std::make_unique<Conn>();
    Conn* raw = c.get();
    c->fd.Reset(cfd);
    c->watch = loop_.Watch(cfd, EPOLLIN, [this, raw](std::uint32_t ev) { OnConnEvent(raw, ev); });
    c->idle = loop_.CreateTimer([this, raw] { Drop(raw); });
    c->idle->Arm(std::chrono::seconds(10));
    conns_.emplace(raw, std::move(c));
  }
}

void HttpServer::OnConnEvent(Conn* c, std::uint32_t events) {
  if (!c->responding) {
    char buf[4096];
    for (;;) {
      IoResult r = ReadSome(c->fd.Get(), buf, sizeof(buf));
      if (r.status == IoStatus::kRetry) break;
      if (r.status != IoStatus::kOk) return Drop(c);
      c->in.append(buf, r.bytes);
      if (c->in.size() > kMaxHead) break;
    }
    if (c->in.find("\r\n\r\n") == std::string::npos && c->in.size() <= kMaxHead) return;
    Respond(c);
  }
  if (c->responding && (events & (EPOLLOUT | EPOLLIN))) {
    while (c->sent < c->out.size()) {
      IoResult r = WriteSome(c->fd.Get(), c->out.data() + c->sent, c->out.size() - c->sent);
      if (r.status == IoStatus::kRetry) return;
      if (r.status != IoStatus::kOk) return Drop(c);
      c->sent += r.bytes;
    }
    Drop(c);
  }
}

void HttpServer::Respond(Conn* c) {
  HttpResponse resp;
  HttpRequest req;
  const size_t line_end = c->in.find("\r\n");
  const std::string line = c->in.substr(0, line_end);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  if (c->in.size() > kMaxHead) {
    resp = {431, "text/plain", "request head too large\n"};
  } else if (sp1 == std::string::npos || sp2 == std::string::npos) {
    resp = {400, "text/plain", "bad request\n"};
  } else {
    req.method = line.substr(0, sp1);
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) req.query = target.substr(q + 1);
    auto it = routes_.find(req.path);
    resp = it == routes_.end() ? HttpResponse{404, "text/plain", "not found\n"} : it->second(req);
  }
  c->out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
      resp.status, Reason(resp.status), resp.content_type, resp.body.size());
  if (req.method != "HEAD") c->out += resp.body;
  c->responding = true;
  c->watch->SetEvents(EPOLLOUT);
}

void HttpServer::Drop(Conn* c) {
  // Deferred: we may be inside this connection's own callback.
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  auto owned = std::shared_ptr<Conn>(std::move(it->second));
  conns_.erase(it);
  owned->watch.reset();
  owned->idle->Cancel();
  loop_.Post([owned] {});
}

std::string QueryParam(const std::string& query, const std::string& key) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string_view kv(query.data() + pos, amp - pos);
    size_t eq = kv.find('=');
    if (kv.substr(0, eq) == key)
      return eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
    pos = amp + 1;
  }
  return {};
}

}  // namespace hs::metrics
