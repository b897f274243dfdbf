// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/player_plan.h"

#include <algorithm>
#include <cmath>

namespace hs::player {

const hls::VariantStream& ChooseVariant(const hls::Playlist& master, config::Variant choice) {
  const auto& v = master.variants;
  switch (choice) {
    case config::Variant::kHighest:
      return *std::max_element(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.bandwidth < b.bandwidth;
      });
    case config::Variant::kLowest:
      return *std::min_element(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.bandwidth < b.bandwidth;
      });
    case config::Variant::kAll:
    case config::Variant::kFirst:
      break;
    case config::Variant::kAbr:
      return v[ChooseAbrVariant(master, std::nullopt, BandwidthEstimator().EstimateBps())];
  }
  return v.front();
}

const hls::Rendition* ChooseAudio(const hls::Playlist& master, const hls::VariantStream& variant) {
  if (variant.audio_group.empty()) return nullptr;
  const hls::Rendition* first = nullptr;
  const hls::Rendition* autoselect = nullptr;
  for (const hls::Rendition& r : master.renditions) {
    if (r.type != "AUDIO" || r.group_id != variant.audio_group) continue;
    if (r.is_default) return r.uri.empty() ? nullptr : &r;
    if (!first) first = &r;
    if (!autoselect && r.autoselect) autoselect = &r;
  }
  const hls::Rendition* chosen = autoselect ? autoselect : first;
  return chosen && !chosen->uri.empty() ? chosen : nullptr;
}

double TargetDurationSeconds(const hls::Playlist& media) {
  return std::max(1.0, std::floor(media.target_duration_s));
}

std::size_t StartIndex(const hls::Playlist& media) {
  const auto& segs = media.segments;
  if (segs.empty()) return 0;
  double total = 0;
  for (const hls::Segment& s : segs) total += s.duration_s;
  double pos = 0;
  if (media.start_time_offset_s) {
    const double off = *media.start_time_offset_s;
    pos = std::clamp(off < 0 ? total + off : off, 0.0, total);
  } else if (!media.end_list) {
    pos = std::max(0.0, total - kLiveSyncDurationCount * TargetDurationSeconds(media));
  }
  double end = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    end += segs[i].duration_s;
    if (end > pos) return i;
  }
  return segs.size() - 1;
}

Duration ReloadInterval(const hls::Playlist& media, bool changed, double distance_to_edge_s) {
  const double td = TargetDurationSeconds(media);
  double interval = td;
  if (!changed) {
    interval = td / 2;
  } else if (!media.segments.empty() && td * kLiveEdgeMaxTargetDurations > distance_to_edge_s) {
    interval = std::min(interval, media.segments.back().duration_s);
  }
  return FromSeconds(std::max(interval, 0.1));
}

Duration Backoff(int attempt, Duration first, Duration max) {
  Duration d = first;
  for (int i = 1; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

Duration FromSeconds(double s) { return Duration(static_cast<Duration::rep>(std::ceil(s * 1e9))); }

namespace {

// ewma.ts: alpha = exp(ln(0.5) / halfLife).
double Alpha(double half_life_s) { return std::exp(std::log(0.5) / half_life_s); }

}  // namespace

void BandwidthEstimator::Ewma::Sample(double alpha, double weight, double value) {
  const double adj = std::pow(alpha, weight);
  estimate = value * (1 - adj) + adj * estimate;
  total_weight += weight;
}

double BandwidthEstimator::Ewma::Get(double alpha) const {
  const double zero_factor = 1 - std::pow(alpha, total_weight);
  return zero_factor != 0 ? estimate / zero_factor : estimate;
}

void BandwidthEstimator::Sample(double seconds, std::uint64_t bytes) {
  const double s = std::max(seconds, kMinDelayS);
  const double bps = 8.0 * static_cast<double>(bytes) / s;
  fast_.Sample(Alpha(kFastHalfLifeS), s, bps);
  slow_.Sample(Alpha(kSlowHalfLifeS), s, bps);
}

double BandwidthEstimator::EstimateBps() const {
  if (fast_.total_weight < kMinWeight) return kDefaultEstimateBps;
  return std::min(fast_.Get(Alpha(kFastHalfLifeS)), slow_.Get(Alpha(kSlowHalfLifeS)));
}

bool IsVideoVariant(const hls::VariantStream& v) {
  if (v.codecs.empty() || v.height > 0) return true;
  for (const char* video :
       {"avc1", "avc3", "hvc1", "hev1", "vp8", "vp09", "av01", "dvh1", "dvhe"}) {
    if (v.codecs.find(video) != std::string::npos) return true;
  }
  return false;
}

std::size_t ChooseAbrVariant(const hls::Playlist& master, std::optional<std::size_t> current,
                             double estimate_bps) {
  const auto& v = master.variants;
  bool any_video = false;
  for (const auto& x : v) any_video = any_video || IsVideoVariant(x);
  auto usable = [&](std::size_t i) { return !any_video || IsVideoVariant(v[i]); };
  auto bw = [&](std::size_t i) { return static_cast<double>(v[i].bandwidth); };
  // Ties go to the first listed.
  std::optional<std::size_t> lowest, fitting;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!usable(i)) continue;
    if (!lowest || bw(i) < bw(*lowest)) lowest = i;
    if (bw(i) <= kAbrBandwidthFactor * estimate_bps && (!fitting || bw(i) > bw(*fitting))) {
      fitting = i;
    }
  }
  if (!lowest) return 0;
  if (!current || *current >= v.size() || !usable(*current) ||
      bw(*current) > kAbrBandwidthFactor * estimate_bps) {
    return fitting ? *fitting : *lowest;
  }
  std::size_t best = *current;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!usable(i) || bw(i) <= bw(*current)) continue;
    if (bw(i) < kAbrBandwidthUpFactor * estimate_bps && bw(i) > bw(best)) best = i;
  }
  return best;
}

std::uint64_t ContinuationMsn(const hls::Playlist& from, std::uint64_t msn,
                              const hls::Playlist& to) {
  // LL-HLS: the segment being written (only its parts listed) starts at trailing_pdt_ms.
  const bool trailing = msn == from.EndMsn() && from.trailing_pdt_ms.has_value();
  if (!trailing &&
      (msn < from.media_sequence || msn - from.media_sequence >= from.segments.size())) {
    return msn;
  }
  const std::size_t from_index = msn - from.media_sequence;
  const std::optional<std::int64_t> pdt =
      trailing ? from.trailing_pdt_ms : from.segments[from_index].program_date_time_ms;
  // A boundary is matched by the segment containing a point just after it (1 ms), so rounding
  // of EXTINF or PDT does not pick the segment before.
  if (pdt) {
    const std::int64_t at = *pdt + 1;
    std::int64_t listed_end = INT64_MIN;
    for (std::size_t i = 0; i < to.segments.size(); ++i) {
      const hls::Segment& s = to.segments[i];
      if (!s.program_date_time_ms) continue;
      const auto end = *s.program_date_time_ms + std::llround(s.duration_s * 1000);
      if (*s.program_date_time_ms <= at && at < end) return to.media_sequence + i;
      listed_end = end;
    }
    if (to.trailing_pdt_ms && *to.trailing_pdt_ms <= at && at >= listed_end) return to.EndMsn();
  }
  if (trailing) return msn;
  if (from.end_list && to.end_list) {
    double offset = 0;
    for (std::size_t i = 0; i < from_index; ++i) offset += from.segments[i].duration_s;
    double start = 0;
    for (std::size_t i = 0; i < to.segments.size(); ++i) {
      const double end = start + to.segments[i].duration_s;
      if (start <= offset + 1e-3 && offset + 1e-3 < end) return to.media_sequence + i;
      start = end;
    }
    return to.media_sequence + to.segments.size();
  }
  return msn;
}

config::Variant MixVariant(const std::vector<config::VariantShare>& mix, int viewer_id) {
  if (mix.empty()) return config::Variant::kFirst;
  constexpr double kGolden = 0.6180339887498949;  // (sqrt(5) - 1) / 2
  const double x = static_cast<double>(static_cast<std::uint32_t>(viewer_id)) * kGolden;
  const double u = (x - std::floor(x)) * 100.0;
  double cumulative = 0;
  for (const config::VariantShare& share : mix) {
    cumulative += share.percent;
    if (u < cumulative) return share.variant;
  }
  return mix.back().variant;
}

double PdtLatencySeconds(std::int64_t now_ms, std::int64_t end_pdt_ms, double behind_s) {
  return static_cast<double>(now_ms - end_pdt_ms) / 1000.0 + behind_s;
}

double EdgeLatencySeconds(double edge_ahead_s, double age_s) { return edge_ahead_s + age_s; }

}  // namespace hs::player
