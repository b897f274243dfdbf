// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdio>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "measure/request.h"

namespace hs::app {

/// Passes request records (tap or native engine) on to \a next and, when a file is open, writes
/// each as one JSON line
/// (`-tap-log FILE`) so a user can join them with the origin's access log. Loop thread only.
class RequestLog final : public measure::RequestListener {
 public:
  RequestLog(measure::RequestListener& next, const Clock& clock) : next_(next), clock_(clock) {}
  ~RequestLog() override;
  Result<void> Open(const std::string& path);
  void OnRequestComplete(const measure::RequestRecord& r) override;
  void OnTunnelClosed(const measure::TunnelRecord& r) override;

 private:
  measure::RequestListener& next_;
  const Clock& clock_;
  std::FILE* file_ = nullptr;
};

}  // namespace hs::app
