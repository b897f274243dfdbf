// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Several streams in one run: the stream list (-streams FILE, STREAMS, positional URLs,
// -weights), the viewer → stream assignment, and the bounded label each stream goes by.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::config {

inline constexpr std::size_t kMaxStreams = 16;
inline constexpr int kMaxWeight = 1000;

/// One stream of the run and its share of the viewers.
struct StreamSpec {
  std::string url;
  int weight = 1;
};

/// Parses "-weights 3,1": positive integers up to kMaxWeight, comma-separated.
Result<std::vector<int>> ParseWeights(std::string_view text);

/// One "URL [WEIGHT]" entry per line of \a text ('#' starts a comment, blank lines are
/// skipped); \a separators also split entries (STREAMS uses ';'). URLs are not checked here.
/// Errors name the line (1-based).
Result<std::vector<StreamSpec>> ParseStreamList(std::string_view text, std::string_view separators);

/// The viewer → stream assignment: smooth weighted round robin (as nginx's upstream balancer)
/// over the weights, indexed by the viewer id, so it needs no per-viewer state and every
/// sum(weights) consecutive ids hold exactly weight[i] viewers of stream i.
class StreamAssigner {
 public:
  StreamAssigner() : StreamAssigner(std::vector<int>{1}) {}
  explicit StreamAssigner(const std::vector<int>& weights);
  /// The stream index of viewer \a viewer_id (negative ids: stream 0).
  std::size_t StreamOf(int viewer_id) const;
  std::size_t size() const { return count_; }
  /// Viewers of each stream among ids [first, first + n).
  std::vector<int> Counts(int first, int n) const;
  /// How many viewers of its stream come before viewer \a viewer_id (0, 1, 2... over the ids
  /// of one stream; negative ids: 0).
  std::int64_t RankOf(int viewer_id) const;

 private:
  std::vector<std::uint8_t> cycle_;  ///< one period of the round robin
  std::vector<int> rank_;            ///< each cycle position's rank within its stream
  std::vector<int> per_cycle_;       ///< viewers of each stream in one period
  std::size_t count_ = 1;
};

/// The viewer → engine assignment of -engine-mix: first by stream (\a streams), then by
/// engine with the same smooth weighted round robin over the percents, indexed by the
/// viewer's rank among its stream's viewers, so every stream gets the mix's shares and every
/// 100 consecutive viewers of a stream hold exactly each engine's percent.
class EngineAssigner {
 public:
  EngineAssigner() = default;  ///< one engine: index 0 for every viewer
  EngineAssigner(StreamAssigner streams, const std::vector<int>& percents)
      : streams_(std::move(streams)), engines_(percents) {}
  /// The mix index of viewer \a viewer_id's engine.
  std::size_t EngineOf(int viewer_id) const {
    // A rank is at most the id, so it fits an int.
    return engines_.StreamOf(static_cast<int>(streams_.RankOf(viewer_id)));
  }
  std::size_t size() const { return engines_.size(); }
  /// Viewers of each engine among ids [first, first + n).
  std::vector<int> Counts(int first, int n) const;

 private:
  StreamAssigner streams_;
  StreamAssigner engines_;
};

/// "0:origin-a.example" — the stream's index and host (no port, path or query): the bounded
/// label of per-stream figures.
std::string StreamLabel(std::size_t index, std::string_view url);

/// \a url with every query value and the fragment replaced by "REDACTED" and any user:password
/// removed ("http://h/p.m3u8?token=REDACTED&exp=REDACTED"): how URLs are logged.
std::string RedactQuery(std::string_view url);

}  // namespace hs::config
