// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#include "player/native_engine.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <functional>
#include <optional>
#include <random>

#include <fmt/format.h>

#include "core/log.h"
#include "hls/url.h"
#include "player/cmcd.h"

namespace hs::player {

using measure::EngineCount;
using measure::RequestError;
using measure::RequestKind;

namespace {

constexpr int kMaxRedirects = 5;
constexpr Duration kStallMinimum = std::chrono::milliseconds(250);
constexpr Duration kProgressPeriod = std::chrono::seconds(1);

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// hls.js's timeouts (SPEC §12) are the defaults; -timeout caps the wait for the first byte.
PlayerOptions MakePlayerOptions(const config::Config& cfg, const std::string& url) {
  PlayerOptions o;
  o.url = url;
  o.variant = cfg.variant;
  const Duration cap = cfg.timeout;
  o.playlist_ttfb_timeout = std::min<Duration>(o.playlist_ttfb_timeout, cap);
  o.segment_ttfb_timeout = std::min<Duration>(o.segment_ttfb_timeout, cap);
  o.restart_vod = cfg.vod_end == config::VodEnd::kRestart;
  o.low_latency = cfg.low_latency;
  if (!cfg.pace) {
    // Throughput stress: no playout pacing, no pause between plays.
    o.max_buffer_ahead = std::chrono::hours(24 * 365);
    o.vod_restart_pause = Duration::zero();
    o.realtime = false;
  }
  return o;
}

// CMCD session ids: random per run (and per shard), whatever -seed says.
std::string CmcdSidPrefix() {
  std::random_device rd;
  auto word = [&rd] { return (std::uint64_t{rd()} << 32) | rd(); };
  const std::uint64_t hi = word();
  return cmcd::SessionPrefix(hi, word());
}

std::string CommonHeaders(const config::Config& cfg) {
  std::string h;
  if (cfg.no_cache)
    h += "Cache-Control: no-cache, no-store, must-revalidate\r\nPragma: no-cache\r\n";
  for (const std::string& line : cfg.headers) h += line + "\r\n";
  return h;
}

}  // namespace

// One viewer: the player, its connections, and the glue between them (Fetcher over
// http::Connection, PlayerEvents to the pool and stats).
class NativeEngine::Viewer final : public Fetcher, public PlayerEvents {
 public:
  Viewer(NativeEngine& e, int id)
      : e_(e),
        id_(id),
        user_agent_line_("User-Agent: " + e.cfg_.ViewerUserAgent(id) + "\r\n"),
        player_(e.loop_, e.player_opts_, *this, e.cache_, *this) {
    Ch(0).conn = std::make_unique<http::Connection>(*e.client_);
  }
  ~Viewer() override { Halt(); }

  void Start() {
    started_at_ = e_.loop_.clock().Now();
    player_.Start();
  }
  /// Stops the player and every fetch; nothing reaches the pool or stats after it.
  void Halt() {
    if (halted_) return;
    halted_ = true;
    player_.Stop();
    for (size_t c = 0; c < channels_.size(); ++c) {
      auto& ch = channels_[c];
      if (!ch) continue;
      if (ch->sent) RecordAbort(c);
      ++ch->generation;
      if (ch->conn) ch->conn->Cancel();
    }
  }
  bool halted() const { return halted_; }

  // Fetcher
  void Fetch(const FetchRequest& req, std::function<void(FetchResult&&)> done) override {
    Channel& ch = Ch(static_cast<size_t>(req.channel));
    if (!ch.conn) ch.conn = std::make_unique<http::Connection>(*e_.client_);
    ++ch.generation;
    ch.req = req;
    ch.done = std::move(done);
    ch.url = req.url;
    ch.redirects = 0;
    Issue(static_cast<size_t>(req.channel));
  }
  void Cancel(player::Channel which) override {
    const auto c = static_cast<size_t>(which);
    Channel& ch = Ch(c);
    if (ch.sent) RecordAbort(c);
    ++ch.generation;
    ch.done = nullptr;
    if (ch.conn) ch.conn->Cancel();
  }

  // PlayerEvents
  void OnPlaying(Duration startup) override {
    playing_ = true;
    watch_from_ = e_.loop_.clock().Now();
    play_counted_ = false;
    rebuffering_ = false;
    if (e_.events_ != nullptr) e_.events_->OnPlaying(id_, startup);
  }
  /// Playing from its buffer right now (the playhead advances): the pool's watchdog hears it.
  bool Progressing() const { return playing_ && !rebuffering_ && !halted_; }
  void OnSegment(double media_s) override {
    if (e_.events_ != nullptr) e_.events_->OnSegment(id_, media_s);
  }
  void OnRebufferStart() override { rebuffering_ = true; }
  void OnRebufferEnd(Duration stalled_for) override {
    rebuffering_ = false;
    // hls.js reports a stall only once playback has not moved for STALL_MINIMUM_DURATION_MS
    // (250 ms, gap-controller.ts); shorter gaps at the live edge are not rebuffering a viewer
    // would notice.
    if (stalled_for < kStallMinimum) return;
    e_.counts_.OnEngineCount(EngineCount::kRebufferEvent, 1);
    e_.counts_.OnEngineCount(EngineCount::kRebufferMicros, Micros(stalled_for));
  }
  void OnSegmentSkipped() override { e_.counts_.OnEngineCount(EngineCount::kSegmentSkipped, 1); }
  void OnSegmentFailed() override {
    e_.counts_.OnEngineCount(EngineCount::kSegmentFailed, 1);
    e_.counts_.OnEngineError("segment_failed", 0);
  }
  void OnPlaylistReloadFailed() override {
    e_.counts_.OnEngineCount(EngineCount::kPlaylistReloadFailed, 1);
    e_.counts_.OnEngineError("playlist_reload_failed", 0);
  }
  void OnPlayCompleted(double media_played_s) override {
    FlushWatch();
    playing_ = false;  // until the next play (a VOD restarted after a pause) plays
    play_counted_ = true;
    e_.counts_.OnEngineCount(EngineCount::kPlayCompleted, 1);
    e_.counts_.OnEngineCount(EngineCount::kMediaMicrosPlayed,
                             static_cast<std::uint64_t>(std::max(0.0, media_played_s) * 1e6));
  }
  void OnRendition(std::uint64_t bandwidth, bool is_switch) override {
    const auto bw = static_cast<std::int64_t>(std::min<std::uint64_t>(bandwidth, INT64_MAX));
    if (bw != rendition_bw_) e_.counts_.OnViewerRendition(rendition_bw_, bw);
    rendition_bw_ = bw;
    if (is_switch) e_.counts_.OnEngineCount(EngineCount::kRenditionSwitch, 1);
  }
  void OnVariantSegment(std::uint64_t bandwidth, double media_s) override {
    e_.counts_.OnRenditionMedia(bandwidth, media_s);
  }
  /// Watch time up to now goes to stats (progress sweep, end of a play or session).
  void FlushWatch() {
    if (!playing_ || halted_) return;
    const SteadyTime now = e_.loop_.clock().Now();
    e_.counts_.OnEngineCount(EngineCount::kWatchMicros, Micros(now - watch_from_));
    watch_from_ = now;
  }
  /// The 1 s progress sweep: watch time, and a live latency sample while in a live play.
  void OnSweep() {
    FlushWatch();
    if (!playing_ || halted_) return;
    if (std::optional<double> latency = player_.LiveLatencySeconds()) {
      e_.counts_.OnLiveLatencySample(*latency);
    }
  }
  /// The session ends: the viewer leaves its rendition.
  void LeaveRendition() {
    if (rendition_bw_ != measure::EngineListener::kNoRendition) {
      e_.counts_.OnViewerRendition(rendition_bw_, measure::EngineListener::kNoRendition);
    }
    rendition_bw_ = measure::EngineListener::kNoRendition;
  }
  Player& player() { return player_; }
  void OnEnded(measure::EndReason reason, std::string why) override {
    log::Debug("viewer {}: session ends ({}): {}", id_, measure::ToString(reason), why);
    e_.EndSession(id_, reason);
  }

 private:
  struct Channel {
    std::unique_ptr<http::Connection> conn;
    FetchRequest req;
    std::function<void(FetchResult&&)> done;
    std::string url;           ///< current URL (after redirects)
    http::Endpoint endpoint;   ///< where the connection goes (valid when endpoint_key is set)
    std::string endpoint_key;  ///< "scheme://host:port" of endpoint
    SteadyTime sent_at{};      ///< when the request in flight was handed to the connection
    bool sent = false;         ///< a request is in flight on the connection
    int redirects = 0;
    std::uint64_t generation = 0;
  };

  static std::uint64_t Micros(Duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return us > 0 ? static_cast<std::uint64_t>(us) : 0;
  }

  void Finish(size_t c, FetchResult&& r) {
    Channel& ch = Ch(c);
    auto done = std::move(ch.done);
    ch.done = nullptr;
    if (done) done(std::move(r));
  }

  /// A request in flight that the player gave up on (a stop, a rendition switch): the origin
  /// saw it and logs it (nginx: 499), so it is a record too, client_aborted, as the tap's are.
  void RecordAbort(size_t c) {
    Channel& ch = Ch(c);
    ch.sent = false;
    measure::RequestRecord rec = BaseRecord(c);
    rec.error = RequestError::kClientAborted;
    rec.started = ch.sent_at;
    rec.total = e_.loop_.clock().Now() - ch.sent_at;
    e_.records_.OnRequestComplete(rec);
  }

  void FailBeforeSending(size_t c, RequestError error, const std::string& why) {
    log::Debug("viewer {}: {}: {}", id_, Ch(c).url, why);
    measure::RequestRecord rec = BaseRecord(c);
    rec.error = error;
    e_.records_.OnRequestComplete(rec);
    FetchResult r;
    r.error = error;
    r.final_url = Ch(c).url;
    Finish(c, std::move(r));
  }

  measure::RequestRecord BaseRecord(size_t c) const {
    const Channel& ch = Ch(c);
    measure::RequestRecord rec;
    rec.viewer_id = id_;
    rec.kind = ch.req.kind;
    rec.media_duration_s = ch.req.media_duration_s;
    rec.started = e_.loop_.clock().Now();
    rec.method = "GET";
    rec.path = ch.url;
    return rec;
  }

  void Issue(size_t c) {
    Channel& ch = Ch(c);
    auto parts = hls::ParseHttpUrl(ch.url);
    if (!parts) {
      const std::string why = parts.error().detail;
      const std::uint64_t gen = ch.generation;
      e_.loop_.Post([this, c, gen, why, alive = alive_] {
        if (*alive && Ch(c).generation == gen)
          FailBeforeSending(c, RequestError::kBadResponse, why);
      });
      return;
    }
    std::string host = parts->host;
    if (!e_.cfg_.resolve_ip.empty() && Lower(host) == e_.resolve_host_) host = e_.cfg_.resolve_ip;
    // A kept-alive connection to the same origin is reused without asking DNS again, as a
    // browser's connection pool does: a slow or failing resolver does not stall playing viewers.
    std::string key = fmt::format("{}://{}:{}", parts->scheme, Lower(host), parts->port);
    if (ch.conn->open() && key == ch.endpoint_key) {
      SendTo(c, *parts, ch.endpoint);
      return;
    }
    const std::uint64_t gen = ch.generation;
    e_.resolver_->Resolve(
        host, parts->port,
        [this, c, gen, alive = alive_, url_parts = *parts,
         key = std::move(key)](Result<std::shared_ptr<const http::Answer>> answer) {
          if (!*alive || halted_ || Ch(c).generation != gen) return;
          if (!answer) {
            ++e_.resolve_errors_;
            FailBeforeSending(c, RequestError::kResolve, answer.error().detail);
            return;
          }
          Channel& chan = Ch(c);
          // Viewers spread over every address the name answered, as
          // independent clients do.
          const http::Address& a =
              (*answer)->addresses[static_cast<size_t>(id_) % (*answer)->addresses.size()];
          chan.endpoint.addr = a.addr;
          chan.endpoint.addr_len = a.len;
          chan.endpoint.host = url_parts.host;
          chan.endpoint.tls = url_parts.scheme == "https";
          chan.endpoint_key = key;
          SendTo(c, url_parts, chan.endpoint);
        });
  }

  void SendTo(size_t c, const hls::UrlParts& parts, const http::Endpoint& to) {
    Channel& ch = Ch(c);
    http::Request req;
    req.target = parts.path_and_query;
    req.host_header = parts.HostHeader();
    req.extra_headers = user_agent_line_ + e_.common_headers_;
    if (e_.cfg_.cmcd != config::CmcdMode::kOff) {
      // Made when sent (a redirect sends it again): nothing kept per viewer but the request's
      // few CMCD integers. The request records keep the URL without it.
      const std::string sid = cmcd::SessionId(e_.cmcd_sid_prefix_, static_cast<std::uint64_t>(id_));
      const cmcd::Session session{sid, e_.cfg_.cmcd_cid};
      if (e_.cfg_.cmcd == config::CmcdMode::kQuery) {
        req.target = cmcd::AppendQuery(req.target, ch.req.cmcd, session);
      } else {
        req.extra_headers += cmcd::HeaderLines(ch.req.cmcd, session);
      }
    }
    if (ch.req.range) {
      req.extra_headers += fmt::format("Range: bytes={}-{}\r\n", ch.req.range->offset,
                                       ch.req.range->offset + ch.req.range->length - 1);
    }
    req.keep_body = ch.req.want_body;
    req.ttfb_timeout = ch.req.ttfb_timeout;
    req.total_timeout = ch.req.total_timeout;
    req.connect_timeout = ch.req.ttfb_timeout;
    const std::uint64_t gen = ch.generation;
    ch.sent = true;
    ch.sent_at = e_.loop_.clock().Now();
    ch.conn->Send(to, std::move(req), [this, c, gen](http::Response&& r) {
      if (halted_ || Ch(c).generation != gen) return;
      OnResponse(c, std::move(r));
    });
  }

  void OnResponse(size_t c, http::Response&& r) {
    Channel& ch = Ch(c);
    ch.sent = false;
    measure::RequestRecord rec = BaseRecord(c);
    rec.status = r.status;
    rec.body_bytes = r.body_bytes;
    rec.header_bytes = r.header_bytes;
    rec.connect_time = r.connect_time;
    rec.ttfb = r.ttfb;
    rec.total = r.total;
    rec.reused_connection = r.reused;
    rec.error = r.error;
    rec.started = r.started;
    rec.remote = r.remote;
    rec.cache = r.cache;
    if (r.keepalive_retry) e_.counts_.OnEngineCount(EngineCount::kKeepaliveRetry, 1);
    // The same error labels the FFmpeg engine reads from its log, so both engines compare.
    if (r.status >= 400)
      e_.counts_.OnEngineError(r.status >= 500 ? "http_5xx" : "http_4xx", r.status);
    const bool playlist =
        rec.kind == RequestKind::kMaster || rec.kind == RequestKind::kMediaPlaylist;
    if (playlist && r.status >= 200 && r.status < 300 && r.error == RequestError::kNone) {
      rec.playlist_body_hash = std::hash<std::string_view>()(r.body);
      rec.kind = r.body.find("#EXT-X-STREAM-INF") != std::string::npos
                     ? RequestKind::kMaster
                     : RequestKind::kMediaPlaylist;
    }
    e_.records_.OnRequestComplete(rec);
    const bool redirect = r.error == RequestError::kNone && r.status >= 300 && r.status < 400 &&
                          r.status != 304 && !r.location.empty();
    if (redirect && ch.redirects < kMaxRedirects) {
      ++ch.redirects;
      ++e_.redirects_;
      ch.url = hls::ResolveUrl(ch.url, r.location);
      Issue(c);
      return;
    }
    FetchResult out;
    out.status = r.status;
    out.error = r.error;
    out.body_bytes = r.body_bytes;
    out.ttfb = r.connect_time + r.ttfb;  // Send() → first byte: total − ttfb = the transfer
    out.total = r.total;
    out.body = std::move(r.body);
    out.final_url = ch.url;
    Finish(c, std::move(out));
  }

  NativeEngine& e_;
  const int id_;
  const std::string user_agent_line_;
  /// Made on first use: the main channel always, the audio and LL-HLS live channels only for
  /// viewers that play them.
  std::array<std::unique_ptr<Channel>, player::kChannels> channels_;
  Channel& Ch(size_t c) {
    if (!channels_[c]) channels_[c] = std::make_unique<Channel>();
    return *channels_[c];
  }
  const Channel& Ch(size_t c) const { return *channels_[c]; }
  Player player_;
  SteadyTime started_at_{};
  SteadyTime watch_from_{};  ///< watch time counted up to here
  std::int64_t rendition_bw_ = measure::EngineListener::kNoRendition;
  bool halted_ = false;
  bool playing_ = false;
  bool rebuffering_ = false;
  bool play_counted_ = false;  ///< the current play's media time went to stats already

 public:
  /// Media seconds of the current play not yet counted (a live play, or a VOD cut short).
  double UncountedMediaSeconds() const { return play_counted_ ? 0.0 : player_.PlayheadSeconds(); }

 private:
  /// Cleared when the viewer dies: resolver callbacks (posted, not cancellable) check it.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

 public:
  void MarkDead() { *alive_ = false; }
};

Result<std::unique_ptr<NativeEngine>> NativeEngine::Create(EventLoop& loop,
                                                           const config::Config& cfg,
                                                           std::string stream_url,
                                                           measure::RequestListener& records,
                                                           measure::EngineListener& counts) {
  auto parts = hls::ParseHttpUrl(stream_url);
  if (!parts) return tl::unexpected(parts.error());
  std::unique_ptr<NativeEngine> e(
      new NativeEngine(loop, cfg, std::move(stream_url), records, counts));
  e->resolve_host_ = Lower(parts->host);
  // -dangerous turns verification off (as for FFmpeg and the preflight); otherwise the system
  // store, or SSL_CERT_FILE when set.
  auto tls = http::TlsContext::Create(!cfg.dangerous, "");
  if (!tls) return tl::unexpected(tls.error());
  e->tls_ = std::move(*tls);
  e->client_ = std::make_unique<http::ClientShared>(loop, e->tls_.get());
  auto resolver = http::Resolver::Create(loop);
  if (!resolver) return tl::unexpected(resolver.error());
  e->resolver_ = std::move(*resolver);
  // A player with a full buffer fetches nothing for up to 30 s (the end of a VOD): tell the
  // pool's stall watchdog, once a second, which viewers are playing from their buffer.
  NativeEngine* self = e.get();
  e->progress_timer_ = loop.CreateTimer([self] { self->OnProgressTick(); });
  e->progress_timer_->Arm(kProgressPeriod);
  return e;
}

NativeEngine::NativeEngine(EventLoop& loop, const config::Config& cfg, std::string stream_url,
                           measure::RequestListener& records, measure::EngineListener& counts)
    : loop_(loop),
      cfg_(cfg),
      stream_url_(std::move(stream_url)),
      records_(records),
      counts_(counts),
      player_opts_(MakePlayerOptions(cfg, stream_url_)),
      common_headers_(CommonHeaders(cfg)),
      cmcd_sid_prefix_(CmcdSidPrefix()) {}

NativeEngine::~NativeEngine() {
  for (auto& [id, v] : viewers_) {
    v->Halt();
    v->MarkDead();
  }
}

Result<void> NativeEngine::StartSession(int viewer_id, int) {
  if (viewers_.count(viewer_id) != 0) return Fail(ErrorCode::kInternal, "viewer already playing");
  auto v = std::make_unique<Viewer>(*this, viewer_id);
  Viewer& ref = *v;
  if (!cfg_.variant_mix.empty()) ref.player().SetVariant(MixVariant(cfg_.variant_mix, viewer_id));
  viewers_.emplace(viewer_id, std::move(v));
  ref.Start();
  return {};
}

void NativeEngine::StopSession(int viewer_id) {
  EndSession(viewer_id, measure::EndReason::kStopped);
}

void NativeEngine::KillSession(int viewer_id) {
  EndSession(viewer_id, measure::EndReason::kKilled);
}

void NativeEngine::EndSession(int viewer_id, measure::EndReason reason) {
  auto it = viewers_.find(viewer_id);
  if (it == viewers_.end() || it->second->halted()) return;
  counts_.OnEngineCount(EngineCount::kMediaMicrosPlayed,
                        static_cast<std::uint64_t>(it->second->UncountedMediaSeconds() * 1e6));
  it->second->FlushWatch();
  it->second->LeaveRendition();
  it->second->Halt();
  // Never from inside the pool's call or a viewer's own callback: destroy and report later.
  loop_.Post([this, viewer_id, reason] {
    auto found = viewers_.find(viewer_id);
    if (found == viewers_.end()) return;
    found->second->MarkDead();
    viewers_.erase(found);
    if (events_ != nullptr) events_->OnEnded(viewer_id, reason);
  });
}

void NativeEngine::OnProgressTick() {
  for (auto& [id, v] : viewers_) {
    v->OnSweep();
    if (events_ != nullptr && v->Progressing()) events_->OnProgress(id);
  }
  progress_timer_->Arm(kProgressPeriod);
}

NativeEngineStats NativeEngine::stats() const {
  return NativeEngineStats{viewers_.size(), redirects_, resolve_errors_};
}

}  // namespace hs::player
