// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/address_cache.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace hs::tap {

namespace {

void SetPort(UpstreamAddress* a, int port) {
  const auto p = htons(static_cast<std::uint16_t>(port));
  if (a->addr.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&a->addr)->sin_port = p;
  } else {
    reinterpret_cast<sockaddr_in6*>(&a->addr)->sin6_port = p;
  }
}

}  // namespace

bool NumericAddress(const std::string& ip, int port, UpstreamAddress* out) {
  *out = UpstreamAddress{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out->addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out->addr);
  if (::inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    out->len = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    out->len = sizeof(sockaddr_in6);
  } else {
    return false;
  }
  SetPort(out, port);
  return true;
}

bool AddressCache::ValidateIp(const std::string& ip) {
  UpstreamAddress unused;
  return NumericAddress(ip, 0, &unused);
}

AddressCache::AddressCache(std::string override_ip, Duration negative_ttl)
    : override_ip_(std::move(override_ip)), negative_ttl_(negative_ttl) {}

Result<UpstreamAddress> AddressCache::Lookup(const std::string& host, int port, SteadyTime now) {
  UpstreamAddress out;
  if (NumericAddress(override_ip_.empty() ? host : override_ip_, port, &out)) return out;
  auto it = cache_.find(host);
  if (it == cache_.end() || (!it->second.ok && now - it->second.failed_at >= negative_ttl_)) {
    Entry e = Resolve(host);
    e.failed_at = now;
    it = cache_.insert_or_assign(host, std::move(e)).first;
  }
  if (!it->second.ok) return Fail(ErrorCode::kNetwork, it->second.error);
  out = it->second.address;
  SetPort(&out, port);
  return out;
}

AddressCache::Entry AddressCache::Resolve(const std::string& host) {
  ++resolutions_;
  Entry e;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0 || res == nullptr) {
    e.error = fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc));
    return e;
  }
  // The first answer, as curl and FFmpeg try first; a load test's origin has one address.
  std::memcpy(&e.address.addr, res->ai_addr, res->ai_addrlen);
  e.address.len = static_cast<socklen_t>(res->ai_addrlen);
  e.ok = true;
  ::freeaddrinfo(res);
  return e;
}

}  // namespace hs::tap
