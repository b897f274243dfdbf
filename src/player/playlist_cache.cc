// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/playlist_cache.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace hs::player {

PlaylistCache::PlaylistCache(std::size_t max_entries)
    : max_entries_(std::max<std::size_t>(1, max_entries)) {}

std::size_t PlaylistCache::KeyOf(std::string_view base_url, std::size_t body_hash) {
  // boost::hash_combine's mixing step.
  const std::size_t h = std::hash<std::string_view>{}(base_url);
  return body_hash ^ (h + 0x9e3779b97f4a7c15ULL + (body_hash << 6) + (body_hash >> 2));
}

Result<ParsedPlaylist> PlaylistCache::Get(std::string_view base_url, std::string_view body) {
  const std::size_t body_hash = std::hash<std::string_view>{}(body);
  const std::size_t key = KeyOf(base_url, body_hash);
  auto [first, last] = index_.equal_range(key);
  for (auto it = first; it != last; ++it) {
    const Entry& e = *it->second;
    if (e.body_hash != body_hash || e.body_size != body.size() || e.base_url != base_url) {
      continue;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    if (!e.playlist) return tl::unexpected(e.error);
    return ParsedPlaylist{e.playlist, body_hash};
  }
  ++misses_;
  Result<hls::Playlist> parsed = hls::ParsePlaylist(body, base_url);
  Entry e{std::string(base_url), body_hash, body.size(), nullptr, Error{}};
  if (parsed) {
    e.playlist = std::make_shared<const hls::Playlist>(std::move(*parsed));
  } else {
    e.error = parsed.error();
  }
  lru_.push_front(std::move(e));
  index_.emplace(key, lru_.begin());
  while (lru_.size() > max_entries_) {
    const Entry& old = lru_.back();
    auto [f, l] = index_.equal_range(KeyOf(old.base_url, old.body_hash));
    for (auto it = f; it != l; ++it) {
      if (it->second == std::prev(lru_.end())) {
        index_.erase(it);
        break;
      }
    }
    lru_.pop_back();
  }
  const Entry& added = lru_.front();
  if (!added.playlist) return tl::unexpected(added.error);
  return ParsedPlaylist{added.playlist, body_hash};
}

}  // namespace hs::player
