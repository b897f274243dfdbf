// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "hls/url_kind.h"

#include <array>
#include <cctype>

namespace hs::hls {

namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (EqualsNoCase(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// The last name of the path and its extension (after the last dot), both possibly empty.
std::string_view BaseName(std::string_view url) {
  const std::string_view path = UrlPath(url);
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Extension(std::string_view base) {
  const size_t dot = base.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : base.substr(dot + 1);
}

bool IsPlaylistExtension(std::string_view ext) {
  return EqualsNoCase(ext, "m3u8") || EqualsNoCase(ext, "m3u");
}

}  // namespace

const char* ToString(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kMaster:
      return "master";
    case ResourceKind::kMediaPlaylist:
      return "playlist";
    case ResourceKind::kSegment:
      return "segment";
    case ResourceKind::kInit:
      return "init";
    case ResourceKind::kKey:
      return "key";
    case ResourceKind::kOther:
      return "other";
    case ResourceKind::kPart:
      return "part";
  }
  return "other";
}

std::string_view UrlPath(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  const std::string_view rest = url.substr(scheme + 3);
  const size_t slash = rest.find('/');
  return slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
}

ResourceKind GuessKindFromUrl(std::string_view url) {
  const std::string_view base = BaseName(url);
  const std::string_view ext = Extension(base);
  if (IsPlaylistExtension(ext)) return ResourceKind::kMediaPlaylist;
  if (EqualsNoCase(ext, "key")) return ResourceKind::kKey;
  constexpr std::array<std::string_view, 11> kMediaExts = {
      "ts", "m4s", "mp4", "m4a", "m4v", "aac", "ac3", "ec3", "mp3", "vtt", "webvtt"};
  for (std::string_view m : kMediaExts) {
    if (EqualsNoCase(ext, m)) {
      return ContainsNoCase(base, "init") ? ResourceKind::kInit : ResourceKind::kSegment;
    }
  }
  return ResourceKind::kOther;
}

bool LooksLikePlaylist(std::string_view url, std::string_view content_type) {
  if (IsPlaylistExtension(Extension(BaseName(url)))) return true;
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return EqualsNoCase(type, "application/vnd.apple.mpegurl") ||
         EqualsNoCase(type, "application/x-mpegurl") || EqualsNoCase(type, "audio/mpegurl") ||
         EqualsNoCase(type, "audio/x-mpegurl");
}

}  // namespace hs::hls
