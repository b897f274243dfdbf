// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The player on a fake clock against a generated origin: live start, sequence tracking, reload
// pacing (RFC 8216 §6.3.3/§6.3.4, hls.js), VOD pacing and end, init/key/byterange, audio,
// rebuffering and failures. No sockets, no sleeps.
#include "player/player.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/test_util.h"

#include "player/player_test_util.h"

namespace hs::player {
namespace {

using measure::EndReason;
using measure::RequestKind;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeFetcher;
using testing::Recorder;
using testing::Response;
using testing::Stream;

constexpr const char* kMasterUrl = "http://o/master.m3u8";

struct PlayerTest : ::testing::Test {
  FakeClock clock_;
  EventLoop loop_{clock_};
  FakeFetcher fetcher_{loop_};
  PlaylistCache cache_;
  Recorder rec_{clock_};
  PlayerOptions opts_;
  std::unique_ptr<Player> player_;
  SteadyTime t0_ = clock_.Now();
  Stream video_;
  Stream audio_;
  std::string master_ = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv/index.m3u8\n";
  Duration segment_delay_ = milliseconds(10);
  std::function<std::optional<Response>(const FetchRequest&)> override_;

  PlayerTest() {
    video_.t0 = audio_.t0 = t0_;
    audio_.prefix = "http://o/a/";
    opts_.url = kMasterUrl;
    fetcher_.route = [this](const FetchRequest& req, SteadyTime now) {
      if (override_) {
        if (std::optional<Response> r = override_(req)) return *r;
      }
      Response r;
      if (req.url == kMasterUrl) {
        r.body = master_;
      } else if (req.url.rfind(video_.prefix, 0) == 0 &&
                 req.url.find(".m3u8") != std::string::npos) {
        r.body = video_.Body(now);
      } else if (req.url.rfind(audio_.prefix, 0) == 0 &&
                 req.url.find(".m3u8") != std::string::npos) {
        r.body = audio_.Body(now);
      } else if (req.url.find("/v/") != std::string::npos ||
                 req.url.find("/a/") != std::string::npos) {
        r.delay = segment_delay_;
        r.body = "media";
      } else {
        r.status = 404;
      }
      return r;
    };
  }

  void Make() { player_ = std::make_unique<Player>(loop_, opts_, fetcher_, cache_, rec_); }
  void RunUntil(SteadyTime until) { test::StepUntil(loop_, clock_, until); }
  void RunFor(Duration d) { RunUntil(clock_.Now() + d); }

  // The media sequence numbers of the segment requests for URLs under \a prefix, in order.
  std::vector<std::uint64_t> SegmentMsns(const std::string& prefix) const {
    std::vector<std::uint64_t> out;
    for (const auto* r : fetcher_.Of(RequestKind::kSegment)) {
      if (r->req.url.rfind(prefix, 0) != 0) continue;
      const auto pos = r->req.url.find("seg");
      if (pos != std::string::npos) out.push_back(std::stoull(r->req.url.substr(pos + 3)));
    }
    return out;
  }
};

TEST_F(PlayerTest, LiveStartsThreeTargetDurationsFromTheEdgeAndFetchesEachSegmentOnce) {
  Make();
  player_->Start();
  RunFor(seconds(60));
  EXPECT_EQ(fetcher_.Of(RequestKind::kMaster).size(), 1u);
  // At t0 the window is msn 104..109 (12 s); 3 × TD = 6 s from its end is msn 107.
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  ASSERT_GE(msns.size(), 30u);
  EXPECT_EQ(msns.front(), 107u);
  for (std::size_t i = 1; i < msns.size(); ++i) ASSERT_EQ(msns[i], msns[i - 1] + 1) << i;
  // Start to edge back to back (3 segments within the first ~100 ms), then one per new segment.
  const auto segs = fetcher_.Of(RequestKind::kSegment);
  EXPECT_LT(segs[2]->at - t0_, milliseconds(200));
  EXPECT_GT(segs[3]->at - t0_, seconds(1));
  ASSERT_EQ(rec_.playing.size(), 1u);
  EXPECT_EQ(rec_.playing[0].second, milliseconds(30));  // master, playlist, first segment
  EXPECT_EQ(rec_.skipped, 0);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
  EXPECT_TRUE(rec_.ended.empty());
  EXPECT_EQ(fetcher_.Of(RequestKind::kMaster)[0]->req.channel, Channel::kMain);
  EXPECT_EQ(segs[0]->req.media_duration_s, 2.0);
  EXPECT_EQ(segs[0]->req.total_timeout, seconds(120));
}

// RFC 8216 §6.3.4 / hls.js computeReloadInterval: changed → TD (or the last segment when
// shorter, near the edge), unchanged → TD/2, measured from the start of the previous reload.
void ExpectReloadSpacing(const FakeFetcher& fetcher, const std::string& url, double td,
                         double last_seg_s, int* unchanged_seen) {
  std::vector<const testing::Request*> reloads;
  for (const auto* r : fetcher.Of(RequestKind::kMediaPlaylist)) {
    if (r->req.url == url) reloads.push_back(r);
  }
  ASSERT_GE(reloads.size(), 5u);
  for (std::size_t i = 1; i < reloads.size(); ++i) {
    const bool changed = i == 1 || reloads[i - 1]->body != reloads[i - 2]->body;
    const double expected = changed ? std::min(td, last_seg_s) : td / 2;
    const double gap = ToSeconds(reloads[i]->at - reloads[i - 1]->at);
    EXPECT_NEAR(gap, expected, expected * 0.1) << "reload " << i << (changed ? " changed" : "");
    if (!changed) ++*unchanged_seen;
  }
}

TEST_F(PlayerTest, LiveReloadSpacingFollowsRfc8216AndHlsJs) {
  // The origin adds a 4 s segment every 6 s: some reloads find nothing new.
  video_.appear_every_s = 6;
  video_.seg_s = 4;
  video_.target_duration = 4;
  video_.initial = 12;
  Make();
  player_->Start();
  RunFor(seconds(120));
  int unchanged = 0;
  ExpectReloadSpacing(fetcher_, "http://o/v/index.m3u8", 4, 4, &unchanged);
  EXPECT_GT(unchanged, 3);
  // Segments arrive slower than real time: the playhead catches up with the buffer.
  EXPECT_FALSE(rec_.rebuffer_starts.empty());
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  for (std::size_t i = 1; i < msns.size(); ++i) ASSERT_EQ(msns[i], msns[i - 1] + 1) << i;
}

TEST_F(PlayerTest, LiveReloadEveryTargetDurationWhenTheStreamKeepsUp) {
  Make();
  player_->Start();
  RunFor(seconds(40));
  int unchanged = 0;
  ExpectReloadSpacing(fetcher_, "http://o/v/index.m3u8", 2, 2, &unchanged);
}

TEST_F(PlayerTest, ExtXStartTimeOffsetWins) {
  video_.extra_header = "#EXT-X-START:TIME-OFFSET=-10.0\n";
  Make();
  player_->Start();
  RunFor(seconds(5));
  // Window 104..109 = 12 s; 10 s from the end is 2 s in: msn 105.
  ASSERT_FALSE(SegmentMsns("http://o/v/").empty());
  EXPECT_EQ(SegmentMsns("http://o/v/").front(), 105u);
}

TEST_F(PlayerTest, MediaPlaylistUrlPlaysDirectly) {
  opts_.url = "http://o/v/index.m3u8";
  Make();
  player_->Start();
  RunFor(seconds(10));
  EXPECT_EQ(fetcher_.requests.front().req.kind, RequestKind::kMaster);
  EXPECT_EQ(SegmentMsns("http://o/v/").front(), 107u);
  EXPECT_EQ(rec_.playing.size(), 1u);
}

TEST_F(PlayerTest, SegmentsThatLeaveTheWindowUnfetchedAreSkipped) {
  video_.window = 3;
  segment_delay_ = seconds(5);  // 2 s of media every 5 s: the window overtakes the player
  Make();
  player_->Start();
  RunFor(seconds(60));
  EXPECT_GT(rec_.skipped, 0);
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  for (std::size_t i = 1; i < msns.size(); ++i) ASSERT_GT(msns[i], msns[i - 1]) << i;
  std::set<std::uint64_t> unique(msns.begin(), msns.end());
  EXPECT_EQ(unique.size(), msns.size());
  EXPECT_EQ(rec_.rebuffer_starts.size(),
            rec_.rebuffer_ends.size() + (player_->BufferedAheadSeconds() <= 0 ? 1 : 0));
}

TEST_F(PlayerTest, VodStaysWithinMaxBufferAheadOfThePlayhead) {
  video_.vod = true;
  video_.initial = 100;  // 200 s
  opts_.restart_vod = false;
  Make();
  player_->Start();
  RunFor(seconds(400));
  ASSERT_EQ(rec_.playing.size(), 1u);
  const SteadyTime playing_at = rec_.playing[0].first;
  const auto segs = fetcher_.Of(RequestKind::kSegment);
  ASSERT_EQ(segs.size(), 100u);
  double max_ahead = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const double playhead = std::max(0.0, ToSeconds(segs[i]->at - playing_at));
    const double media_end = 2.0 * static_cast<double>(i + 1);
    max_ahead = std::max(max_ahead, media_end - playhead);
    EXPECT_LE(media_end - playhead, 30.0 + 2.0 + 1e-6) << i;
  }
  EXPECT_GT(max_ahead, 30.0);  // the buffer did fill up to the limit
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  EXPECT_EQ(msns.front(), 100u);
  ASSERT_EQ(rec_.completed.size(), 1u);
  EXPECT_DOUBLE_EQ(rec_.completed[0], 200.0);
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kCompleted);
  EXPECT_EQ(rec_.ended_at - rec_.completed_at[0], seconds(2));
  EXPECT_NEAR(ToSeconds(rec_.completed_at[0] - playing_at), 200.0, 0.01);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
  EXPECT_EQ(fetcher_.Of(RequestKind::kMediaPlaylist).size(), 1u);  // a VOD is not reloaded
}

TEST_F(PlayerTest, UnpacedVodCompletesAsSoonAsEverySegmentIsIn) {
  // -pace=false: a throughput stress, not a viewer: no 30 s buffer cap, no real-time playout.
  video_.vod = true;
  video_.initial = 100;  // 200 s of media
  opts_.restart_vod = false;
  opts_.realtime = false;
  opts_.max_buffer_ahead = std::chrono::hours(1);
  opts_.vod_restart_pause = Duration::zero();
  Make();
  player_->Start();
  RunFor(seconds(30));
  EXPECT_EQ(fetcher_.Of(RequestKind::kSegment).size(), 100u);
  ASSERT_EQ(rec_.completed.size(), 1u);
  EXPECT_DOUBLE_EQ(rec_.completed[0], 200.0);
  EXPECT_LT(ToSeconds(rec_.completed_at[0] - rec_.playing[0].first), 30.0);
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kCompleted);
}

TEST_F(PlayerTest, VodRestartsFromTheMasterAfterThePause) {
  video_.vod = true;
  video_.initial = 5;
  Make();
  player_->Start();
  RunFor(seconds(30));
  ASSERT_GE(rec_.completed.size(), 2u);
  EXPECT_EQ(rec_.completed[0], 10.0);
  const auto masters = fetcher_.Of(RequestKind::kMaster);
  ASSERT_GE(masters.size(), 2u);
  EXPECT_EQ(masters[1]->at, rec_.completed_at[0] + seconds(2));
  EXPECT_EQ(rec_.playing.size(), masters.size());
  EXPECT_EQ(rec_.playing[1].second, milliseconds(30));
  EXPECT_TRUE(rec_.ended.empty());
}

TEST_F(PlayerTest, RebufferingWhenSegmentsArriveSlowerThanRealTime) {
  video_.vod = true;
  video_.initial = 10;
  opts_.restart_vod = false;
  segment_delay_ = seconds(3);
  Make();
  player_->Start();
  RunFor(seconds(60));
  EXPECT_GE(rec_.rebuffer_starts.size(), 5u);
  EXPECT_EQ(rec_.rebuffer_ends.size(), rec_.rebuffer_starts.size());
  for (Duration d : rec_.rebuffer_ends) EXPECT_EQ(d, seconds(1));  // 3 s per 2 s segment
  ASSERT_EQ(rec_.completed.size(), 1u);
  EXPECT_DOUBLE_EQ(rec_.completed[0], 20.0);
}

TEST_F(PlayerTest, EndListAppearingOnLivePlaysToTheEnd) {
  video_.end_after = 16;  // msn 100..115
  opts_.restart_vod = false;
  Make();
  player_->Start();
  RunFor(seconds(60));
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  ASSERT_FALSE(msns.empty());
  EXPECT_EQ(msns.back(), 115u);
  ASSERT_EQ(rec_.completed.size(), 1u);
  EXPECT_DOUBLE_EQ(rec_.completed[0], 2.0 * static_cast<double>(msns.size()));
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kCompleted);
  const auto playlists = fetcher_.Of(RequestKind::kMediaPlaylist);
  EXPECT_LT(playlists.back()->at, rec_.ended_at);
  EXPECT_EQ(fetcher_.requests.back().at <= rec_.ended_at, true);
}

TEST_F(PlayerTest, Fmp4InitOncePerMapAndKeyOncePerUri) {
  video_.ext = "m4s";
  video_.map_every = 5;  // init21.mp4 for msn 105..109, init22.mp4 from 110, ...
  video_.key_every = 4;
  Make();
  player_->Start();
  RunFor(seconds(40));
  const auto inits = fetcher_.Of(RequestKind::kInit);
  const auto keys = fetcher_.Of(RequestKind::kKey);
  std::set<std::string> init_urls, key_urls;
  for (const auto* r : inits) EXPECT_TRUE(init_urls.insert(r->req.url).second) << r->req.url;
  for (const auto* r : keys) {
    EXPECT_TRUE(key_urls.insert(r->req.url).second) << r->req.url;
    EXPECT_TRUE(r->req.want_body);
  }
  // Segments 107.. over ~40 s: 107..126 → init21..init25 and key26..key31.
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  ASSERT_FALSE(msns.empty());
  std::set<std::uint64_t> maps, key_ids;
  for (std::uint64_t m : msns) {
    maps.insert(m / 5);
    key_ids.insert(m / 4);
  }
  EXPECT_EQ(init_urls.size(), maps.size());
  EXPECT_EQ(key_urls.size(), key_ids.size());
  EXPECT_EQ(*init_urls.begin(), "http://o/v/init21.mp4");
  // Each init and key comes right before the first segment that needs it.
  for (std::size_t i = 0; i < fetcher_.requests.size(); ++i) {
    const auto& r = fetcher_.requests[i];
    if (r.req.kind != RequestKind::kInit) continue;
    ASSERT_LT(i + 1, fetcher_.requests.size());
    EXPECT_EQ(fetcher_.requests[i + 1].req.kind, RequestKind::kSegment);
  }
}

TEST_F(PlayerTest, ByteRangesBecomeRangeRequests) {
  video_.byterange = true;
  video_.map_every = 1000;
  video_.map_range = true;
  Make();
  player_->Start();
  RunFor(seconds(10));
  const auto segs = fetcher_.Of(RequestKind::kSegment);
  ASSERT_GE(segs.size(), 4u);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    ASSERT_TRUE(segs[i]->req.range) << i;
    EXPECT_EQ(segs[i]->req.url, "http://o/v/all.ts");
    EXPECT_EQ(segs[i]->req.range->length, 1000u);
    EXPECT_EQ(segs[i]->req.range->offset, (107 + i) * 1000);
  }
  const auto inits = fetcher_.Of(RequestKind::kInit);
  ASSERT_EQ(inits.size(), 1u);
  ASSERT_TRUE(inits[0]->req.range);
  EXPECT_EQ(inits[0]->req.range->length, 500u);
  EXPECT_EQ(inits[0]->req.range->offset, 0u);
}

TEST_F(PlayerTest, AudioRenditionIsFetchedAlongsideItsVariant) {
  master_ =
      "#EXTM3U\n"
      "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"fr\",URI=\"a/fr.m3u8\"\n"
      "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aud\",NAME=\"en\",DEFAULT=YES,URI=\"a/index.m3u8\"\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=800000,AUDIO=\"aud\"\nv/index.m3u8\n";
  audio_.seg_s = 2.0;
  Make();
  player_->Start();
  RunFor(seconds(30));
  std::size_t audio_playlists = 0;
  for (const auto* r : fetcher_.Of(RequestKind::kMediaPlaylist)) {
    if (r->req.url == "http://o/a/index.m3u8") {
      ++audio_playlists;
      EXPECT_EQ(r->req.channel, Channel::kAudio);
    } else {
      EXPECT_EQ(r->req.url, "http://o/v/index.m3u8");
      EXPECT_EQ(r->req.channel, Channel::kMain);
    }
  }
  EXPECT_GE(audio_playlists, 10u);
  const std::vector<std::uint64_t> a = SegmentMsns("http://o/a/");
  const std::vector<std::uint64_t> v = SegmentMsns("http://o/v/");
  ASSERT_GE(a.size(), 15u);
  EXPECT_EQ(a.front(), 107u);
  EXPECT_EQ(v.front(), 107u);
  EXPECT_LE(a.size() > v.size() ? a.size() - v.size() : v.size() - a.size(), 1u);
  for (const auto* r : fetcher_.Of(RequestKind::kSegment)) {
    EXPECT_EQ(r->req.channel,
              r->req.url.find("/a/") != std::string::npos ? Channel::kAudio : Channel::kMain);
  }
  ASSERT_EQ(rec_.playing.size(), 1u);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
}

TEST_F(PlayerTest, HighestAndLowestChooseByBandwidthFromTheMasterAlone) {
  master_ =
      "#EXTM3U\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=800000\nv/mid.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2800000\nv/high.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=400000\nv/low.m3u8\n";
  for (auto [choice, url] : {std::pair{config::Variant::kHighest, "http://o/v/high.m3u8"},
                             std::pair{config::Variant::kLowest, "http://o/v/low.m3u8"},
                             std::pair{config::Variant::kFirst, "http://o/v/mid.m3u8"},
                             std::pair{config::Variant::kAll, "http://o/v/mid.m3u8"}}) {
    fetcher_.requests.clear();
    opts_.variant = choice;
    Make();
    player_->Start();
    RunFor(seconds(10));
    player_->Stop();
    std::set<std::string> playlists;
    for (const auto* r : fetcher_.Of(RequestKind::kMediaPlaylist)) playlists.insert(r->req.url);
    EXPECT_EQ(playlists, std::set<std::string>{url});
  }
}

// -variant abr against a link of a given rate: three renditions (400k, 1M, 2M) whose 2 s
// segments are BANDWIDTH × 2 s big and download at `link_bps` (plus 20 ms to the first byte).
struct AbrTest : PlayerTest {
  std::map<std::string, Stream> streams_;
  double link_bps_ = 1.5e6;

  AbrTest() {
    master_ =
        "#EXTM3U\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=1000000,RESOLUTION=960x540\nmid/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=640x360\nlo/index.m3u8\n"
        "#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\nhi/index.m3u8\n";
    opts_.variant = config::Variant::kAbr;
    for (const char* name : {"lo", "mid", "hi"}) {
      Stream st = video_;
      st.prefix = fmt::format("http://o/{}/", name);
      streams_[name] = st;
    }
    override_ = [this](const FetchRequest& req) -> std::optional<Response> {
      for (const auto& [name, st] : streams_) {
        if (req.url.rfind(st.prefix, 0) != 0) continue;
        Response r;
        if (req.url.find(".m3u8") != std::string::npos) {
          r.body = st.Body(clock_.Now());
          return r;
        }
        const double bw = name == "lo" ? 4e5 : name == "mid" ? 1e6 : 2e6;
        r.bytes = static_cast<std::uint64_t>(bw * st.seg_s / 8);
        r.ttfb = milliseconds(20);
        r.delay = r.ttfb + FromSeconds(static_cast<double>(r.bytes) * 8 / link_bps_);
        r.body = "media";
        return r;
      }
      return std::nullopt;
    };
  }

  // (rendition, msn) of every segment request, in order.
  std::vector<std::pair<std::string, std::uint64_t>> Segments() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    for (const auto* r : fetcher_.Of(RequestKind::kSegment)) {
      const std::string& u = r->req.url;
      const auto slash = u.find('/', 9);
      out.emplace_back(u.substr(9, slash - 9), std::stoull(u.substr(u.find("seg") + 3)));
    }
    return out;
  }
};

TEST_F(AbrTest, SettlesOnTheRenditionTheLinkAffordsWithoutRebuffering) {
  Make();
  player_->Start();
  RunFor(seconds(60));
  const auto segs = Segments();
  ASSERT_GE(segs.size(), 30u);
  // 500 kbit/s before a sample → 400k (within 0.95 × 500k); the first sample (1.5 Mbit/s)
  // allows 1M (below 0.7 × 1.5M = 1.05M) but not 2M; 1M is then within 0.95 × estimate.
  EXPECT_EQ(segs.front(), std::pair(std::string("lo"), std::uint64_t{107}));
  EXPECT_EQ(segs[1].first, "mid");
  for (std::size_t i = 1; i < segs.size(); ++i) {
    EXPECT_EQ(segs[i].first, "mid") << i;
    EXPECT_EQ(segs[i].second, segs[i - 1].second + 1) << i;  // continues, no gap, no repeat
  }
  // Samples leave out the wait for the first byte: every one is the link rate exactly.
  EXPECT_NEAR(player_->EstimateBps(), 1.5e6, 1.0);
  ASSERT_EQ(rec_.renditions.size(), 2u);
  EXPECT_EQ(rec_.renditions[0], std::pair(std::uint64_t{400000}, false));
  EXPECT_EQ(rec_.renditions[1], std::pair(std::uint64_t{1000000}, true));
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
  // The switch loaded the new rendition's playlist once, then it is reloaded as usual.
  std::set<std::string> playlists;
  for (const auto* r : fetcher_.Of(RequestKind::kMediaPlaylist)) playlists.insert(r->req.url);
  EXPECT_EQ(playlists,
            (std::set<std::string>{"http://o/lo/index.m3u8", "http://o/mid/index.m3u8"}));
}

TEST_F(AbrTest, FastLinkReachesTheTopAndASlowerOneComesDown) {
  link_bps_ = 50e6;
  Make();
  player_->Start();
  RunFor(seconds(20));
  const auto segs = Segments();
  ASSERT_GE(segs.size(), 5u);
  EXPECT_EQ(segs[0].first, "lo");
  EXPECT_EQ(segs[1].first, "hi");  // straight to the top once an estimate exists
  EXPECT_EQ(segs.back().first, "hi");
  // The link falls to 1.2 Mbit/s: 2M exceeds 0.95 × the estimate once it has decayed, and the
  // player goes down to the highest that fits (1M: within 0.95 × ~1.2M).
  link_bps_ = 1.2e6;
  RunFor(seconds(60));
  const auto later = Segments();
  EXPECT_EQ(later.back().first, "mid");
  for (std::size_t i = 1; i < later.size(); ++i) {
    EXPECT_EQ(later[i].second, later[i - 1].second + 1) << i;
  }
  EXPECT_EQ(rec_.renditions.back(), std::pair(std::uint64_t{1000000}, true));
}

TEST_F(AbrTest, VariantMixPlayersKeepTheirRendition) {
  player_ = std::make_unique<Player>(loop_, opts_, fetcher_, cache_, rec_);
  player_->SetVariant(config::Variant::kHighest);
  link_bps_ = 1e6;  // even when it cannot keep up
  player_->Start();
  RunFor(seconds(30));
  for (const auto& [name, msn] : Segments()) EXPECT_EQ(name, "hi");
  EXPECT_FALSE(rec_.rebuffer_starts.empty());
  ASSERT_EQ(rec_.renditions.size(), 1u);
}

// SPEC §12 "Live latency": now − (PDT of the playing segment + position in it), on a FakeClock.
TEST_F(PlayerTest, LiveLatencyFromProgramDateTime) {
  const std::int64_t wall_t0_ms =
      std::chrono::duration_cast<milliseconds>(clock_.WallNow().time_since_epoch()).count();
  video_.pdt_t0_ms = wall_t0_ms;
  Make();
  EXPECT_FALSE(player_->LiveLatencySeconds());
  player_->Start();
  RunFor(seconds(1));
  // The start segment (3 TD from the end) is msn 107, i = 7 of initial 10: PDT = t0 − 6 s.
  // Playback started after three 10 ms requests.
  ASSERT_EQ(rec_.playing.size(), 1u);
  const double expected = 6.0 + ToSeconds(rec_.playing[0].second);
  ASSERT_TRUE(player_->LiveLatencySeconds());
  EXPECT_NEAR(*player_->LiveLatencySeconds(), expected, 0.002);
  RunFor(seconds(30));
  EXPECT_NEAR(*player_->LiveLatencySeconds(), expected, 0.002);  // steady while playing
  // A stall adds its length to the latency.
  segment_delay_ = seconds(5);
  RunFor(seconds(30));
  EXPECT_FALSE(rec_.rebuffer_starts.empty());
  EXPECT_GT(*player_->LiveLatencySeconds(), expected + 2);
}

TEST_F(PlayerTest, LiveLatencyWithoutProgramDateTimeIsPlaylistAge) {
  Make();
  player_->Start();
  // Edge 6 s ahead of the playhead when it started, plus the age of the playlist since.
  for (int i = 0; i < 20; ++i) {
    RunFor(milliseconds(700));
    ASSERT_TRUE(player_->LiveLatencySeconds());
    EXPECT_NEAR(*player_->LiveLatencySeconds(), 6.0, 0.1) << i;
  }
  // VOD: no live latency.
  video_.vod = true;
  fetcher_.requests.clear();
  Make();
  player_->Start();
  RunFor(seconds(5));
  EXPECT_FALSE(player_->LiveLatencySeconds());
}

TEST_F(PlayerTest, Segment404IsRetriedWithBackoffThenSkipped) {
  video_.vod = true;
  video_.initial = 10;
  opts_.restart_vod = false;
  override_ = [](const FetchRequest& req) -> std::optional<Response> {
    if (req.url != "http://o/v/seg103.ts") return std::nullopt;
    Response r;
    r.status = 404;
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(120));
  std::vector<SteadyTime> tries;
  for (const auto* r : fetcher_.Of(RequestKind::kSegment)) {
    if (r->req.url == "http://o/v/seg103.ts") tries.push_back(r->at);
  }
  ASSERT_EQ(tries.size(), 7u);  // 1 + segment_retries_on_error (6)
  const int expected_gap_s[] = {1, 2, 4, 8, 8, 8};
  for (std::size_t i = 1; i < tries.size(); ++i) {
    EXPECT_NEAR(ToSeconds(tries[i] - tries[i - 1]), expected_gap_s[i - 1], 0.05) << i;
  }
  EXPECT_EQ(rec_.failed, 6);
  EXPECT_EQ(rec_.skipped, 1);
  const std::vector<std::uint64_t> msns = SegmentMsns("http://o/v/");
  std::set<std::uint64_t> unique(msns.begin(), msns.end());
  EXPECT_EQ(unique.size(), 10u);
  ASSERT_EQ(rec_.completed.size(), 1u);
  EXPECT_DOUBLE_EQ(rec_.completed[0], 18.0);  // one 2 s segment given up
}

TEST_F(PlayerTest, VodWithoutAPlayableSegmentEndsWithError) {
  video_.vod = true;
  video_.initial = 2;
  override_ = [](const FetchRequest& req) -> std::optional<Response> {
    if (req.kind != RequestKind::kSegment) return std::nullopt;
    Response r;
    r.status = 410;
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(200));
  EXPECT_EQ(fetcher_.Of(RequestKind::kSegment).size(), 14u);
  EXPECT_EQ(rec_.skipped, 2);
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kError);
  EXPECT_TRUE(rec_.playing.empty());
  video_.initial = 0;  // ENDLIST and no segment at all
  rec_.ended.clear();
  player_->Start();
  RunFor(seconds(5));
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kError);
}

TEST_F(PlayerTest, SegmentTimeoutsUseTheirOwnRetryCount) {
  video_.vod = true;
  video_.initial = 4;
  opts_.restart_vod = false;
  override_ = [](const FetchRequest& req) -> std::optional<Response> {
    if (req.url != "http://o/v/seg101.ts") return std::nullopt;
    Response r;
    r.status = 0;
    r.error = measure::RequestError::kTimeout;
    r.delay = seconds(10);
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(200));
  std::size_t tries = 0;
  for (const auto* r : fetcher_.Of(RequestKind::kSegment))
    tries += r->req.url == "http://o/v/seg101.ts";
  EXPECT_EQ(tries, 5u);  // 1 + segment_retries_on_timeout (4)
  EXPECT_EQ(rec_.skipped, 1);
}

TEST_F(PlayerTest, UnreachableMasterEndsWithErrorAfterSpacedRetries) {
  override_ = [](const FetchRequest& req) -> std::optional<Response> {
    if (req.url != kMasterUrl) return std::nullopt;
    Response r;
    r.status = 503;
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(60));
  const auto masters = fetcher_.Of(RequestKind::kMaster);
  ASSERT_EQ(masters.size(), 3u);  // 1 + playlist_retries (2)
  EXPECT_GE(masters[1]->at - masters[0]->at, seconds(1));
  EXPECT_GE(masters[2]->at - masters[1]->at, seconds(2));
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kError);
  EXPECT_NE(rec_.ended[0].second.find("HTTP 503"), std::string::npos) << rec_.ended[0].second;
  EXPECT_EQ(fetcher_.requests.size(), 3u);
}

TEST_F(PlayerTest, GarbageMediaPlaylistEndsWithErrorAfterRetries) {
  override_ = [](const FetchRequest& req) -> std::optional<Response> {
    if (req.kind != RequestKind::kMediaPlaylist) return std::nullopt;
    Response r;
    r.body = "<html>502 Bad Gateway</html>";
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(60));
  EXPECT_EQ(fetcher_.Of(RequestKind::kMediaPlaylist).size(), 3u);
  ASSERT_EQ(rec_.ended.size(), 1u);
  EXPECT_EQ(rec_.ended[0].first, EndReason::kError);
  EXPECT_NE(rec_.ended[0].second.find("no #EXTM3U"), std::string::npos) << rec_.ended[0].second;
}

TEST_F(PlayerTest, FailedLiveReloadsBackOffAndAreCounted) {
  bool fail = false;
  override_ = [&fail](const FetchRequest& req) -> std::optional<Response> {
    if (!fail || req.kind != RequestKind::kMediaPlaylist) return std::nullopt;
    Response r;
    r.status = 500;
    return r;
  };
  Make();
  player_->Start();
  RunFor(seconds(10));
  const std::size_t before = fetcher_.Of(RequestKind::kMediaPlaylist).size();
  fail = true;
  RunFor(seconds(40));
  const auto playlists = fetcher_.Of(RequestKind::kMediaPlaylist);
  EXPECT_GE(rec_.reload_failed, 5);
  for (std::size_t i = before + 1; i < playlists.size(); ++i) {
    EXPECT_GE(playlists[i]->at - playlists[i - 1]->at, seconds(1)) << i;
  }
  EXPECT_TRUE(rec_.ended.empty());
  fail = false;
  RunFor(seconds(20));
  EXPECT_GT(fetcher_.Of(RequestKind::kMediaPlaylist).size(), playlists.size());
  EXPECT_GT(rec_.skipped, 0);  // the window moved on while reloads failed
}

TEST_F(PlayerTest, StopCancelsEverythingAndNoEventFollows) {
  Make();
  player_->Start();
  RunFor(milliseconds(25));  // the first segment is in flight
  player_->Stop();
  EXPECT_EQ(fetcher_.cancels, 1);
  const std::size_t requests = fetcher_.requests.size();
  RunFor(seconds(30));
  EXPECT_EQ(fetcher_.requests.size(), requests);
  EXPECT_TRUE(rec_.playing.empty());
  EXPECT_EQ(loop_.NextTimerAt(), SteadyTime::max());
}

TEST_F(PlayerTest, CmcdKeysFollowTheRequestAndThePlayback) {
  master_ =
      "#EXTM3U\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=950400\nv/low.m3u8\n"
      "#EXT-X-STREAM-INF:BANDWIDTH=2890800\nv/high.m3u8\n";
  video_.vod = true;
  video_.initial = 10;
  opts_.restart_vod = false;
  opts_.variant = config::Variant::kLowest;
  segment_delay_ = seconds(3);  // 3 s per 2 s segment: a stall before each segment
  Make();
  player_->Start();
  RunFor(seconds(60));
  ASSERT_GE(rec_.rebuffer_starts.size(), 5u);
  const auto& reqs = fetcher_.requests;
  ASSERT_GE(reqs.size(), 12u);
  // The master and the media playlist: manifests, at startup, before any measurement.
  EXPECT_EQ(reqs[0].req.cmcd.ot, cmcd::ObjectType::kManifest);
  EXPECT_EQ(reqs[0].req.cmcd.st, 0);
  EXPECT_EQ(reqs[0].req.cmcd.br_kbps, 0u);
  EXPECT_TRUE(reqs[0].req.cmcd.su);
  EXPECT_EQ(reqs[1].req.cmcd.ot, cmcd::ObjectType::kManifest);
  EXPECT_TRUE(reqs[1].req.cmcd.su);
  EXPECT_EQ(reqs[1].req.cmcd.mtp_100kbps, cmcd::Object::kUnknown);
  // The first segment: still startup, an empty buffer, no throughput measured yet.
  const cmcd::Object& first = reqs[2].req.cmcd;
  EXPECT_EQ(reqs[2].req.kind, RequestKind::kSegment);
  EXPECT_EQ(first.ot, cmcd::ObjectType::kMuxed);
  EXPECT_EQ(first.br_kbps, 950u);
  EXPECT_EQ(first.tb_kbps, 950u);  // a fixed variant may play only itself
  EXPECT_EQ(first.d_ms, 2000u);
  EXPECT_EQ(first.bl_100ms, 0);
  EXPECT_EQ(first.st, 'v');
  EXPECT_TRUE(first.su);
  EXPECT_FALSE(first.bs);
  EXPECT_EQ(first.mtp_100kbps, cmcd::Object::kUnknown);
  // Once playing: no su, a measured throughput; bs once per stall, on the request after it.
  std::size_t bs = 0;
  for (std::size_t i = 3; i < reqs.size(); ++i) {
    const cmcd::Object& o = reqs[i].req.cmcd;
    EXPECT_FALSE(o.su) << i;
    EXPECT_NE(o.mtp_100kbps, cmcd::Object::kUnknown) << i;
    bs += o.bs ? 1 : 0;
  }
  // The last stall waits for the last segment: no request follows it.
  EXPECT_EQ(bs + 1, rec_.rebuffer_starts.size());
}

TEST_F(PlayerTest, CompactState) {
  Make();
  player_->Start();
  RunFor(seconds(20));
  std::printf("sizeof(Player) = %zu bytes, owned heap while playing = %zu bytes (%zu per Timer)\n",
              sizeof(Player), player_->OwnedHeapBytes(), sizeof(Timer));
  EXPECT_LE(sizeof(Player), 512u);
  // The engine keeps one FetchRequest per channel; the CMCD keys fit in its former padding.
  EXPECT_LE(sizeof(FetchRequest), 104u);
  EXPECT_LE(player_->OwnedHeapBytes(), 4 * sizeof(Timer));
  // Every viewer's playlists come from the shared cache: one parse per distinct body.
  Player second(loop_, opts_, fetcher_, cache_, rec_);
  (void)second;
  EXPECT_LE(cache_.misses(), 1 + fetcher_.Of(RequestKind::kMediaPlaylist).size());
}

}  // namespace
}  // namespace hs::player
