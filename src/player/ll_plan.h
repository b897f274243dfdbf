// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The pure Low-Latency HLS decisions of a player (SPEC §13, draft-pantos-hls-rfc8216bis §6.2.5,
// §6.3; hls.js lowLatencyMode): whether to play parts, where to start, which part to ask a
// blocking reload for, when to ask for a delta update, how to seed a rendition switch. Kept
// apart from the state machine so that each rule is tested on its own.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hls/playlist.h"

namespace hs::player {

/// A position in a live LL-HLS stream: part \a part of the segment of media sequence number
/// \a msn, or the whole segment when \a part < 0.
struct PartPosition {
  std::uint64_t msn = 0;
  int part = -1;
  bool operator==(const PartPosition&) const = default;
};

/// True when a live media playlist is played the LL-HLS way: it has EXT-X-PART-INF and its
/// server can block reloads (hls.js plays parts only with both; a playlist with parts but no
/// CAN-BLOCK-RELOAD is reloaded as classic HLS).
bool PlaysLowLatency(const hls::Playlist& media);

/// hls.js targetLatency in lowLatencyMode (latency-controller.ts): PART-HOLD-BACK, else
/// HOLD-BACK, else 3 target durations (liveSyncDurationCount).
double LowLatencyTargetSeconds(const hls::Playlist& media);

/// The parts listed for segment \a msn: the segment's own EXT-X-PART tags, the trailing parts
/// when \a msn is the segment being written, or nullptr when \a msn is not listed or lists no
/// part. \a media must not be a delta (skipped_segments 0).
const std::vector<hls::Part>* PartsOf(const hls::Playlist& media, std::uint64_t msn);

/// EXT-X-PROGRAM-DATE-TIME of the start of segment \a msn (listed or being written), ms since
/// the epoch; nullopt unknown.
std::optional<std::int64_t> SegmentPdtMs(const hls::Playlist& media, std::uint64_t msn);

/// Where an LL-HLS viewer starts (SPEC §13; hls.js base-stream-controller getNextPart): the
/// last INDEPENDENT part that starts at least LowLatencyTargetSeconds() before the end of the
/// playlist (when no part is marked INDEPENDENT, any part counts, as in hls.js). When that
/// position is older than every listed part, the whole segment that contains it (part -1).
/// EXT-X-START wins as in StartIndex() (whole segments). \a media must list a segment or part.
PartPosition LowLatencyStart(const hls::Playlist& media);

/// The part a blocking reload asks for (RFC 8216bis §6.2.5.2, "_HLS_msn/_HLS_part"): the one
/// after the last part \a media lists — the next part of the segment being written, or part 0
/// of the next segment when the last listed segment is complete.
PartPosition NextPartToRequest(const hls::Playlist& media);

/// hls.js getSkipValue (level-helper.ts): ask for a delta update (_HLS_skip=YES) when the server
/// offers CAN-SKIP-UNTIL and the held copy is younger than half of it (\a age_s: seconds since
/// it was received).
bool UseDeltaUpdate(const hls::Playlist& media, double age_s);

/// \a url with the delivery directives appended ('?' or '&'): _HLS_msn, _HLS_part when
/// \a at.part >= 0, and _HLS_skip=YES when \a skip.
std::string WithDirectives(std::string_view url, PartPosition at, bool skip);

/// The blocking request that starts a rendition switch to \a to_uri (absolute), seeded from
/// \a from's EXT-X-RENDITION-REPORT for it (hls.js base-playlist-controller switchParams):
/// LAST-MSN and LAST-PART, the part after it when \a from is older (\a age_s) than two part
/// targets. nullopt when \a from reports nothing for \a to_uri (then a plain request).
std::optional<PartPosition> SwitchRequestFromReport(const hls::Playlist& from,
                                                    std::string_view to_uri, double age_s);

/// True when the preload hint of \a media is the part at \a at (the part after the last one
/// listed) and names a whole resource (no byte range): the hint a player may request ahead.
/// Returns the hint's URI or nullptr.
const std::string* PartHintFor(const hls::Playlist& media, PartPosition at);

}  // namespace hs::player
