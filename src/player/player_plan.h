// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The pure decisions of a player, kept apart from its state machine so that each rule can be
// tested against its source: which rendition, where to start, when to reload, how long to back
// off.

#include <cstddef>

#include "config/config.h"
#include "core/clock.h"
#include "hls/playlist.h"

namespace hs::player {

/// hls.js `liveSyncDurationCount`: a live start this many target durations from the end
/// (RFC 8216 §6.3.3: "SHOULD NOT choose a segment which starts less than three target durations
/// from the end of the Playlist file").
inline constexpr int kLiveSyncDurationCount = 3;

/// hls.js `level-helper.ts computeReloadInterval`: the last segment's duration replaces the
/// target duration only when the playhead is within this many target durations of the edge.
inline constexpr int kLiveEdgeMaxTargetDurations = 4;

/// The variant a viewer plays, chosen from the master alone (no probing of renditions, unlike
/// FFmpeg, SPEC §11): kFirst and kAll → the first listed (a player plays one rendition),
/// kHighest / kLowest → the highest / lowest BANDWIDTH, the first listed on ties.
/// \a master must have at least one variant.
const hls::VariantStream& ChooseVariant(const hls::Playlist& master, config::Variant choice);

/// The audio rendition played alongside \a variant (hls.js audio-track-controller): of the
/// TYPE=AUDIO renditions of its AUDIO group, the DEFAULT=YES one, else the first AUTOSELECT=YES
/// one, else the first. nullptr when there is no group, no rendition, or the chosen one has no
/// URI (its audio is muxed into the variant).
const hls::Rendition* ChooseAudio(const hls::Playlist& master, const hls::VariantStream& variant);

/// The target duration as hls.js uses it: parsed as an integer (`parseInt`), at least 1 s.
double TargetDurationSeconds(const hls::Playlist& media);

/// Index in \a media.segments of the first segment to fetch. The EXT-X-START TIME-OFFSET wins
/// (negative = from the end; clamped to the playlist); else a live playlist starts
/// kLiveSyncDurationCount target durations before its end (RFC 8216 §6.3.3, hls.js), a VOD at
/// 0. The segment containing that position is chosen. 0 for an empty playlist.
std::size_t StartIndex(const hls::Playlist& media);

/// How long after the START of the reload that returned \a media to request it again
/// (RFC 8216 §6.3.4, hls.js computeReloadInterval): one target duration when the playlist
/// changed — or the last segment's duration when that is shorter and \a distance_to_edge_s
/// (media time from the playhead to the end of the playlist) is under
/// kLiveEdgeMaxTargetDurations target durations — and half a target duration when it did not.
/// Never less than 100 ms (an EXTINF:0 segment must not cause a tight loop).
Duration ReloadInterval(const hls::Playlist& media, bool changed, double distance_to_edge_s);

/// hls.js retry backoff: \a first for the first retry (\a attempt 1), doubling per retry, at
/// most \a max.
Duration Backoff(int attempt, Duration first, Duration max);

/// Seconds as a Duration, rounded up to whole nanoseconds.
Duration FromSeconds(double s);

}  // namespace hs::player
