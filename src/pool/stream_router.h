// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <memory>
#include <vector>

#include "config/streams.h"
#include "pool/engine.h"

namespace hs::pool {

/// Several streams in one run with an engine that plays one URL: one engine per stream, each
/// viewer's sessions routed to the engine of its stream (config::StreamAssigner, from the
/// viewer id alone). Session events go straight from the engines to the pool.
class StreamRouter final : public ViewerEngine {
 public:
  StreamRouter(std::vector<std::unique_ptr<ViewerEngine>> engines, config::StreamAssigner assign)
      : engines_(std::move(engines)), assign_(std::move(assign)) {}

  void Attach(SessionEvents& events) override {
    for (auto& e : engines_) e->Attach(events);
  }
  Result<void> StartSession(int viewer_id, int attempt) override {
    return For(viewer_id).StartSession(viewer_id, attempt);
  }
  void StopSession(int viewer_id) override { For(viewer_id).StopSession(viewer_id); }
  void KillSession(int viewer_id) override { For(viewer_id).KillSession(viewer_id); }

  ViewerEngine& engine(std::size_t i) { return *engines_[i]; }

 private:
  ViewerEngine& For(int viewer_id) {
    std::size_t i = assign_.StreamOf(viewer_id);
    return *engines_[i < engines_.size() ? i : 0];
  }

  std::vector<std::unique_ptr<ViewerEngine>> engines_;
  config::StreamAssigner assign_;
};

}  // namespace hs::pool
