// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "tap/url_classifier.h"

#include <algorithm>
#include <array>
#include <functional>

#include <fmt/format.h>

#include "config/config.h"
#include "hls/playlist.h"
#include "hls/url.h"
#include "http/parse.h"

namespace hs::tap {

UrlClassifier::UrlClassifier(size_t max_playlists)
    : max_playlists_(std::max<size_t>(1, max_playlists)) {}

UrlInfo UrlClassifier::Classify(std::string_view url) const {
  const std::string key(url);
  if (auto p = playlists_.find(key); p != playlists_.end()) return UrlInfo{p->second.kind, -1};
  if (auto e = entries_.find(key); e != entries_.end()) {
    return UrlInfo{e->second.kind, e->second.media_duration_s};
  }
  return UrlInfo{hls::GuessKindFromUrl(url), -1};
}

std::optional<RequestKind> UrlClassifier::LearnPlaylist(const std::string& url,
                                                        std::string_view body) {
  const std::size_t hash = std::hash<std::string_view>()(body);
  auto it = playlists_.find(url);
  if (it != playlists_.end() && it->second.body_hash == hash) {
    it->second.last_use = ++tick_;
    return it->second.kind;
  }
  Result<hls::Playlist> parsed = hls::ParsePlaylist(body, url);
  if (!parsed) return std::nullopt;
  std::vector<Listed> listed;
  ListUrls(*parsed, &listed);
  if (it == playlists_.end()) it = playlists_.emplace(url, PlaylistState{}).first;
  PlaylistState& state = it->second;
  state.kind = parsed->is_master ? RequestKind::kMaster : RequestKind::kMediaPlaylist;
  state.body_hash = hash;
  state.last_use = ++tick_;
  std::vector<std::string> urls;
  Add(listed, &urls);
  // Add before releasing, so a URL in both versions never drops to zero references.
  Release(state.previous);
  state.previous = std::move(state.current);
  state.current = std::move(urls);
  const RequestKind kind = state.kind;
  while (playlists_.size() > max_playlists_) EvictLeastRecent();
  return kind;
}

void UrlClassifier::Add(const std::vector<Listed>& listed, std::vector<std::string>* urls) {
  urls->reserve(listed.size());
  for (const Listed& l : listed) {
    Entry& e = entries_[l.url];
    e.kind = l.kind;
    e.media_duration_s = l.media_duration_s;
    ++e.refs;
    urls->push_back(l.url);
  }
}

void UrlClassifier::Release(const std::vector<std::string>& urls) {
  for (const std::string& u : urls) {
    auto e = entries_.find(u);
    if (e != entries_.end() && --e->second.refs == 0) entries_.erase(e);
  }
}

void UrlClassifier::EvictLeastRecent() {
  auto oldest = playlists_.begin();
  for (auto it = playlists_.begin(); it != playlists_.end(); ++it) {
    if (it->second.last_use < oldest->second.last_use) oldest = it;
  }
  Release(oldest->second.current);
  Release(oldest->second.previous);
  playlists_.erase(oldest);
}

// The URLs a playlist names, with what they are.
void UrlClassifier::ListUrls(const hls::Playlist& p, std::vector<Listed>* out) {
  for (const hls::VariantStream& v : p.variants) {
    out->push_back({NormalizeUrl(v.uri), RequestKind::kMediaPlaylist, -1});
  }
  for (const hls::Rendition& r : p.renditions) {
    if (!r.uri.empty()) out->push_back({NormalizeUrl(r.uri), RequestKind::kMediaPlaylist, -1});
  }
  // #EXT-X-MAP and #EXT-X-KEY are repeated on every segment they apply to: list each once.
  std::vector<std::string> seen_aux;
  auto add_aux = [&](const std::string& uri, RequestKind kind) {
    if (uri.empty() || std::find(seen_aux.begin(), seen_aux.end(), uri) != seen_aux.end()) return;
    seen_aux.push_back(uri);
    out->push_back({NormalizeUrl(uri), kind, -1});
  };
  for (const hls::Segment& s : p.segments) {
    out->push_back({NormalizeUrl(s.uri), RequestKind::kSegment, s.duration_s});
    add_aux(s.map_uri, RequestKind::kInit);
    add_aux(s.key_uri, RequestKind::kKey);
  }
}

int ViewerIdFromUserAgent(std::string_view user_agent) {
  constexpr std::string_view kProbe = config::kProbeMarker;
  if (user_agent.size() >= kProbe.size() &&
      user_agent.substr(user_agent.size() - kProbe.size()) == kProbe) {
    return measure::kProbeViewerId;
  }
  constexpr std::string_view kMarker = config::kViewerIdMarker;
  const size_t pos = user_agent.rfind(kMarker);
  if (pos == std::string_view::npos) return -1;
  const std::string_view digits = user_agent.substr(pos + kMarker.size());
  if (digits.empty() || digits.size() > 9) return -1;
  int id = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    id = id * 10 + (c - '0');
  }
  return id;
}

std::string NormalizeUrl(std::string_view url) {
  Result<hls::UrlParts> parts = hls::ParseHttpUrl(url);
  if (!parts) return std::string(url);
  return fmt::format("{}://{}{}", parts->scheme, parts->HostPort(), parts->path_and_query);
}

}  // namespace hs::tap
