// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hls/url_kind.h"
#include "tap/records.h"

namespace hs::hls {
struct Playlist;
}  // namespace hs::hls

namespace hs::tap {

/// What a URL is known to be.
struct UrlInfo {
  RequestKind kind = RequestKind::kOther;
  double media_duration_s = -1;  ///< segments listed in a media playlist: #EXTINF, else -1
};

/// Remembers what the playlists fetched through the tap said about other URLs: variant and
/// rendition playlists of a master, segments (with their #EXTINF), #EXT-X-MAP init sections and
/// #EXT-X-KEY keys of a media playlist. Keyed by absolute URL (NormalizeUrl), shared by every
/// viewer: all viewers of a stream read the same playlists.
///
/// Memory is bounded: each playlist keeps the URLs of its last two versions (a live viewer may
/// still fetch a segment that just left the playlist), and at most \a max_playlists playlists
/// are remembered, the least recently fetched forgotten first. Not thread-safe (loop thread).
class UrlClassifier {
 public:
  explicit UrlClassifier(size_t max_playlists = 64);

  /// The kind of \a url (NormalizeUrl form): what a remembered playlist said, else a guess
  /// from the URL (hls::GuessKindFromUrl), with media_duration_s -1.
  UrlInfo Classify(std::string_view url) const;
  /// Learns from the body of a playlist fetched from \a url (NormalizeUrl form). Returns
  /// kMaster or kMediaPlaylist, or nullopt when \a body does not parse as a playlist (nothing
  /// is learned then). A body identical to the previous one of \a url is not parsed again.
  std::optional<RequestKind> LearnPlaylist(const std::string& url, std::string_view body);

  /// URLs remembered (for tests and the memory bound).
  size_t url_count() const { return entries_.size(); }
  /// Playlists remembered.
  size_t playlist_count() const { return playlists_.size(); }

 private:
  struct Entry {
    RequestKind kind = RequestKind::kOther;
    double media_duration_s = -1;
    std::uint32_t refs = 0;  // playlist versions listing this URL
  };
  struct Listed {
    std::string url;
    RequestKind kind;
    double media_duration_s;
  };
  struct PlaylistState {
    RequestKind kind = RequestKind::kMediaPlaylist;
    std::size_t body_hash = 0;
    std::uint64_t last_use = 0;
    std::vector<std::string> current;   // URLs of the latest version
    std::vector<std::string> previous;  // URLs of the version before
  };
  static void ListUrls(const hls::Playlist& playlist, std::vector<Listed>* out);
  void Add(const std::vector<Listed>& listed, std::vector<std::string>* urls);
  void Release(const std::vector<std::string>& urls);
  void EvictLeastRecent();

  size_t max_playlists_;
  std::uint64_t tick_ = 0;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<std::string, PlaylistState> playlists_;
};

/// The viewer id hls-swarm puts at the end of FFmpeg's User-Agent ("<anything>/client-<id>"),
/// measure::kProbeViewerId for hls-swarm's own probe ("<anything>/probe"), or -1 when \a
/// user_agent ends neither way. Pure.
int ViewerIdFromUserAgent(std::string_view user_agent);

/// "scheme://host:port/path?query" with the port always explicit and the scheme lower-cased,
/// so that "http://h/x" and "http://h:80/x" compare equal; \a url itself if it does not parse.
std::string NormalizeUrl(std::string_view url);

}  // namespace hs::tap
