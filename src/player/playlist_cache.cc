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

const PlaylistCache::Entry* PlaylistCache::Find(std::string_view base_url, std::size_t body_hash,
                                                std::size_t body_size, bool merged) {
  auto [first, last] = index_.equal_range(KeyOf(base_url, body_hash));
  for (auto it = first; it != last; ++it) {
    const Entry& e = *it->second;
    if (e.body_hash != body_hash || e.body_size != body_size || e.merged != merged ||
        e.base_url != base_url) {
      continue;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return &e;
  }
  return nullptr;
}

const PlaylistCache::Entry& PlaylistCache::Add(Entry e) {
  const std::size_t key = KeyOf(e.base_url, e.body_hash);
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
  return lru_.front();
}

Result<ParsedPlaylist> PlaylistCache::Get(std::string_view base_url, std::string_view body) {
  const std::size_t body_hash = std::hash<std::string_view>{}(body);
  const Entry* found = Find(base_url, body_hash, body.size(), false);
  if (found) {
    ++hits_;
  } else {
    ++misses_;
    Result<hls::Playlist> parsed = hls::ParsePlaylist(body, base_url);
    Entry e{std::string(base_url), body_hash, body.size(), nullptr, Error{}};
    if (parsed) {
      e.playlist = std::make_shared<const hls::Playlist>(std::move(*parsed));
    } else {
      e.error = parsed.error();
    }
    found = &Add(std::move(e));
  }
  if (!found->playlist) return tl::unexpected(found->error);
  return ParsedPlaylist{found->playlist, body_hash};
}

Result<ParsedPlaylist> PlaylistCache::GetMerged(
    std::string_view base_url, std::string_view body,
    const std::shared_ptr<const hls::Playlist>& previous) {
  Result<ParsedPlaylist> delta = Get(base_url, body);
  if (!delta || delta->playlist->skipped_segments == 0) return delta;
  if (!previous) {
    return Fail(ErrorCode::kParse, "bad delta update: there is no previous playlist to merge");
  }
  // Checked per viewer: a cached merge made from another viewer's previous copy must not hide
  // that this viewer's copy is too old.
  if (!hls::CoversDelta(*previous, *delta->playlist)) {
    Result<hls::Playlist> failed = hls::MergeDelta(*previous, *delta->playlist);
    return tl::unexpected(failed ? Error{ErrorCode::kParse, "bad delta update"} : failed.error());
  }
  if (const Entry* e = Find(base_url, delta->body_hash, body.size(), true)) {
    return ParsedPlaylist{e->playlist, delta->body_hash};
  }
  ++merges_;
  Result<hls::Playlist> merged = hls::MergeDelta(*previous, *delta->playlist);
  if (!merged) return tl::unexpected(merged.error());  // not cached: it depends on previous
  Entry e{std::string(base_url), delta->body_hash, body.size(), nullptr, Error{}, true};
  e.playlist = std::make_shared<const hls::Playlist>(std::move(*merged));
  return ParsedPlaylist{Add(std::move(e)).playlist, delta->body_hash};
}

}  // namespace hs::player
