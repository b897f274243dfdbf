// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hs::hls {

/// An http:// or https:// URL split into the parts a client needs to connect.
struct UrlParts {
  std::string scheme;          ///< "http" or "https", lower-cased
  std::string userinfo;        ///< "user:pass" before '@', usually empty
  std::string host;            ///< host name or IP; IPv6 without the brackets
  int port = 0;                ///< explicit port, else 80 (http) or 443 (https)
  bool port_explicit = false;  ///< the URL spelled the port out
  bool ipv6 = false;           ///< host was a bracketed IPv6 literal
  std::string path_and_query;  ///< starts with '/', "/" when the URL has no path; no fragment

  /// "host:port", with brackets around an IPv6 host ("[::1]:8080").
  std::string HostPort() const;
  /// The value of a Host header: host, plus ":port" only when the port is not the default.
  std::string HostHeader() const;
};

/// Parses and validates an absolute http(s) URL. Fails (ErrorCode::kUsage) with a one-line reason
/// for: empty input, whitespace or control characters, no scheme, a scheme other than http/https,
/// an empty host, an unterminated or invalid IPv6 literal, invalid host characters, and a port that
/// is empty, not a number or outside 1..65535. Pure; thread-safe.
Result<UrlParts> ParseHttpUrl(std::string_view url);

/// Resolves the reference \a ref against the absolute URL \a base as RFC 3986 §5.2 does
/// (absolute URLs, scheme-relative "//h/x", host-relative "/x", relative "a/b.ts", "../x",
/// query-only "?q", dot segments removed). The fragment is dropped. An empty \a base returns
/// \a ref unchanged. Pure; never fails (garbage in, garbage out: validate with ParseHttpUrl).
std::string ResolveUrl(std::string_view base, std::string_view ref);

}  // namespace hs::hls

namespace hs::hls {

/// \a url with its host replaced by the numeric \a ip (bracketed when IPv6), keeping scheme,
/// explicit port and path: the `-resolve` rewrite. \a url itself when it does not parse.
/// The Host header to send is then ParseHttpUrl(url)->HostHeader(). Pure.
std::string WithHost(std::string_view url, std::string_view ip);

}  // namespace hs::hls
