// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <string>
#include <unordered_set>

#include "core/clock.h"
#include "stats/request_stats.h"
#include "stats/snapshot.h"
#include "supervisor/supervisor.h"
#include "tap/request_record.h"

namespace hs::stats {

/// Turns supervisor and parser events into counters and histograms. Loop thread only, no locks.
/// The measurement tap (later) feeds exact per-request records through its own method.
class Aggregator final : public supervisor::Listener, public tap::TapListener {
 public:
  /// \a base carries the run description fields (url, profile, ffmpeg version).
  explicit Aggregator(Snapshot base) : s_(std::move(base)) {}

  void OnViewerSpawned(int id, pid_t pid, int attempt) override;
  void OnSpawnFailed(int id, const Error& error) override;
  void OnViewerPlaying(int id, Duration startup) override;
  void OnViewerStalled(int id, supervisor::RestartCause cause) override;
  void OnViewerExit(int id, const supervisor::ExitStatus& status, Duration ran_for,
                    const std::vector<std::string>& recent_lines) override;
  void OnRestartScheduled(int id, supervisor::RestartCause cause, Duration delay) override;
  void OnLogEvent(int id, const ffmpeg::LogEvent& event) override;
  void OnProgress(int id, const ffmpeg::ProgressBlock& block) override;

  void OnRequestComplete(const tap::RequestRecord& record) override;
  void OnTunnelClosed(const tap::TunnelRecord& record) override;
  void set_tap_enabled(bool on) { requests_.set_enabled(on); }

  /// Copies the counters and adds the supervisor's gauges as of \a now.
  Snapshot Take(const supervisor::Supervisor& sup, double elapsed_s, SteadyTime now);

  /// Reason label of an exit (clean, exit_code, signaled, stopped).
  static std::string ExitReason(const supervisor::ExitStatus& s);

 private:
  void CountError(const std::string& type) { ++s_.errors_by_type[type]; }
  Snapshot s_;
  RequestStats requests_;
  /// Viewers whose current process has printed its first status record. That first record
  /// divides by an elapsed time near zero (seen: 21300x), so its speed is not a sample.
  std::unordered_set<int> status_seen_;
};

}  // namespace hs::stats
