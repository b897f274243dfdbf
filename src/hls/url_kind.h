// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

#include <cstdint>
#include <string_view>

namespace hs::hls {

/// What an HLS URL fetches. The one vocabulary of resource kinds: engines, the tap and stats
/// all use it (measure::RequestKind is this type).
/// kPart: an LL-HLS partial segment (#EXT-X-PART or #EXT-X-PRELOAD-HINT TYPE=PART), counted apart
/// from whole segments in every figure.
enum class ResourceKind : std::uint8_t {
  kMaster,
  kMediaPlaylist,
  kSegment,
  kInit,
  kKey,
  kOther,
  kPart,
};

/// Metric label: "master", "playlist", "segment", "init", "key", "other", "part".
const char* ToString(ResourceKind kind);

/// The one guess of a URL's kind from its name, used where no playlist says what the URL is
/// (the tap before it saw the playlist, FFmpeg's log lines). Only the path's last name counts
/// (scheme, host, query and fragment ignored; case-insensitive; a `crypto+` scheme prefix is
/// fine): `.m3u8`/`.m3u` → kMediaPlaylist; `.key` → kKey; a media extension (.ts .m4s .mp4
/// .m4a .m4v .aac .ac3 .ec3 .mp3 .vtt .webvtt) → kInit when the name contains "init", else
/// kSegment; anything else → kOther. Pure.
ResourceKind GuessKindFromUrl(std::string_view url);

/// The path of \a url without scheme, authority, query and fragment ("/a/b.ts"); \a url
/// minus query and fragment when it has no "://". Pure.
std::string_view UrlPath(std::string_view url);

/// True when a response should be read as a playlist: the path ends in .m3u8 or .m3u, or the
/// Content-Type is an HLS/M3U type (application/vnd.apple.mpegurl, application/x-mpegurl,
/// audio/mpegurl, audio/x-mpegurl). Pure.
bool LooksLikePlaylist(std::string_view url, std::string_view content_type);

}  // namespace hs::hls
