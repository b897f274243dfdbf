// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// The pure decisions of a player, kept apart from its state machine so that each rule can be
// tested against its source: which rendition, where to start, when to reload, how long to back
// off.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

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

/// hls.js `ewma-bandwidth-estimator.ts` (with `ewma.ts`): two exponentially weighted moving
/// averages of download throughput samples (8·bytes / seconds), each sample weighted by its
/// download seconds, with half-lives of 3 s (fast) and 9 s (slow); the estimate is the lower of
/// the two, and 500 kbit/s (`abrEwmaDefaultEstimate`) until a first sample. Downloads shorter
/// than 50 ms count as 50 ms (`minDelayMs`). 32 bytes.
class BandwidthEstimator {
 public:
  static constexpr double kFastHalfLifeS = 3.0;         ///< abrEwmaFastLive
  static constexpr double kSlowHalfLifeS = 9.0;         ///< abrEwmaSlowLive
  static constexpr double kDefaultEstimateBps = 500e3;  ///< abrEwmaDefaultEstimate
  static constexpr double kMinDelayS = 0.05;            ///< minDelayMs
  static constexpr double kMinWeight = 0.001;           ///< minWeight_: enough to estimate

  /// One download of \a bytes that took \a seconds.
  void Sample(double seconds, std::uint64_t bytes);
  /// Bits per second.
  double EstimateBps() const;
  /// A download has been sampled: EstimateBps() is a measurement, not the default.
  bool Measured() const { return fast_.total_weight >= kMinWeight; }

 private:
  struct Ewma {
    double estimate = 0;
    double total_weight = 0;
    void Sample(double alpha, double weight, double value);
    double Get(double alpha) const;
  };
  Ewma fast_;
  Ewma slow_;
};

/// hls.js `abrBandWidthFactor`: stay on (or go down to) a rendition whose BANDWIDTH is at most
/// this share of the estimate.
inline constexpr double kAbrBandwidthFactor = 0.95;
/// hls.js `abrBandWidthUpFactor`: go up only to a rendition below this share of the estimate.
inline constexpr double kAbrBandwidthUpFactor = 0.7;

/// True when a variant carries video: no CODECS attribute, or one naming a video codec. ABR
/// chooses among these (audio-only variants are left out unless there is nothing else).
bool IsVideoVariant(const hls::VariantStream& v);

/// The -variant abr choice (hls.js abr-controller, SPEC §12) among \a master's video variants,
/// made at segment boundaries: index in master.variants. Without a \a current (the start of a
/// session), and when the current rendition's BANDWIDTH exceeds kAbrBandwidthFactor × estimate,
/// the highest rendition within kAbrBandwidthFactor × estimate (the lowest if none is); else the
/// highest rendition above the current one that is below kAbrBandwidthUpFactor × estimate, or
/// the current one. \a master must have a variant.
std::size_t ChooseAbrVariant(const hls::Playlist& master, std::optional<std::size_t> current,
                             double estimate_bps);

/// Where playback continues after a rendition switch: the media sequence number in \a to of
/// the segment that starts where \a from's segment \a msn starts. By EXT-X-PROGRAM-DATE-TIME
/// when both have it (hls.js aligns renditions by PDT), else by time from the start on a VOD,
/// else (live without PDT) the same media sequence number (RFC 8216 §6.2.4: renditions share
/// media sequence numbering). \a msn may be \a from's LL-HLS segment being written (EndMsn(),
/// only its parts listed), matched by its trailing_pdt_ms.
std::uint64_t ContinuationMsn(const hls::Playlist& from, std::uint64_t msn,
                              const hls::Playlist& to);

/// One entry of -variant-mix: \a percent of the viewers play \a variant.
using VariantShare = config::VariantShare;

/// The variant of viewer \a viewer_id under -variant-mix \a mix (shares summing to 100):
/// deterministic by id, spread by the golden-ratio sequence frac(id × 0.618…) so that any
/// run of consecutive ids, however short, comes close to the shares.
config::Variant MixVariant(const std::vector<config::VariantShare>& mix, int viewer_id);

/// Wall-clock live latency (SPEC §12 "Live latency", hls.js `playingDate`): \a now_ms − the
/// PROGRAM-DATE-TIME of the playhead, where \a end_pdt_ms is the PDT of the end of the last
/// segment received and \a behind_s the media seconds buffered past the playhead.
double PdtLatencySeconds(std::int64_t now_ms, std::int64_t end_pdt_ms, double behind_s);

/// hls.js's latency without PDT: (edge + age of the playlist) − playhead, where \a edge_ahead_s
/// is the media time from the playhead to the end of the last loaded playlist and \a age_s the
/// time since that playlist was received.
double EdgeLatencySeconds(double edge_ahead_s, double age_s);

}  // namespace hs::player
