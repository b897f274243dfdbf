// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/proxy_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <chrono>
#include <utility>

#include <fmt/format.h>

namespace hs::tap {

namespace {
constexpr int kAcceptBatch = 64;
constexpr Duration kAcceptPause = std::chrono::milliseconds(100);
}  // namespace

TapServer::TapServer(EventLoop& loop, TapOptions options, TapListener* listener)
    : loop_(loop),
      options_(std::move(options)),
      classifier_(options_.max_playlists),
      addresses_(options_.resolve_ip),
      context_{loop_,
               options_,
               stats_,
               classifier_,
               addresses_,
               listener,
               UpstreamAddress{},
               nullptr,
               [this](ProxyConnection* c) { OnConnectionClosed(c); }} {}

TapServer::~TapServer() { Close(); }

void TapServer::Close() {
  for (auto& [raw, connection] : connections_) connection->Abandon();
  connections_.clear();
  accept_pause_.reset();
  listen_watch_.reset();
  listen_fd_.Reset();
}

Result<void> TapServer::InterceptTls(bool verify_origin, const std::string& ca_file) {
  auto tls = TlsInterceptor::Create(verify_origin, ca_file);
  if (!tls) return tl::unexpected(tls.error());
  tls_ = std::move(*tls);
  context_.tls = tls_.get();
  return {};
}

void TapServer::UseInterceptor(std::unique_ptr<TlsInterceptor> tls) {
  tls_ = std::move(tls);
  context_.tls = tls_.get();
}

std::string TapServer::CaPem() const { return tls_ ? tls_->authority().CaPem() : std::string(); }

std::string TapServer::ProxyUrl() const {
  const bool v6 = context_.self.addr.ss_family == AF_INET6;
  return v6 ? fmt::format("http://[{}]:{}", options_.listen_address, port_)
            : fmt::format("http://{}:{}", options_.listen_address, port_);
}

Result<void> TapServer::Listen() {
  if (!options_.resolve_ip.empty() && !AddressCache::ValidateIp(options_.resolve_ip)) {
    return Fail(ErrorCode::kUsage,
                fmt::format("tap: resolve address '{}' is not a numeric IP", options_.resolve_ip));
  }
  UpstreamAddress self;
  if (!NumericAddress(options_.listen_address, options_.port, &self)) {
    return Fail(ErrorCode::kUsage, fmt::format("tap: listen address '{}' is not a numeric IP",
                                               options_.listen_address));
  }
  UniqueFd fd(::socket(self.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.Valid()) return Fail(ErrorCode::kIo, fmt::format("tap: socket: {}", ::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd.Get(), reinterpret_cast<const sockaddr*>(&self.addr), self.len) != 0 ||
      ::listen(fd.Get(), SOMAXCONN) != 0) {
    return Fail(ErrorCode::kIo,
                fmt::format("tap: cannot listen on {}:{}: {}", options_.listen_address,
                            options_.port, ::strerror(errno)));
  }
  socklen_t len = self.len;
  ::getsockname(fd.Get(), reinterpret_cast<sockaddr*>(&self.addr), &len);
  port_ = ntohs(self.addr.ss_family == AF_INET
                    ? reinterpret_cast<const sockaddr_in*>(&self.addr)->sin_port
                    : reinterpret_cast<const sockaddr_in6*>(&self.addr)->sin6_port);
  context_.self = self;
  listen_fd_ = std::move(fd);
  listen_watch_ = loop_.Watch(listen_fd_.Get(), EPOLLIN, [this](std::uint32_t) { OnAccept(); });
  if (!listen_watch_) return Fail(ErrorCode::kIo, "tap: cannot watch the listening socket");
  accept_pause_ = loop_.CreateTimer([this] { listen_watch_->SetEvents(EPOLLIN); });
  return {};
}

void TapServer::OnAccept() {
  for (int i = 0; i < kAcceptBatch; ++i) {
    const int raw = ::accept4(listen_fd_.Get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (raw < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // EMFILE/ENFILE/ENOBUFS: the pending connection stays readable, so a level-triggered
      // loop would spin; stop accepting for a moment instead.
      ++stats_.accept_errors;
      listen_watch_->SetEvents(0);
      accept_pause_->Arm(kAcceptPause);
      return;
    }
    UniqueFd fd(raw);
    ++stats_.connections_accepted;
    if (connections_.size() >= options_.max_connections) {
      ++stats_.connections_refused;
      continue;
    }
    const int one = 1;
    ::setsockopt(raw, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto connection = std::make_unique<ProxyConnection>(context_, std::move(fd));
    if (!connection->Start()) continue;
    ProxyConnection* key = connection.get();
    connections_.emplace(key, std::move(connection));
  }
}

void TapServer::OnConnectionClosed(ProxyConnection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  // Deferred: this runs inside the connection's own callback.
  std::shared_ptr<ProxyConnection> doomed(std::move(it->second));
  connections_.erase(it);
  loop_.Post([doomed] {});
}

}  // namespace hs::tap
