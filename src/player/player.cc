// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The player's lifecycle (start, master, VOD end/restart) and its virtual playhead. The fetching
// of one track's playlists and segments lives in player_track.cc.
#include "player/player.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "player/ll_plan.h"
#include "player/player_plan.h"

namespace hs::player {

Player::Player(EventLoop& loop, const PlayerOptions& opts, Fetcher& fetcher, PlaylistCache& cache,
               PlayerEvents& events)
    : loop_(loop),
      opts_(opts),
      fetcher_(fetcher),
      cache_(cache),
      events_(events),
      variant_(opts.variant) {
  // The audio track's timer is created only when a master gives it a rendition.
  main().wake = loop_.CreateTimer([this] { Pump(0); });
  stall_timer_ = loop_.CreateTimer([this] { OnStallTimer(); });
  life_timer_ = loop_.CreateTimer([this] { OnLifeTimer(); });
}

Player::~Player() { Halt(); }

void Player::Start() {
  Halt();
  running_ = true;
  StartPlay();
}

void Player::Stop() { Halt(); }

void Player::Halt() {
  ++gen_;
  running_ = false;
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    Track& t = tracks_[i];
    if (t.op != Op::kNone) fetcher_.Cancel(ChannelOf(i));
    if (t.live_op != Op::kNone) fetcher_.Cancel(LiveChannelOf(i));
    t.op = t.live_op = Op::kNone;
    t.active = false;
    if (t.wake) t.wake->Cancel();
    if (t.live_wake) t.live_wake->Cancel();
  }
  stall_timer_->Cancel();
  life_timer_->Cancel();
}

void Player::StartPlay() {
  for (std::size_t i = 0; i < tracks_.size(); ++i) {
    Track& t = tracks_[i];
    if (t.op != Op::kNone) fetcher_.Cancel(ChannelOf(i));
    if (t.live_op != Op::kNone) fetcher_.Cancel(LiveChannelOf(i));
    std::unique_ptr<Timer> wake = std::move(t.wake);
    std::unique_ptr<Timer> live_wake = std::move(t.live_wake);
    if (wake) wake->Cancel();
    if (live_wake) live_wake->Cancel();
    t = Track{};
    t.wake = std::move(wake);
    t.live_wake = std::move(live_wake);
  }
  ++gen_;
  master_.reset();
  need_master_ = true;
  playing_ = stalled_ = false;
  switching_ = false;
  base_s_ = 0;
  play_started_at_ = base_time_ = Now();
  main().active = true;
  main().url = &opts_.url;
  Pump(0);
}

void Player::End(measure::EndReason reason, std::string why) {
  Halt();
  events_.OnEnded(reason, std::move(why));
}

void Player::OnMaster(FetchResult&& r, SteadyTime started) {
  if (!r.ok()) {
    OnPlaylistFailed(0, r.error != measure::RequestError::kNone
                            ? std::string(measure::ToString(r.error))
                            : fmt::format("HTTP {}", r.status));
    return;
  }
  Result<ParsedPlaylist> parsed = cache_.Get(r.final_url.empty() ? opts_.url : r.final_url, r.body);
  if (!parsed) {
    OnPlaylistFailed(0, parsed.error().detail);
    return;
  }
  need_master_ = false;
  main().playlist_attempts = 0;
  if (!parsed->playlist->is_master) {
    // opts_.url is a media playlist: this response is the main track's first playlist.
    OnPlaylistParsed(0, *parsed, started);
    return;
  }
  SetUpTracks(*parsed);
  PumpAll();
}

bool Player::SetUpTracks(const ParsedPlaylist& master) {
  master_ = master.playlist;
  // -variant abr starts on the rendition the current estimate affords (500 kbit/s before a
  // first sample, as hls.js), and keeps its estimate across the plays of a session.
  const std::size_t index =
      variant_ == config::Variant::kAbr
          ? ChooseAbrVariant(*master_, std::nullopt, abr_.EstimateBps())
          : static_cast<std::size_t>(&ChooseVariant(*master_, variant_) - master_->variants.data());
  variant_index_ = static_cast<std::uint16_t>(index);
  switching_ = false;
  const hls::VariantStream& variant = master_->variants[index];
  main().url = &variant.uri;
  events_.OnRendition(variant.bandwidth, false);
  const hls::Rendition* rendition = ChooseAudio(*master_, variant);
  if (!rendition) return false;
  Track& a = audio();
  if (!a.wake) a.wake = loop_.CreateTimer([this] { Pump(1); });
  a.url = &rendition->uri;
  a.active = true;
  return true;
}

// The playhead moves in real time from base_s_ at base_time_ while playing and not stalled;
// it never passes the end of what is buffered (the stall timer fires there).
double Player::Playhead(SteadyTime now) const {
  if (!playing_ || stalled_) return base_s_;
  return std::min(base_s_ + ToSeconds(now - base_time_), BufferedEnd());
}

double Player::BufferedEnd() const {
  double end = -1;
  for (const Track& t : tracks_) {
    if (t.active) end = end < 0 ? t.buffered_s : std::min(end, t.buffered_s);
  }
  return std::max(end, 0.0);
}

bool Player::AllTracksDone() const {
  for (const Track& t : tracks_) {
    if (!t.active) continue;
    if (!t.playlist || !t.playlist->end_list || t.op != Op::kNone) return false;
    if (t.next_msn < t.playlist->media_sequence + t.playlist->segments.size()) return false;
  }
  return true;
}

bool Player::EndIfNothingPlayable() {
  // A VOD (or ended live stream) with no segment at all, or whose every segment was given up:
  // without this the session would wait forever for a first segment.
  if (playing_ || !AllTracksDone()) return false;
  End(measure::EndReason::kError, "the playlist ended without a playable segment");
  return true;
}

void Player::OnMediaReceived() {
  const SteadyTime now = Now();
  const std::uint32_t gen = gen_;
  if (!playing_) {
    for (const Track& t : tracks_) {
      if (t.active && t.buffered_s <= 0) {
        PumpAll();
        return;
      }
    }
    playing_ = true;
    base_s_ = 0;
    base_time_ = now;
    ArmStallTimer();
    events_.OnPlaying(now - play_started_at_);
  } else if (stalled_ && BufferedEnd() > base_s_) {
    // hls.js resumes as soon as there is media past the playhead; so do we.
    stalled_ = false;
    base_time_ = now;
    ArmStallTimer();
    events_.OnRebufferEnd(now - stall_started_at_);
  } else {
    ArmStallTimer();
  }
  if (gen == gen_) PumpAll();
  if (gen == gen_ && !opts_.realtime && playing_ && AllTracksDone()) {
    // Unpaced (a throughput stress, not a viewer): everything is in, the play is over.
    base_s_ = BufferedEnd();
    base_time_ = now;
    CompletePlay();
  }
}

void Player::ArmStallTimer() {
  if (!playing_ || stalled_) return;
  stall_timer_->ArmAt(base_time_ + FromSeconds(BufferedEnd() - base_s_));
}

void Player::OnStallTimer() {
  const SteadyTime now = Now();
  base_s_ = BufferedEnd();
  base_time_ = now;
  if (AllTracksDone()) {
    CompletePlay();
    return;
  }
  stalled_ = true;
  starved_ = true;
  stall_started_at_ = now;
  const std::uint32_t gen = gen_;
  events_.OnRebufferStart();
  if (gen == gen_) PumpAll();
}

void Player::CompletePlay() {
  playing_ = false;
  for (Track& t : tracks_) {
    if (t.wake) t.wake->Cancel();
  }
  stall_timer_->Cancel();
  life_timer_->Arm(opts_.vod_restart_pause);
  events_.OnPlayCompleted(base_s_);
}

void Player::OnLifeTimer() {
  if (opts_.restart_vod) {
    StartPlay();
  } else {
    End(measure::EndReason::kCompleted, "the VOD was played to its end");
  }
}

void Player::PumpAll() {
  const std::uint32_t gen = gen_;
  for (std::size_t i = 0; i < tracks_.size() && gen == gen_; ++i) {
    if (tracks_[i].active) Pump(i);
  }
}

double Player::PlayheadSeconds() const { return Playhead(Now()); }

std::optional<double> Player::LiveLatencySeconds() const {
  const Track& t = main();
  if (!running_ || !playing_ || !t.playlist || t.playlist->end_list) return std::nullopt;
  const SteadyTime now = Now();
  const double playhead = Playhead(now);
  if (t.end_pdt_ms != kNoPdt) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            loop_.clock().WallNow().time_since_epoch())
                            .count();
    return PdtLatencySeconds(now_ms, t.end_pdt_ms, t.buffered_s - playhead);
  }
  return EdgeLatencySeconds(DistanceToEdge(t, now), ToSeconds(now - t.playlist_at));
}

// -variant abr at a segment boundary of the main track: when the estimate calls for another
// rendition, load its playlist (OnPlaylistParsed continues at the same position in it).
bool Player::MaybeSwitchVariant(SteadyTime now) {
  if (variant_ != config::Variant::kAbr || !master_ || switching_) return false;
  const std::size_t index = ChooseAbrVariant(*master_, variant_index_, abr_.EstimateBps());
  if (index == variant_index_) return false;
  Track& t = main();
  switching_ = true;
  switch_to_ = static_cast<std::uint16_t>(index);
  t.url = &master_->variants[index].uri;
  t.reload_at = now;
  FetchRequest req;
  req.want_body = true;
  req.ttfb_timeout = opts_.playlist_ttfb_timeout;
  req.total_timeout = opts_.playlist_total_timeout;
  req.url = *t.url;
  req.kind = measure::RequestKind::kMediaPlaylist;
  IssueSwitchLowLatency(*t.url, req);
  Issue(0, Op::kPlaylist, std::move(req));
  return true;
}

void Player::CompleteSwitch(const hls::Playlist& from) {
  Track& t = main();
  t.next_msn = ContinuationMsn(from, t.next_msn, *t.playlist);
  t.msn_part_s = 0;
  t.next_part = -1;  // LL-HLS: the new rendition's parts from the segment start
  switching_ = false;
  variant_index_ = switch_to_;
  events_.OnRendition(master_->variants[variant_index_].bandwidth, true);
}

double Player::BufferedAheadSeconds() const { return BufferedEnd() - Playhead(Now()); }

std::size_t Player::OwnedHeapBytes() const {
  std::size_t timers = 2;
  for (const Track& t : tracks_) timers += (t.wake ? 1 : 0) + (t.live_wake ? 1 : 0);
  return timers * sizeof(Timer);
}

}  // namespace hs::player
