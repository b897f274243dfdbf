// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "core/result.h"

namespace hs::tap {

/// A socket address ready for connect().
struct UpstreamAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

/// Resolves upstream host names for the tap, once per host. Numeric IPv4/IPv6 hosts never
/// block. A name is resolved with getaddrinfo on its first use — that blocks the loop for the
/// lookup, which is acceptable because a load test talks to one or a few origins and the
/// result is kept for the whole run (origins do not move during a test); a failure is kept
/// for \a negative_ttl so a dead name cannot stall every request. Not thread-safe (loop thread).
class AddressCache {
 public:
  /// \a override_ip: when not empty, every host resolves to this numeric IP, port unchanged
  /// (curl's CONNECT_TO / hls-swarm's -resolve). Check it with ValidateIp first.
  explicit AddressCache(std::string override_ip = "",
                        Duration negative_ttl = std::chrono::seconds(5));

  /// The address of \a host : \a port at time \a now. Fails (ErrorCode::kNetwork) when the name
  /// does not resolve.
  Result<UpstreamAddress> Lookup(const std::string& host, int port, SteadyTime now);
  /// getaddrinfo calls made so far.
  std::uint64_t resolutions() const { return resolutions_; }

  /// True if \a ip is a numeric IPv4 or IPv6 address (IPv6 without brackets).
  static bool ValidateIp(const std::string& ip);

 private:
  struct Entry {
    bool ok = false;
    UpstreamAddress address;  // port 0; set per lookup
    SteadyTime failed_at{};
    std::string error;
  };
  Entry Resolve(const std::string& host);

  std::string override_ip_;
  Duration negative_ttl_;
  std::uint64_t resolutions_ = 0;
  std::unordered_map<std::string, Entry> cache_;
};

/// Fills \a out with the numeric \a ip and \a port; false if \a ip is not numeric. Pure.
bool NumericAddress(const std::string& ip, int port, UpstreamAddress* out);

}  // namespace hs::tap
