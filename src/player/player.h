// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// One native viewer: a player state machine that paces its requests as hls.js does (SPEC §12).
// It keeps a virtual playhead, not decoded media: positions, times and flags, a few timers, and
// shared_ptrs to playlists parsed once per engine (PlaylistCache). It asks a Fetcher for every
// request and reports playback events; the request records are the Fetcher's business.

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "measure/viewer.h"
#include "player/fetcher.h"
#include "player/player_plan.h"
#include "player/playlist_cache.h"

namespace hs::player {

/// How players play; one instance shared by every player of an engine.
struct PlayerOptions {
  std::string url;  ///< master or media playlist
  /// Rendition choice from the master. kAll behaves as kFirst: a player plays one rendition.
  config::Variant variant = config::Variant::kFirst;
  /// hls.js playlistLoadPolicy: time to first byte 10 s, whole request 20 s.
  Duration playlist_ttfb_timeout = std::chrono::seconds(10);
  Duration playlist_total_timeout = std::chrono::seconds(20);
  /// hls.js fragLoadPolicy: time to first byte 10 s, whole request 120 s.
  Duration segment_ttfb_timeout = std::chrono::seconds(10);
  Duration segment_total_timeout = std::chrono::seconds(120);
  /// hls.js: the master and the first media playlist are retried 2 times, then the session
  /// ends with kError; segments 4 times after a timeout, 6 after an error, then skipped.
  int playlist_retries = 2;
  int segment_retries_on_timeout = 4;
  int segment_retries_on_error = 6;
  /// hls.js retry backoff: 1 s, doubling per retry, at most 8 s.
  Duration retry_delay_first = std::chrono::seconds(1);
  Duration retry_delay_max = std::chrono::seconds(8);
  /// hls.js maxBufferLength: fetch segments while less than this is buffered ahead.
  Duration max_buffer_ahead = std::chrono::seconds(30);
  /// At the end of a VOD: play it again after vod_restart_pause (-vod-end restart), or end
  /// the session with kCompleted (-vod-end stop).
  bool restart_vod = true;
  /// Play in real time (a viewer). false (-pace=false): a play completes as soon as every
  /// segment is in, so a VOD is fetched back to back as fast as the network allows.
  bool realtime = true;
  Duration vod_restart_pause = std::chrono::seconds(2);
  /// hls.js lowLatencyMode: play an LL-HLS stream (EXT-X-PART-INF and CAN-BLOCK-RELOAD) by its
  /// parts with blocking reloads; false plays it as classic HLS (whole segments, timed reloads).
  bool low_latency = true;
};

/// What a player reports. Implemented by the engine glue; called on the loop thread from the
/// player's fetch callbacks and timers, never from inside Start() or Stop(). A callee may call
/// Stop() (after which no further event arrives) but must not destroy the Player from inside
/// an event: defer that (EventLoop::Post).
class PlayerEvents {
 public:
  virtual ~PlayerEvents() = default;
  /// Playback started: the first segment of each active track is in. \a startup = Start()
  /// (or the restart of a VOD play) → now. Once per play.
  virtual void OnPlaying(Duration startup) = 0;
  /// A media segment of \a media_s seconds was fully received (either track).
  virtual void OnSegment(double media_s) = 0;
  /// The playhead reached the end of the buffered media.
  virtual void OnRebufferStart() = 0;
  /// Playback resumed after \a stalled_for.
  virtual void OnRebufferEnd(Duration stalled_for) = 0;
  /// A segment was given up: its retries failed, or it left the live window unfetched.
  virtual void OnSegmentSkipped() = 0;
  /// One failed attempt at a segment (or its init section or key) that will be retried.
  virtual void OnSegmentFailed() = 0;
  /// A reload of a live media playlist failed (it will be retried with backoff).
  virtual void OnPlaylistReloadFailed() = 0;
  /// A VOD (or a live stream that ended) was played to its end: \a media_played_s of it.
  virtual void OnPlayCompleted(double media_played_s) = 0;
  /// The main track plays the variant of BANDWIDTH \a bandwidth (from the master) from now on:
  /// at the start of each play from a master playlist, and at each ABR switch (\a is_switch).
  virtual void OnRendition(std::uint64_t /*bandwidth*/, bool /*is_switch*/) {}
  /// A segment of \a media_s seconds of the main track's variant of BANDWIDTH \a bandwidth was
  /// received (plays from a master playlist only; also reported by OnSegment).
  virtual void OnVariantSegment(std::uint64_t /*bandwidth*/, double /*media_s*/) {}
  /// The session is over: the master or first playlist stayed unreachable (kError), or a VOD
  /// ended with restart_vod off (kCompleted). The player is stopped; Start() may be called
  /// again (from a later loop iteration).
  virtual void OnEnded(measure::EndReason reason, std::string why) = 0;
};

/// One viewer. Loop thread only. Every reference passed to the constructor is borrowed and
/// must outlive the Player. Destroying a Player stops it.
class Player {
 public:
  /// \a opts is kept by reference (shared by all players), \a cache is shared by all players
  /// of an engine, \a fetcher carries out the requests, \a events receives what happens.
  Player(EventLoop& loop, const PlayerOptions& opts, Fetcher& fetcher, PlaylistCache& cache,
         PlayerEvents& events);
  ~Player();
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  /// Starts a session: fetches opts.url. Restarts from scratch if already running.
  void Start();
  /// Cancels fetches and timers; no event after it. Idempotent.
  void Stop();

  /// The virtual playhead: media seconds played in the current play (0 before it starts).
  double PlayheadSeconds() const;
  /// Media seconds received ahead of the playhead (the smaller of the two tracks').
  double BufferedAheadSeconds() const;
  /// The variant this player chooses from a master (opts.variant unless set; -variant-mix).
  /// Takes effect at the next Start().
  void SetVariant(config::Variant v) { variant_ = v; }
  /// Live latency now (SPEC §12 "Live latency", hls.js): wall clock − PROGRAM-DATE-TIME of the
  /// playing position, or without PDT the playlist-age latency (edge + age − playhead).
  /// nullopt unless playing (or rebuffering in) a live stream.
  std::optional<double> LiveLatencySeconds() const;
  /// The -variant abr throughput estimate, bits per second.
  double EstimateBps() const { return abr_.EstimateBps(); }
  /// Bytes of heap this player owns itself (its timers); shared playlists are not counted.
  std::size_t OwnedHeapBytes() const;

 private:
  // kPart: a listed LL-HLS part; kHint: the preload hint (the next part, before it is listed).
  enum class Op : std::uint8_t { kNone, kMaster, kPlaylist, kInit, kKey, kSegment, kPart, kHint };
  static constexpr std::int64_t kNoPdt = INT64_MIN;
  /// The media piece a track's fetch is for: what OnMediaDone credits when it arrives (an
  /// LL-HLS track's playlist changes while a part downloads, so it is not looked up again).
  struct Piece {
    double media_s = 0;                // EXTINF or part DURATION; unknown (0) for a hint
    std::int64_t end_pdt_ms = kNoPdt;  // PDT of its end
    std::size_t id = 0;                // key/init identity
  };
  /// One rendition being played: the variant (Channel::kMain) or its audio (kAudio).
  struct Track {
    std::shared_ptr<const hls::Playlist> playlist;  // latest parsed version (shared)
    const std::string* url = nullptr;               // in opts_ or master_ (which keeps it alive)
    std::unique_ptr<Timer> wake;                    // next reload, retry or room in the buffer
    std::size_t playlist_hash = 0;                  // body hash of `playlist`: unchanged reloads
    std::size_t init_id = 0;                        // EXT-X-MAP (URI, range) loaded, 0 = none
    std::size_t key_id = 0;                         // key URI loaded, 0 = none
    std::uint64_t next_msn = 0;                // media sequence number of the next segment to fetch
    std::int64_t end_pdt_ms = kNoPdt;          // PDT of the end of the last segment received
    SteadyTime playlist_at{};                  // when `playlist` was received
    double buffered_s = 0;                     // media seconds received in this play
    SteadyTime reload_at = SteadyTime::max();  // next live reload due
    SteadyTime retry_at{};                     // a failed fetch may be retried from then
    std::uint16_t playlist_attempts = 0;       // consecutive playlist failures
    std::uint16_t segment_attempts = 0;        // failures of the next segment
    Op op = Op::kNone;                         // the fetch in flight on this channel
    bool active = false;                       // part of the current play
    bool positioned = false;                   // next_msn chosen
    // LL-HLS (player_ll.cc): parts, blocking reloads on the track's live channel.
    Piece piece;                       // what the fetch in flight (op) is for
    std::unique_ptr<Timer> live_wake;  // a blocking reload's backoff (made on first use)
    SteadyTime live_retry_at{};        // the next blocking reload not before then
    double msn_part_s = 0;             // media seconds of next_msn's parts received
    std::int16_t next_part = -1;       // part of next_msn to fetch next, -1 whole segment
    std::uint16_t live_failures = 0;   // consecutive failed live reloads
    Op live_op = Op::kNone;            // the blocking reload in flight (kPlaylist)
    bool ll = false;                   // plays parts with blocking reloads
    bool full_reload = false;          // the next live reload is plain (after 400/503)
    bool hint_pending = false;         // the hinted next part arrived before its listing
  };

  Track& main() { return tracks_[0]; }
  const Track& main() const { return tracks_[0]; }
  Track& audio() { return tracks_[1]; }
  static Channel ChannelOf(std::size_t index) { return static_cast<Channel>(index); }
  static Channel LiveChannelOf(std::size_t index) { return static_cast<Channel>(index + 2); }
  SteadyTime Now() const { return loop_.clock().Now(); }

  // player.cc: lifecycle, master, playhead.
  void StartPlay();
  void Halt();
  void End(measure::EndReason reason, std::string why);
  void OnMaster(FetchResult&& r, SteadyTime started);
  bool SetUpTracks(const ParsedPlaylist& master);
  double Playhead(SteadyTime now) const;
  double BufferedEnd() const;
  bool AllTracksDone() const;
  bool EndIfNothingPlayable();
  void OnMediaReceived();
  void ArmStallTimer();
  void OnStallTimer();
  void CompletePlay();
  void OnLifeTimer();
  void PumpAll();
  bool MaybeSwitchVariant(SteadyTime now);
  void CompleteSwitch(const hls::Playlist& from);

  // player_ll.cc: LL-HLS parts, preload hints and blocking reloads of one track.
  void PositionLowLatency(Track& t, const hls::Playlist& pl);
  bool PumpParts(std::size_t index, SteadyTime now);
  void PumpLive(std::size_t index);
  void OnLivePlaylist(std::size_t index, FetchResult&& r, SteadyTime started, bool blocking);
  void OnLiveFailed(std::size_t index, SteadyTime started, std::string why);
  void OnHintDone(std::size_t index, FetchResult&& r);
  bool CreditHint(std::size_t index);
  bool IssueSwitchLowLatency(const std::string& to_url, FetchRequest& req);

  // player_cmcd.cc: the CTA-5004 keys of a request.
  void FillCmcd(std::size_t index, FetchRequest& req) const;

  // player_track.cc: playlists and segments of one track.
  void Pump(std::size_t index);
  void Issue(std::size_t index, Op op, FetchRequest req);
  /// A segment (kSegment) or part (kPart, kHint) request.
  void IssueMedia(std::size_t index, Op op, const std::string& url,
                  const std::optional<hls::ByteRange>& range, double media_s);
  void OnFetched(std::size_t index, FetchResult&& r, SteadyTime started);
  void OnPlaylist(std::size_t index, FetchResult&& r, SteadyTime started);
  void OnPlaylistParsed(std::size_t index, const ParsedPlaylist& parsed, SteadyTime started);
  void OnPlaylistFailed(std::size_t index, std::string why);
  void OnMediaDone(std::size_t index, Op op, FetchResult&& r);
  void FetchNextPiece(std::size_t index, const hls::Segment& segment);
  bool FetchKeyOrInit(std::size_t index, const hls::Segment& segment);
  SteadyTime RoomAt(const Track& t, SteadyTime now) const;
  void CreditMedia(std::size_t index, const Piece& piece);
  double DistanceToEdge(const Track& t, SteadyTime now) const;

  EventLoop& loop_;
  const PlayerOptions& opts_;
  Fetcher& fetcher_;
  PlaylistCache& cache_;
  PlayerEvents& events_;
  std::shared_ptr<const hls::Playlist> master_;  // when opts_.url is a master playlist
  std::array<Track, 2> tracks_;
  std::unique_ptr<Timer> stall_timer_;  // the playhead reaches the end of the buffer
  std::unique_ptr<Timer> life_timer_;   // VOD restart pause
  SteadyTime play_started_at_{};        // Start() or the VOD restart
  SteadyTime base_time_{};              // the playhead was at base_s_ then
  SteadyTime stall_started_at_{};
  double base_s_ = 0;
  BandwidthEstimator abr_;  // -variant abr: kept across plays of a session
  std::uint32_t gen_ = 0;   // bumped by Stop()/restarts: late callbacks are ignored
  config::Variant variant_;
  std::uint16_t variant_index_ = 0;  // in master_->variants: what the main track plays
  std::uint16_t switch_to_ = 0;      // the variant being switched to (switching_)
  bool switching_ = false;           // the main track's next playlist is switch_to_'s
  bool running_ = false;
  bool need_master_ = false;  // the main track's next fetch is opts_.url
  bool playing_ = false;
  bool stalled_ = false;
  bool starved_ = false;  // CMCD bs: stalled since the last request went out
};

}  // namespace hs::player
