// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "http/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>

#include <fmt/format.h>

namespace hs::http {

namespace {

void InitAresOnce() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// Numeric IPv4/IPv6 literal → address, else nullopt.
std::optional<Address> Numeric(const std::string& host, int port) {
  Address a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.addr);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    a.len = sizeof(sockaddr_in);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    a.len = sizeof(sockaddr_in6);
    return a;
  }
  return std::nullopt;
}

// A copy of \a a with every address set to \a port.
std::shared_ptr<const Answer> WithPort(const Answer& a, int port) {
  auto copy = std::make_shared<Answer>(a);
  const auto nport = htons(static_cast<std::uint16_t>(port));
  for (Address& x : copy->addresses) {
    if (x.addr.ss_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&x.addr)->sin_port = nport;
    } else {
      reinterpret_cast<sockaddr_in6*>(&x.addr)->sin6_port = nport;
    }
  }
  return copy;
}

}  // namespace

std::string Address::Label() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    return fmt::format("{}:{}", buf, ntohs(v4->sin_port));
  }
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
  ::inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
  return fmt::format("[{}]:{}", buf, ntohs(v6->sin6_port));
}

struct Resolver::Impl {
  struct Pending {
    std::string host;  // cache key (the name; the port is applied per caller)
    std::vector<std::pair<int, Callback>> waiters;
  };
  ares_channel channel = nullptr;
  std::unordered_map<int, std::unique_ptr<FileWatch>> watches;  // c-ares sockets
  std::unique_ptr<Timer> timer;
  // Cached answers per name, with port 0; callers get a copy with their port.
  std::unordered_map<std::string, std::shared_ptr<const Answer>> cache;
  std::unordered_map<std::string, std::unique_ptr<Pending>> pending;
};

Result<std::unique_ptr<Resolver>> Resolver::Create(EventLoop& loop, ResolverOptions opts) {
  InitAresOnce();
  std::unique_ptr<Resolver> r(new Resolver(loop, opts));
  ares_options o{};
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  o.timeout =
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(opts.timeout).count());
  o.tries = opts.tries;
  Impl* impl = r->impl_.get();
  Resolver* self = r.get();
  o.sock_state_cb_data = self;
  o.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
    auto* res = static_cast<Resolver*>(data);
    auto& watches = res->impl_->watches;
    if (!readable && !writable) {
      watches.erase(fd);
      return;
    }
    const std::uint32_t events = (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u);
    auto it = watches.find(fd);
    if (it != watches.end()) {
      it->second->SetEvents(events);
      return;
    }
    watches[fd] = res->loop_.Watch(fd, events, [res, fd](std::uint32_t ev) {
      const bool in = (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
      const bool out = (ev & EPOLLOUT) != 0;
      ares_process_fd(res->impl_->channel, in ? fd : ARES_SOCKET_BAD, out ? fd : ARES_SOCKET_BAD);
    });
  };
  if (int rc = ares_init_options(&impl->channel, &o, mask); rc != ARES_SUCCESS) {
    return Fail(ErrorCode::kInternal, fmt::format("c-ares: {}", ares_strerror(rc)));
  }
  if (!opts.servers.empty()) {
    if (int rc = ares_set_servers_ports_csv(impl->channel, opts.servers.c_str());
        rc != ARES_SUCCESS) {
      return Fail(ErrorCode::kUsage,
                  fmt::format("DNS servers '{}': {}", opts.servers, ares_strerror(rc)));
    }
  }
  impl->timer = loop.CreateTimer([self] {
    ares_process_fd(self->impl_->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    // Re-arm for c-ares' next deadline while queries remain.
    if (!self->impl_->pending.empty()) self->impl_->timer->Arm(std::chrono::milliseconds(100));
  });
  return r;
}

Resolver::Resolver(EventLoop& loop, ResolverOptions opts)
    : loop_(loop), opts_(std::move(opts)), impl_(std::make_unique<Impl>()) {}

Resolver::~Resolver() {
  if (impl_->channel != nullptr) {
    // Cancels outstanding queries: their callbacks run with ARES_EDESTRUCTION and find no
    // waiters to call (we clear them first so nobody hears from a dying resolver).
    for (auto& [host, p] : impl_->pending) p->waiters.clear();
    ares_destroy(impl_->channel);
  }
  impl_->watches.clear();
}

void Resolver::Resolve(const std::string& host, int port, Callback cb) {
  if (auto numeric = Numeric(host, port)) {
    auto answer = std::make_shared<Answer>();
    answer->addresses.push_back(*numeric);
    answer->expires = SteadyTime::max();
    loop_.Post([cb = std::move(cb), answer] { cb(std::shared_ptr<const Answer>(answer)); });
    return;
  }
  const SteadyTime now = loop_.clock().Now();
  if (auto it = impl_->cache.find(host); it != impl_->cache.end() && it->second->expires > now) {
    ++cache_hits_;
    loop_.Post([cb = std::move(cb), a = WithPort(*it->second, port)] { cb(a); });
    return;
  }
  auto [pit, fresh] = impl_->pending.try_emplace(host);
  if (!fresh) {
    pit->second->waiters.emplace_back(port, std::move(cb));
    return;
  }
  pit->second = std::make_unique<Impl::Pending>();
  pit->second->host = host;
  pit->second->waiters.emplace_back(port, std::move(cb));
  ++queries_;
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  auto* ctx = new QueryCtx{this, host};
  ares_getaddrinfo(impl_->channel, host.c_str(), nullptr, &hints, &Resolver::OnAnswer, ctx);
  if (!impl_->timer->Armed()) impl_->timer->Arm(std::chrono::milliseconds(100));
}

void Resolver::OnAnswer(void* arg, int status, int, ares_addrinfo* result) {
  std::unique_ptr<QueryCtx> c(static_cast<QueryCtx*>(arg));
  std::unique_ptr<ares_addrinfo, void (*)(ares_addrinfo*)> owned(result, ares_freeaddrinfo);
  Resolver* self = c->self;
  auto it = self->impl_->pending.find(c->host);
  if (it == self->impl_->pending.end()) return;
  std::unique_ptr<Impl::Pending> p = std::move(it->second);
  self->impl_->pending.erase(it);
  if (p->waiters.empty()) return;  // the resolver is being destroyed
  auto answer = std::make_shared<Answer>();
  int ttl = INT32_MAX;
  for (auto* n = result != nullptr ? result->nodes : nullptr; n != nullptr; n = n->ai_next) {
    if (n->ai_addr == nullptr || n->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address a;
    std::memcpy(&a.addr, n->ai_addr, n->ai_addrlen);
    a.len = n->ai_addrlen;
    answer->addresses.push_back(a);
    ttl = std::min(ttl, n->ai_ttl);
  }
  if (status != ARES_SUCCESS || answer->addresses.empty()) {
    const std::string why =
        fmt::format("cannot resolve {}: {}", c->host,
                    status != ARES_SUCCESS ? ares_strerror(status) : "no address");
    for (auto& w : p->waiters) {
      self->loop_.Post([cb = std::move(w.second), why] { cb(Fail(ErrorCode::kNetwork, why)); });
    }
    return;
  }
  const Duration life = std::clamp<Duration>(std::chrono::seconds(std::max(ttl, 0)),
                                             self->opts_.min_ttl, self->opts_.max_ttl);
  answer->expires = self->loop_.clock().Now() + life;
  self->impl_->cache[c->host] = answer;
  for (auto& w : p->waiters) {
    self->loop_.Post([cb = std::move(w.second), a = WithPort(*answer, w.first)] { cb(a); });
  }
}

}  // namespace hs::http
