// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Parsed playlists shared by every viewer of an engine. Ten thousand viewers of one live stream
// fetch the same few playlist bodies; each distinct body (per base URL) is parsed and held once,
// and players keep only a shared_ptr to it.

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"
#include "hls/playlist.h"

namespace hs::player {

/// A parsed playlist and the hash of the body it came from (equal hashes = unchanged playlist).
struct ParsedPlaylist {
  std::shared_ptr<const hls::Playlist> playlist;
  std::size_t body_hash = 0;
};

/// An LRU cache of parsed playlists keyed by (base URL, body hash, body length). Bad bodies are
/// cached too, so a broken origin costs one parse per distinct body, not one per viewer.
/// Not thread-safe: one per engine (event loop). Returned playlists stay valid for as long as
/// their holders keep the shared_ptr, eviction or not.
class PlaylistCache {
 public:
  /// Keeps at most \a max_entries parsed bodies (at least 1). A live stream needs about one
  /// per rendition per reload interval that viewers straddle; the default leaves ample room.
  explicit PlaylistCache(std::size_t max_entries = 64);
  PlaylistCache(const PlaylistCache&) = delete;
  PlaylistCache& operator=(const PlaylistCache&) = delete;

  /// The playlist parsed from \a body fetched from \a base_url (the URL after redirects: URIs
  /// are resolved against it), parsed now or found from an earlier identical body; or the
  /// parse error (hls::ParsePlaylist's). Bodies are identified by a 64-bit hash and their
  /// length, not compared byte by byte (a collision is ~2^-64 per pair).
  Result<ParsedPlaylist> Get(std::string_view base_url, std::string_view body);

  /// Like Get(), for a response that may be a delta update: when the body parses to a playlist
  /// with skipped_segments > 0, returns the full playlist merged with \a previous
  /// (hls::MergeDelta). Merges are cached by (base URL, delta body hash): the merged playlist is
  /// the same for every viewer whose \a previous covers the skip (hls::CoversDelta is checked per
  /// call, so a viewer whose previous copy is too old gets the error even when another viewer's
  /// merge is cached). body_hash of the result = the delta body's hash. \a previous may be null
  /// (then a delta fails).
  Result<ParsedPlaylist> GetMerged(std::string_view base_url, std::string_view body,
                                   const std::shared_ptr<const hls::Playlist>& previous);

  std::size_t size() const { return lru_.size(); }
  std::uint64_t hits() const { return hits_; }      ///< Get() answered from the cache
  std::uint64_t misses() const { return misses_; }  ///< Get() parsed a body
  /// GetMerged() merged a delta (it was not answered from the cache).
  std::uint64_t merges() const { return merges_; }

 private:
  struct Entry {
    std::string base_url;
    std::size_t body_hash;
    std::size_t body_size;
    std::shared_ptr<const hls::Playlist> playlist;  // null when the body did not parse
    Error error;
    bool merged = false;  // a delta body merged with a previous playlist (GetMerged)
  };
  using List = std::list<Entry>;
  static std::size_t KeyOf(std::string_view base_url, std::size_t body_hash);
  /// The entry for (base URL, body, merged), moved to the front of the LRU; or null.
  const Entry* Find(std::string_view base_url, std::size_t body_hash, std::size_t body_size,
                    bool merged);
  /// Adds \a e at the front of the LRU and evicts the least recently used beyond max_entries.
  const Entry& Add(Entry e);

  std::size_t max_entries_;
  List lru_;  // most recently used first
  std::unordered_multimap<std::size_t, List::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t merges_ = 0;
};

}  // namespace hs::player
