// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/clock.h"
#include "tap/stream_buffer.h"

namespace hs::tap {

/// How the tap listens and forwards. The defaults suit hls-swarm's `default` profile; the app
/// sets connect_timeout and io_timeout from `-timeout` and resolve_ip from `-resolve`.
struct TapOptions {
  /// Address to listen on. Keep it on loopback: the tap forwards to any host it is asked for.
  std::string listen_address = "127.0.0.1";
  /// TCP port; 0 lets the kernel choose (read it back with TapServer::port()).
  int port = 0;
  /// Upstream TCP connect limit; on expiry the client gets 504 (error kConnectTimeout).
  Duration connect_timeout = std::chrono::seconds(15);
  /// Longest time without progress while a request is in flight (waiting for the response,
  /// between body bytes, or for the client to accept bytes), and for a started request head.
  /// On expiry: 504 if no response byte reached the client yet, else the connection is closed.
  Duration io_timeout = std::chrono::seconds(15);
  /// How long an idle client connection (between requests) or an idle tunnel stays open. Longer
  /// than an origin's usual keep-alive (nginx: 75 s) so that the origin, not the tap, decides.
  Duration keepalive_timeout = std::chrono::seconds(120);
  /// Numeric IP to connect to instead of resolving the request's host (the Host header is kept
  /// unchanged). Empty: resolve the host.
  std::string resolve_ip;
  /// Cap of each direction's buffer per connection: the most the tap holds of a body it
  /// streams (reading from the origin stops while the client is not taking bytes).
  size_t buffer_bytes = 64 * 1024;
  /// Largest request head accepted; larger gets 431.
  size_t max_request_head_bytes = 16 * 1024;
  /// Largest response head accepted; larger is a bad response (502).
  size_t max_response_head_bytes = 32 * 1024;
  /// Playlist bodies up to this size are copied aside (while streaming) and parsed for the
  /// kind of later requests; larger ones are passed through unparsed.
  size_t max_playlist_bytes = 1024 * 1024;
  /// Playlists whose URLs are remembered for classification (least recently fetched dropped).
  size_t max_playlists = 64;
  /// Client connections open at once; more are accepted and closed at once (counted).
  size_t max_connections = 16384;
};

/// The tap's own counters. Monotonic unless said otherwise; read them on the loop thread.
struct TapStats {
  std::uint64_t connections_accepted = 0;  ///< client connections accepted (incl. refused)
  std::uint64_t connections_refused = 0;   ///< subset closed at once: max_connections reached
  std::uint64_t connections_active = 0;    ///< gauge: client connections open now
  std::uint64_t accept_errors = 0;         ///< accept() failures other than EAGAIN (e.g. EMFILE)
  std::uint64_t upstream_connects = 0;     ///< upstream TCP connects started
  std::uint64_t upstream_connect_failures = 0;  ///< subset of upstream_connects that failed
  std::uint64_t requests = 0;                   ///< requests forwarded and ended = records reported
  std::uint64_t request_errors = 0;             ///< subset of requests with an error
  std::uint64_t reused_requests = 0;            ///< subset of requests sent on a reused upstream
  std::uint64_t keepalive_retries = 0;  ///< requests resent on a new upstream connection because
                                        ///< a kept-alive one closed before answering (once each)
  std::uint64_t bad_requests = 0;       ///< client requests the tap refused itself (400, 431, 501,
                                        ///< 505, 508): not forwarded, no record
  std::uint64_t tunnels = 0;            ///< CONNECT tunnels requested = tunnel records reported
  std::uint64_t intercepted = 0;        ///< CONNECTs whose TLS the tap terminated (not in tunnels)
  std::uint64_t client_tls_failures = 0;    ///< viewers' handshakes with the tap that failed
  std::uint64_t upstream_tls_failures = 0;  ///< the tap's handshakes with origins that failed
                                            ///< (certificate verification included)
  std::uint64_t bytes_from_upstream = 0;    ///< bytes read from origins (heads, bodies, tunnels)
  std::uint64_t bytes_to_client = 0;        ///< bytes written to clients (incl. tap responses)
  BufferAccount buffered;  ///< bytes held in buffers now (gauge) and the peak: bounded by
                           ///< about 2 × buffer_bytes per active connection
};

}  // namespace hs::tap
