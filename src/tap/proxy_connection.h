// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/event_loop.h"
#include "core/unique_fd.h"
#include "http/parse.h"
#include "tap/address_cache.h"
#include "tap/records.h"
#include "tap/stream_buffer.h"
#include "tap/tap_options.h"
#include "tap/tls_intercept.h"
#include "tap/url_classifier.h"

namespace hs::tap {

// HTTP/1.1 parsing is shared with the native engine (http/).
using http::BodyFramer;
using http::EqualsIgnoreCase;
using http::FindHeadEnd;
using http::Framing;
using http::FramingChoice;
using http::HasToken;
using http::HeadStatus;
using http::HttpHeader;
using http::RequestFraming;
using http::RequestHead;
using http::RequestHeadParser;
using http::ResponseFraming;
using http::ResponseHead;
using http::ResponseHeadParser;
using http::TargetForm;

class ProxyConnection;

/// What a connection shares with its TapServer. Every reference outlives the connections.
struct ProxyContext {
  EventLoop& loop;
  const TapOptions& options;
  TapStats& stats;
  UrlClassifier& classifier;
  AddressCache& addresses;
  TapListener* listener;  ///< may be null; not owned
  UpstreamAddress self;   ///< the tap's own address: requests for it are refused (508)
  /// Non-null: CONNECT tunnels are intercepted (TLS terminated with a leaf of the run's CA and
  /// re-originated to the origin, requests recorded as on http). Not owned.
  TlsInterceptor* tls = nullptr;
  /// Called once when a connection has closed itself; the server must destroy it later
  /// (loop.Post), never inside this call.
  std::function<void(ProxyConnection*)> on_closed;
};

/// One client (FFmpeg) connection and the upstream connection serving it: a small state machine
/// driven by readiness of the two sockets and one timer (STYLE §4). Requests on the client
/// connection are forwarded one at a time (no pipelining towards the origin); the upstream
/// connection is kept alive and reused while the client keeps sending requests for the same
/// host:port, so the origin sees the same connections FFmpeg would have opened itself.
///
/// With a TlsInterceptor, a CONNECT opens the upstream TCP connection at once (as the tunnel
/// would), answers 200, then runs two TLS handshakes: as the server towards the client (a leaf
/// for the CONNECT host) and as a verifying client towards the origin. The connection then
/// carries origin-form requests over exactly that one upstream connection: when the origin
/// closes it, the client connection closes too, so the origin sees the connections and the
/// request timing it would see without the tap.
/// Owned by TapServer; lives on the loop thread.
class ProxyConnection {
 public:
  ProxyConnection(ProxyContext& ctx, UniqueFd client);
  ~ProxyConnection();
  ProxyConnection(const ProxyConnection&) = delete;
  ProxyConnection& operator=(const ProxyConnection&) = delete;

  /// Registers the client socket on the loop. False if the loop refused it; the caller then
  /// destroys the connection (on_closed is not called).
  bool Start();
  /// Closes both sockets at once without reporting records or calling on_closed (server
  /// shutdown). Safe to call on a connection that already closed.
  void Abandon();

 private:
  enum class Phase {
    kIdle,        // waiting for (the rest of) a request head
    kExchange,    // a request is being forwarded and its response relayed
    kTunnel,      // CONNECT (or 101 upgrade): bytes relayed both ways
    kHandshake,   // intercepted CONNECT: connecting upstream, then the client's TLS handshake
    kFlushClose,  // writing what remains for the client, then closing
    kLinger,      // response sent after a bad request: draining the client before closing
    kClosed,
  };
  // The request in flight and what is known about its response.
  struct Exchange {
    RequestRecord record;
    std::string url;   // normalised absolute URL: the classification key
    std::string host;  // upstream host and port, for a retry
    int port = 0;
    std::string upstream_head;  // the origin-form head sent upstream (kept for a retry)
    bool keep_alive = true;     // the request lets the client connection carry another one
    BodyFramer request_body;
    bool request_sent = false;  // head and body fully written upstream
    SteadyTime sent_at{};
    bool response_started = false;  // a response byte arrived
    bool head_done = false;         // the final (non-1xx) head was parsed
    BodyFramer response_body;
    bool response_keep_alive = false;
    bool response_complete = false;  // the whole response is in to_client_ or delivered
    bool upgrade = false;            // 101 Switching Protocols: the connection becomes a tunnel
    bool trailing_garbage = false;   // the origin sent bytes after the response
    std::uint64_t delivered = 0;     // response bytes written to the client
    bool copy_playlist = false;
    std::string playlist;  // copy of a playlist body, for classification
    bool retried = false;
  };

  // An intercepted CONNECT (proxy_tls.cc).
  struct Intercept {
    std::string host;       // CONNECT host (certificate name, SNI, verification)
    std::string authority;  // "host:port" for the records' URLs
    UpstreamAddress addr;
    ServerSslPtr client_ssl;  // created once the 200 reached the client
    bool client_ready = false;
    std::uint32_t client_want = 0;  // EPOLLIN/EPOLLOUT the client handshake waits for
    http::SslPtr upstream_ssl;
    bool upstream_ready = false;
    std::uint32_t upstream_want = 0;
    std::string upstream_error;  // the origin's handshake failed: every request gets 502
    Duration connect_time{};     // TCP + TLS to the origin, given to the first request
    /// Between requests: frees both SSLs' record buffers (as the native client does; the
    /// next request pays one allocation). A no-op for an SSL with data pending.
    void ReleaseBuffers();
  };

  // Client side (proxy_connection.cc).
  void OnClientEvent(std::uint32_t events);
  void ReadClient();
  void WriteClient();
  void ParseRequest();
  void HandleRequestHead();
  void StartExchange(const RequestHead& head, BodyFramer request_body);
  void NewExchange(const RequestHead& head, std::string url, bool reused, BodyFramer body);
  static int ViewerOf(const RequestHead& head);
  bool OpenUpstreamForExchange(const Result<UpstreamAddress>& addr);
  void MoveRequestBody();
  void Refuse(int status, std::string_view why);
  void SendTapResponse(int status, std::string_view proxy_error, std::string_view body);
  void StartTunnel(const RequestHead& head);
  void OpenTunnelRecord(const RequestHead& head);
  void ConnectTunnel(const Result<UpstreamAddress>& addr);
  void SetPhase(Phase phase);
  void UpdateInterest();
  void OnTimer();
  Duration PhaseTimeout() const;
  void Touch();
  void MaybeCloseAfterFlush();
  void ClientGone();
  void Close();
  void ReleaseAll();
  bool IsSelf(const UpstreamAddress& addr) const;

  // TLS interception (proxy_tls.cc).
  void StartIntercept(const RequestHead& head);
  void StartClientTls();
  void ClientHandshake();
  void ClientTlsFailed(const std::string& why);
  void UpstreamHandshake();
  void StartTlsExchange(const RequestHead& head, BodyFramer request_body);
  void PumpTls();
  void ShutdownTls();
  bool UpstreamReady() const;
  bool WantClientRead() const;
  bool WantUpstreamRead() const;
  IoResult ClientRead(StreamBuffer& into);
  IoResult ClientWrite();
  IoResult UpstreamRead(size_t max);
  IoResult UpstreamWrite();

  // Upstream side and records (proxy_upstream.cc).
  RequestError ConnectUpstream(const UpstreamAddress& addr);
  void CloseUpstream();
  void OnUpstreamEvent(std::uint32_t events);
  void OnConnectResult(int err);
  void ReadUpstream();
  void WriteUpstream();
  void ProcessResponse();
  bool ProcessResponseHead(std::string_view pending);
  void CountUnreadResponse();
  void OnUpstreamEnd(int err);
  void RetryOnNewConnection();
  void FinishExchange();
  void FailExchange(RequestError error);
  void Report(bool learn);
  void FinishTunnelRead();
  void FailTunnel(RequestError error);
  void ReportTunnel();

  ProxyContext& ctx_;
  Phase phase_ = Phase::kIdle;
  UniqueFd client_;
  std::unique_ptr<FileWatch> client_watch_;
  UniqueFd upstream_;
  std::unique_ptr<FileWatch> upstream_watch_;  // null while parked (see UpdateInterest)
  std::unique_ptr<Timer> timer_;
  SteadyTime last_progress_{};

  std::string upstream_key_;         // "host:port" the upstream socket is connected to
  bool upstream_connected_ = false;  // connect() finished
  bool upstream_reusable_ = false;   // idle and may carry the next request
  SteadyTime connect_started_{};
  std::uint32_t requests_served_ = 0;  // requests finished on this client connection

  StreamBuffer client_in_;      // client bytes not yet forwarded (heads, bodies)
  StreamBuffer to_upstream_;    // bytes for the upstream: the rebuilt head, body, tunnel data
  StreamBuffer to_client_;      // upstream bytes (and tap responses) for the client
  size_t to_client_ready_ = 0;  // prefix of to_client_ already parsed, so writable

  RequestHeadParser request_parser_;
  ResponseHeadParser response_parser_;
  std::unique_ptr<Exchange> ex_;          // the request in flight, in kExchange
  std::unique_ptr<TunnelRecord> tunnel_;  // the CONNECT tunnel, in kTunnel (and kHandshake)
  std::unique_ptr<Intercept> tls_;        // an intercepted CONNECT, from kHandshake on
  bool linger_after_flush_ = false;       // after a refused request: drain the client, then close
  std::uint64_t linger_bytes_ = 0;
};

}  // namespace hs::tap
