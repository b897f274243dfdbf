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

}  // namespace hs::player
