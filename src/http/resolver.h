// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Name resolution as a population of clients does it (SPEC §12): never blocking the loop
// (c-ares, driven by our epoll loop, instead of getaddrinfo on the loop thread), answers kept
// for their TTL, and every address of an answer handed out so viewers spread over the edges a
// CDN name returns. c-ares rather than a resolver thread: it is packaged (libc-ares-dev), has
// no threads to join at exit, reports TTLs, and reads /etc/hosts and /etc/resolv.conf as libc
// does (so `ip netns exec` picks up /etc/netns/NAME/resolv.conf).

#include <netinet/in.h>
#include <sys/socket.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/result.h"

struct ares_addrinfo;

namespace hs::http {

/// One resolved address (port included).
struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
  /// "ip:port" ("[v6]:port"): the bounded label a request is counted under (edge address).
  std::string Label() const;
};

/// The addresses a name answered, valid until \a expires.
struct Answer {
  std::vector<Address> addresses;  ///< in the order the resolver gave them; never empty
  SteadyTime expires{};
};

struct ResolverOptions {
  Duration min_ttl = std::chrono::seconds(1);  ///< floor of a cached answer's life
  Duration max_ttl = std::chrono::minutes(5);  ///< ceiling (long TTLs are rechecked)
  Duration timeout = std::chrono::seconds(5);  ///< per query attempt (c-ares timeout)
  int tries = 2;                               ///< attempts per server
  std::string servers;  ///< "ip[:port],…" to use instead of /etc/resolv.conf ("" = system)
};

/// Async, caching resolver on the loop thread. One per engine; every method on the loop
/// thread; \a loop must outlive it.
class Resolver {
 public:
  using Callback = std::function<void(Result<std::shared_ptr<const Answer>>)>;

  /// Fails (kInternal) when c-ares cannot be initialised.
  static Result<std::unique_ptr<Resolver>> Create(EventLoop& loop, ResolverOptions opts = {});
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  /// Resolves \a host (a name or a numeric IP) for \a port. Numeric hosts and fresh cached
  /// answers are delivered at once but posted (never inside this call); otherwise one query
  /// per name is in flight and every caller waiting for it gets its answer. Errors are
  /// kNetwork with c-ares' reason ("Domain name not found"). Callbacks may call Resolve again.
  void Resolve(const std::string& host, int port, Callback cb);

  /// Queries sent (cache misses), and answers served from the cache: for tests and metrics.
  std::uint64_t queries() const { return queries_; }
  std::uint64_t cache_hits() const { return cache_hits_; }

 private:
  struct Impl;
  struct QueryCtx {
    Resolver* self;
    std::string host;
  };
  Resolver(EventLoop& loop, ResolverOptions opts);
  static void OnAnswer(void* arg, int status, int timeouts, ares_addrinfo* result);
  EventLoop& loop_;
  ResolverOptions opts_;
  std::unique_ptr<Impl> impl_;
  std::uint64_t queries_ = 0;
  std::uint64_t cache_hits_ = 0;
};

}  // namespace hs::http
