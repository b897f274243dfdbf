// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/clock.h"

namespace hs::tap {

/// What a request fetched, decided from the response body (playlists) and the playlists seen
/// before (segments, init sections, keys), else from the URL's extension.
enum class RequestKind { kMaster, kMediaPlaylist, kSegment, kInit, kKey, kOther };

/// Metric label: "master", "playlist", "segment", "init", "key", "other".
const char* ToString(RequestKind kind);

/// Why a request did not complete normally. Exactly one per record.
enum class RequestError {
  kNone,
  kConnectRefused,  ///< upstream connect failed (refused, unreachable); client got 502
  kConnectTimeout,  ///< upstream connect took longer than the connect timeout; client got 504
  kResolve,         ///< the host name did not resolve; client got 502
  kTimeout,         ///< no progress for the I/O timeout after connecting (504, or closed mid-body)
  kReset,           ///< upstream reset or closed before a complete response head
  kTruncated,       ///< upstream closed before the end of a Content-Length or chunked body
  kClientAborted,   ///< the client (FFmpeg) went away before the response was delivered
  kBadResponse,     ///< unparseable response head or body framing; client got 502 if possible
};

/// Label: "none", "connect_refused", "connect_timeout", "resolve", "timeout", "reset",
/// "truncated", "client_aborted", "bad_response".
const char* ToString(RequestError error);

/// One HTTP request forwarded by the tap, reported once it ends (completed or failed).
struct RequestRecord {
  int viewer_id = -1;  ///< from "User-Agent: .../client-<id>", -1 unknown
  RequestKind kind = RequestKind::kOther;
  int status = 0;                  ///< upstream status code; 0 if none arrived
  std::uint64_t body_bytes = 0;    ///< response body bytes on the wire (chunk framing
                                   ///< included = nginx $body_bytes_sent)
  std::uint64_t header_bytes = 0;  ///< response head bytes (interim 1xx heads included)
  Duration connect_time{};         ///< upstream TCP connect; zero on a reused connection
  Duration ttfb{};                 ///< request fully sent upstream → first response byte
  Duration total{};                ///< request head received from the client → last
                                   ///< body byte written to the client (or the failure)
  bool reused_connection = false;  ///< the upstream connection carried an earlier request
  RequestError error = RequestError::kNone;
  std::size_t playlist_body_hash = 0;  ///< playlists parsed: hash of the body, else 0
  double media_duration_s = -1;        ///< segments: #EXTINF duration, -1 unknown
  SteadyTime started{};                ///< when the request head was received
  std::string method;                  ///< "GET", "HEAD", ...
  std::string path;                    ///< absolute URL, for debugging only: never a label
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

/// Receives the tap's records. Called on the loop thread, synchronously from inside the tap's
/// socket callbacks: implementations must be quick and must not destroy the TapServer.
class TapListener {
 public:
  virtual ~TapListener() = default;
  /// A forwarded request ended, successfully or not.
  virtual void OnRequestComplete(const RequestRecord& record) = 0;
  /// A CONNECT tunnel closed (or failed to open).
  virtual void OnTunnelClosed(const TunnelRecord& record) = 0;
};

}  // namespace hs::tap
