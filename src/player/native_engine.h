// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "config/config.h"
#include "core/event_loop.h"
#include "core/result.h"
#include "http/client.h"
#include "http/resolver.h"
#include "http/tls.h"
#include "measure/request.h"
#include "measure/viewer.h"
#include "player/player.h"
#include "player/playlist_cache.h"
#include "pool/engine.h"

namespace hs::player {

/// What the engine counts about itself (for the report and benchmarks).
struct NativeEngineStats {
  std::size_t sessions = 0;     ///< viewers with a session now
  std::uint64_t redirects = 0;  ///< 3xx answers followed
  std::uint64_t resolve_errors = 0;
};

/// The native engine: every viewer is a Player (player.h) on this loop with its own HTTP/1.1
/// keep-alive connection (a second one for an alternate audio rendition), TLS by OpenSSL,
/// names resolved by c-ares and spread over every answered address. It measures each request
/// itself and reports it to \a records as a measure::RequestRecord (no tap), engine counts to
/// \a counts, and session events to the pool. Loop thread only; \a loop, \a cfg, \a records
/// and \a counts must outlive it.
class NativeEngine final : public pool::ViewerEngine {
 public:
  /// Fails with a one-line reason (bad URL, TLS set-up, resolver set-up).
  static Result<std::unique_ptr<NativeEngine>> Create(EventLoop& loop, const config::Config& cfg,
                                                      std::string stream_url,
                                                      measure::RequestListener& records,
                                                      measure::EngineListener& counts);
  ~NativeEngine() override;
  NativeEngine(const NativeEngine&) = delete;
  NativeEngine& operator=(const NativeEngine&) = delete;

  void Attach(pool::SessionEvents& events) override { events_ = &events; }
  Result<void> StartSession(int viewer_id, int attempt) override;
  void StopSession(int viewer_id) override;
  void KillSession(int viewer_id) override;

  NativeEngineStats stats() const;

 private:
  class Viewer;
  friend class Viewer;
  NativeEngine(EventLoop& loop, const config::Config& cfg, std::string stream_url,
               measure::RequestListener& records, measure::EngineListener& counts);
  void EndSession(int viewer_id, measure::EndReason reason);
  void OnProgressTick();

  EventLoop& loop_;
  const config::Config& cfg_;
  std::string stream_url_;
  std::string resolve_host_;  ///< the URL host that -resolve redirects (lower-case)
  measure::RequestListener& records_;
  measure::EngineListener& counts_;
  pool::SessionEvents* events_ = nullptr;
  PlayerOptions player_opts_;
  std::string common_headers_;  ///< no-cache pair and -header lines, each ending CRLF
  /// -cmcd: this run's session id prefix (cmcd::SessionPrefix), random per engine.
  std::string cmcd_sid_prefix_;
  std::unique_ptr<http::TlsContext> tls_;
  std::unique_ptr<http::ClientShared> client_;  ///< loop, TLS context, the one read buffer
  std::unique_ptr<http::Resolver> resolver_;
  PlaylistCache cache_;
  std::unordered_map<int, std::unique_ptr<Viewer>> viewers_;
  std::unique_ptr<Timer> progress_timer_;
  std::uint64_t redirects_ = 0;
  std::uint64_t resolve_errors_ = 0;
};

}  // namespace hs::player
