// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "pool/engine.h"

namespace hs::pool {

/// Several engines behind one: each viewer's sessions go to the engine its id routes to, with
/// no per-viewer state. Used for several streams with an engine that plays one URL (one engine
/// per stream, routed by config::StreamAssigner) and for -engine-mix (the FFmpeg and the
/// native engine, routed by config::EngineAssigner). Session events go straight from the
/// engines to the pool.
class ViewerRouter final : public ViewerEngine {
 public:
  /// The index of the engine that plays viewer \a viewer_id.
  using Route = std::function<std::size_t(int viewer_id)>;

  /// Routes to engines it owns.
  ViewerRouter(std::vector<std::unique_ptr<ViewerEngine>> engines, Route route)
      : owned_(std::move(engines)), route_(std::move(route)) {
    for (auto& e : owned_) engines_.push_back(e.get());
  }
  /// Routes to engines owned elsewhere; they must outlive the router.
  ViewerRouter(std::vector<ViewerEngine*> engines, Route route)
      : engines_(std::move(engines)), route_(std::move(route)) {}

  void Attach(SessionEvents& events) override {
    for (ViewerEngine* e : engines_) e->Attach(events);
  }
  Result<void> StartSession(int viewer_id, int attempt) override {
    return For(viewer_id).StartSession(viewer_id, attempt);
  }
  void StopSession(int viewer_id) override { For(viewer_id).StopSession(viewer_id); }
  void KillSession(int viewer_id) override { For(viewer_id).KillSession(viewer_id); }

  ViewerEngine& engine(std::size_t i) { return *engines_[i]; }

 private:
  ViewerEngine& For(int viewer_id) {
    const std::size_t i = route_(viewer_id);
    return *engines_[i < engines_.size() ? i : 0];
  }

  std::vector<std::unique_ptr<ViewerEngine>> owned_;
  std::vector<ViewerEngine*> engines_;
  Route route_;
};

}  // namespace hs::pool
