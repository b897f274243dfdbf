// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <functional>
#include <string>

#include "metrics/http_server.h"
#include "pool/viewer_pool.h"
#include "stats/snapshot.h"
#include "tui/dashboard.h"

namespace hs::control {

/// The one implementation of what a user can change while a run goes on: the dashboard's
/// keys and the control API (`/api/clients`, `/api/status`) both go through it, so the target
/// changes by one path. Loop thread only. \a pool may be set late (it exists only once
/// viewers start); until then and during shutdown changes are refused.
class RunControls final : public tui::Controls {
 public:
  /// \a quit begins the graceful shutdown; \a snapshot gives the current figures.
  RunControls(std::function<void(const char* why)> quit, std::function<stats::Snapshot()> snapshot)
      : quit_(std::move(quit)), snapshot_(std::move(snapshot)) {}

  /// The pool to control (not owned); nullptr while none runs or once it shuts down.
  void set_pool(pool::ViewerPool* pool) { pool_ = pool; }
  /// Called after a target set through these controls (API, dashboard keys), with who set it.
  void set_on_target_set(std::function<void(const char* who)> f) { on_target_set_ = std::move(f); }

  /// Sets the target viewer count; \a who is logged. False when nothing runs.
  bool SetTarget(int target, const char* who);
  /// The target now, -1 when nothing runs.
  int target() const { return pool_ != nullptr ? pool_->target() : -1; }

  // tui::Controls
  void Quit() override { quit_("dashboard quit"); }
  void TogglePause() override;
  void ChangeViewers(double fraction) override;

  /// Adds `/api/clients` (POST ?target=N) and `/api/status` (GET) to \a http.
  void AddApiRoutes(metrics::HttpServer& http);

 private:
  metrics::HttpResponse OnClients(const metrics::HttpRequest& req);
  std::function<void(const char*)> quit_;
  std::function<void(const char* who)> on_target_set_;
  std::function<stats::Snapshot()> snapshot_;
  pool::ViewerPool* pool_ = nullptr;
};

}  // namespace hs::control
