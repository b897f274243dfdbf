// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "config/streams.h"
#include "core/clock.h"
#include "measure/request.h"
#include "measure/viewer.h"
#include "stats/request_stats.h"
#include "stats/snapshot.h"

namespace hs::stats {

/// Turns the neutral events of the pool and the engines (viewer events, request records,
/// engine counts) into counters and histograms. Knows no engine. Loop thread only, no locks.
class Aggregator final : public measure::ViewerListener,
                         public measure::RequestListener,
                         public measure::EngineListener {
 public:
  /// \a base carries the run description fields (url, profile, engine).
  explicit Aggregator(Snapshot base) : s_(std::move(base)) {}

  // measure::ViewerListener
  void OnViewerStarted(int id, int attempt) override;
  void OnViewerStartFailed(int id, const Error& error) override;
  void OnViewerPlaying(int id, Duration startup) override;
  void OnViewerStalled(int id, measure::RestartCause cause) override;
  void OnViewerEnded(int id, measure::EndReason reason, Duration ran_for) override;
  void OnRestartScheduled(int id, measure::RestartCause cause, Duration delay) override;

  // measure::RequestListener
  void OnRequestComplete(const measure::RequestRecord& record) override;
  void OnTunnelClosed(const measure::TunnelRecord& record) override;

  // measure::EngineListener
  void OnEngineCount(measure::EngineCount what, std::uint64_t n) override;
  void OnLoggedRequest(measure::RequestKind kind, bool new_connection) override;
  void OnEngineError(std::string_view type, int http_status) override;
  void OnSpeedSample(double speed) override;
  void OnLiveLatencySample(double seconds) override;
  void OnViewerRendition(std::int64_t from_bandwidth, std::int64_t to_bandwidth) override;
  void OnRenditionMedia(std::uint64_t bandwidth, double media_s) override;

  /// One request hls-swarm made itself (\a source "preflight" or "ffprobe"): counted in
  /// Snapshot::probe, never as a viewer's. \a status 0 with \a failed: no response.
  void OnProbeRequest(std::string_view source, measure::RequestKind kind, int status,
                      std::uint64_t body_bytes, bool failed);
  /// A probe ran without per-request measurement (its requests are not counted).
  void OnProbeUnmeasured(std::string source) { s_.probe.unmeasured.push_back(std::move(source)); }

  /// Per-request figures are measured in this run by \a source ("tap", "native").
  /// Call after SetStreams.
  void SetRequestSource(std::string source) {
    for (RequestStats& r : stream_requests_) r.set_source(source);
    requests_.set_source(std::move(source));
  }

  /// Several streams: each viewer's figures are also counted under its stream (\a assign
  /// gives it from the viewer id); \a streams holds each one's label, URL and weight.
  /// \a first_id is the pool's first viewer id (-client-id-offset), for the per-stream target.
  void SetStreams(std::vector<StreamFigures> streams, config::StreamAssigner assign, int first_id);

  /// -engine-mix: each viewer's figures are also counted under its engine (\a assign gives its
  /// index into \a engines from the viewer id). \a first_id as for SetStreams.
  void SetEngines(std::vector<EngineFigures> engines, config::EngineAssigner assign, int first_id);
  /// What engine \a index of SetEngines reports its counts to: this aggregator, with its
  /// errors also counted as that engine's. Valid as long as the aggregator.
  measure::EngineListener& EngineCounts(std::size_t index);

  /// Copies the counters and adds the pool's gauges \a counts as of \a now.
  Snapshot Take(const measure::ViewerCounts& counts, double elapsed_s, SteadyTime now);

 private:
  Snapshot s_;
  RequestStats requests_;
  StreamFigures* StreamOf(int viewer_id);
  EngineFigures* EngineOf(int viewer_id);
  /// Viewer \a id started or stopped playing: the per-stream and per-engine gauges follow.
  void SetPlaying(int id, bool playing);

  // Forwards an engine's counts to the aggregator, counting its errors as that engine's.
  class EngineTag final : public measure::EngineListener {
   public:
    EngineTag(Aggregator& a, std::size_t index) : a_(a), index_(index) {}
    void OnEngineCount(measure::EngineCount what, std::uint64_t n) override {
      a_.OnEngineCount(what, n);
    }
    void OnLoggedRequest(measure::RequestKind kind, bool new_connection) override {
      a_.OnLoggedRequest(kind, new_connection);
    }
    void OnEngineError(std::string_view type, int http_status) override;
    void OnSpeedSample(double speed) override { a_.OnSpeedSample(speed); }
    void OnLiveLatencySample(double seconds) override { a_.OnLiveLatencySample(seconds); }
    void OnViewerRendition(std::int64_t from, std::int64_t to) override {
      a_.OnViewerRendition(from, to);
    }
    void OnRenditionMedia(std::uint64_t bandwidth, double media_s) override {
      a_.OnRenditionMedia(bandwidth, media_s);
    }

   private:
    Aggregator& a_;
    std::size_t index_;
  };
  std::vector<std::unique_ptr<EngineTag>> engine_tags_;
  config::EngineAssigner engine_assign_;
  std::vector<RequestStats> stream_requests_;  ///< one per stream (several streams only)
  config::StreamAssigner assign_;
  int first_id_ = 0;
  std::unordered_set<int> playing_;  ///< viewers playing now (several streams or engines only)
  std::uint64_t media_played_us_ = 0;
  std::uint64_t rebuffer_us_ = 0;
  std::uint64_t watch_us_ = 0;
};

}  // namespace hs::stats
