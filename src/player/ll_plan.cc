// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/ll_plan.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "player/player_plan.h"

namespace hs::player {

bool PlaysLowLatency(const hls::Playlist& media) {
  return !media.is_master && !media.end_list && media.IsLowLatency() &&
         media.server_control.can_block_reload;
}

double LowLatencyTargetSeconds(const hls::Playlist& media) {
  const hls::ServerControl& sc = media.server_control;
  if (sc.part_hold_back_s > 0) return sc.part_hold_back_s;
  if (sc.hold_back_s > 0) return sc.hold_back_s;
  return kLiveSyncDurationCount * TargetDurationSeconds(media);
}

const std::vector<hls::Part>* PartsOf(const hls::Playlist& media, std::uint64_t msn) {
  if (msn < media.media_sequence) return nullptr;
  const std::uint64_t i = msn - media.media_sequence;
  const std::vector<hls::Part>* parts = nullptr;
  if (i < media.segments.size()) {
    parts = &media.segments[i].parts;
  } else if (msn == media.EndMsn()) {
    parts = &media.trailing_parts;
  }
  return parts != nullptr && !parts->empty() ? parts : nullptr;
}

std::optional<std::int64_t> SegmentPdtMs(const hls::Playlist& media, std::uint64_t msn) {
  if (msn < media.media_sequence) return std::nullopt;
  const std::uint64_t i = msn - media.media_sequence;
  if (i < media.segments.size()) return media.segments[i].program_date_time_ms;
  if (msn == media.EndMsn()) return media.trailing_pdt_ms;
  return std::nullopt;
}

PartPosition LowLatencyStart(const hls::Playlist& media) {
  if (media.start_time_offset_s || !media.IsLowLatency()) {
    return {media.media_sequence + StartIndex(media), -1};
  }
  double total = 0;
  bool any_independent = false;
  auto scan = [&](const std::vector<hls::Part>& parts) {
    for (const hls::Part& p : parts) any_independent = any_independent || p.independent;
  };
  for (const hls::Segment& s : media.segments) {
    total += s.duration_s;
    scan(s.parts);
  }
  for (const hls::Part& p : media.trailing_parts) total += p.duration_s;
  scan(media.trailing_parts);
  const double target = std::max(0.0, total - LowLatencyTargetSeconds(media));
  // The last (independent) part that starts at or before the target.
  std::optional<PartPosition> best;
  double seg_start = 0;
  auto consider = [&](const std::vector<hls::Part>& parts, std::uint64_t msn) {
    double at = seg_start;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      // A millisecond of slack: parts are written to 5 decimals, PART-HOLD-BACK to 3.
      if (at > target + 1e-3) return;
      if (parts[k].independent || !any_independent) best = PartPosition{msn, static_cast<int>(k)};
      at += parts[k].duration_s;
    }
  };
  for (std::size_t i = 0; i < media.segments.size(); ++i) {
    consider(media.segments[i].parts, media.media_sequence + i);
    seg_start += media.segments[i].duration_s;
  }
  consider(media.trailing_parts, media.EndMsn());
  if (best) return *best;
  // Older than every listed part: whole segments up to the parts.
  double end = 0;
  for (std::size_t i = 0; i < media.segments.size(); ++i) {
    end += media.segments[i].duration_s;
    if (end > target) return {media.media_sequence + i, -1};
  }
  return {media.EndMsn(), 0};
}

PartPosition NextPartToRequest(const hls::Playlist& media) {
  if (!media.trailing_parts.empty()) {
    return {media.EndMsn(), static_cast<int>(media.trailing_parts.size())};
  }
  return {media.EndMsn(), 0};
}

bool UseDeltaUpdate(const hls::Playlist& media, double age_s) {
  const double until = media.server_control.can_skip_until_s;
  return until > 0 && age_s < until / 2;
}

std::string WithDirectives(std::string_view url, PartPosition at, bool skip) {
  std::string out(url);
  out += url.find('?') == std::string_view::npos ? '?' : '&';
  out += fmt::format("_HLS_msn={}", at.msn);
  if (at.part >= 0) out += fmt::format("&_HLS_part={}", at.part);
  if (skip) out += "&_HLS_skip=YES";
  return out;
}

std::optional<PartPosition> SwitchRequestFromReport(const hls::Playlist& from,
                                                    std::string_view to_uri, double age_s) {
  for (const hls::RenditionReport& r : from.rendition_reports) {
    if (r.uri != to_uri) continue;
    const std::uint64_t msn = r.last_msn.value_or(NextPartToRequest(from).msn);
    int part = r.last_part ? static_cast<int>(*r.last_part) : -1;
    // hls.js: the next part when the report is older than the goal (age - part target) allows.
    const double goal = std::min(age_s - from.part_target_s, from.target_duration_s);
    if (part >= 0 && goal > from.part_target_s) ++part;
    return PartPosition{msn, part};
  }
  return std::nullopt;
}

const std::string* PartHintFor(const hls::Playlist& media, PartPosition at) {
  if (at.part < 0 || !(NextPartToRequest(media) == at)) return nullptr;
  for (const hls::PreloadHint& h : media.preload_hints) {
    if (!h.is_map && h.byterange_start == 0 && !h.byterange_length) return &h.uri;
  }
  return nullptr;
}

}  // namespace hs::player
