// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "core/event_loop.h"
#include "core/result.h"
#include "core/unique_fd.h"
#include "tap/address_cache.h"
#include "tap/proxy_connection.h"
#include "tap/records.h"
#include "tap/tap_options.h"
#include "tap/tls_intercept.h"
#include "tap/url_classifier.h"

namespace hs::tap {

/// The measurement tap (SPEC §4): an HTTP/1.1 forward proxy on the event loop, given to every
/// FFmpeg as `-http_proxy`. It forwards each request to the origin over one upstream
/// connection per client connection (keep-alive preserved on both sides), streams responses
/// through with bounded buffers, and reports one RequestRecord per request (one TunnelRecord
/// per CONNECT) to the listener. It never blocks on a client or origin, except for the first
/// getaddrinfo of each host name (see AddressCache).
///
/// Lives on the loop thread; every method must be called from it.
class TapServer {
 public:
  /// \a loop and \a listener are not owned and must outlive the server; \a listener may be
  /// null (records are then only counted).
  TapServer(EventLoop& loop, TapOptions options, TapListener* listener);
  /// Closes every connection at once, without reporting records.
  ~TapServer();
  TapServer(const TapServer&) = delete;
  TapServer& operator=(const TapServer&) = delete;

  /// Binds options.listen_address:options.port and starts accepting. Fails (kUsage) on a
  /// non-numeric listen address or resolve_ip, (kIo) when the port cannot be bound.
  Result<void> Listen();
  /// Intercepts https from now on (CONNECT tunnels become TLS terminated at the tap with a
  /// certificate of a CA made for this run, and re-originated to the origin; see
  /// tls_intercept.h). \a verify_origin / \a ca_file: as http::TlsContext::Create. Fails when
  /// the CA cannot be made or the trust store not loaded; the tap then stays in tunnel mode.
  Result<void> InterceptTls(bool verify_origin, const std::string& ca_file);
  /// The same with an interceptor made beforehand (null: stop intercepting new CONNECTs).
  void UseInterceptor(std::unique_ptr<TlsInterceptor> tls);
  /// True once InterceptTls succeeded.
  bool intercepts_tls() const { return tls_ != nullptr; }
  /// The run's CA certificate (PEM) while intercepting, else "".
  std::string CaPem() const;
  /// The bound port (after Listen), else 0.
  int port() const { return port_; }
  /// "http://127.0.0.1:PORT": the value for FFmpeg's -http_proxy.
  std::string ProxyUrl() const;
  /// Counters; see TapStats.
  const TapStats& stats() const { return stats_; }
  /// Client connections open now.
  size_t connection_count() const { return connections_.size(); }
  /// Playlists and URLs remembered for classification.
  const UrlClassifier& classifier() const { return classifier_; }
  /// Stops listening and closes every connection without reporting records (shutdown).
  void Close();

 private:
  void OnAccept();
  void OnConnectionClosed(ProxyConnection* connection);

  EventLoop& loop_;
  const TapOptions options_;
  std::unique_ptr<TlsInterceptor> tls_;  // before context_, which points at it
  TapStats stats_;
  UrlClassifier classifier_;
  AddressCache addresses_;
  ProxyContext context_;
  UniqueFd listen_fd_;
  std::unique_ptr<FileWatch> listen_watch_;
  std::unique_ptr<Timer> accept_pause_;  // re-enables accepting after EMFILE
  int port_ = 0;
  std::unordered_map<ProxyConnection*, std::unique_ptr<ProxyConnection>> connections_;
};

}  // namespace hs::tap
