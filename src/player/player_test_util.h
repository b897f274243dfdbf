// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
#pragma once

// Test doubles for the player: a generated HLS origin whose live playlist grows with fake time,
// a scripted Fetcher that serves it after configurable delays and records every request, and
// a recorder of PlayerEvents. Everything runs on an EventLoop driven by a FakeClock.

#include <array>
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/event_loop.h"
#include "player/fetcher.h"
#include "player/player.h"

namespace hs::player::testing {

/// A media playlist generated at request time. Segments appear one per `appear_every` after t0
/// (`initial` are there at t0); the window keeps the last `window`; msn starts at `first_msn`.
struct Stream {
  std::string prefix = "http://o/v/";  ///< URIs are written relative; the playlist lives here
  SteadyTime t0{};
  double seg_s = 2.0;
  int target_duration = 2;
  double appear_every_s = 2.0;
  int window = 6;
  std::uint64_t first_msn = 100;
  int initial = 10;
  std::optional<int> end_after;  ///< total segments after which ENDLIST appears
  bool vod = false;              ///< all `initial` segments, ENDLIST from the start
  std::string ext = "ts";
  int map_every = 0;  ///< fMP4: EXT-X-MAP "init<msn/map_every>.mp4" (0 = none)
  bool map_range = false;
  int key_every = 0;       ///< EXT-X-KEY "key<msn/key_every>.bin" (0 = none)
  bool byterange = false;  ///< every segment a 1000-byte range of "all.ts"
  std::string extra_header;
  /// EXT-X-PROGRAM-DATE-TIME on every segment: segment i (from first_msn) starts at
  /// pdt_t0_ms + (i - initial) × seg_s, so each segment becomes available as it ends.
  std::optional<std::int64_t> pdt_t0_ms;

  static std::string IsoDate(std::int64_t ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
  }

  int Available(SteadyTime now) const {
    if (vod) return initial;
    int n = initial + static_cast<int>(std::floor(ToSeconds(now - t0) / appear_every_s + 1e-9));
    return end_after ? std::min(n, *end_after) : n;
  }
  bool Ended(SteadyTime now) const { return vod || (end_after && Available(now) >= *end_after); }
  std::uint64_t FirstInWindow(SteadyTime now) const {
    const int n = Available(now);
    return first_msn + (vod || n <= window ? 0 : static_cast<std::uint64_t>(n - window));
  }
  std::string Body(SteadyTime now) const {
    const std::uint64_t end = first_msn + static_cast<std::uint64_t>(Available(now));
    const std::uint64_t first = FirstInWindow(now);
    std::string b =
        fmt::format("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:{}\n", target_duration);
    b += fmt::format("#EXT-X-MEDIA-SEQUENCE:{}\n{}", first, extra_header);
    if (vod) b += "#EXT-X-PLAYLIST-TYPE:VOD\n";
    for (std::uint64_t msn = first; msn < end; ++msn) {
      if (map_every) {
        b += fmt::format("#EXT-X-MAP:URI=\"init{}.mp4\"{}\n", msn / map_every,
                         map_range ? ",BYTERANGE=\"500@0\"" : "");
      }
      if (key_every)
        b += fmt::format("#EXT-X-KEY:METHOD=AES-128,URI=\"key{}.bin\"\n", msn / key_every);
      if (pdt_t0_ms) {
        const auto i = static_cast<double>(msn - first_msn) - initial;
        b += "#EXT-X-PROGRAM-DATE-TIME:" +
             IsoDate(*pdt_t0_ms + static_cast<std::int64_t>(std::llround(i * seg_s * 1000))) + "\n";
      }
      b += fmt::format("#EXTINF:{:.3f},\n", seg_s);
      if (byterange) {
        b += fmt::format("#EXT-X-BYTERANGE:1000@{}\nall.{}\n", msn * 1000, ext);
      } else {
        b += fmt::format("seg{}.{}\n", msn, ext);
      }
    }
    if (Ended(now)) b += "#EXT-X-ENDLIST\n";
    return b;
  }
};

/// An LL-HLS live stream generated at request time (SPEC §13), with a server's blocking
/// reloads, held preload hints and delta updates. Media time: segment j (msn first_msn + j)
/// spans [j × seg_s, (j + 1) × seg_s); at t0 the first `initial` segments are complete, and the
/// live edge then advances in real time. A part exists once its end is at or before the edge;
/// PDT = pdt_t0_ms at the edge of t0 (a latency of 0 at the edge).
struct LlStream {
  std::string prefix = "http://o/ll/";  ///< the playlist is prefix + "stream.m3u8"
  SteadyTime t0{};
  int parts_per_segment = 4;
  double part_s = 0.5;
  std::uint64_t first_msn = 100;
  int initial = 10;
  int window = 8;               ///< complete segments listed
  int parts_segments = 3;       ///< complete segments that still list their parts
  bool all_independent = true;  ///< else INDEPENDENT on part 0 only
  bool can_skip = true;         ///< CAN-SKIP-UNTIL = 6 × TD
  std::int64_t pdt_t0_ms = 1'700'000'000'000;
  std::vector<std::string> reports;  ///< EXT-X-RENDITION-REPORT URIs written (LAST-MSN/PART)

  double seg_s() const { return parts_per_segment * part_s; }
  double Edge(SteadyTime now) const { return initial * seg_s() + ToSeconds(now - t0); }
  /// Parts in existence (from msn first_msn's part 0), counted across segments.
  std::uint64_t PartsAt(SteadyTime now) const {
    return static_cast<std::uint64_t>(std::floor(Edge(now) / part_s + 1e-9));
  }
  /// When part `index` (counted from first_msn's part 0) comes to exist.
  SteadyTime PartAppears(std::uint64_t index) const {
    return t0 + FromSecondsRounded((static_cast<double>(index) + 1) * part_s - initial * seg_s());
  }
  static Duration FromSecondsRounded(double s) {
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
  }
  std::string Body(SteadyTime now, bool skip) const {
    const std::uint64_t parts = PartsAt(now);
    const auto pps = static_cast<std::uint64_t>(parts_per_segment);
    const std::uint64_t complete = parts / pps;  // complete segments since first_msn
    const std::uint64_t first = complete > static_cast<std::uint64_t>(window)
                                    ? complete - static_cast<std::uint64_t>(window)
                                    : 0;
    std::string b = fmt::format(
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:{}\n#EXT-X-PART-INF:PART-TARGET={:.3f}\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3f}{}\n"
        "#EXT-X-MEDIA-SEQUENCE:{}\n#EXT-X-MAP:URI=\"init.mp4\"\n",
        static_cast<int>(std::ceil(seg_s())), part_s, 3 * part_s,
        can_skip ? fmt::format(",CAN-SKIP-UNTIL={:.1f}", 6 * std::ceil(seg_s())) : "",
        first_msn + first);
    std::uint64_t from = first;
    if (skip && can_skip) {
      // Segments ending at least CAN-SKIP-UNTIL before the end can be skipped.
      const double until = 6 * std::ceil(seg_s());
      std::uint64_t n = 0;
      while (first + n < complete &&
             Edge(now) - static_cast<double>(first + n + 1) * seg_s() >= until) {
        ++n;
      }
      if (n > 0) b += fmt::format("#EXT-X-SKIP:SKIPPED-SEGMENTS={}\n", n);
      from = first + n;
    }
    for (std::uint64_t j = from; j <= complete; ++j) {
      const std::uint64_t msn = first_msn + j;
      const std::uint64_t have = j < complete ? pps : parts - complete * pps;
      if (j == complete && have == 0) break;
      b += "#EXT-X-PROGRAM-DATE-TIME:" +
           Stream::IsoDate(pdt_t0_ms +
                           static_cast<std::int64_t>(std::llround(
                               (static_cast<double>(j) * seg_s() - initial * seg_s()) * 1000))) +
           "\n";
      if (j + static_cast<std::uint64_t>(parts_segments) >= complete) {
        for (std::uint64_t k = 0; k < have; ++k) {
          b += fmt::format("#EXT-X-PART:DURATION={:.5f},URI=\"part{}.{}.m4s\"{}\n", part_s, msn, k,
                           all_independent || k == 0 ? ",INDEPENDENT=YES" : "");
        }
      }
      if (j < complete) b += fmt::format("#EXTINF:{:.5f},\nseg{}.m4s\n", seg_s(), msn);
    }
    b += fmt::format("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part{}.{}.m4s\"\n",
                     first_msn + parts / pps, parts % pps);
    for (const std::string& uri : reports) {
      b += fmt::format("#EXT-X-RENDITION-REPORT:URI=\"{}\",LAST-MSN={},LAST-PART={}\n", uri,
                       first_msn + (parts - 1) / pps, (parts - 1) % pps);
    }
    return b;
  }
  /// The index (from first_msn's part 0) of part `msn`.`part`.
  std::uint64_t IndexOf(std::uint64_t msn, std::uint64_t part) const {
    return (msn - first_msn) * static_cast<std::uint64_t>(parts_per_segment) + part;
  }
};

/// The value of query parameter \a key in \a url, or nullopt.
inline std::optional<std::string> QueryParam(const std::string& url, const std::string& key) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return std::nullopt;
  std::size_t at = q + 1;
  while (at < url.size()) {
    std::size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    const std::string pair = url.substr(at, end - at);
    if (pair.compare(0, key.size() + 1, key + "=") == 0) return pair.substr(key.size() + 1);
    at = end + 1;
  }
  return std::nullopt;
}

/// What the fake origin answers.
struct Response {
  int status = 200;
  std::string body;
  Duration delay = std::chrono::milliseconds(10);
  measure::RequestError error = measure::RequestError::kNone;
  std::uint64_t bytes = 0;  ///< body bytes reported (0: the body's size)
  Duration ttfb{};          ///< of `delay`: the rest is the transfer (ABR samples)
};

/// One request the player made.
struct Request {
  FetchRequest req;
  SteadyTime at;
  std::string body;  ///< what was answered
  int status = 0;
};

/// Serves requests through `route` after each response's delay; one pending answer per channel.
class FakeFetcher final : public Fetcher {
 public:
  explicit FakeFetcher(EventLoop& loop) : loop_(loop) {
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      pending_[i].timer = loop_.CreateTimer([this, i] { Answer(i); });
    }
  }
  std::function<Response(const FetchRequest&, SteadyTime)> route;
  std::vector<Request> requests;
  int cancels = 0;

  void Fetch(const FetchRequest& req, std::function<void(FetchResult&&)> done) override {
    Pending& p = pending_[static_cast<std::size_t>(req.channel)];
    EXPECT_FALSE(p.done) << "two fetches outstanding on one channel: " << req.url;
    const SteadyTime now = loop_.clock().Now();
    Response resp = route(req, now);
    requests.push_back({req, now, resp.body, resp.status});
    p.done = std::move(done);
    p.result.status = resp.status;
    p.result.error = resp.error;
    const std::size_t body_size = resp.body.size();
    p.result.body = req.want_body ? std::move(resp.body) : std::string();
    p.result.final_url = req.url;
    p.result.body_bytes = resp.bytes != 0 ? resp.bytes : body_size;
    p.result.ttfb = resp.ttfb;
    p.result.total = resp.delay;
    p.timer->Arm(resp.delay);
  }
  void Cancel(Channel channel) override {
    Pending& p = pending_[static_cast<std::size_t>(channel)];
    if (p.done) ++cancels;
    p.done = nullptr;
    p.timer->Cancel();
  }

  std::vector<const Request*> Of(measure::RequestKind kind) const {
    std::vector<const Request*> out;
    for (const Request& r : requests) {
      if (r.req.kind == kind) out.push_back(&r);
    }
    return out;
  }

 private:
  struct Pending {
    std::unique_ptr<Timer> timer;
    std::function<void(FetchResult&&)> done;
    FetchResult result;
  };
  void Answer(std::size_t i) {
    Pending& p = pending_[i];
    auto done = std::move(p.done);
    p.done = nullptr;
    FetchResult r = std::move(p.result);
    p.result = FetchResult{};
    if (done) done(std::move(r));
  }
  EventLoop& loop_;
  std::array<Pending, kChannels> pending_;
};

/// Records every PlayerEvents call with its fake time.
struct Recorder final : PlayerEvents {
  explicit Recorder(const Clock& clock) : clock_(clock) {}
  std::vector<std::pair<SteadyTime, Duration>> playing;
  std::vector<SteadyTime> segments, rebuffer_starts, completed_at;
  std::vector<Duration> rebuffer_ends;
  std::vector<double> completed;
  int skipped = 0, failed = 0, reload_failed = 0;
  std::vector<std::pair<measure::EndReason, std::string>> ended;
  SteadyTime ended_at{};
  std::function<void()> on_any;

  void OnPlaying(Duration startup) override { playing.emplace_back(clock_.Now(), startup); }
  void OnSegment(double) override { segments.push_back(clock_.Now()); }
  void OnRebufferStart() override { rebuffer_starts.push_back(clock_.Now()); }
  void OnRebufferEnd(Duration d) override { rebuffer_ends.push_back(d); }
  void OnSegmentSkipped() override { ++skipped; }
  void OnSegmentFailed() override { ++failed; }
  void OnPlaylistReloadFailed() override { ++reload_failed; }
  void OnPlayCompleted(double media_s) override {
    completed.push_back(media_s);
    completed_at.push_back(clock_.Now());
  }
  std::vector<std::pair<std::uint64_t, bool>> renditions;  ///< OnRendition calls
  void OnRendition(std::uint64_t bandwidth, bool is_switch) override {
    renditions.emplace_back(bandwidth, is_switch);
  }
  void OnEnded(measure::EndReason reason, std::string why) override {
    ended.emplace_back(reason, std::move(why));
    ended_at = clock_.Now();
  }

 private:
  const Clock& clock_;
};

}  // namespace hs::player::testing
