// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// One track's fetching: its media playlist (first load, live reloads) and its segments with
// their init sections and keys, paced by the forward buffer. One fetch at a time per track
// (Fetcher: one outstanding fetch per channel), so a reload that falls due while a segment is
// downloading goes out when that download ends.
#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include <fmt/format.h>

#include "player/ll_plan.h"
#include "player/player.h"
#include "player/player_plan.h"

namespace hs::player {

namespace {

// Identities of what a track has loaded, never 0 (0 = nothing loaded).
std::size_t KeyId(const hls::Segment& s) {
  return s.key_uri.empty() ? 0 : (std::hash<std::string_view>{}(s.key_uri) | 1);
}

std::size_t InitId(const hls::Segment& s) {
  if (s.map_uri.empty()) return 0;
  std::size_t h = std::hash<std::string_view>{}(s.map_uri);
  if (s.map_byte_range) {
    h ^= std::hash<std::uint64_t>{}(s.map_byte_range->offset) * 31 + s.map_byte_range->length;
  }
  return h | 1;
}

std::string Describe(const FetchResult& r) {
  if (r.error != measure::RequestError::kNone) return measure::ToString(r.error);
  return fmt::format("HTTP {}", r.status);
}

}  // namespace

void Player::Pump(std::size_t index) {
  Track& t = tracks_[index];
  if (!running_ || !t.active || t.op != Op::kNone) return;
  const SteadyTime now = Now();
  FetchRequest req;
  req.want_body = true;
  req.ttfb_timeout = opts_.playlist_ttfb_timeout;
  req.total_timeout = opts_.playlist_total_timeout;
  if (index == 0 && need_master_) {
    if (now < t.retry_at) {
      t.wake->ArmAt(t.retry_at);
      return;
    }
    req.url = opts_.url;
    req.kind = measure::RequestKind::kMaster;
    Issue(index, Op::kMaster, std::move(req));
    return;
  }
  const bool live = !t.playlist || !t.playlist->end_list;
  // A rendition switch reloads a VOD's playlist too (the new rendition's), with the live
  // reload's backoff when that fails. An LL-HLS track reloads on its live channel instead.
  const bool reload = (live && !t.ll) || (index == 0 && switching_);
  if (t.playlist ? reload && now >= t.reload_at : now >= t.retry_at) {
    req.url = *t.url;
    req.kind = measure::RequestKind::kMediaPlaylist;
    Issue(index, Op::kPlaylist, std::move(req));
    return;
  }
  if (!t.playlist) {
    t.wake->ArmAt(t.retry_at);
    return;
  }
  if (t.ll && t.positioned) {
    PumpParts(index, now);
    return;
  }
  const hls::Playlist& pl = *t.playlist;
  SteadyTime wake = reload ? t.reload_at : SteadyTime::max();
  if (t.positioned && t.next_msn >= pl.media_sequence &&
      t.next_msn - pl.media_sequence < pl.segments.size()) {
    if (now < t.retry_at) {
      wake = std::min(wake, t.retry_at);
    } else {
      const SteadyTime room = RoomAt(t, now);
      if (room <= now) {
        if (index == 0 && MaybeSwitchVariant(now)) return;
        FetchNextPiece(index, pl.segments[t.next_msn - pl.media_sequence]);
        return;
      }
      wake = std::min(wake, room);
    }
  }
  if (wake == SteadyTime::max()) {
    t.wake->Cancel();
  } else {
    t.wake->ArmAt(wake);
  }
}

// hls.js maxBufferLength: a segment is requested while less than max_buffer_ahead is buffered
// ahead of the playhead, so a VOD viewer is never more than that plus one segment ahead.
SteadyTime Player::RoomAt(const Track& t, SteadyTime now) const {
  const double ahead = t.buffered_s - Playhead(now);
  const double max_ahead = ToSeconds(opts_.max_buffer_ahead);
  if (ahead < max_ahead) return now;
  // A paused playhead (not started, stalled) makes no room: PumpAll runs when it moves again.
  if (!playing_ || stalled_) return SteadyTime::max();
  return now + std::max(FromSeconds(ahead - max_ahead), Duration(std::chrono::milliseconds(1)));
}

double Player::DistanceToEdge(const Track& t, SteadyTime now) const {
  const hls::Playlist& pl = *t.playlist;
  double rest = std::max(0.0, t.buffered_s - Playhead(now));
  for (std::size_t i = 0; i < pl.segments.size(); ++i) {
    if (pl.media_sequence + i >= t.next_msn) rest += pl.segments[i].duration_s;
  }
  if (t.next_msn <= pl.EndMsn()) {
    for (const hls::Part& p : pl.trailing_parts) rest += p.duration_s;
  }
  return std::max(0.0, rest - t.msn_part_s);
}

bool Player::FetchKeyOrInit(std::size_t index, const hls::Segment& segment) {
  Track& t = tracks_[index];
  FetchRequest req;
  req.ttfb_timeout = opts_.segment_ttfb_timeout;
  req.total_timeout = opts_.segment_total_timeout;
  // hls.js key-loader: a key is loaded once per URI before the segments that need it.
  if (const std::size_t key = KeyId(segment); key != 0 && key != t.key_id) {
    t.piece = Piece{0, kNoPdt, key};
    req.url = segment.key_uri;
    req.kind = measure::RequestKind::kKey;
    req.want_body = true;
    Issue(index, Op::kKey, std::move(req));
    return true;
  }
  // The init section once per rendition, again only when EXT-X-MAP changes (hls.js, ExoPlayer
  // and AVPlayer; FFmpeg 5.1 refetches it per segment, SPEC §11).
  if (const std::size_t init = InitId(segment); init != 0 && init != t.init_id) {
    t.piece = Piece{0, kNoPdt, init};
    req.url = segment.map_uri;
    req.kind = measure::RequestKind::kInit;
    req.range = segment.map_byte_range;
    Issue(index, Op::kInit, std::move(req));
    return true;
  }
  return false;
}

void Player::FetchNextPiece(std::size_t index, const hls::Segment& segment) {
  Track& t = tracks_[index];
  if (FetchKeyOrInit(index, segment)) return;
  // After some of its parts (an LL-HLS track that fell behind the parts): the rest of it.
  const double media_s = std::max(0.0, segment.duration_s - t.msn_part_s);
  t.piece = Piece{media_s,
                  segment.program_date_time_ms
                      ? *segment.program_date_time_ms + std::llround(segment.duration_s * 1000)
                      : kNoPdt,
                  0};
  IssueMedia(index, Op::kSegment, segment.uri, segment.byte_range, segment.duration_s);
}

void Player::IssueMedia(std::size_t index, Op op, const std::string& url,
                        const std::optional<hls::ByteRange>& range, double media_s) {
  FetchRequest req;
  req.ttfb_timeout = opts_.segment_ttfb_timeout;
  req.total_timeout = opts_.segment_total_timeout;
  req.url = url;
  req.kind = op == Op::kSegment ? measure::RequestKind::kSegment : measure::RequestKind::kPart;
  req.range = range;
  req.media_duration_s = media_s;
  Issue(index, op, std::move(req));
}

void Player::Issue(std::size_t index, Op op, FetchRequest req) {
  tracks_[index].op = op;
  req.channel = ChannelOf(index);
  FillCmcd(index, req);
  starved_ = false;
  const SteadyTime started = Now();
  fetcher_.Fetch(req, [this, gen = gen_, index, started](FetchResult&& r) {
    if (gen == gen_) OnFetched(index, std::move(r), started);
  });
}

void Player::OnFetched(std::size_t index, FetchResult&& r, SteadyTime started) {
  const Op op = std::exchange(tracks_[index].op, Op::kNone);
  switch (op) {
    case Op::kMaster:
      OnMaster(std::move(r), started);
      break;
    case Op::kPlaylist:
      OnPlaylist(index, std::move(r), started);
      break;
    case Op::kInit:
    case Op::kKey:
    case Op::kSegment:
    case Op::kPart:
      OnMediaDone(index, op, std::move(r));
      break;
    case Op::kHint:
      OnHintDone(index, std::move(r));
      break;
    case Op::kNone:
      break;
  }
}

void Player::OnPlaylist(std::size_t index, FetchResult&& r, SteadyTime started) {
  Track& t = tracks_[index];
  if (!r.ok()) {
    OnPlaylistFailed(index, Describe(r));
    return;
  }
  Result<ParsedPlaylist> parsed = cache_.Get(r.final_url.empty() ? *t.url : r.final_url, r.body);
  if (!parsed) {
    OnPlaylistFailed(index, parsed.error().detail);
    return;
  }
  if (parsed->playlist->is_master) {
    OnPlaylistFailed(index, "a variant URL returned a master playlist");
    return;
  }
  OnPlaylistParsed(index, *parsed, started);
}

void Player::OnPlaylistParsed(std::size_t index, const ParsedPlaylist& parsed, SteadyTime started) {
  Track& t = tracks_[index];
  const std::uint32_t gen = gen_;
  const bool changed = !t.playlist || parsed.body_hash != t.playlist_hash;
  std::shared_ptr<const hls::Playlist> previous = std::move(t.playlist);
  t.playlist = parsed.playlist;
  t.playlist_hash = parsed.body_hash;
  t.playlist_attempts = 0;
  t.playlist_at = Now();
  const hls::Playlist& pl = *t.playlist;
  if (index == 0 && switching_ && previous) {
    CompleteSwitch(*previous);
    if (gen != gen_) return;
  }
  const std::uint64_t end_msn = pl.media_sequence + pl.segments.size();
  // A media sequence far behind our position means the stream restarted: start over at the
  // live point. (A slightly stale playlist from a CDN cache is just waited out.)
  if (!t.positioned || t.next_msn > end_msn + pl.segments.size()) {
    t.ll = opts_.low_latency && PlaysLowLatency(pl);
    if (t.ll) {
      t.positioned = !pl.segments.empty() || !pl.trailing_parts.empty();
      PositionLowLatency(t, pl);
    } else {
      t.positioned = !pl.segments.empty();
      t.next_msn = pl.media_sequence + StartIndex(pl);
      t.next_part = -1;
      t.msn_part_s = 0;
    }
  } else if (t.ll && !pl.end_list && !PlaysLowLatency(pl)) {
    // The stream stopped offering LL-HLS: classic reloads and whole segments from here.
    t.ll = false;
    t.next_part = -1;
    t.hint_pending = false;
  }
  std::uint64_t lost = 0;
  if (t.next_msn < pl.media_sequence) {
    // RFC 8216 §6.3.3 sequence tracking: segments that left the window unfetched are skipped.
    lost = pl.media_sequence - t.next_msn;
    t.next_msn = pl.media_sequence;
    t.segment_attempts = 0;
    t.msn_part_s = 0;
    t.next_part = -1;
    t.hint_pending = false;
  }
  // RFC 8216 §6.3.4 / hls.js computeReloadInterval, from the START of this reload.
  const SteadyTime now = Now();
  t.reload_at = pl.end_list || t.ll ? SteadyTime::max()
                                    : started + ReloadInterval(pl, changed, DistanceToEdge(t, now));
  for (std::uint64_t i = 0; i < lost && gen == gen_; ++i) events_.OnSegmentSkipped();
  if (gen != gen_) return;
  if (playing_ && stalled_ && AllTracksDone()) {
    // The stream ended (ENDLIST) while we waited at its last segment.
    stalled_ = false;
    events_.OnRebufferEnd(now - stall_started_at_);
    if (gen == gen_) CompletePlay();
    return;
  }
  if (EndIfNothingPlayable()) return;
  Pump(index);
  if (gen == gen_) PumpLive(index);
}

void Player::OnPlaylistFailed(std::size_t index, std::string why) {
  Track& t = tracks_[index];
  const SteadyTime now = Now();
  ++t.playlist_attempts;
  const Duration delay =
      Backoff(t.playlist_attempts, opts_.retry_delay_first, opts_.retry_delay_max);
  if ((index == 0 && need_master_) || !t.playlist) {
    // The master or a first media playlist: hls.js gives up after its retries; the pool then
    // restarts the session with its own capped, jittered backoff.
    if (t.playlist_attempts > opts_.playlist_retries) {
      const char* what = index == 0 && need_master_ ? "master playlist" : "media playlist";
      End(measure::EndReason::kError,
          fmt::format("{} {}: {} (after {} attempts)", what,
                      index == 0 && need_master_ ? opts_.url : *t.url, why, t.playlist_attempts));
      return;
    }
    t.retry_at = now + delay;
    Pump(index);
    return;
  }
  // A live reload: keep the last playlist, retry with backoff, never give up (the pool's stall
  // watchdog ends a session that stops getting segments).
  t.reload_at = now + delay;
  const std::uint32_t gen = gen_;
  events_.OnPlaylistReloadFailed();
  if (gen == gen_) Pump(index);
}

void Player::OnMediaDone(std::size_t index, Op op, FetchResult&& r) {
  Track& t = tracks_[index];
  const Piece piece = t.piece;
  const std::uint32_t gen = gen_;
  if (r.ok()) {
    if (op == Op::kKey || op == Op::kInit) {
      (op == Op::kKey ? t.key_id : t.init_id) = piece.id;
      Pump(index);
      return;
    }
    if (op == Op::kPart) {
      ++t.next_part;
      t.msn_part_s += piece.media_s;
    } else {
      ++t.next_msn;
      t.msn_part_s = 0;
      t.next_part = -1;
    }
    if (index == 0) {
      // hls.js samples the throughput of main-fragment (and part) loads, without the wait for
      // the first byte (abr-controller onFragLoaded / ewma-bandwidth-estimator sample).
      abr_.Sample(ToSeconds(r.total - r.ttfb), r.body_bytes);
    }
    CreditMedia(index, piece);
    return;
  }
  ++t.segment_attempts;
  const int retries = r.error == measure::RequestError::kTimeout ? opts_.segment_retries_on_timeout
                                                                 : opts_.segment_retries_on_error;
  if (t.segment_attempts > retries) {
    // Given up: the piece it was for (a part, else the segment) is skipped.
    t.segment_attempts = 0;
    if (t.next_part >= 0) {
      ++t.next_part;
      t.msn_part_s += piece.media_s;
    } else {
      ++t.next_msn;
      t.msn_part_s = 0;
    }
    t.retry_at = SteadyTime{};
    events_.OnSegmentSkipped();
    if (gen == gen_ && EndIfNothingPlayable()) return;
  } else {
    t.retry_at =
        Now() + Backoff(t.segment_attempts, opts_.retry_delay_first, opts_.retry_delay_max);
    events_.OnSegmentFailed();
  }
  if (gen == gen_) Pump(index);
}

// A segment or part is in (the position has moved past it already).
void Player::CreditMedia(std::size_t index, const Piece& piece) {
  Track& t = tracks_[index];
  const std::uint32_t gen = gen_;
  // A skipped segment leaves no gap on the virtual timeline: the next one follows on.
  t.segment_attempts = 0;
  t.buffered_s += piece.media_s;
  t.end_pdt_ms = piece.end_pdt_ms;
  if (index == 0 && master_) {
    events_.OnVariantSegment(master_->variants[variant_index_].bandwidth, piece.media_s);
    if (gen != gen_) return;
  }
  events_.OnSegment(piece.media_s);
  if (gen == gen_) OnMediaReceived();
}

}  // namespace hs::player
