// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// A hand-written M3U8 (RFC 8216) parser. Debian packages no maintained C++ HLS playlist parser,
// and hls-swarm only needs the tags below to check a stream before the run starts, so a small
// scanner is simpler than vendoring one. Viewers themselves are real FFmpeg processes; nothing here
// runs per request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hs::hls {

/// A variant stream of a master playlist: one #EXT-X-STREAM-INF tag and the URI line after it.
struct VariantStream {
  std::uint64_t bandwidth = 0;                     ///< BANDWIDTH, bits per second (required)
  std::optional<std::uint64_t> average_bandwidth;  ///< AVERAGE-BANDWIDTH, bits per second
  std::string resolution;                          ///< RESOLUTION as written ("1280x720"), or ""
  int width = 0;                                   ///< from RESOLUTION, 0 if absent
  int height = 0;                                  ///< from RESOLUTION, 0 if absent
  std::string codecs;                              ///< CODECS, e.g. "avc1.64001f,mp4a.40.2"
  std::string audio_group;                         ///< AUDIO group id, or ""
  std::string video_group;                         ///< VIDEO group id, or ""
  std::string subtitles_group;                     ///< SUBTITLES group id, or ""
  std::string uri;                                 ///< absolute (resolved against the playlist)
};

/// An #EXT-X-MEDIA alternative rendition (audio track, subtitles, alternative video).
struct Rendition {
  std::string type;         ///< TYPE: AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS
  std::string group_id;     ///< GROUP-ID
  std::string name;         ///< NAME
  std::string language;     ///< LANGUAGE, or ""
  bool is_default = false;  ///< DEFAULT=YES
  bool autoselect = false;  ///< AUTOSELECT=YES
  std::string uri;          ///< absolute; "" when the rendition is muxed into the variant
};

/// A byte range of a resource (#EXT-X-BYTERANGE or the BYTERANGE attribute of #EXT-X-MAP).
struct ByteRange {
  std::uint64_t length = 0;
  std::uint64_t offset = 0;  ///< resolved: an omitted offset continues the previous sub-range
};

/// One #EXT-X-PART of a media playlist.
struct Part {
  double duration_s = 0;  ///< DURATION
  std::string uri;        ///< absolute (resolved like segment URIs)
  /// BYTERANGE "len[@off]" (omitted offset continues the previous part's range of the same URI,
  /// else 0)
  std::optional<ByteRange> byte_range;
  bool independent = false;  ///< INDEPENDENT=YES
  bool gap = false;          ///< GAP=YES
};

/// #EXT-X-SERVER-CONTROL.
struct ServerControl {
  bool can_block_reload = false;     ///< CAN-BLOCK-RELOAD=YES
  double can_skip_until_s = 0;       ///< CAN-SKIP-UNTIL, 0 = absent
  bool can_skip_dateranges = false;  ///< CAN-SKIP-DATERANGES=YES
  double hold_back_s = 0;            ///< HOLD-BACK, 0 = absent
  double part_hold_back_s = 0;       ///< PART-HOLD-BACK, 0 = absent
};

/// #EXT-X-PRELOAD-HINT.
struct PreloadHint {
  bool is_map = false;                            ///< TYPE=MAP (else TYPE=PART)
  std::string uri;                                ///< absolute
  std::uint64_t byterange_start = 0;              ///< BYTERANGE-START
  std::optional<std::uint64_t> byterange_length;  ///< BYTERANGE-LENGTH, nullopt = to the end
};

/// #EXT-X-RENDITION-REPORT.
struct RenditionReport {
  std::string uri;                         ///< absolute
  std::optional<std::uint64_t> last_msn;   ///< LAST-MSN
  std::optional<std::uint64_t> last_part;  ///< LAST-PART
};

/// One media segment of a media playlist.
struct Segment {
  double duration_s = 0;  ///< from #EXTINF
  std::string title;      ///< the #EXTINF title after the comma, usually ""
  std::string uri;        ///< absolute
  std::optional<ByteRange> byte_range;
  std::string map_uri;                      ///< absolute URI of the #EXT-X-MAP init section, or ""
  std::optional<ByteRange> map_byte_range;  ///< #EXT-X-MAP BYTERANGE (omitted offset = 0)
  std::string key_method;      ///< #EXT-X-KEY METHOD in force ("AES-128", ...), "" = none
  std::string key_uri;         ///< absolute key URI in force, or ""
  bool discontinuity = false;  ///< preceded by #EXT-X-DISCONTINUITY
  /// Wall-clock time of the segment's first sample, milliseconds since the Unix epoch: from
  /// #EXT-X-PROGRAM-DATE-TIME, or extrapolated from the previous segment's (its time plus its
  /// EXTINF) until the next #EXT-X-DISCONTINUITY, as hls.js does. nullopt when unknown.
  std::optional<std::int64_t> program_date_time_ms;
  std::vector<Part> parts;  ///< the EXT-X-PART tags listed before its #EXTINF (may be empty)
};

/// A parsed playlist: either a master playlist (variants/renditions set, segments empty) or a
/// media playlist (segments set, variants empty).
struct Playlist {
  bool is_master = false;
  int version = 1;                           ///< #EXT-X-VERSION (1 when absent)
  std::vector<VariantStream> variants;       ///< master: in playlist order
  std::vector<Rendition> renditions;         ///< master: #EXT-X-MEDIA tags in order
  double target_duration_s = 0;              ///< media: #EXT-X-TARGETDURATION (0 if missing)
  std::uint64_t media_sequence = 0;          ///< media: #EXT-X-MEDIA-SEQUENCE (0 when absent)
  bool end_list = false;                     ///< media: #EXT-X-ENDLIST present (VOD or ended)
  std::string playlist_type;                 ///< media: #EXT-X-PLAYLIST-TYPE ("VOD", "EVENT" or "")
  std::uint64_t discontinuity_sequence = 0;  ///< media: #EXT-X-DISCONTINUITY-SEQUENCE
  /// #EXT-X-START TIME-OFFSET in seconds (negative: from the end of the playlist), if present.
  std::optional<double> start_time_offset_s;
  bool start_precise = false;         ///< #EXT-X-START PRECISE=YES
  std::vector<Segment> segments;      ///< media: in playlist order
  std::vector<std::string> warnings;  ///< tolerated oddities, one line each ("line 7: ...")
  double part_target_s = 0;           ///< #EXT-X-PART-INF PART-TARGET, 0 = not LL-HLS
  ServerControl server_control;       ///< #EXT-X-SERVER-CONTROL
  /// #EXT-X-SKIP SKIPPED-SEGMENTS (a delta update): `segments` then starts at
  /// media_sequence + skipped_segments.
  std::uint64_t skipped_segments = 0;
  /// Parts after the last #EXTINF: the segment being written
  /// (msn = media_sequence + skipped_segments + segments.size()).
  std::vector<Part> trailing_parts;
  /// PDT of that segment's start (a PDT tag before the trailing parts, else the last segment's
  /// PDT + EXTINF), nullopt unknown.
  std::optional<std::int64_t> trailing_pdt_ms;
  std::vector<PreloadHint> preload_hints;          ///< #EXT-X-PRELOAD-HINT tags in order
  std::vector<RenditionReport> rendition_reports;  ///< #EXT-X-RENDITION-REPORT tags in order

  /// True for a media playlist that may still grow (no #EXT-X-ENDLIST).
  bool IsLive() const { return !is_master && !end_list; }
  /// Media sequence number one past the last complete segment listed.
  std::uint64_t EndMsn() const { return media_sequence + skipped_segments + segments.size(); }
  /// True when LL-HLS: PART-INF present and parts listed (a client may then play parts).
  bool IsLowLatency() const { return part_target_s > 0; }
};

/// Parses an M3U8 body fetched from \a base_url; every URI is resolved against \a base_url (pass
/// the URL after redirects). An empty \a base_url leaves URIs as written.
/// Fails with ErrorCode::kHttp when the body is not a playlist at all (it must start with
/// #EXTM3U, after an optional UTF-8 BOM and whitespace); the detail quotes the first ~40
/// printable characters, so an HTML error page is obvious. Fails with ErrorCode::kParse, naming
/// the line, on malformed tags that matter (bad #EXTINF, #EXT-X-STREAM-INF without BANDWIDTH or
/// URI line, a playlist that mixes master and media tags). Unknown tags and comments are ignored.
/// Pure; thread-safe.
Result<Playlist> ParsePlaylist(std::string_view body, std::string_view base_url);

/// Parses an ISO 8601 / RFC 3339 date-time as #EXT-X-PROGRAM-DATE-TIME writes it
/// ("2010-02-19T14:54:23.031+08:00", "...Z", "...+0800", no zone = UTC) into milliseconds since
/// the Unix epoch; nullopt when malformed. Pure.
std::optional<std::int64_t> ParseDateTimeMs(std::string_view text);

/// Up to \a max_chars characters from the start of \a body for an error message: a BOM and
/// leading whitespace skipped, whitespace runs folded to one space, other control and non-ASCII
/// bytes shown as '?'. Pure.
std::string QuoteBodyStart(std::string_view body, size_t max_chars = 40);

/// Merges a delta update (\a delta.skipped_segments > 0, from a request with _HLS_skip=YES) into
/// the full playlist \a previous of the same rendition: the skipped segments are taken from
/// \a previous by media sequence number; the result has skipped_segments == 0 and everything else
/// from \a delta. Segments of the result that lack an EXT-X-MAP / KEY take the last skipped
/// segment's (the delta does not repeat them when unchanged). Fails with ErrorCode::kParse
/// ("bad delta update: ...") when \a previous does not hold every skipped segment (its first
/// msn > delta.media_sequence, or it ends before delta.media_sequence + skipped) or \a previous
/// is itself a delta. A \a delta without skip is returned as is (copied). Pure.
Result<Playlist> MergeDelta(const Playlist& previous, const Playlist& delta);
/// True when \a previous holds every segment \a delta skipped (MergeDelta would succeed).
bool CoversDelta(const Playlist& previous, const Playlist& delta);

}  // namespace hs::hls
