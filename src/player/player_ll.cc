// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// Low-Latency HLS of one track (SPEC §13; draft-pantos-hls-rfc8216bis §6.2.5, §6.3; hls.js
// lowLatencyMode): parts instead of whole segments near the live edge, the preload hint
// requested before its part is listed, and blocking playlist reloads — one outstanding per
// track on its own channel, the next one sent as soon as the previous returns, asking for the
// part after the last one listed, as a delta update (_HLS_skip=YES) while the held copy is
// young enough. After a 400, a 503 or a delta that cannot be merged: one plain reload.
#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "player/ll_plan.h"
#include "player/player.h"
#include "player/player_plan.h"

namespace hs::player {

namespace {

// The PDT of the end of the next part of \a t, \a media_s long; kNoPdt-like sentinel when unknown.
std::int64_t PartEndPdt(const hls::Playlist& pl, std::uint64_t msn, double before_s, double media_s,
                        std::int64_t unknown) {
  const std::optional<std::int64_t> start = SegmentPdtMs(pl, msn);
  if (!start) return unknown;
  return *start + static_cast<std::int64_t>((before_s + media_s) * 1000.0 + 0.5);
}

// The segment whose EXT-X-MAP and EXT-X-KEY apply to segment \a msn: itself when listed, else
// (the segment being written) the last listed one.
const hls::Segment* MapSource(const hls::Playlist& pl, std::uint64_t msn) {
  if (msn >= pl.media_sequence && msn - pl.media_sequence < pl.segments.size()) {
    return &pl.segments[msn - pl.media_sequence];
  }
  return pl.segments.empty() ? nullptr : &pl.segments.back();
}

}  // namespace

void Player::PositionLowLatency(Track& t, const hls::Playlist& pl) {
  const PartPosition at = LowLatencyStart(pl);
  t.next_msn = at.msn;
  t.next_part = static_cast<std::int16_t>(at.part);
  t.msn_part_s = 0;
  if (const std::vector<hls::Part>* parts = PartsOf(pl, at.msn); parts && at.part > 0) {
    for (int k = 0; k < at.part && k < static_cast<int>(parts->size()); ++k) {
      t.msn_part_s += (*parts)[static_cast<std::size_t>(k)].duration_s;
    }
  }
  t.hint_pending = false;
}

// The media channel of an LL-HLS track: issues its next fetch, or waits (for a listing, a
// retry time, or the hinted part's listing). Returns after issuing at most one fetch.
bool Player::PumpParts(std::size_t index, SteadyTime now) {
  Track& t = tracks_[index];
  if (now < t.retry_at) {
    t.wake->ArmAt(t.retry_at);
    return false;
  }
  t.wake->Cancel();
  if (t.hint_pending) return CreditHint(index);
  const hls::Playlist& pl = *t.playlist;
  // Each turn issues a fetch and returns, or moves the position forward by a segment or a
  // mode (parts / whole segment): bounded by the playlist's length.
  for (std::size_t turn = 0; turn < 2 * pl.segments.size() + 8; ++turn) {
    const std::vector<hls::Part>* parts = PartsOf(pl, t.next_msn);
    const bool boundary = t.msn_part_s == 0 && t.next_part <= 0;
    if (t.next_part < 0) {
      if (parts != nullptr && t.msn_part_s == 0) {
        t.next_part = 0;  // the parts region: parts from here on (hls.js loadingParts)
        continue;
      }
      if (t.next_msn >= pl.EndMsn()) {
        t.next_part = 0;  // the segment being written: only its parts can be had
        continue;
      }
      if (index == 0 && boundary && MaybeSwitchVariant(now)) return true;
      FetchNextPiece(index, pl.segments[t.next_msn - pl.media_sequence]);
      return true;
    }
    if (parts != nullptr && static_cast<std::size_t>(t.next_part) < parts->size()) {
      if (index == 0 && boundary && MaybeSwitchVariant(now)) return true;
      const hls::Part& p = (*parts)[static_cast<std::size_t>(t.next_part)];
      const hls::Segment* source = MapSource(pl, t.next_msn);
      if (source != nullptr && FetchKeyOrInit(index, *source)) return true;
      t.piece =
          Piece{p.duration_s, PartEndPdt(pl, t.next_msn, t.msn_part_s, p.duration_s, kNoPdt), 0};
      IssueMedia(index, Op::kPart, p.uri, p.byte_range, p.duration_s);
      return true;
    }
    if (t.next_msn < pl.EndMsn()) {
      if (parts == nullptr && t.msn_part_s > 0) {
        t.next_part = -1;  // its parts left the playlist: the rest as the whole segment
        continue;
      }
      ++t.next_msn;  // every part of a complete segment is in
      t.msn_part_s = 0;
      t.next_part = 0;
      continue;
    }
    // The next part is not listed yet: its preload hint, which the server holds until the
    // part exists; else the next playlist (the blocking reload) tells.
    if (const std::string* hint = PartHintFor(pl, {t.next_msn, t.next_part})) {
      if (index == 0 && boundary && MaybeSwitchVariant(now)) return true;
      const hls::Segment* source = MapSource(pl, t.next_msn);
      if (source != nullptr && FetchKeyOrInit(index, *source)) return true;
      t.piece = Piece{};
      IssueMedia(index, Op::kHint, *hint, std::nullopt, pl.part_target_s);
      return true;
    }
    return false;
  }
  return false;
}

void Player::OnHintDone(std::size_t index, FetchResult&& r) {
  Track& t = tracks_[index];
  const std::uint32_t gen = gen_;
  if (!r.ok()) {
    // Asked for again (hinted or listed) after the segment backoff.
    ++t.segment_attempts;
    t.retry_at =
        Now() + Backoff(t.segment_attempts, opts_.retry_delay_first, opts_.retry_delay_max);
    events_.OnSegmentFailed();
    if (gen == gen_) Pump(index);
    return;
  }
  if (index == 0) abr_.Sample(ToSeconds(r.total - r.ttfb), r.body_bytes);
  t.hint_pending = true;
  CreditHint(index);
}

// The hinted part is in: credit it once a playlist lists it (its duration, its place).
bool Player::CreditHint(std::size_t index) {
  Track& t = tracks_[index];
  const hls::Playlist& pl = *t.playlist;
  const std::vector<hls::Part>* parts = PartsOf(pl, t.next_msn);
  if (t.next_part < 0 || parts == nullptr ||
      static_cast<std::size_t>(t.next_part) >= parts->size()) {
    return false;  // the blocking reload that lists it is on its way
  }
  const hls::Part& p = (*parts)[static_cast<std::size_t>(t.next_part)];
  const Piece piece{p.duration_s, PartEndPdt(pl, t.next_msn, t.msn_part_s, p.duration_s, kNoPdt),
                    0};
  t.hint_pending = false;
  ++t.next_part;
  t.msn_part_s += p.duration_s;
  CreditMedia(index, piece);
  return true;
}

void Player::PumpLive(std::size_t index) {
  Track& t = tracks_[index];
  if (!running_ || !t.active || !t.ll || t.live_op != Op::kNone || !t.playlist ||
      t.playlist->end_list || (index == 0 && switching_)) {
    return;
  }
  const SteadyTime now = Now();
  if (now < t.live_retry_at) {
    if (!t.live_wake) t.live_wake = loop_.CreateTimer([this, index] { PumpLive(index); });
    t.live_wake->ArmAt(t.live_retry_at);
    return;
  }
  const hls::Playlist& pl = *t.playlist;
  const bool blocking = !t.full_reload;
  FetchRequest req;
  req.want_body = true;
  req.ttfb_timeout = opts_.playlist_ttfb_timeout;
  req.total_timeout = opts_.playlist_total_timeout;
  req.url = blocking ? WithDirectives(*t.url, NextPartToRequest(pl),
                                      UseDeltaUpdate(pl, ToSeconds(now - t.playlist_at)))
                     : *t.url;
  req.kind = measure::RequestKind::kMediaPlaylist;
  req.channel = LiveChannelOf(index);
  FillCmcd(index, req);
  t.live_op = Op::kPlaylist;
  fetcher_.Fetch(req, [this, gen = gen_, index, now, blocking](FetchResult&& r) {
    if (gen != gen_) return;
    tracks_[index].live_op = Op::kNone;
    OnLivePlaylist(index, std::move(r), now, blocking);
  });
}

void Player::OnLivePlaylist(std::size_t index, FetchResult&& r, SteadyTime started, bool blocking) {
  Track& t = tracks_[index];
  if (!r.ok()) {
    OnLiveFailed(index, started,
                 r.error != measure::RequestError::kNone ? std::string(measure::ToString(r.error))
                                                         : fmt::format("HTTP {}", r.status));
    return;
  }
  Result<ParsedPlaylist> parsed =
      cache_.GetMerged(r.final_url.empty() ? *t.url : r.final_url, r.body, t.playlist);
  if (!parsed) {
    OnLiveFailed(index, started, parsed.error().detail);
    return;
  }
  if (parsed->playlist->is_master) {
    OnLiveFailed(index, started, "a variant URL returned a master playlist");
    return;
  }
  const bool unchanged = parsed->body_hash == t.playlist_hash;
  t.live_failures = 0;
  t.full_reload = false;
  // A server that answered a blocking request at once with nothing new (it ignores the
  // directives) is asked again a part target later, not in a tight loop.
  t.live_retry_at = blocking && unchanged
                        ? started + FromSeconds(std::max(0.1, parsed->playlist->part_target_s))
                        : SteadyTime{};
  OnPlaylistParsed(index, *parsed, started);
}

void Player::OnLiveFailed(std::size_t index, SteadyTime started, std::string why) {
  Track& t = tracks_[index];
  // RFC 8216bis §6.2.5.2 / SPEC §13: after a 400, a 503 or a bad delta, one plain reload; a
  // second failure in a row backs off as any playlist reload does.
  ++t.live_failures;
  t.full_reload = true;
  t.live_retry_at =
      t.live_failures > 1
          ? started + Backoff(t.live_failures - 1, opts_.retry_delay_first, opts_.retry_delay_max)
          : SteadyTime{};
  const std::uint32_t gen = gen_;
  (void)why;
  events_.OnPlaylistReloadFailed();
  if (gen == gen_) PumpLive(index);
}

bool Player::IssueSwitchLowLatency(const std::string& to_url, FetchRequest& req) {
  Track& t = main();
  if (!t.ll || !t.playlist) return false;
  if (t.live_op != Op::kNone) {
    fetcher_.Cancel(LiveChannelOf(0));
    t.live_op = Op::kNone;
  }
  // hls.js switchParams: a blocking request for the new rendition's newest part, from the
  // RENDITION-REPORT of the one playing.
  if (auto at = SwitchRequestFromReport(*t.playlist, to_url, ToSeconds(Now() - t.playlist_at))) {
    req.url = WithDirectives(to_url, *at, false);
  }
  return true;
}

}  // namespace hs::player
