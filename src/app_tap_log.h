// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdio>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "tap/request_record.h"

namespace hs::app {

/// Passes tap records on to \a next and, when a file is open, writes each as one JSON line
/// (`-tap-log FILE`) so a user can join them with the origin's access log. Loop thread only.
class TapRecordSink final : public tap::TapListener {
 public:
  TapRecordSink(tap::TapListener& next, const Clock& clock) : next_(next), clock_(clock) {}
  ~TapRecordSink() override;
  Result<void> Open(const std::string& path);
  void OnRequestComplete(const tap::RequestRecord& r) override;
  void OnTunnelClosed(const tap::TunnelRecord& r) override;

 private:
  tap::TapListener& next_;
  const Clock& clock_;
  std::FILE* file_ = nullptr;
};

}  // namespace hs::app
