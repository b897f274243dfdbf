// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// What a Player asks of the network. The engine glue implements Fetcher over the HTTP client and
// emits the per-request measurement records itself; the player only says what to fetch and why.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/clock.h"
#include "hls/playlist.h"
#include "measure/request.h"
#include "player/cmcd.h"

namespace hs::player {

/// A player's independent request streams: the variant (playlists, init, keys, segments) and
/// the alternate audio rendition, each on its own connection (hls.js audio-stream-controller).
/// An LL-HLS track adds a channel for its blocking playlist reloads, which the server holds
/// while the track's parts download (hls.js: a playlist loader beside the fragment loader).
enum class Channel : std::uint8_t { kMain = 0, kAudio = 1, kMainLive = 2, kAudioLive = 3 };
inline constexpr std::size_t kChannels = 4;

/// One HTTP GET a player wants. Its fields are ordered so that it packs into 104 bytes (a
/// viewer's engine keeps one per channel).
struct FetchRequest {
  std::string url;                      ///< absolute
  std::optional<hls::ByteRange> range;  ///< EXT-X-BYTERANGE → Range header
  double media_duration_s = -1;         ///< segments: EXTINF
  Duration ttfb_timeout{};              ///< hls.js: playlists 10 s, segments 10 s
  Duration total_timeout{};             ///< hls.js: playlists 20 s, segments 120 s
  cmcd::Object cmcd;                    ///< what the player would tell a CDN (-cmcd)
  measure::RequestKind kind = measure::RequestKind::kOther;
  bool want_body = false;  ///< playlists (and keys) need the body
  Channel channel = Channel::kMain;
};

/// How a fetch ended.
struct FetchResult {
  int status = 0;
  measure::RequestError error = measure::RequestError::kNone;
  std::string body;              ///< when want_body
  std::string final_url;         ///< after redirects (resolve relative URIs against it)
  std::uint64_t body_bytes = 0;  ///< body bytes received (whether kept or not)
  Duration ttfb{};               ///< request start → first response byte (of the last hop)
  Duration total{};              ///< request start → last byte (of the last hop)
  /// A 2xx response that arrived completely.
  bool ok() const { return error == measure::RequestError::kNone && status >= 200 && status < 300; }
};

/// Carries out a player's fetches. Implemented by the engine glue; loop thread only.
/// At most one fetch is outstanding per channel: a player never calls Fetch() on a channel
/// whose previous fetch has not completed or been cancelled.
class Fetcher {  // one outstanding fetch per channel
 public:
  virtual ~Fetcher() = default;
  /// Starts \a req. \a done runs exactly once, later, on the loop thread — never from inside
  /// Fetch() — unless Cancel(req.channel) is called first, after which it never runs.
  virtual void Fetch(const FetchRequest& req, std::function<void(FetchResult&&)> done) = 0;
  /// Abandons the outstanding fetch of \a channel, if any; its callback will not run.
  virtual void Cancel(Channel channel) = 0;
};

}  // namespace hs::player
