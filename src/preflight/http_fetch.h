// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hs::preflight {

/// A completed HTTP exchange (any status; transport failures are errors instead).
struct HttpResponse {
  long status = 0;     ///< final status after redirects
  std::string reason;  ///< reason phrase of the final status line, may be ""
  std::string body;
  std::string effective_url;                ///< URL after redirects
  std::string content_type;                 ///< Content-Type header, "" if none
  std::chrono::microseconds total_time{0};  ///< as measured by the transport
  long redirects = 0;                       ///< redirects followed: each was a request too
};

/// Fetches a URL. The preflight's only side effect, so tests can substitute a fake.
class HttpFetcher {
 public:
  virtual ~HttpFetcher() = default;
  /// GETs \a url; \a what names it in error details ("playlist", "variant playlist"). Fails
  /// only for transport problems (DNS, connect, timeout, TLS, oversize body) with a one-line
  /// detail that starts with "<what> <url>: ".
  virtual Result<HttpResponse> Get(const std::string& url, std::string_view what) = 0;
};

/// How CurlFetcher talks to the origin.
struct FetchOptions {
  std::chrono::milliseconds timeout{10000};  ///< whole transfer, connect included
  std::string user_agent;                    ///< sent as is
  std::vector<std::string> headers;          ///< extra "Name: value" lines
  std::vector<std::string> connect_to;       ///< CURLOPT_CONNECT_TO entries
  bool insecure = false;                     ///< skip TLS peer and host verification
  long max_redirects = 5;
  std::size_t max_body_bytes = 4 << 20;
};

/// Blocking libcurl easy-API fetcher for startup checks; one handle per Get. Not for use on the
/// event loop. http and https only, also for redirects.
class CurlFetcher : public HttpFetcher {
 public:
  explicit CurlFetcher(FetchOptions options) : options_(std::move(options)) {}
  Result<HttpResponse> Get(const std::string& url, std::string_view what) override;

 private:
  FetchOptions options_;
};

}  // namespace hs::preflight
