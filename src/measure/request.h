// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The neutral vocabulary of requests: what every engine (FFmpeg through the tap, the native
// player) reports per HTTP request, and what stats turns into figures. No behaviour here.

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "hls/url_kind.h"

namespace hs::measure {

/// What a request fetched: decided from the playlists the engine read, else from the URL
/// (hls::GuessKindFromUrl). Labels via hls::ToString: master, playlist, segment, init, key,
/// other.
using RequestKind = hls::ResourceKind;
using hls::ToString;

/// Why a request did not complete normally. Exactly one per record.
enum class RequestError {
  kNone,
  kConnectRefused,  ///< connect failed (refused, unreachable)
  kConnectTimeout,  ///< connect took longer than the connect timeout
  kResolve,         ///< the host name did not resolve
  kTimeout,         ///< no progress for the I/O timeout after connecting
  kReset,           ///< the server reset or closed before a complete response head
  kTruncated,       ///< the server closed before the end of a Content-Length or chunked body
  kClientAborted,   ///< the client went away (or was stopped) before the response was complete
  kBadResponse,     ///< unparseable response head or body framing
  kTls,             ///< TLS handshake or certificate verification failed
};

/// Label: "none", "connect_refused", "connect_timeout", "resolve", "timeout", "reset",
/// "truncated", "client_aborted", "bad_response", "tls".
const char* ToString(RequestError error);

/// The viewer id of requests hls-swarm makes itself to probe the stream (ffprobe of
/// -variant highest|lowest, whose User-Agent ends in config::kProbeMarker): counted apart.
inline constexpr int kProbeViewerId = -2;
/// What a CDN or caching proxy said about a response (X-Cache, X-Cache-Status,
/// CF-Cache-Status, X-Proxy-Cache, Age), normalised; kNone when it said nothing.
enum class CacheStatus : std::uint8_t { kNone, kHit, kMiss, kOther };
/// Label: "none", "hit", "miss", "other".
const char* ToString(CacheStatus status);

/// One HTTP request, reported once it ends (completed or failed).
struct RequestRecord {
  int viewer_id = -1;  ///< the viewer that made it, -1 unknown, kProbeViewerId: a probe
  RequestKind kind = RequestKind::kOther;
  int status = 0;                  ///< HTTP status code; 0 if none arrived
  std::uint64_t body_bytes = 0;    ///< response body bytes on the wire (chunk framing
                                   ///< included = nginx $body_bytes_sent)
  std::uint64_t header_bytes = 0;  ///< response head bytes (interim 1xx heads included)
  Duration connect_time{};         ///< TCP (+TLS) connect; zero on a reused connection
  Duration ttfb{};                 ///< request fully sent → first response byte
  Duration total{};                ///< request started → last body byte (or the failure)
  bool reused_connection = false;  ///< the connection carried an earlier request
  RequestError error = RequestError::kNone;
  std::size_t playlist_body_hash = 0;      ///< playlists parsed: hash of the body, else 0
  double media_duration_s = -1;            ///< segments: #EXTINF duration, -1 unknown
  SteadyTime started{};                    ///< when the request started
  std::string method;                      ///< "GET", "HEAD", ...
  std::string path;                        ///< absolute URL, for debugging only: never a label
  std::string remote;                      ///< "ip:port" connected to, "" unknown (edge split)
  CacheStatus cache = CacheStatus::kNone;  ///< from the response's cache headers
};

/// One CONNECT tunnel (https through the tap): only totals, the content is encrypted.
struct TunnelRecord {
  int viewer_id = -1;            ///< from the CONNECT request's User-Agent (FFmpeg sends none)
  std::string authority;         ///< "host:port" as requested, for debugging only
  std::uint64_t bytes_up = 0;    ///< client → origin bytes carried
  std::uint64_t bytes_down = 0;  ///< origin → client bytes carried
  Duration connect_time{};       ///< upstream TCP connect
  Duration duration{};           ///< CONNECT received → tunnel closed
  RequestError error = RequestError::kNone;  ///< connect failures and timeouts only
  SteadyTime started{};
};

/// Receives request records. Called on the loop thread, synchronously from inside an
/// engine's (or the tap's) socket callbacks: implementations must be quick and must not
/// destroy the caller.
class RequestListener {
 public:
  virtual ~RequestListener() = default;
  /// A request ended, successfully or not.
  virtual void OnRequestComplete(const RequestRecord& record) = 0;
  /// A CONNECT tunnel closed (or failed to open).
  virtual void OnTunnelClosed(const TunnelRecord& record) = 0;
};

}  // namespace hs::measure
