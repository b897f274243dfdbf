// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "core/http_status.h"
#include "core/result.h"
#include "hls/playlist.h"
#include "hls/url.h"
#include "hls/url_kind.h"
#include "preflight/http_fetch.h"

namespace hs::preflight {

/// What CheckStream fetches and how. Built from Config by StreamCheckOptionsFromConfig.
struct StreamCheckOptions {
  std::string url;                           ///< playlist URL (master or media)
  std::chrono::milliseconds timeout{10000};  ///< per request, connect included
  std::string user_agent;                    ///< base UA; "/preflight" is appended ("" = default)
  std::vector<std::string> headers;          ///< extra "Name: value" request headers
  bool no_cache = false;                     ///< send Cache-Control and Pragma no-cache
  std::string resolve_ip;                    ///< connect here instead of the URL host, keep Host
  bool dangerous = false;                    ///< disable TLS certificate and host verification
  long max_redirects = 5;                    ///< redirects followed per request
  std::size_t max_body_bytes = 4 << 20;      ///< larger playlists are an error
};

/// Copies url, headers, no_cache, resolve_ip, dangerous and user_agent from \a config; the
/// timeout is config.timeout when positive, else 10 s. Pure.
StreamCheckOptions StreamCheckOptionsFromConfig(const config::Config& config);

/// One request the preflight made: load on the origin, counted apart from viewers' requests
/// (the report's probe row).
struct PreflightRequest {
  hls::ResourceKind kind = hls::ResourceKind::kOther;  ///< master or playlist
  long status = 0;                                     ///< HTTP status (3xx for a redirect hop)
  std::uint64_t body_bytes = 0;  ///< body received (0 for redirect hops: not kept by libcurl)
};

/// What the preflight learnt about the stream.
struct StreamInfo {
  std::string url;                           ///< the URL as given
  std::string effective_url;                 ///< after redirects; base for relative URIs
  bool is_master = false;                    ///< \a url is a master playlist
  std::vector<hls::VariantStream> variants;  ///< master only, playlist order
  std::size_t rendition_count = 0;           ///< master only: #EXT-X-MEDIA tags
  std::string media_playlist_url;           ///< the media playlist inspected (url or first variant)
  double target_duration_s = 0;             ///< of that media playlist
  std::uint64_t media_sequence = 0;         ///< #EXT-X-MEDIA-SEQUENCE of that media playlist
  std::size_t segment_count = 0;            ///< segments listed, > 0
  bool live = false;                        ///< no #EXT-X-ENDLIST
  std::string playlist_type;                ///< "VOD", "EVENT" or ""
  std::string first_segment_uri;            ///< absolute
  std::chrono::microseconds fetch_time{0};  ///< total transfer time of all fetches (curl's clock)
  std::vector<std::string> warnings;        ///< tolerated playlist oddities, prefixed by playlist
  double media_duration_s = 0;              ///< sum of that media playlist's #EXTINF
  std::vector<PreflightRequest> requests;   ///< every request made, redirect hops included
};

/// Fetches \a options.url with libcurl (blocking; call once at startup, never from a loop
/// callback), follows up to max_redirects redirects, parses it, and for a master playlist also
/// fetches and parses the first variant. Fails with a one-line detail naming the URL for: a
/// malformed URL (kUsage); DNS failure, refused connection, timeout, TLS failure (kNetwork); an
/// HTTP status >= 400, e.g. "playlist http://h/x.m3u8 returned HTTP 404 Not Found", a body that is
/// not HLS, an empty media playlist (kHttp); a malformed playlist (kParse). Not thread-safe with
/// respect to curl_global_init (libcurl initialises itself on first use).
Result<StreamInfo> CheckStream(const StreamCheckOptions& options);

/// CheckStream with the fetching done by \a fetcher (borrowed for the call; tests pass a fake).
/// \a options.url is still validated here.
Result<StreamInfo> CheckStream(const StreamCheckOptions& options, HttpFetcher& fetcher);

/// The CurlFetcher settings CheckStream uses for \a options (UA, headers, CONNECT_TO entry when
/// resolve_ip is set, TLS verification off when dangerous). \a url must be \a options.url parsed.
FetchOptions MakeFetchOptions(const StreamCheckOptions& options, const hls::UrlParts& url);

/// One line for the log, e.g. "master playlist, 3 variants (2800 kbit/s 1280x720, ...); live
/// media playlist http://..., target duration 2 s, 10 segments from sequence 42; fetched in 12 ms".
std::string DescribeStream(const StreamInfo& info);

/// The extra request headers sent, in order: \a options.headers, then the no-cache pair when
/// set. The User-Agent is sent separately ("<ua>/preflight"). Pure.
std::vector<std::string> PreflightRequestHeaders(const StreamCheckOptions& options);

/// The User-Agent sent: "<ua>/preflight", with "hls-swarm/<version>" when \a options has none.
std::string PreflightUserAgent(const StreamCheckOptions& options);

/// A CURLOPT_CONNECT_TO entry sending connections for \a url's host (any port) to \a ip on the
/// same port, so the Host header and TLS SNI keep the URL's host: "host::ip:". IPv6 addresses
/// are bracketed. Pure.
std::string ConnectToEntry(const hls::UrlParts& url, std::string_view ip);

}  // namespace hs::preflight
