// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hs::config {

/// Checks a stream URL: scheme http:// or https:// (any case), a non-empty host (a name, an
/// IPv4 address or a bracketed IPv6 address), an optional numeric port 1..65535, no spaces or
/// control characters. Returns the URL with its scheme lower-cased, or an ErrorCode::kUsage
/// error whose detail is a phrase with the fix ("must start with http:// or https://").
Result<std::string> CheckStreamUrl(std::string_view url);

/// True if \a s is an IPv4 dotted quad or an IPv6 address (no brackets, no zone).
bool IsIpLiteral(std::string_view s);

/// Checks an extra request header "Name: value": Name is an RFC 9110 token, then ':', then a
/// value without CR, LF or other control characters (tab allowed). Error detail is a phrase.
Result<void> CheckHeader(std::string_view header);

/// A bind address and port from "ADDR:PORT".
struct HostPort {
  std::string host;  ///< IP literal without brackets
  int port = 0;      ///< 0..65535
};

/// Parses "ADDR:PORT", "[IPV6]:PORT" or ":PORT" (ADDR then defaults to 0.0.0.0); "localhost"
/// means 127.0.0.1. ADDR must be an IP literal. Error detail is a phrase.
Result<HostPort> ParseHostPort(std::string_view text);

/// Index and count of "-shard I/N".
struct Shard {
  int index = 0;
  int count = 1;
};

/// Parses "I/N" with 0 <= I < N <= 10000. Error detail is a phrase.
Result<Shard> ParseShard(std::string_view text);

/// A strict decimal integer (optional sign, digits only, no spaces); nullopt otherwise or on
/// overflow.
std::optional<long long> ParseInteger(std::string_view s);

}  // namespace hs::config
