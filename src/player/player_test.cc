// hls-swarm — Copyright (C) 2026 the hls-swarm authors. MIT licence.
// The player on a fake clock against a generated origin: live start, sequence tracking, reload
// pacing (RFC 8216 §6.3.3/§6.3.4, hls.js), VOD pacing and end, init/key/byterange, audio,
// rebuffering and failures. No sockets, no sleeps.
#include "player/player.h"

#include <set>

#include <gtest/gtest.h>

#include "player/player_plan.h"
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
  void RunUntil(SteadyTime until) {
    loop_.RunOnce(Duration::zero());
    for (int guard = 0; guard < 1000000; ++guard) {
      const SteadyTime next = loop_.NextTimerAt();
      if (next > until) break;
      if (next > clock_.Now()) clock_.Advance(next - clock_.Now());
      loop_.RunOnce(Duration::zero());
    }
    if (until > clock_.Now()) clock_.Advance(until - clock_.Now());
    loop_.RunOnce(Duration::zero());
  }
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
  EXPECT_EQ(rec_.ended[0].first, EndReason::kEndOfStream);
  EXPECT_EQ(rec_.ended_at - rec_.completed_at[0], seconds(2));
  EXPECT_NEAR(ToSeconds(rec_.completed_at[0] - playing_at), 200.0, 0.01);
  EXPECT_TRUE(rec_.rebuffer_starts.empty());
  EXPECT_EQ(fetcher_.Of(RequestKind::kMediaPlaylist).size(), 1u);  // a VOD is not reloaded
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
  EXPECT_EQ(rec_.ended[0].first, EndReason::kEndOfStream);
  const auto playlists = fetcher_.Of(RequestKind::kMediaPlaylist);
  EXPECT_LT(playlists.back()->at, rec_.ended_at);
  EXPECT_EQ(fetcher_.requests.back().at <= rec_.ended_at, true);
}

}  // namespace
}  // namespace hs::player
